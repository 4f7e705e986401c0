// Finds care-pathway workflows whose workflow task keeps failing (`npm run ops:stuck`), and where a
// reset would unblock them. See ../shared/notes/query-replay-defect: the recorded history of such a
// case holds one workflow task whose commands today's code does not produce on replay; every later
// task replays that far and fails. Re-running that task (a reset) with today's code unblocks the case.
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowIdFor } from '../../workflows/definitions';
import { dataConverterOf, failureMessage } from '../payloadCrypto';
import { bundleCareWorkflows } from '../workflowBundle';

const EventType = temporal.api.enums.v1.EventType;
const TaskFailedCause = temporal.api.enums.v1.WorkflowTaskFailedCause;
/** Failures of the workflow code itself: they repeat on every attempt until someone acts. */
const CODE_FAILURES = new Set<number>([TaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR, TaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE]);
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const WORKFLOW_ID_PREFIX = workflowIdFor('');
/** Replays of one prefix before a failure other than nondeterminism counts as a divergence. */
const REPLAY_ATTEMPTS = 3;
export const RUNNING_CASES_QUERY = "WorkflowType = 'carePathway' AND ExecutionStatus = 'Running'";

export interface StuckCase {
  reference: string;
  workflowId: string;
  /** The run whose workflow task fails (a reset terminates it and makes a new run). */
  runId: string;
  /** When the workflow task first failed (the first WorkflowTaskFailed after the last completed task). */
  since: Date | null;
  /** Attempt number of the pending workflow task (the server retries it, recording only the first failure). */
  attempts: number;
  /** Cause and failure message, on one line (Temporal's text: event IDs and types, no case data). */
  error: string;
  /**
   * The last WorkflowTaskCompleted whose whole history prefix still replays with this build's
   * workflow code (null when none was found, see `diagnosis`).
   */
  lastGoodEventId: number | null;
  /**
   * What to reset to: the WorkflowTaskCompleted event of the first workflow task whose replay
   * diverges. A reset keeps the history up to that task's WorkflowTaskStarted and runs that task
   * again with today's code, so everything recorded before it (activity results included) is kept.
   */
  resetEventId: number | null;
  /** How the reset point was found, or why none is proposed. */
  diagnosis: string;
}

export interface StuckOptions {
  /** Describes run in parallel at most this many at a time (default 8). */
  concurrency?: number;
  /** Deadline of each Temporal call, in ms (default 15 s). */
  callTimeoutMs?: number;
  /** A prebuilt workflow bundle for the replays (tests); otherwise ../../workflows is bundled once. */
  workflowBundlePath?: string;
  /** Narrows the listing (a visibility query ANDed to the running-cases query), e.g. `CaseId = '…'`. */
  extraQuery?: string;
}

/** Replays a history (or a prefix of it) with the project's workflow code: true when it replays. */
export type Replayer = (events: HistoryEvent[], workflowId: string) => Promise<boolean>;

/** `dataConverter`: the one of the client that read the histories (they are encrypted: lib/payloadCrypto). */
export async function createReplayer(opts: Pick<StuckOptions, 'workflowBundlePath'> & { dataConverter: DataConverter }): Promise<Replayer> {
  // Bundled once per command: the webpack build takes seconds, each replay then takes milliseconds.
  const workflowBundle = opts.workflowBundlePath
    ? { codePath: opts.workflowBundlePath }
    : { code: await bundleCareWorkflows({ logger: quietLogger }) };
  return async (events, workflowId) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await Worker.runReplayHistory({ workflowBundle, replayName: 'ops-stuck', dataConverter: opts.dataConverter }, { events }, workflowId);
        return true;
      } catch (err) {
        // Nondeterminism diverges. Any other failure may be this machine being busy (on a saturated
        // machine replays of healthy histories failed, and cases were listed stuck that were not): it
        // counts as a divergence only when it repeats.
        if (err instanceof DeterminismViolationError || attempt >= REPLAY_ATTEMPTS) return false;
      }
    }
  };
}

