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

/** Decides the newest patch: call first in the run, before anything records a command. */
export function openPatches() {
  const newest = patched(SMALL_ANSWERS);
  return {
    /** True in runs opened under the newest patch. */
    newest,
    /** `patched(name)` for an older patch: true without a marker in runs opened under the newest. */
    has: (name: string): boolean => newest || patched(name),
  };
}

export type Patches = ReturnType<typeof openPatches>;
