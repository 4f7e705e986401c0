// Step 1, the file: the questionnaire, the documents (and items declared none), the checklist they
// make, the patient's submission and the admission team's completeness check. Also the patient's
// remind-then-expire wait, which the service fee (workflows/study.ts) shares.
import { msToNumber } from '@temporalio/common/lib/time';
import { condition, setHandler } from '@temporalio/workflow';
import { checklistItems, computeChecklist, missingItems } from './checklist';
import {
  addDocumentUpdate,
  answerQuestionnaireUpdate,
  declareNoneUpdate,
  documentAddedSignal,
  FAILURE_TYPES,
  reviewCompletenessUpdate,
  submitFileUpdate,
  type CompletenessReview,
  type DocumentAdded,
} from './definitions';
import { strip } from './caseState';
import { fail } from './failures';
import { refusals } from './refusals';
import { formatEur } from './pricing';
import type { Case, Ending } from './case';
import { remindUntil } from './reminders';

type Review = { decision: 'complete' } | { decision: 'incomplete'; missingItems: string[]; message: string };

/** `onDocument`: what else a new document changes (an S2 changes the coverage route: workflows/estimate.ts). */
export function createFileCollection(c: Case, onDocument: (kind: string) => void) {
  const { input, state, rules, timings, lang } = c;
  let submitted = false;
  let completeness: Review | undefined;
  // A decision is taken once per review: set on entering the review, cleared by the first decision,
  // so a second one (double click, two coordinators) is refused rather than kept for the next round.
  let awaitingCompleteness = false;

  const addDocument = (doc: DocumentAdded): void => {
    if (state.documents.some((d) => d.documentId === doc.documentId)) return;
    state.documents.push(doc);
    if (doc.uploadedBy.startsWith('patient:') || doc.uploadedBy.startsWith('referrer:')) c.patientActed();
    refreshChecklist();
    onDocument(doc.kind);
    c.publishDetails();
  };
  setHandler(documentAddedSignal, addDocument);
  // An update, so the API gets the new checklist to store before it answers (read-your-writes).
  setHandler(addDocumentUpdate, (doc) => {
    addDocument(doc);
    return c.answer();
  });

  setHandler(
    answerQuestionnaireUpdate,
    async ({ answers, by }) => {
      Object.assign(state.questionnaire, strip(answers));
      c.patientActed();
      refreshChecklist();
      await c.businessEvent('questionnaire_answered', by, `Questionnaire answered (${Object.keys(answers).length} fields)`, { fields: Object.keys(answers).join(',') });
      return c.answer();
    },
    { validator: (_arg) => c.requirePhase('answerQuestionnaire') },
  );

  setHandler(
    declareNoneUpdate,
    async ({ itemId, none, by }) => {
      state.declaredNone = none ? [...new Set([...state.declaredNone, itemId])] : state.declaredNone.filter((i) => i !== itemId);
      c.patientActed();
      refreshChecklist();
      await c.businessEvent(none ? 'item_declared_none' : 'item_none_withdrawn', by, `${itemId}: ${none ? 'declared none' : 'none withdrawn'}`, { itemId });
      return c.answer();
    },
    {
      validator: ({ itemId }) => {
        c.requirePhase('changeChecklist');
        const item = checklistItems(input.requestType, rules).find((i) => i.id === itemId);
        if (!item || item.source !== 'document' || !item.mayBeDeclaredNone) {
          const allowedItems = checklistItems(input.requestType, rules).filter((i) => i.source === 'document' && i.mayBeDeclaredNone);
          const allowed = allowedItems.map((i) => i.id);
          throw fail(FAILURE_TYPES.invalid, refusals.cannotDeclareNone({ itemId: String(itemId), item: item?.label, allowed: allowedItems.map((i) => i.label) }), { allowed });
        }
      },
    },
  );

  setHandler(
    submitFileUpdate,
    async ({ by }) => {
      submitted = true;
      c.patientActed();
      await c.businessEvent('file_submitted', by, `File submitted (${missingItems(state.checklist).length} item(s) still missing)`, { missingCount: missingItems(state.checklist).length });
      return c.answer();
    },
    { validator: (_arg) => c.requirePhase('submitFile') },
  );

  setHandler(
    reviewCompletenessUpdate,
    (review) => {
      awaitingCompleteness = false;
      completeness = review.decision === 'complete' ? { decision: 'complete' } : { decision: 'incomplete', missingItems: review.missingItems, message: review.message };
      return c.answer();
    },
    {
      validator: (review: CompletenessReview) => {
        c.requirePhase('reviewCompleteness');
        c.requireAwaited(awaitingCompleteness, 'reviewCompleteness');
        const missing = missingItems(state.checklist);
        if (review.decision === 'complete' && missing.length) {
          throw fail(FAILURE_TYPES.missingItems, refusals.fileNotComplete({ missing: checklistLabels(missing) }), { missingItems: missing });
        }
        if (review.decision === 'incomplete') {
          const known = state.checklist.map((e) => e.id);
          const unknown = review.missingItems.filter((i) => !known.includes(i));
          if (!review.missingItems.length || unknown.length) throw fail(FAILURE_TYPES.invalid, refusals.nameMissingItems({ known: checklistLabels(known) }), { unknown, known });
        }
      },
    },
  );

  /** Step 1: until the admission team finds the file complete, then `next` (called at once: no extra await between). */
  async function collect(next: () => Promise<Ending>): Promise<Ending> {
    await c.moveTo('file_collection', 'patient', 'acknowledgement_sent', 'system', 'Acknowledgement emailed; waiting for the file', c.deadlineIn(timings.reminderAfter));
    for (;;) {
      const waited = await waitForPatient(() => submitted, 'file');
      if (waited !== 'done') return waited;
      awaitingCompleteness = true; // before the phase shows: a reviewer may act as soon as it does
      await c.moveTo('completeness_review', 'admission_coordinator', 'review_requested', 'system', 'File waiting for the completeness check', c.deadlineIn(timings.reviewWithin));
      if (!(await c.until(() => completeness !== undefined))) return c.ending()!;
      const review = completeness!;
      completeness = undefined;
      if (review.decision === 'complete') return next();
      submitted = false;
      state.lastRequest = { by: 'admission_coordinator', message: review.message, missingItems: review.missingItems };
      await c.emailPatient('file_incomplete', 'Email patient: missing items', { missingItems: itemList(review.missingItems), message: review.message });
      await c.moveTo('file_collection', 'patient', 'file_incomplete', 'admission_coordinator', `File incomplete: ${review.missingItems.join(', ')}`, c.deadlineIn(timings.reminderAfter), { missingItems: review.missingItems.join(',') });
    }
  }

  /**
   * Waits for `done` while the patient is expected to act, reminding them; returns how it ended.
   * Runs opened under SHARED_REMINDERS use the helper every wait shares (workflows/reminders.ts). The
   * loop below is kept for runs opened before it: each await the helper adds lets the read-model
   * publisher woken in the same activation issue its command first, and their histories would not replay.
   *
   * Runs opened under STEADY_REMINDERS (workflows/patches.ts) keep the timer when the patient acts: the
   * action itself resets the count and moves the deadline people see, and when the timer ends after an
   * action, the wait sets a new one for the rest (the reminder still goes `after` the last action). A
   * patient who uploads six documents then cost no timer events, instead of a cancel and a start each.
   */
  async function waitForPatient(done: () => boolean, what: 'file' | 'fee'): Promise<'done' | Ending> {
    if (c.sharedReminders) return remindPatient(done, what);
    const after = reminderAfter(what);
    const steady = c.steadyReminders;
    const afterMs = msToNumber(after);
    let reminders = 0;
    state.remindersSent = 0;
    // Activity is compared with what was last seen (not re-read each round), so anything the patient
    // does while a reminder is being sent still counts.
    let seen = c.patientActivity();
    /** Steady runs: when the timer set now ends. */
    let due = Date.now() + afterMs;
    const summary = reminderSummary(what);
    const restartCount = (): void => {
      reminders = 0; // the patient is active: the clock starts again
      state.remindersSent = 0;
    };
    if (steady) {
      c.whenPatientActs(() => {
        restartCount();
        deadlineAfterAction(what);
      });
    }
    // However the wait ends, the patient's actions stop reaching it (no await added: replays keep their order).
    try {
      for (;;) {
        if (steady) c.setDeadline(new Date(due).toISOString());
        else c.setDeadline(c.deadlineIn(after));
        const woke = steady
          ? await condition(() => done() || c.ended(), due - Date.now(), { summary })
          : await condition(() => done() || c.ended() || c.patientActivity() !== seen, after, { summary });
        if (c.ended()) return c.ending()!;
        if (done()) return 'done';
        // Steady runs: the timer ended; if the patient acted since it was set, the reminder is due
        // `after` their last action, so the wait goes on to then.
        if (steady && c.patientActivity() !== seen && c.patientActedAt() + afterMs > Date.now()) {
          seen = c.patientActivity();
          due = c.patientActedAt() + afterMs;
          continue;
        }
        if (woke) {
          seen = c.patientActivity();
          restartCount();
          continue;
        }
        if (reminders >= timings.maxReminders) {
          await givingUpEmail(what);
          return gaveUp(what, reminders);
        }
        reminders++;
        state.remindersSent = reminders;
        await reminderEmail(what);
        await reminderRecord(what, reminders);
        if (steady) {
          seen = c.patientActivity(); // an action while the reminder went has restarted the count already
          due = Date.now() + afterMs;
        }
      }
    } finally {
      if (steady) c.whenPatientActs(undefined);
    }
  }

  /** The patient's wait in runs opened under SHARED_REMINDERS: the shared helper, keeping its timer as they act. */
  async function remindPatient(done: () => boolean, what: 'file' | 'fee'): Promise<'done' | Ending> {
    const after = reminderAfter(what);
    state.remindersSent = 0;
    c.whenPatientActs(() => {
      state.remindersSent = 0; // the patient is active: the clock starts again
      deadlineAfterAction(what);
    });
    try {
      const outcome = await remindUntil({
        summary: () => reminderSummary(what),
        done,
        stop: c.ended,
        interval: () => msToNumber(after),
        max: timings.maxReminders,
        count: { get: () => state.remindersSent, set: (n) => void (state.remindersSent = n) },
        progress: { value: c.patientActivity, lastAt: c.patientActedAt },
        timerSet: (due) => c.setDeadline(new Date(due).toISOString()),
        remind: async (n) => {
          await reminderEmail(what);
          await reminderRecord(what, n);
        },
      });
      if (c.ended()) return c.ending()!;
      if (outcome === 'done') return 'done';
      await givingUpEmail(what);
      return gaveUp(what, state.remindersSent);
    } finally {
      c.whenPatientActs(undefined);
    }
  }
  // The patient wait's timing, summary and messages, shared by both kinds of run. The messages are plain
  // functions returning the activity's own promise: awaiting them takes the ticks the inline calls took,
  // so older runs replay.
  function reminderAfter(what: 'file' | 'fee') {
    return what === 'file' ? timings.reminderAfter : timings.feeReminderAfter;
  }
  function reminderSummary(what: 'file' | 'fee'): string {
    return what === 'file' ? 'Reminder: file incomplete' : 'Reminder: fee unpaid';
  }
  /** The patient acted: people see the deadline move on; NextDeadline stays the timer's until it ends. */
  function deadlineAfterAction(what: 'file' | 'fee'): void {
    c.setDeadline(c.deadlineIn(reminderAfter(what)), false);
  }
  function reminderEmail(what: 'file' | 'fee'): Promise<void> {
    if (what === 'file') return c.emailPatient('file_reminder', 'Email patient: reminder, file incomplete', { missingItems: itemList(missingItems(state.checklist)) });
    return c.emailPatient('fee_reminder', 'Email patient: reminder, fee unpaid', { amount: formatEur(state.amountDueCents - state.amountPaidCents) });
  }
  function reminderRecord(what: 'file' | 'fee', n: number): Promise<void> {
    return c.record(`${what}_reminder_sent`, 'system', `Reminder ${n}/${timings.maxReminders} sent`, { reminder: n, maxReminders: timings.maxReminders });
  }
  function givingUpEmail(what: 'file' | 'fee'): Promise<void> {
    if (what === 'file') return c.emailPatient('file_abandoned', 'Email patient: case closed (no answer)', {});
    return c.emailPatient('fee_expired', 'Email patient: payment request expired', {});
  }
  function gaveUp(what: 'file' | 'fee', reminders: number): Ending {
    if (what === 'file') return { phase: 'abandoned', reason: `No answer after ${reminders} reminder(s)` };
    return { phase: 'expired', reason: `Service fee unpaid after ${reminders} reminder(s)` };
  }

  function refreshChecklist(): void {
    state.checklist = computeChecklist(input.requestType, state.questionnaire, state.documents, state.declaredNone, rules);
  }
  /** Checklist items in words (their labels), for a refusal people read; its details keep the ids. */
  function checklistLabels(ids: readonly string[]) {
    return state.checklist.filter((e) => ids.includes(e.id)).map((e) => e.label);
  }
  function itemList(ids: readonly string[]): string {
    const labels = new Map(state.checklist.map((e) => [e.id, e.label[lang]]));
    return ids.map((id) => `- ${labels.get(id) ?? id}`).join('\n');
  }

  return {
    collect,
    waitForPatient,
    checklistLabels,
    /** Changes were asked for: the patient submits the file again. */
    reopen(): void {
      submitted = false;
    },
    submitted: () => submitted,
  };
}