/** Lists running care-pathway workflows, describes each and returns those whose workflow task fails. */
export async function findStuckCases(client: Client, opts: StuckOptions = {}): Promise<StuckCase[]> {
  const timeout = opts.callTimeoutMs ?? 15_000;
  const executions = await listRunning(client, opts.extraQuery ? `${RUNNING_CASES_QUERY} AND (${opts.extraQuery})` : RUNNING_CASES_QUERY, timeout);
  const failing = (
    await mapBounded(executions, opts.concurrency ?? 8, async (e) => {
      const attempts = await pendingTaskAttempt(client, e.workflowId, e.runId, timeout);
      return attempts === undefined ? undefined : { ...e, attempts };
    })
  ).filter((e): e is { workflowId: string; runId: string; attempts: number } => e !== undefined);
  if (failing.length === 0) return [];
  const replay = await createReplayer({ ...opts, dataConverter: dataConverterOf(client) });
  const found = await mapBounded(failing, opts.concurrency ?? 8, async (e) => (await inspectRun(client, e.workflowId, e.runId, replay, timeout, e.attempts))?.stuck);
  return found.filter((s): s is StuckCase => s !== undefined).sort((a, b) => (a.since?.getTime() ?? 0) - (b.since?.getTime() ?? 0));
}

/**
 * How many running cases have a workflow task that failed at least `minAttempts - 1` times in a row:
 * the cheap half of findStuckCases (one describe per running case, no history, no replay), for the
 * metrics' gauge. A case counted here is one `npm run ops:stuck` will explain.
 */
export async function countFailingWorkflowTasks(client: Client, opts: { taskQueue: string; callTimeoutMs?: number; concurrency?: number; minAttempts?: number }): Promise<number> {
  const timeout = opts.callTimeoutMs ?? 15_000;
  const executions = await listRunning(client, `${RUNNING_CASES_QUERY} AND TaskQueue = '${opts.taskQueue.replace(/'/g, '')}'`, timeout);
  const attempts = await mapBounded(executions, opts.concurrency ?? 8, (e) => pendingTaskAttempt(client, e.workflowId, e.runId, timeout));
  return attempts.filter((a) => a !== undefined && a >= (opts.minAttempts ?? 3)).length;
}

/**
 * The pending workflow task's attempt when the run may be stuck (attempt > 1, or the history shows a
 * failure after the last completed task: checked by inspectRun), undefined when it certainly is not.
 */
async function pendingTaskAttempt(client: Client, workflowId: string, runId: string, timeout: number): Promise<number | undefined> {
  try {
    const d = await client.withDeadline(Date.now() + timeout, () =>
      client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId, runId } }),
    );
    const pending = d.pendingWorkflowTask;
    // A pending task on its first attempt may still follow a recorded failure (the server records
    // only the first failure of a streak and then retries from attempt 2): look at the history then.
    return pending ? (pending.attempt ?? 1) : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined; // closed between the listing and the describe
    throw err;
  }
}

/**
 * True when a run whose workflow task failed or timed out is waiting for a worker, not stuck: its
 * tasks only timed out or failed for a passing reason (a killed or restarted worker, a sticky queue
 * reset, new events during a task), and its history replays, or no task has completed yet (a first
 * task that timed out with a killed worker: the next worker runs it, and there is nothing to reset
 * to). A failure on a retried attempt is not written to history, so replay decides, and only the
 * code's own failures (nondeterminism, an error thrown by workflow code) make such a case stuck.
 */
export function waitingForWorker(failures: HistoryEvent[], anyCompleted: boolean, point: Pick<StuckCase, 'lastGoodEventId' | 'resetEventId'>): boolean {
  const codeFailure = failures.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && CODE_FAILURES.has(e.workflowTaskFailedEventAttributes?.cause ?? 0));
  if (codeFailure || point.resetEventId !== null) return false;
  return point.lastGoodEventId !== null || !anyCompleted;
}

export interface InspectedRun {
  stuck?: StuckCase;
  events: HistoryEvent[];
}

