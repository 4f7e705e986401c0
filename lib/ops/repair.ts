// Repairs a stuck case (`npm run ops:repair`): resets its workflow to the first workflow task whose
// replay diverges (lib/ops/stuck.ts), then re-delivers the updates that the failed run had accepted
// after that point, with their original update IDs and payloads, so each is applied exactly once.
// Progress is kept in CaseRepair (pending → reset → done): running the command again resumes an
// unfinished repair instead of resetting twice.
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import Long from 'long';
import { temporal } from '@temporalio/proto';
import { isUniqueViolation, type Db } from '../db';
import { workflowIdFor } from '../../workflows/definitions';
import { createReplayer, inspectRun, isNotFound, oneLine, type Replayer } from './stuck';
import { dataConverterOf, failureMessage } from '../payloadCrypto';

const EventType = temporal.api.enums.v1.EventType;
const UpdateStage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface RepairOptions {
  /** Who repairs (kept in CaseRepair and the audit trail). */
  by: string;
  /** Why (kept in the reset's reason in Temporal). No patient data. */
  reason: string;
  /** Deadline of each Temporal call, in ms (default 15 s). */
  callTimeoutMs?: number;
  /** How long to wait for the new run's first task and for each re-delivered update (default 60 s). */
  settleTimeoutMs?: number;
  /** A prebuilt workflow bundle for the replays (tests). */
  workflowBundlePath?: string;
  /** A replayer to share between cases (repairAll). */
  replayer?: Replayer;
}

export interface RedeliveredUpdate {
  updateId: string;
  name: string;
  /** applied: the new run accepted and completed it; rejected: its validator or handler refused it now. */
  outcome?: 'applied' | 'rejected';
  detail?: string;
}

export interface RepairResult {
  reference: string;
  workflowId: string;
  /** repaired (now or by resuming an unfinished repair) · not_stuck (nothing done) · cannot_repair (nothing done: see message). */
  outcome: 'repaired' | 'not_stuck' | 'cannot_repair';
  message: string;
  failedRunId?: string;
  newRunId?: string;
  resetEventId?: number;
  updates: RedeliveredUpdate[];
}

/** Wrong input or a state ops must look at: the message says what to do. */
export class OpsError extends Error {
  override name = 'OpsError';
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export async function repairCase(client: Client, db: Db, reference: string, opts: RepairOptions): Promise<RepairResult> {
  if (!REFERENCE.test(reference)) throw new OpsError(`"${reference}" is not a case reference (e.g. INT-2026-000123); npm run ops:stuck lists the stuck ones.`);
  const workflowId = workflowIdFor(reference);
  const timeout = opts.callTimeoutMs ?? 15_000;
  const base = { reference, workflowId, updates: [] as RedeliveredUpdate[] };

  const unfinished = await db.caseRepair.findFirst({ where: { workflowId, status: { in: ['pending', 'reset'] } }, orderBy: { id: 'desc' } });
  if (unfinished) return resume(client, db, unfinished.id, opts);

  let current: { runId: string; status: string };
  try {
    const d = await client.withDeadline(Date.now() + timeout, () => client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } }));
    current = { runId: d.workflowExecutionInfo?.execution?.runId ?? '', status: temporal.api.enums.v1.WorkflowExecutionStatus[d.workflowExecutionInfo?.status ?? 0] ?? 'UNKNOWN' };
  } catch (err) {
    if (isNotFound(err)) throw new OpsError(`No case workflow ${workflowId} in namespace ${client.options.namespace}: check the reference (npm run ops:stuck lists the stuck cases).`);
    throw err;
  }
  if (current.status !== 'WORKFLOW_EXECUTION_STATUS_RUNNING') {
    return { ...base, outcome: 'not_stuck', message: `The case's workflow is not running (${current.status.replace('WORKFLOW_EXECUTION_STATUS_', '').toLowerCase()}): nothing to repair.` };
  }
  const replay = opts.replayer ?? (await createReplayer({ ...opts, dataConverter: dataConverterOf(client) }));
  const { stuck, events } = await inspectRun(client, workflowId, current.runId, replay, timeout, await pendingAttempt(client, workflowId, current.runId, timeout));
  if (!stuck) return { ...base, outcome: 'not_stuck', message: 'Its workflow task is not failing: nothing to repair.' };
  if (stuck.resetEventId === null) return { ...base, failedRunId: current.runId, outcome: 'cannot_repair', message: `${stuck.error} — ${stuck.diagnosis}` };

  const updates = acceptedUpdatesAfter(events, stuck.resetEventId).map(({ updateId, name }) => ({ updateId, name }));
  let repairId: number;
  try {
    const row = await db.caseRepair.create({
      data: { reference, workflowId, failedRunId: current.runId, resetEventId: stuck.resetEventId, failure: stuck.error, updates, status: 'pending', by: opts.by },
    });
    repairId = row.id;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another operator started repairing this failure at the same moment: carry on with theirs.
    repairId = (await db.caseRepair.findUniqueOrThrow({ where: { workflowId_failedRunId: { workflowId, failedRunId: current.runId } } })).id;
  }
  return resume(client, db, repairId, { ...opts, replayer: replay });
}

