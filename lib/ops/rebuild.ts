// Rebuilds the Parcours read model from Temporal, for after the database was restored from an older
// backup while Temporal kept its histories (docs/operations.md). Only recorded history is read (never a
// workflow query, which could run workflow code ahead of history): every carePathway workflow, any
// status, every run. For each case it recreates the Case row when missing, replays the recorded
// `recordCase`/`recordCaseEvent` activity inputs (or the batches of `writeBookkeeping`; for local activities, which history keeps no input of, the
// inputs a replay of the history asks for: lib/ops/localActivityWrites.ts) through the same activities (idempotent by their keys:
// missing timeline events are appended), writes the newest view (an update's result, or the view rebuilt
// from the recorded changes; it only moves forward), recreates the CaseRequest (by the memo's key hash), confirms the row, and moves the
// reference counter past every reference Temporal holds. Running it twice changes nothing the second time.
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex, type PayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { createCaseRecordActivities, type CaseEventInput, type ViewWrite } from '../../activities/caseRecords';
import type { BookkeepingBatch } from '../../activities/bookkeeping';
import { appliedOrNull, caseRowOf, isCaseState, viewOf, writeCaseState } from '../caseView';
import { initialCaseState } from '../../workflows/caseState';
import { isUniqueViolation, type Db } from '../db';
import { restoredRequestKey, RESTORED_BODY_HASH } from '../caseIdentity';
import { workflowIdFor, type CaseStartInput, type CaseView } from '../../workflows/definitions';
import { decodeEncryptedPayloads } from '../payloadCrypto';
import { createLocalWritesReader, type LocalActivityCall, type LocalWritesReader } from './localActivityWrites';

type HistoryEvent = NonNullable<History['events']>[number];

export interface RebuildOptions {
  /** Extra visibility filter, ANDed with `WorkflowType = 'carePathway'` (e.g. `TaskQueue = "parcours"`). */
  query?: string;
  /** Deadline of each visibility page and each run's history fetch. */
  callTimeoutMs?: number;
  /** One line per case as it goes (references only: nothing personal). */
  progress?: (line: string) => void;
}

export interface RebuildSummary {
  workflows: number;
  runs: number;
  rowsCreated: number;
  rowsKept: number;
  viewsAdvanced: number;
  eventsAppended: number;
  requestsCreated: number;
  confirmed: number;
  /** Rows recreated without their owner: the account is not in this database (registered after the backup). */
  ownersMissing: string[];
  /** References whose existing row belongs to another owner than the workflow: left alone, to resolve by hand. */
  conflicts: string[];
  /** Workflows that could not be rebuilt (workflow ID and reason); run again once the cause is fixed. */
  failures: { workflowId: string; error: string }[];
  /** The reference counter per year after the rebuild. */
  counters: Record<string, number>;
}

interface Run {
  runId: string;
  firstRunId: string;
  startMs: number;
}

/** The marker the SDK records for each local activity (its details: `data`, the activity's type and attempt; `result`). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const REFERENCE = /^INT-(\d{4})-(\d{6})$/;

/** Every run of every carePathway workflow, grouped by workflow ID, oldest run first. */
async function listRuns(client: Client, query: string, timeoutMs: number): Promise<Map<string, Run[]>> {
  const byWorkflow = new Map<string, Run[]>();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: 200, nextPageToken }),
    );
    for (const e of page.executions ?? []) {
      const workflowId = e.execution?.workflowId;
      const runId = e.execution?.runId;
      if (!workflowId || !runId) continue;
      const runs = byWorkflow.get(workflowId) ?? [];
      if (!runs.some((r) => r.runId === runId)) runs.push({ runId, firstRunId: e.firstRunId || runId, startMs: tsToMs(e.startTime) });
      byWorkflow.set(workflowId, runs);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  for (const runs of byWorkflow.values()) runs.sort((a, b) => a.startMs - b.startMs);
  return byWorkflow;
}

/** What one case's recorded history says, across its runs. */
interface Recorded {
  start?: CaseStartInput;
  startMs?: number;
  memo: { ownerId?: string; requestKeyHash?: string };
  recordCase?: CaseStartInput;
  /** The case row's first view, when the batch carried it (newer cases: then the input has no rules). */
  recordCaseView?: CaseView;
  events: CaseEventInput[];
  /** The newest whole view: an update's result, a continued run's state, or one rebuilt from the recorded changes. */
  newest?: CaseView;
}

