// The one remind-then-escalate wait of runs opened under SHARED_REMINDERS (workflows/patches.ts): the
// patient's file and fee, the physicians' report, an estimate's answer and its guarantee, a team's
// task, a balance due, money to return. Each says what it waits for, how often it reminds, and what a
// reminder is; the caller decides what giving up means (an expiry, an alert to the coordinator).
// Runs opened before the patch keep their own loops, written out where they are, as they recorded them.
import { condition } from '@temporalio/workflow';

/** How a remind-then-escalate wait ended: what it waited for happened, it was stopped, or it gave up. */
export type ReminderOutcome = 'done' | 'stopped' | 'exhausted';

/** A person's progress, which starts the count again (an upload, a payment). */
export interface Progress {
  /** Changes when the person made progress. */
  value: () => unknown;
  /**
   * When the person last acted (workflow time). Given, the wait keeps its timer when they act (their
   * action restarted the count already, through `count`), and when it ends goes on to a reminder
   * `interval` after that action: no timer events per action.
   */
  lastAt?: () => number;
  /** Without `lastAt`, progress wakes the wait: what it does then, before it waits again. */
  changed?: () => Promise<void>;
}

export interface Reminders {
  /** The timer's summary before reminder `sent + 1` (ops read it in the Temporal UI: no health data). */
  summary: (sent: number) => string;
  /** What the wait is for has happened. */
  done: () => boolean;
  /** The wait ends without it: the case ended, or its background work is stopping. */
  stop: () => boolean;
  /** Milliseconds from now to the next reminder, `sent` reminders sent so far. */
  interval: (sent: number) => number;
  /** Reminders sent before the wait gives up, one interval after the last; without it, it reminds until done. */
  max?: number;
  /** It also gives up when a reminder falls due after this time (epoch ms): an estimate's validity. */
  expiresAt?: number;
  /** Sends reminder `n` (from 1). */
  remind: (n: number) => Promise<void>;
  /** Where the count lives when people see it (the case's, a task's); the wait's own otherwise. */
  count?: { get(): number; set(n: number): void };
  progress?: Progress;
  /** Told when the timer is to end (the patient's wait shows it as the case's deadline). */
  timerSet?: (dueAt: number) => void;
}

/** Waits until `done`, reminding every `interval`, and gives up after `max` reminders or at `expiresAt`. */
export async function remindUntil(r: Reminders): Promise<ReminderOutcome> {
  let own = 0;
  const count = r.count ?? { get: () => own, set: (n: number) => void (own = n) };
  const max = r.max ?? Infinity;
  const progress = r.progress;
  const steady = progress?.lastAt !== undefined;
  let seen = progress?.value();
  const moved = () => progress !== undefined && progress.value() !== seen;
  let due = Date.now() + r.interval(count.get());
  for (;;) {
    r.timerSet?.(due);
    await condition(() => r.done() || r.stop() || (!steady && moved()), Math.max(1, due - Date.now()), { summary: r.summary(count.get()) });
    if (r.done()) return 'done';
    if (r.stop()) return 'stopped';
    if (progress && moved()) {
      seen = progress.value();
      if (!progress.lastAt) {
        count.set(0); // the person is active: the clock starts again
        await progress.changed?.();
        due = Date.now() + r.interval(0);
        continue;
      }
      // The timer ended after an action: the reminder is due `interval` after the last one.
      const next = progress.lastAt() + r.interval(count.get());
      if (next > Date.now()) {
        due = next;
        continue;
      }
    }
    if (count.get() >= max || (r.expiresAt !== undefined && Date.now() >= r.expiresAt)) return 'exhausted';
    count.set(count.get() + 1);
    await r.remind(count.get());
    // Steady: an action while the reminder went has restarted the count already; the wait starts from now.
    if (steady) seen = progress.value();
    due = Date.now() + r.interval(count.get());
  }
}