/** Repairs every stuck case that a reset can unblock; one failure does not stop the others. */
export async function repairAll(client: Client, db: Db, opts: RepairOptions & { references: string[] }): Promise<{ reference: string; result?: RepairResult; error?: string }[]> {
  const replayer = opts.replayer ?? (await createReplayer({ ...opts, dataConverter: dataConverterOf(client) }));
  const out: { reference: string; result?: RepairResult; error?: string }[] = [];
  for (const reference of opts.references) {
    try {
      out.push({ reference, result: await repairCase(client, db, reference, { ...opts, replayer }) });
    } catch (err) {
      out.push({ reference, error: oneLine(err instanceof Error ? err.message : String(err)) });
    }
  }
  return out;
}

/** Carries a CaseRepair row from where it stands to done; each step is safe to run again. */
async function resume(client: Client, db: Db, repairId: number, opts: RepairOptions): Promise<RepairResult> {
  const timeout = opts.callTimeoutMs ?? 15_000;
  const settle = opts.settleTimeoutMs ?? 60_000;
  let row = await db.caseRepair.findUniqueOrThrow({ where: { id: repairId } });
  const { workflowId, failedRunId } = row;
  const namespace = client.options.namespace;

  if (row.status === 'pending') {
    // The reset may have happened before a crash: the failed run then names the run it made.
    const described = await client.withDeadline(Date.now() + timeout, () => client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId, runId: failedRunId } }));
    let newRunId = described.workflowExtendedInfo?.resetRunId || undefined;
    if (!newRunId) {
      const res = await client.withDeadline(Date.now() + timeout, () =>
        client.workflowService.resetWorkflowExecution({
          namespace,
          workflowExecution: { workflowId, runId: failedRunId },
          workflowTaskFinishEventId: Long.fromNumber(row.resetEventId),
          reason: oneLine(`ops.repair by ${row.by}: ${opts.reason}`, 500),
          // The same failure always gives the same request ID: the server answers a retried reset with the run it already made.
          requestId: `ops-repair-${crypto.createHash('sha256').update(`${workflowId}:${failedRunId}`).digest('hex').slice(0, 32)}`,
          // Updates are re-delivered below with their IDs; reapplied by the server they would be re-admitted
          // at the start of the re-run task, before the events they depended on, and refused.
          resetReapplyExcludeTypes: [temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
        }),
      );
      newRunId = res.runId ?? undefined;
    }
    if (!newRunId) throw new OpsError(`The reset of ${workflowId} returned no run ID: run ops:repair again; it resumes this repair.`);
    row = await db.caseRepair.update({ where: { id: repairId }, data: { status: 'reset', newRunId } });
  }

  const newRunId = row.newRunId!;
  if (row.status === 'reset') {
    await waitForHealthyTask(client, workflowId, newRunId, settle, timeout);
    const history = await client.withDeadline(Date.now() + timeout * 4, () => client.workflow.getHandle(workflowId, failedRunId).fetchHistory());
    const updates: RedeliveredUpdate[] = [];
    for (const u of acceptedUpdatesAfter(history.events ?? [], row.resetEventId)) {
      updates.push({ updateId: u.updateId, name: u.name, ...(await redeliver(client, workflowId, newRunId, u, settle, timeout)) });
    }
    row = await db.caseRepair.update({ where: { id: repairId }, data: { status: 'done', updates: updates.map((u) => ({ ...u })), completedAt: new Date() } });
    await db.auditEntry.create({ data: { actorId: row.by, actorRole: 'ops', action: 'ops.repair', caseReference: row.reference, requestId: `case-repair-${row.id}` } });
  }
  const updates = (row.updates as unknown as RedeliveredUpdate[]) ?? [];
  const rejected = updates.filter((u) => u.outcome === 'rejected').length;
  return {
    reference: row.reference,
    workflowId,
    outcome: 'repaired',
    failedRunId,
    newRunId,
    resetEventId: row.resetEventId,
    updates,
    message: `Reset to event ${row.resetEventId}; ${updates.length} update(s) re-delivered${rejected ? `, ${rejected} refused by the case now (the person must act again)` : ''}.`,
  };
}