/** `local`: what the run's local activities were asked to write, by sequence number (lib/ops/localActivityWrites.ts). */
function readHistory(events: HistoryEvent[], converter: PayloadConverter, into: Recorded, local?: Map<number, LocalActivityCall>): void {
  const decode = <T>(payloads: Parameters<typeof fromPayloadsAtIndex>[2]): T | undefined => {
    try {
      return fromPayloadsAtIndex<T>(converter, 0, payloads);
    } catch {
      return undefined; // a payload this converter cannot read: skipped, the rest still counts
    }
  };
  const offer = (state: unknown) => {
    if (isCaseState(state) && (!into.newest || state.version > into.newest.version)) into.newest = state;
  };
  /** A view write the workflow sent: a whole view, or a change applied to the newest view it builds on. */
  const written = (write: ViewWrite) => {
    if (write.view && write.version !== undefined) offer({ ...write.view, version: write.version });
    const change = write.change;
    if (change && into.newest && into.newest.version >= change.base && change.version > into.newest.version) into.newest = appliedOrNull(into.newest, change) ?? into.newest;
  };
  /** An event to replay for the timeline. Older events carry no time of their own: the time the workflow scheduled them is close. */
  const pushEvent = (event: CaseEventInput, e: HistoryEvent) => into.events.push({ ...event, at: event.at ?? new Date(tsToMs(e.eventTime)).toISOString() });
  /** What an activity of the workflow wrote (`input` as the activity received it). */
  const took = (name: string | null | undefined, input: () => unknown, e: HistoryEvent) => {
    if (name === 'recordCase') into.recordCase ??= input() as CaseStartInput | undefined;
    if (name === 'recordCaseEvent') {
      const write = input() as CaseEventInput | undefined;
      if (write) {
        written(write);
        // The view goes in once at the end (the newest); each event is replayed for the timeline.
        const { change: _change, view: _view, version: _version, ...event } = write;
        pushEvent(event, e);
      }
    }
    if (name === 'publishCaseView') {
      const write = input() as ViewWrite | undefined;
      if (write) written(write);
    }
    // Cases opened with the batched-bookkeeping patch: one activity per step (activities/bookkeeping.ts).
    if (name === 'writeBookkeeping') {
      const batch = input() as BookkeepingBatch | undefined;
      if (!batch) return;
      for (const w of batch.writes) {
        if (w.kind !== 'case' || into.recordCase) continue;
        into.recordCase = w.input;
        into.recordCaseView = w.view;
      }
      written(batch);
      const owner = batch.ownerId ? { ownerId: batch.ownerId } : {};
      for (const w of batch.writes) if (w.kind === 'event') pushEvent({ reference: batch.reference, ...owner, ...w.event }, e);
    }
  };
  for (const e of events) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = decode<CaseStartInput>(started.input?.payloads);
      if (input && !into.start) {
        into.start = input;
        into.startMs = tsToMs(e.eventTime);
      }
      if (input?.resume) offer(viewOf(input.resume.state));
      else if (input) offer(viewOf(initialCaseState(input))); // version 0: what the API wrote when it opened the case
      for (const [k, payload] of Object.entries(started.memo?.fields ?? {})) {
        const v: unknown = converter.fromPayload(payload);
        if ((k === 'ownerId' || k === 'requestKeyHash') && typeof v === 'string') into.memo[k] = v;
      }
    }
    // An activity on the queue: its input is in history. A local activity (cases opened with the
    // local-bookkeeping patch): its marker says it completed; its input comes from the replay.
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) took(scheduled.activityType?.name, () => decode<unknown>(scheduled.input?.payloads), e);
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER && marker.details?.result && !marker.failure) {
      const data = decode<{ seq?: number; activity_type?: string }>(marker.details.data?.payloads);
      const call = data?.seq === undefined ? undefined : local?.get(data.seq);
      if (call && call.activityType === data?.activity_type) took(call.activityType, () => call.input, e);
    }
    const updated = e.workflowExecutionUpdateCompletedEventAttributes;
    if (updated?.outcome?.success) offer(decode<unknown>(updated.outcome.success.payloads));
  }
}

