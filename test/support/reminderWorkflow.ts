// A workflow that runs nothing but workflows/reminders.ts, for test/reminders.test.ts: signals play the
// person's progress, the awaited thing happening and the case stopping; the result says when each
// reminder went (workflow time) and how the wait ended.
import { defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { remindUntil, type ReminderOutcome } from '../../workflows/reminders';

export interface ReminderRun {
  intervalMs: number;
  max?: number;
  /** Gives up at start + this. */
  expiresInMs?: number;
  /** The person's action restarts the count itself and the timer runs on (the patient's wait). */
  steady?: boolean;
}
export interface ReminderResult {
  outcome: ReminderOutcome;
  startedAt: number;
  endedAt: number;
  reminders: { n: number; at: number }[];
  progressAt: number[];
  /** How often the wait ran its `changed` callback (non-steady progress). */
  changes: number;
}

export const progressSignal = defineSignal('progress');
export const doneSignal = defineSignal('done');
export const stopSignal = defineSignal('stop');
export const remindersSentQuery = defineQuery<number>('remindersSent');

export async function reminderWorkflow(run: ReminderRun): Promise<ReminderResult> {
  const startedAt = Date.now();
  let done = false;
  let stopped = false;
  let sent = 0;
  let progress = 0;
  let lastAt = 0;
  let changes = 0;
  const reminders: ReminderResult['reminders'] = [];
  const progressAt: number[] = [];
  setHandler(progressSignal, () => {
    progress++;
    lastAt = Date.now();
    progressAt.push(lastAt);
    if (run.steady) sent = 0; // as the patient's wait does, through its hook
  });
  setHandler(doneSignal, () => void (done = true));
  setHandler(stopSignal, () => void (stopped = true));
  setHandler(remindersSentQuery, () => reminders.length);
  const outcome = await remindUntil({
    summary: (n) => `Reminder ${n + 1}`,
    done: () => done,
    stop: () => stopped,
    interval: () => run.intervalMs,
    max: run.max,
    expiresAt: run.expiresInMs === undefined ? undefined : startedAt + run.expiresInMs,
    count: { get: () => sent, set: (n) => void (sent = n) },
    progress: run.steady
      ? { value: () => progress, lastAt: () => lastAt }
      : {
          value: () => progress,
          changed: async () => {
            changes++;
            await Promise.resolve();
          },
        },
    remind: async (n) => {
      reminders.push({ n, at: Date.now() });
      await Promise.resolve();
    },
  });
  return { outcome, startedAt, endedAt: Date.now(), reminders, progressAt, changes };
}
