// When ops:stuck calls a run with failed or timed-out workflow tasks stuck, and when it is only waiting
// for a worker (lib/ops/stuck.ts). The chaos run of 2026-12-05 listed as blocked a case whose first
// task had timed out with a killed worker; the next worker ran it and the case closed.
import { temporal } from '@temporalio/proto';
import { waitingForWorker } from '../lib/ops/stuck';

const EventType = temporal.api.enums.v1.EventType;
const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;
const timedOut = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, workflowTaskTimedOutEventAttributes: {} };
const failed = (cause: temporal.api.enums.v1.WorkflowTaskFailedCause) => ({ eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, workflowTaskFailedEventAttributes: { cause } });
const replays = { lastGoodEventId: 42, resetEventId: null };
const nothingToResetTo = { lastGoodEventId: null, resetEventId: null };

it('a first task that timed out with a killed worker is waiting: no task completed, nothing to reset to', () => {
  expect(waitingForWorker([timedOut], false, nothingToResetTo)).toBe(true);
  expect(waitingForWorker([timedOut, failed(Cause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE)], false, nothingToResetTo)).toBe(true);
});

it('a first task that fails in the workflow code is stuck', () => {
  expect(waitingForWorker([failed(Cause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE)], false, nothingToResetTo)).toBe(false);
  expect(waitingForWorker([timedOut, failed(Cause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR)], false, nothingToResetTo)).toBe(false);
});

it('after completed tasks, timeouts with a history that replays are waiting; a reset point or no replaying prefix is stuck', () => {
  expect(waitingForWorker([timedOut], true, replays)).toBe(true);
  expect(waitingForWorker([timedOut], true, { lastGoodEventId: 40, resetEventId: 44 })).toBe(false);
  // Tasks completed, yet not even the first one's prefix replays: stuck, though nothing failed in the code.
  expect(waitingForWorker([timedOut], true, nothingToResetTo)).toBe(false);
  expect(waitingForWorker([failed(Cause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR)], true, replays)).toBe(false);
});