/** A failure in words without data: a database error's message may quote the row (patient data), so only its code is kept. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  if (err.name.startsWith('PrismaClient')) return `database error ${(err as { code?: string }).code ?? err.name}`;
  return err.message;
}

export async function rebuildReadModel(db: Db, client: Client, options: RebuildOptions = {}): Promise<RebuildSummary> {
  const timeoutMs = options.callTimeoutMs ?? 30_000;
  const progress = options.progress ?? (() => undefined);
  const converter = client.options.loadedDataConverter.payloadConverter;
  const records = createCaseRecordActivities({ db });
  const query = `WorkflowType = 'carePathway'${options.query ? ` AND (${options.query})` : ''}`;
  const summary: RebuildSummary = { workflows: 0, runs: 0, rowsCreated: 0, rowsKept: 0, viewsAdvanced: 0, eventsAppended: 0, requestsCreated: 0, confirmed: 0, ownersMissing: [], conflicts: [], failures: [], counters: {} };
  const highest = new Map<number, number>();

  /** Created at the first case with local activities (it bundles the workflow code). */
  let readLocalWrites: Promise<LocalWritesReader> | undefined;
  const byWorkflow = await listRuns(client, query, timeoutMs);
  for (const [workflowId, runs] of byWorkflow) {
    summary.workflows++;
    summary.runs += runs.length;
    try {
      const recorded: Recorded = { memo: {}, events: [] };
      for (const run of runs) {
        const history = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId, run.runId).fetchHistory());
        const events = await decodeEncryptedPayloads(client.options.loadedDataConverter.payloadCodecs, history.events ?? []);
        const local = events.some((e) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) ? await (await (readLocalWrites ??= createLocalWritesReader()))(events, workflowId) : undefined;
        readHistory(events, converter, recorded, local);
      }
      const start = recorded.start;
      if (!start || workflowIdFor(start.reference) !== workflowId) throw new Error('its start input names no case reference matching the workflow ID');
      const reference = start.reference;
      const [, year, number] = REFERENCE.exec(reference) ?? [];
      if (year) highest.set(Number(year), Math.max(highest.get(Number(year)) ?? 0, Number(number)));
      const firstRunId = runs[0].firstRunId;
      const ownerId = recorded.memo.ownerId ?? start.ownerId;

      let row = await db.case.findUnique({ where: { reference } });
      if (row && row.confirmedRunId !== firstRunId && row.ownerId !== (ownerId ?? null)) {
        summary.conflicts.push(reference);
        progress(`${reference}: CONFLICT, the existing row belongs to another owner than the workflow: left unchanged`);
        continue;
      }
      if (row) summary.rowsKept++;
      else {
        const owner = ownerId ? await db.user.findUnique({ where: { id: ownerId }, select: { id: true } }) : null;
        if (!owner) summary.ownersMissing.push(reference);
        const data = { ...caseRowOf({ ...start, resume: undefined }), ownerId: owner?.id ?? null, ...(recorded.startMs ? { createdAt: new Date(recorded.startMs) } : {}) };
        try {
          row = await db.case.create({ data });
          summary.rowsCreated++;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          row = await db.case.findUniqueOrThrow({ where: { reference } }); // the workflow's own activity recreated it meanwhile
          summary.rowsKept++;
        }
      }
      const versionBefore = row.viewVersion;

      // The same activities the workflow ran, with the same inputs: each event once, the view forward only.
      if (recorded.recordCase) summary.eventsAppended += Number((await records.recordCase(recorded.recordCase, recorded.recordCaseView)).recorded);
      for (const event of recorded.events) summary.eventsAppended += Number((await records.recordCaseEvent(event)).recorded);
      if (recorded.newest) await writeCaseState(db, recorded.newest);

      if (recorded.memo.requestKeyHash && !(await db.caseRequest.findUnique({ where: { reference } }))) {
        try {
          await db.caseRequest.create({ data: { idempotencyKey: restoredRequestKey(recorded.memo.requestKeyHash), reference, bodyHash: RESTORED_BODY_HASH } });
          summary.requestsCreated++;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      const { count } = await db.case.updateMany({ where: { reference, confirmedRunId: null }, data: { confirmedRunId: firstRunId } });
      summary.confirmed += count;
      const after = await db.case.findUniqueOrThrow({ where: { reference }, select: { viewVersion: true, phase: true } });
      if (after.viewVersion > versionBefore) summary.viewsAdvanced++;
      progress(`${reference}: ${after.phase} (view version ${after.viewVersion})`);
    } catch (err) {
      const error = describeFailure(err);
      summary.failures.push({ workflowId, error });
      progress(`${workflowId}: FAILED (${error})`);
    }
  }

  // New references start past every case Temporal holds (the restored counter may be behind).
  for (const [year, last] of highest) {
    await db.referenceCounter.upsert({ where: { year }, create: { year, last }, update: {} });
    await db.referenceCounter.updateMany({ where: { year, last: { lt: last } }, data: { last } });
  }
  for (const c of await db.referenceCounter.findMany()) summary.counters[String(c.year)] = c.last;
  return summary;
}
