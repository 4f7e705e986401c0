// How the workflow keeps the database read model current (lib/caseView.ts): each write carries only the
// view's fields that changed since the last one (history stays small); a read model that fell behind
// (an earlier write not landed yet, a restored database) refuses the change, and gets the whole view.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ViewWrite } from '../activities/caseRecords';
import type { viewVersions } from './caseState';
import { FAILURE_TYPES } from './definitions';

type Versions = ReturnType<typeof viewVersions>;

const isBehind = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FAILURE_TYPES.readModelBehind;

/**
 * Runs `write` (an activity storing a view) with what the read model has not been sent yet: nothing when
 * it is current, else the change; again with the whole view when the stored view is too old for the change.
 */
export async function writeViewWith<T>(versions: Versions, write: (view: ViewWrite) => Promise<T>): Promise<T> {
  const change = versions.toSend();
  try {
    return await write(change ? { change } : {});
  } catch (err) {
    if (!change || !isBehind(err)) throw err;
    return write(versions.whole());
  }
}