interface AcceptedUpdate {
  updateId: string;
  name: string;
  request: temporal.api.update.v1.IRequest;
}

/** The updates a run accepted after `eventId`, in order, with their original request (ID, name, payloads). */
export function acceptedUpdatesAfter(events: HistoryEvent[], eventId: number): AcceptedUpdate[] {
  return events
    .filter((e) => Number(e.eventId) > eventId && e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    .flatMap((e) => {
      const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      const updateId = request?.meta?.updateId;
      return request && updateId ? [{ updateId, name: request.input?.name ?? '', request }] : [];
    });
}

/** Sends the update to the new run with its original ID and payloads, and waits for its outcome. */
async function redeliver(client: Client, workflowId: string, runId: string, u: AcceptedUpdate, settle: number, timeout: number): Promise<Pick<RedeliveredUpdate, 'outcome' | 'detail'>> {
  const namespace = client.options.namespace;
  const deadline = Date.now() + settle;
  let res = await client.withDeadline(Date.now() + timeout, () =>
    client.workflowService.updateWorkflowExecution({
      namespace,
      workflowExecution: { workflowId, runId },
      request: u.request,
      waitPolicy: { lifecycleStage: UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
    }),
  );
  let outcome = res.outcome;
  // The server may answer before the update completes (its long poll is shorter than a slow handler).
  while (!outcome?.success && !outcome?.failure) {
    if (Date.now() > deadline) throw new OpsError(`Update ${u.updateId} (${u.name}) re-delivered to ${workflowId} but not completed within ${settle} ms: is a worker running? Run ops:repair again; it resumes.`);
    res = await client.withDeadline(Date.now() + timeout, () =>
      client.workflowService.pollWorkflowExecutionUpdate({
        namespace,
        updateRef: { workflowExecution: { workflowId, runId }, updateId: u.updateId },
        waitPolicy: { lifecycleStage: UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
      }),
    );
    outcome = res.outcome;
  }
  return outcome.failure ? { outcome: 'rejected', detail: oneLine((await failureMessage(client.options.loadedDataConverter, outcome.failure)) ?? 'refused', 200) } : { outcome: 'applied' };
}

/** Waits until the new run completes a workflow task after the reset; fails fast if it fails again. */
async function waitForHealthyTask(client: Client, workflowId: string, runId: string, settle: number, timeout: number): Promise<void> {
  const deadline = Date.now() + settle;
  for (;;) {
    const history = await client.withDeadline(Date.now() + timeout * 4, () => client.workflow.getHandle(workflowId, runId).fetchHistory());
    const events = history.events ?? [];
    // The reset's own WorkflowTaskFailed (cause RESET_WORKFLOW) marks where the new run starts executing.
    const resetAt = events.findIndex((e) => e.workflowTaskFailedEventAttributes?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
    const after = events.slice(resetAt + 1);
    if (after.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) || events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)) return;
    const failed = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    if (failed) {
      throw new OpsError(`The reset run ${runId} of ${workflowId} fails its workflow task too (${oneLine((await failureMessage(client.options.loadedDataConverter, failed.workflowTaskFailedEventAttributes?.failure)) ?? '', 200)}): do not repeat the repair; look at the workflow code and the history.`);
    }
    if (Date.now() > deadline) throw new OpsError(`The reset run ${runId} of ${workflowId} has not completed a workflow task within ${settle} ms: is a worker polling its task queue? Run ops:repair again once it is; it resumes.`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pendingAttempt(client: Client, workflowId: string, runId: string, timeout: number): Promise<number> {
  const d = await client.withDeadline(Date.now() + timeout, () => client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId, runId } }));
  return d.pendingWorkflowTask?.attempt ?? 1;
}
