// How cases opened with the batched-bookkeeping patch (#15) write: what one step asks for (the case row,
// its audit-trail events, the view's change, the emails) goes in one activity on the task queue, not one
// activity each. An activity's completion is an event in history, so a replay sees the order the run
// saw (local activities did not: workflows/bookkeeping.ts).
//
// A write still yields, as the activity it replaces did: the code that asked for it resumes only once
// every other piece of the workflow that could run (the main flow woken by a handler's change, a
// background wait) has run up to its next wait. Without that, a handler could, say, accept an estimate
// and guarantee it before the main flow saw it accepted, an order no earlier run could produce. The
// writer lets them run in rounds, and schedules the batch once a round asks for nothing more.
import { condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BookkeepingWrite } from '../activities/bookkeeping';
import type { viewVersions } from './caseState';
import type { CaseStartInput } from './definitions';
import { writeViewWith } from './readModel';

// Unlimited retries with backoff: a database or SMTP outage delays the writes, it never loses them.
const books = proxyActivities<Pick<Activities, 'writeBookkeeping'>>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '1m' } });

/**
 * Passes a batch waits for (SMALL_ANSWERS cases) after the last write was asked. Measured on the full
 * treatment_here case: a reminder loop woken by the patient's upload sets its new deadline two passes
 * later (its condition's timeout race settles, then the loop goes round); with one pass each upload
 * still made a second batch for that deadline (52 activities, 558 events), with two none did (45, 516).
 */
const SETTLE_PASSES = 2;
/** A batch's summary in the Temporal UI stays short (the first writes' summaries, then a count). */
const SUMMARY_PARTS = 3;

/** Search attributes held for the step's batch (cases opened with the small-answers patch: workflows/bookkeeping.ts). */
export interface HeldAttributes {
  pending(): boolean;
  /** Upserts what is held, in one command. */
  flush(): void;
}

export function openBatchedWrites(input: CaseStartInput, versions: ReturnType<typeof viewVersions>, attributes?: HeldAttributes) {
  const queue: { write: BookkeepingWrite; summary: string }[] = [];
  /** Writes asked for, let go (their code may resume), resumed, and landed in the database. */
  let asked = 0;
  let released = 0;
  let resumed = 0;
  let written = 0;
  let busy = false;
  /** The view's version the read model holds at least (what the last batch sent). */
  let stored = versions.lastSent();
  const attributesHeld = () => attributes?.pending() ?? false;

  async function writer(): Promise<void> {
    for (;;) {
      // The view changing without a write (an allocation, an answer to an update) also makes a batch,
      // so the read model never lags what history recorded.
      await condition(() => queue.length > 0 || versions.pending() || attributesHeld());
      // Rounds: let go the code that wrote, wait until it resumed and ran to its next wait (conditions
      // are checked once nothing else can run), again while it asks for more.
      do {
        while (released < asked) {
          released = asked;
          await condition(() => resumed >= released);
        }
        // SMALL_ANSWERS cases: SETTLE_PASSES more passes of the workflow's conditions first, so what
        // woke with this step goes in its batch, not in a second one (conditions resolved in one pass
        // run before the next pass is checked).
        if (attributes) for (let i = 0; i < SETTLE_PASSES; i++) await condition(() => true);
      } while (attributes && released < asked);
      // The step's search attributes go in one upsert, whatever number of moves asked for them.
      attributes?.flush();
      if (attributes && !queue.length && !versions.pending()) continue; // the upsert was all this step asked for
      const batch = queue.splice(0);
      busy = true;
      await writeViewWith(versions, (view) =>
        books.writeBookkeeping.executeWithOptions({ summary: summaryOf(batch.map((b) => b.summary)) }, [
          { reference: input.reference, ...(input.ownerId ? { ownerId: input.ownerId } : {}), writes: batch.map((b) => b.write), ...view },
        ]),
      );
      written += batch.length;
      stored = versions.lastSent();
      busy = false;
    }
  }
  // A batch that fails for good (an email that can never be sent) fails the workflow task: the case
  // stops there, visible to ops (ops:stuck), rather than going on with writes missing.
  void writer();

  return {
    /** Queues a write for the next batch; resolves once the rest of the workflow had its turn (not once it landed). */
    async write(write: BookkeepingWrite, summary: string): Promise<void> {
      queue.push({ write, summary });
      const mine = ++asked;
      try {
        await condition(() => released >= mine);
      } finally {
        resumed++;
      }
    },
    /** Resolves once every write asked for so far has landed (an update answers after its own writes). */
    async landed(): Promise<void> {
      const upTo = asked;
      await condition(() => written >= upTo);
    },
    /**
     * Resolves once every write asked for so far has landed and the read model holds `version` of the
     * view or a newer one: what an update answering a version waits for (the API reads that view).
     */
    async stored(version: number): Promise<void> {
      const upTo = asked;
      await condition(() => written >= upTo && stored >= version);
    },
    /** Resolves once nothing is left to write, the view and search attributes included (before the run ends or continues as new). */
    async drained(): Promise<void> {
      await condition(() => written === asked && !busy && !versions.pending() && !attributesHeld());
    },
  };
}

function summaryOf(parts: string[]): string {
  const shown = parts.slice(0, SUMMARY_PARTS).join(' · ');
  if (parts.length > SUMMARY_PARTS) return `${shown} · and ${parts.length - SUMMARY_PARTS} more`;
  return shown || 'Update read model';
}
