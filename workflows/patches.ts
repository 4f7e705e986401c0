// How a case decides its patches. Each `patched()` a run records is two history events: the marker,
// and the TemporalChangeVersion search attribute Core upserts with it (its value, the list of the
// run's patches so far, grows with each). A full case opened before the newest patch recorded ten.
// A case opened under the newest patch takes every earlier one without recording it: its run asks
// only for the newest, first, and the older `patched()` calls are never made. Runs opened before it
// find no marker for it and decide each older patch as they always did, so their histories replay.
import { patched } from '@temporalio/workflow';

/**
 * Patch (#15, history budget; workflows/bookkeeping.ts): batched writes, and updates answer the
 * version of the view they left in the read model, a step's search attributes go in one upsert, the
 * case row's first write carries its first view instead of the rules. It also implies every older patch.
 */
export const SMALL_ANSWERS = 'small-answers-batched-attributes';

/**
 * Patch (#15, history budget; workflows/viewParts.ts): a write of the view names the entries that
 * changed inside a list or an object (one checklist item, one estimate), not the whole field. It
 * implies SMALL_ANSWERS and so every older patch.
 */
export const VIEW_PARTS = 'view-parts';

/**
 * Patch (#15, history budget; workflows/fileCollection.ts): the patient's remind-then-expire wait keeps
 * its timer when the patient acts, and moves the reminder on when that timer ends, instead of cancelling
 * and restarting it at every upload or answer (two history events each). The reminder goes at the same
 * time. It implies VIEW_PARTS and so every older patch.
 */
export const STEADY_REMINDERS = 'steady-reminders';

/**
 * Patch (#15, structure; workflows/reminders.ts): every remind-then-escalate wait (file and fee, report,
 * estimate, guarantee, task, balance, money to return) is the one helper. A partial payment of a
 * balance starts its reminders again, as a payment toward a guarantee always did. It implies
 * STEADY_REMINDERS and so every older patch.
 */
export const SHARED_REMINDERS = 'shared-reminders';

/** Decides the newest patches: call first in the run, before anything records a command. */
export function openPatches() {
  // Newest first: a run opened under SHARED_REMINDERS records its marker only; one opened under
  // STEADY_REMINDERS finds no SHARED_REMINDERS marker and decides STEADY_REMINDERS from its own, as
  // recorded, and so on down.
  const sharedReminders = patched(SHARED_REMINDERS);
  const steadyReminders = sharedReminders || patched(STEADY_REMINDERS);
  const viewParts = steadyReminders || patched(VIEW_PARTS);
  const small = viewParts || patched(SMALL_ANSWERS);
  return {
    /** True in runs opened under SHARED_REMINDERS. */
    sharedReminders,
    /** True in runs opened under STEADY_REMINDERS or SHARED_REMINDERS. */
    steadyReminders,
    /** True in runs opened under VIEW_PARTS. */
    viewParts,
    /** True in runs opened under SMALL_ANSWERS or VIEW_PARTS. */
    small,
    /** `patched(name)` for an older patch: true without a marker in runs opened under the newest. */
    has: (name: string): boolean => small || patched(name),
  };
}

export type Patches = ReturnType<typeof openPatches>;
