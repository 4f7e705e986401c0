// How a case writes what people and ops read about it: the audit trail and the read model in the
// database, the email outbox, and the search attributes of the Temporal UI. Cases opened with the
// QUEUED_BOOKKEEPING patch write through activities on the task queue, upsert a search attribute only
// when it changes, and answer updates with the whole view (which the API stores). Cases opened with the
// LOCAL_BOOKKEEPING patch (between the two) wrote through local activities and answered the version of
// the view they stored; cases opened before either upsert every time. The newest patches batch a step's
// writes (BATCHED_BOOKKEEPING), then also its upserts and answer versions again (SMALL_ANSWERS). Each
// replays as it was recorded.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BookkeepingWrite } from '../activities/bookkeeping';
import { initialCaseState, viewOf, type viewVersions } from './caseState';
import type { CaseAnswer, CaseStartInput, CaseState, CaseView } from './definitions';
import { openBatchedWrites } from './batchedWrites';
import { writeViewWith } from './readModel';

type RecordActivities = Pick<Activities, 'recordCase' | 'recordCaseEvent' | 'publishCaseView'>;
type MailActivities = Pick<Activities, 'sendEmail' | 'notifyMessage' | 'emailStaff'>;
const recordOptions = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '1m' } } as const;
// Unlimited retries with backoff: an SMTP outage delays mail, it never loses it (the activity only
// queues the email in the outbox; workers/mailRelay.ts delivers it).
const mailOptions = { startToCloseTimeout: '1m', retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' } } as const;
const records = proxyActivities<RecordActivities>(recordOptions);
const mail = proxyActivities<MailActivities>(mailOptions);
// Each is a short idempotent write to the database, keyed so a rerun after a worker crash changes nothing.
const localRecords = proxyLocalActivities<RecordActivities>(recordOptions);
const localMail = proxyLocalActivities<MailActivities>(mailOptions);

/** Patch (history budget, #15): local activities, upserts on change, small update answers. */
const LOCAL_BOOKKEEPING = 'local-bookkeeping-activities';
/**
 * Patch (#15, after the chaos run of 2026-12-05): upserts on change; the bookkeeping is written by
 * activities on the task queue again, and updates answer the whole view again. A local activity's
 * result can reach the workflow after an update that arrived while it ran (the run it recorded), or
 * before it (its replay, which resolves the marker at once): code after the two then runs in another order, and a worker restart fails the case
 * with a nondeterminism error (measured: 1 case in 20 in the chaos test, `Activity type of recorded
 * marker 'recordCaseEvent' does not match … 'sendEmail'`). Running them one at a time does not help;
 * an activity's completion is an event in history, so replay sees the order the run saw. Storing the
 * view through such an activity before answering an update would hold every person's action for one
 * more activity and workflow task (measured: p99 16.3 s against 3.1 s for a raw update, 50 cases).
 */
const QUEUED_BOOKKEEPING = 'queued-bookkeeping-activities';
/**
 * Patch (#15, history budget): what one step writes (events, view change, emails) goes in one activity
 * on the task queue (workflows/batchedWrites.ts) instead of one activity each. A write yields as the
 * activity did, but the step does not wait for the database; an update answers once its writes landed.
 */
const BATCHED_BOOKKEEPING = 'batched-bookkeeping-writes';

/**
 * Decides the patch: call once, when the case opens, before anything it decides is used. `small`: the
 * run was opened under SMALL_ANSWERS (workflows/patches.ts): batched writes as above, and (1) an update
 * answers the version of the view it left in the read model once that view landed, not the whole view
 * (the API reads it back); (2) a step's search attributes go in one upsert, with its batch; (3) the
 * case row's write carries the first view instead of the rules it follows from (in the start input).
 */
export function openBookkeeping(input: CaseStartInput, state: CaseState, versions: ReturnType<typeof viewVersions>, current: () => CaseView, ended: () => boolean, small: boolean) {
  // Newest first: a case opened with a newer patch records none of the older ones' markers.
  const batched = small || patched(BATCHED_BOOKKEEPING);
  const queued = batched || patched(QUEUED_BOOKKEEPING);
  const local = !queued && patched(LOCAL_BOOKKEEPING);
  /** Upserts a search attribute only when it changes (all three patches). */
  const lean = queued || local;
  /** The search attributes this run last upserted (or holds for its next batch): with the patches, an unchanged value is not upserted again. */
  const upserted = new Map<string, unknown>();
  /** SMALL_ANSWERS cases: attributes held for the step's batch, by name (the newest value wins). */
  const held = new Map<string, SearchAttributeUpdatePair>();
  const heldAttributes = {
    pending: () => held.size > 0,
    flush(): void {
      if (!held.size) return;
      upsertSearchAttributes([...held.values()]);
      held.clear();
    },
  };
  /** The batched writer (BATCHED_BOOKKEEPING and SMALL_ANSWERS cases). */
  const batch = batched ? openBatchedWrites(input, versions, small ? heldAttributes : undefined) : undefined;
  const rec: typeof records = local ? localRecords : records;
  const mailer: typeof mail = local ? localMail : mail;

  // Local activities (LOCAL_BOOKKEEPING cases) run one at a time, in the order the workflow asked for
  // them. History records a local activity's result but not when it came back: two at once (an update's and the main path's)
  // could come back in either order, and replay could then run the code after them in another order
  // than the run it replays (measured: a nondeterminism error in each of 4 recorded cases without this).
  let turn: Promise<unknown> = Promise.resolve();
  function inTurn<T>(run: () => Promise<T>): Promise<T> {
    if (!local) return run();
    const mine = turn.then(run);
    turn = mine.catch(() => undefined);
    return mine;
  }

  function upsertAttributes(pairs: SearchAttributeUpdatePair[]): void {
    const changed = lean ? pairs.filter((p) => !sameValue(upserted.get(p.key.name), p.value)) : pairs;
    if (!changed.length) return;
    for (const p of changed) upserted.set(p.key.name, p.value);
    if (small) for (const p of changed) held.set(p.key.name, p);
    else upsertSearchAttributes(changed);
  }

  /** Sends the read model what it has not had yet (nothing when it is current). */
  async function publishView(): Promise<void> {
    await writeViewWith(versions, async (view) => {
      if (view.change || view.view) await inTurn(() => rec.publishCaseView.executeWithOptions({ summary: 'Update read model' }, [{ reference: input.reference, ...(input.ownerId ? { ownerId: input.ownerId } : {}), ...view }]));
    });
  }

  /**
   * What an update answers. Cases opened with LOCAL_BOOKKEEPING: the view is stored first (after every
   * write asked for before it), and the answer is the version stored; the API answers from the read
   * model at that version or newer. An update that ends the case answers its own view whole: the ending
   * that follows in the same task is not the update's answer. SMALL_ANSWERS cases answer the same way,
   * once the update's writes and its view landed (the batched writer stores the view itself). Every
   * other case answers the whole view, which the API stores before it answers; BATCHED_BOOKKEEPING
   * cases once the update's writes landed.
   */
  function answer(): CaseAnswer | Promise<CaseAnswer> {
    if (batch && small && !ended()) return whenStored((version) => ({ reference: input.reference, version }));
    if (batch) {
      const mine = current();
      return batch.landed().then(() => mine);
    }
    if (!local) return current();
    const mine = current();
    if (ended()) return mine;
    return (async () => {
      await publishView();
      await inTurn(() => Promise.resolve()); // the local writes asked for before this one have landed
      return { reference: input.reference, version: mine.version };
    })();
  }

  /**
   * A part of the case an update answers (a task, an estimate). SMALL_ANSWERS cases answer it once the
   * update's writes and its view landed, so the API's next read shows it (read-your-writes, as for
   * `answer`); older cases answer at once, as they were recorded.
   */
  function settled<T>(value: T): T | Promise<T> {
    if (!batch || !small) return value;
    return whenStored(() => value);
  }

  /** SMALL_ANSWERS cases: gives the view its version now, and `make(version)` once the update's writes and that view landed. */
  function whenStored<T>(make: (version: number) => T): Promise<T> {
    const { version } = current();
    return batch!.stored(version).then(() => make(version));
  }

  /**
   * The case row's write (batched cases). SMALL_ANSWERS cases send the row's first view, not the rules
   * it follows from: they are in the start input already, and are most of its size.
   */
  function caseWrite(): BookkeepingWrite {
    if (!small) return { kind: 'case', input };
    const { rules: _rules, ...rest } = input;
    return { kind: 'case', input: rest, view: viewOf(initialCaseState(input)) };
  }

  return { lean, small, batch, caseWrite, settled, records: rec, mailer, inTurn, upsertAttributes, publishView, answer };
}

/** Search attribute values compare by content (dates by time). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