/** Reads a run's history: when its workflow task is failing, says since when, why and where to reset. */
export async function inspectRun(client: Client, workflowId: string, runId: string, replay: Replayer, timeout: number, attempts = 1): Promise<InspectedRun> {
  const history = await client.withDeadline(Date.now() + timeout * 4, () => client.workflow.getHandle(workflowId, runId).fetchHistory());
  const events = history.events ?? [];
  const lastCompleted = findLastIndex(events, (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const failures = events.slice(lastCompleted + 1).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED || e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  if (failures.length === 0 && attempts <= 1) return { events };
  const first = failures[0];
  const last = failures[failures.length - 1];
  const point = await findResetPoint(events, workflowId, replay);
  if (waitingForWorker(failures, lastCompleted >= 0, point)) return { events };
  return {
    events,
    stuck: {
      reference: workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : workflowId,
      workflowId,
      runId,
      since: first?.eventTime ? timestampToDate(first.eventTime) : null,
      attempts,
      error: last ? describeFailure(last, await failureMessage(client.options.loadedDataConverter, last.workflowTaskFailedEventAttributes?.failure)) : `workflow task on attempt ${attempts}, no failure recorded in history`,
      ...point,
    },
  };
}

/**
 * Replays growing prefixes of the history, each ending with one more workflow task's commands, and
 * finds the first task whose replay fails (binary search: once a prefix fails, every longer one does).
 * Measured by replay rather than by matching the defect's event pattern, so it also finds a task that
 * diverges for another reason, and proposes nothing when the history replays (a reset would not help).
 */
export async function findResetPoint(events: HistoryEvent[], workflowId: string, replay: Replayer): Promise<Pick<StuckCase, 'lastGoodEventId' | 'resetEventId' | 'diagnosis'>> {
  const completed = events.flatMap((e, i) => (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ? [i] : []));
  if (completed.length === 0) return { lastGoodEventId: null, resetEventId: null, diagnosis: 'No workflow task ever completed: a reset cannot help; look at the error (the workflow fails on its first task).' };
  // Task i's prefix: everything up to the next WorkflowTaskScheduled, so its commands are checked.
  const prefix = (i: number) => {
    const next = events.findIndex((e, j) => j > completed[i] && e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    return events.slice(0, next === -1 ? events.length : next);
  };
  const eventId = (i: number) => Number(events[completed[i]].eventId);
  if (await replay(prefix(completed.length - 1), workflowId)) {
    return { lastGoodEventId: eventId(completed.length - 1), resetEventId: null, diagnosis: 'The history replays with this build: the failure is not a replay divergence, so a reset would not help; look at the error (or run ops:stuck with the build the workers run).' };
  }
  if (!(await replay(prefix(0), workflowId))) {
    return { lastGoodEventId: null, resetEventId: null, diagnosis: 'Even the first workflow task does not replay with this build: check that ops runs the same build as the workers.' };
  }
  let good = 0; // replays
  let bad = completed.length - 1; // fails
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (await replay(prefix(mid), workflowId)) good = mid;
    else bad = mid;
  }
  return {
    lastGoodEventId: eventId(good),
    resetEventId: eventId(bad),
    diagnosis: `The workflow task completed at event ${eventId(bad)} diverges on replay; the history up to event ${eventId(bad) - 1} is kept by a reset to ${eventId(bad)}.`,
  };
}

async function listRunning(client: Client, query: string, timeout: number): Promise<{ workflowId: string; runId: string }[]> {
  const out: { workflowId: string; runId: string }[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.withDeadline(Date.now() + timeout, () =>
      client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: 500, nextPageToken }),
    );
    for (const e of page.executions ?? []) {
      if (e.execution?.workflowId && e.execution.runId) out.push({ workflowId: e.execution.workflowId, runId: e.execution.runId });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return out;
}

/** "CAUSE: message" on one line, at most 300 characters. */
/** `message`: the failure's decoded message (its recorded one is encrypted); the recorded one otherwise. */
export function describeFailure(event: HistoryEvent, message?: string): string {
  if (event.workflowTaskTimedOutEventAttributes) return 'TIMED_OUT: the workflow task timed out (is the worker overloaded or stuck?)';
  const a = event.workflowTaskFailedEventAttributes;
  const cause = TaskFailedCause[a?.cause ?? 0]?.replace('WORKFLOW_TASK_FAILED_CAUSE_', '') ?? 'UNKNOWN';
  return oneLine(`${cause}: ${message ?? a?.failure?.message ?? ''}`);
}

export const oneLine = (s: string, max = 300): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function timestampToDate(t: { seconds?: { toString(): string } | number | null; nanos?: number | null }): Date {
  return new Date(Number(t.seconds?.toString() ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

export function isNotFound(err: unknown): boolean {
  // gRPC NOT_FOUND (5), as the raw service and the client's typed errors report it.
  return (err as { code?: number } | null)?.code === 5 || (err instanceof Error && err.name === 'WorkflowNotFoundError');
}

async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

function findLastIndex<T>(items: T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
