// One durable workflow per international-patient case. Deterministic code only: every side effect
// is an activity, every wait is a timer or a condition on state changed by updates and signals.
//
// Step 1: the file (questionnaire, documents, completeness check by the admission team).
// Step 2: study (care coordinator, contents approval, service fee, MDT or analysis report).
// Step 3 to the end of the case (treatment here) is workflows/treatmentProgramme.ts, run from here.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailTemplateName } from '../activities/emailTemplates';
import type { StaffAudience, StaffTemplate } from '../activities/staffEmails';
import type { PathwayTimings } from '../config/pathway';
import { checklistItems, computeChecklist, missingItems } from './checklist';
import { caseRules } from './rules';
import {
  addDocumentUpdate,
  answerQuestionnaireUpdate,
  approveContentsUpdate,
  assignCoordinatorUpdate,
  cancelCaseSignal,
  declareNoneUpdate,
  documentAddedSignal,
  FAILURE_TYPES,
  getStateQuery,
  messagePostedSignal,
  paymentReceivedUpdate,
  requestChangesUpdate,
  reviewCompletenessUpdate,
  searchAttributes,
  submitFileUpdate,
  submitReportUpdate,
  TERMINAL_PHASES,
  paymentPathFor,
  withdrawUpdate,
  openStudyUpdate,
  workflowIdFor,
  type AwaitingRole,
  type CaseOutcome,
  type CaseStartInput,
  type CompletenessReview,
  type DocumentAdded,
  type CaseState,
  type CaseView,
  type EventPayload,
  type PaymentNotice,
  type PaymentStatus,
  type Phase,
  type ReportInput,
  type AllocatedPayment,
} from './definitions';
import { initialCaseState, strip, viewOf, viewVersions, waitingForText } from './caseState';
import { writeViewWith } from './readModel';
import { createTreatmentProgramme, isTreatmentPayment, type Ending } from './treatmentProgramme';
import { fail } from './failures';
import { refusals, type ActionName } from './refusals';
import { requireActionPhase } from './actions';
import { createMoneyBack } from './moneyBack';
import { formatEur } from './pricing';
import { currentDetailsOf } from './currentDetails';

const records = proxyActivities<Pick<Activities, 'recordCase' | 'recordCaseEvent' | 'publishCaseView'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});
// Documents Parcours issues (estimates, visa certificates, final invoices): idempotent by key.
const issued = proxyActivities<Pick<Activities, 'issueEstimate' | 'issueVisaCertificate' | 'issueFinalInvoice'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});
// Unlimited retries with backoff: an SMTP outage delays mail, it never loses it.
const mail = proxyActivities<Pick<Activities, 'sendEmail' | 'notifyMessage' | 'emailStaff'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});


/** Patch: every business event reaches the CaseEvent audit trail (before it, some stayed in the timeline only). */
const EVERY_EVENT_IN_AUDIT_TRAIL = 'every-business-event-in-audit-trail';
/** Patch: changes made without a recorded event (allocations, certificates) reach the read model when the workflow waits. */
const PUBLISH_VIEW_WHEN_IDLE = 'publish-view-when-idle';
/** Patch: step 3 to the end of the case (before it, a `treatment_here` case waited in treatment planning). */
const TREATMENT_PROGRAMME = 'treatment-programme';
/** Patch: the study starts when the physicians open the file (openStudy), not when the fee is paid. */
const STUDY_OPENED = 'study-opened-by-physicians';
/** Patch: the next deadline is also a search attribute (NextDeadline), for the ops views of the Temporal UI. */
const NEXT_DEADLINE_ATTRIBUTE = 'next-deadline-search-attribute';


export async function carePathway(input: CaseStartInput): Promise<CaseOutcome> {
  const workflowId = workflowIdFor(input.reference);
  // The rules this case was given when it started: it keeps them to the end (workflows/rules.ts).
  const rules = caseRules(input);
  const timings: PathwayTimings = { ...rules.timings, ...input.timings };
  const lang = input.language;
  // A new case collects its file from the start: the questionnaire is accepted as soon as it exists.
  const state: CaseState = initialCaseState(input);
  const p = input.patient;
  const r = input.referrer;

  let ending: Ending | undefined;
  /** Bumped by anything the patient does: resets the reminder clock. */
  let patientActivity = 0;
  let submitted = false;
  let completeness: { decision: 'complete' } | { decision: 'incomplete'; missingItems: string[]; message: string } | undefined;
  let contentsDecision: { kind: 'approved' } | { kind: 'changes'; message: string } | undefined;
  // A decision is taken once per review: set on entering the review, cleared by the first decision,
  // so a second one (double click, two coordinators) is refused rather than kept for the next round.
  let awaitingCompleteness = false;
  let awaitingContents = false;
  let emailSeq = 0;
  /** Timeline entries dropped by earlier runs (continue-as-new): event keys keep counting from there. */
  let timelineOffset = 0;
  if (input.resume) {
    Object.assign(state, input.resume.state);
    ({ emailSeq, timelineOffset, patientActivity } = input.resume);
  }
  /** The read model's versions: each recorded event carries the view's change since the last write. */
  const versions = viewVersions(state);
  /** The view with a new version if it changed: what updates answer (the API stores it in the read model). */
  const current = (): CaseView => {
    versions.bump();
    return viewOf(state);
  };
  // Anything the case changed without recording an event is published as soon as the workflow waits,
  // so the read model never lags behind what history recorded (cases started before keep their history).
  if (patched(PUBLISH_VIEW_WHEN_IDLE)) {
    void (async () => {
      for (;;) {
        await condition(() => versions.pending());
        await writeViewWith(versions, async (view) => {
          if (view.change || view.view) await records.publishCaseView.executeWithOptions({ summary: 'Update read model' }, [{ reference: input.reference, ...(input.ownerId ? { ownerId: input.ownerId } : {}), ...view }]);
        });
      }
    })();
  }
  /** Outbox key of a business email: workflow ID + step + a sequence number (deterministic on replay). */
  const emailKey = (step: string) => `${workflowId}:${step}:${++emailSeq}`;
  const ended = () => ending !== undefined;
  const requirePhase = (action: ActionName) => requireActionPhase(action, state.phase, ended());
  // Money owed back (refunds due, overpayments) and the refunds finance records.
  const money = createMoneyBack({ state, remindAfter: timings.taskReminderAfter, record, moveTo, staffEmail, refreshPaymentStatus, current });
  /** Set on entering report_pending: whether this run records the opening of the file (patch STUDY_OPENED). */
  let studyOpening = false;
  /** The study fee asked of the patient, once it fell due (0 when the rules let the S2 cover it). */
  let studyFee: number | undefined;

  // ---- queries, signals and updates ---------------------------------------------------------------

  setHandler(getStateQuery, () => state);
  setHandler(cancelCaseSignal, ({ reason, by }) => {
    if (!ended()) ending = { phase: 'cancelled', reason: `${reason} (${by})` };
  });
  const addDocument = (doc: DocumentAdded): void => {
    if (state.documents.some((d) => d.documentId === doc.documentId)) return;
    state.documents.push(doc);
    if (doc.uploadedBy.startsWith('patient:') || doc.uploadedBy.startsWith('referrer:')) patientActivity++;
    refreshChecklist();
    programme.documentAdded(doc.kind);
    publishDetails();
  };
  setHandler(documentAddedSignal, addDocument);
  // An update, so the API gets the new checklist to store before it answers (read-your-writes).
  setHandler(addDocumentUpdate, (doc) => {
    addDocument(doc);
    return current();
  });
  setHandler(messagePostedSignal, async (msg) => {
    await mail.notifyMessage.executeWithOptions({ summary: `Email ${msg.authorSide === 'patient' ? 'coordinator' : 'patient'}: new message` }, [
      { reference: input.reference, messageId: msg.messageId, authorSide: msg.authorSide, language: lang },
    ]);
  });

  setHandler(
    paymentReceivedUpdate,
    async (payment) => {
      // Counted once per payment ID, even if the same update ID were not de-duplicated upstream. The
      // state changes before any await, so concurrent deliveries see each other.
      const duplicate = state.payments.some((x) => x.paymentId === payment.paymentId);
      if (duplicate) return { paymentId: payment.paymentId, duplicate, amountPaidCents: state.amountPaidCents };
      // Counted towards what its purpose names (study fee, an estimate, the balance); before any
      // estimate exists everything counts towards the fee, as it always did.
      const allocated: AllocatedPayment = { ...payment, allocatedTo: programme.allocate(payment.purpose) };
      // What its purpose still needed before it: anything beyond is owed back.
      const needed = allocated.allocatedTo === 'study_fee' ? feeStillDueCents() : programme.neededCents(allocated.allocatedTo);
      state.payments.push(allocated);
      state.amountPaidCents += payment.amountCents;
      const amountPaidCents = state.amountPaidCents;
      patientActivity++;
      refreshPaymentStatus();
      await businessEvent('payment_received', 'payment_provider', `Payment ${payment.paymentId}: ${formatEur(payment.amountCents)} (${allocated.allocatedTo})`, { paymentId: payment.paymentId, amountCents: payment.amountCents, allocatedTo: allocated.allocatedTo ?? null });
      await programme.paymentAllocated(allocated);
      await money.paymentCounted(allocated, needed);
      // The allocation may change the case without recording an event (an estimate partly paid).
      return { paymentId: payment.paymentId, duplicate, amountPaidCents, state: current() };
    },
    {
      validator: (payment: PaymentNotice) => {
        if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents <= 0) throw ApplicationFailure.nonRetryable('amountCents must be a positive whole number of cents');
        if (payment.currency !== 'EUR') throw ApplicationFailure.nonRetryable('Only EUR payments are accepted');
      },
    },
  );

  setHandler(
    answerQuestionnaireUpdate,
    async ({ answers, by }) => {
      Object.assign(state.questionnaire, strip(answers));
      patientActivity++;
      refreshChecklist();
      await businessEvent('questionnaire_answered', by, `Questionnaire answered (${Object.keys(answers).length} fields)`, { fields: Object.keys(answers).join(',') });
      return current();
    },
    { validator: (_arg) => requirePhase('answerQuestionnaire') },
  );

  setHandler(
    declareNoneUpdate,
    async ({ itemId, none, by }) => {
      state.declaredNone = none ? [...new Set([...state.declaredNone, itemId])] : state.declaredNone.filter((i) => i !== itemId);
      patientActivity++;
      refreshChecklist();
      await businessEvent(none ? 'item_declared_none' : 'item_none_withdrawn', by, `${itemId}: ${none ? 'declared none' : 'none withdrawn'}`, { itemId });
      return current();
    },
    {
      validator: ({ itemId }) => {
        requirePhase('changeChecklist');
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
      patientActivity++;
      await businessEvent('file_submitted', by, `File submitted (${missingItems(state.checklist).length} item(s) still missing)`, { missingCount: missingItems(state.checklist).length });
      return current();
    },
    { validator: (_arg) => requirePhase('submitFile') },
  );

  setHandler(
    reviewCompletenessUpdate,
    (review) => {
      awaitingCompleteness = false;
      completeness = review.decision === 'complete' ? { decision: 'complete' } : { decision: 'incomplete', missingItems: review.missingItems, message: review.message };
      return current();
    },
    {
      validator: (review: CompletenessReview) => {
        requirePhase('reviewCompleteness');
        requireAwaited(awaitingCompleteness, 'reviewCompleteness');
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

  setHandler(
    assignCoordinatorUpdate,
    async ({ coordinatorId, coordinatorInitials, by }) => {
      const previous = state.coordinatorId;
      state.coordinatorId = coordinatorId;
      // The initials come with the update (history has them), so replay sets the same state; updates
      // recorded before carry none and leave the state as it was then: no patch needed.
      if (coordinatorInitials) state.coordinatorInitials = coordinatorInitials;
      else delete state.coordinatorInitials;
      upsertSearchAttributes([{ key: searchAttributes.CoordinatorId, value: coordinatorId }]);
      await record(previous ? 'coordinator_reassigned' : 'coordinator_assigned', by, previous ? `Coordinator changed from ${previous} to ${coordinatorId}` : `Coordinator ${coordinatorId} assigned`, { coordinatorId, previous });
      return current();
    },
    { validator: (_arg) => requirePhase('assignCoordinator') },
  );

  setHandler(
    approveContentsUpdate,
    async ({ by }) => {
      awaitingContents = false;
      contentsDecision = { kind: 'approved' };
      await businessEvent('contents_approved', by, 'Contents approved by the care coordinator');
      return current();
    },
    {
      validator: ({ by }: { by: string }) => {
        requireAssignedCoordinator(by, 'approveContents');
        const missing = missingItems(state.checklist);
        if (missing.length) throw fail(FAILURE_TYPES.missingItems, refusals.itemsMissingRequestChanges({ missing: checklistLabels(missing) }), { missingItems: missing });
      },
    },
  );

  setHandler(
    requestChangesUpdate,
    ({ message }) => {
      awaitingContents = false;
      contentsDecision = { kind: 'changes', message };
      return current();
    },
    { validator: ({ by }: { message: string; by: string }) => requireAssignedCoordinator(by, 'requestChanges') },
  );

  let report: ReportInput | undefined;
  setHandler(
    submitReportUpdate,
    (input_) => {
      report = input_;
      // A report is the study done: the file was opened, if nobody said so before (runs that record the
      // opening only: in older runs the change would publish the view where their history did not).
      if (studyOpening) state.studyOpenedAt ??= new Date().toISOString();
      return current();
    },
    {
      validator: (rep: ReportInput) => {
        requirePhase('submitReport');
        const expected = input.requestType === 'sample_analysis' ? 'analysis' : 'mdt';
        if (rep.kind !== expected) throw fail(FAILURE_TYPES.invalid, refusals.wrongReportKind({ requestType: input.requestType, expected }));
      },
    },
  );

  setHandler(
    withdrawUpdate,
    ({ reason, by }) => {
      // A fee paid for a study that has not started is refunded (marked at once, so the answer shows it);
      // overpayments are owed back already.
      if (!studyStarted() && state.amountPaidCents > 0) {
        state.refundDueCents = unstartedStudyRefundCents();
        setPaymentStatus(paymentStatusNow());
      }
      ending = { phase: 'withdrawn', reason: `${reason} (${by})` };
      return current();
    },
    { validator: (_arg) => requireNotEnded('withdraw') },
  );

  setHandler(
    openStudyUpdate,
    async ({ by }) => {
      if (!state.studyOpenedAt) {
        state.studyOpenedAt = new Date().toISOString();
        await record('study_opened', by, 'File opened by the physicians: the study has started');
      }
      return current();
    },
    { validator: (_arg) => requirePhase('openFile') },
  );

  const programme = createTreatmentProgramme({
    input, workflowId, timings, rules, state,
    ending: () => ending,
    moveTo, record, emailPatient, staffEmail, refreshPaymentStatus, setDeadline, publishDetails, requireNotEnded,
    issueEstimate: (x) => issued.issueEstimate.executeWithOptions({ summary: 'Issue estimate (PDF)' }, [x]),
    issueVisaCertificate: (x) => issued.issueVisaCertificate.executeWithOptions({ summary: `Issue visa certificate (${x.holder.role})` }, [x]),
    issueFinalInvoice: (x) => issued.issueFinalInvoice.executeWithOptions({ summary: 'Issue final invoice (PDF)' }, [x]),
    carried: () => ({ emailSeq, timelineOffset, patientActivity }),
    treatmentOverpaidCents: () => money.overpaidCents('treatment'),
    current,
  });

  // ---- the pathway --------------------------------------------------------------------------------

  publishDetails();
  let outcome: Ending;
  if (input.resume) {
    // A long case continued as new: same case, fresh history, resumed where it was.
    refreshSearchAttributes();
    outcome = await programme.resume(input.resume.stage);
  } else {
    await records.recordCase.executeWithOptions({ summary: 'Record case in database' }, [input]);
    const creator = r ? `referrer:${r.email}` : 'patient';
    note('case_received', creator, 'Case received');
    await emailPatient('acknowledgement', 'Email patient: acknowledgement', {}, { key: `${workflowId}:acknowledgement` });
    outcome = await pathway();
  }
  programme.stop();
  await programme.settled();
  await finish(outcome);
  // Let notifications already under way finish before the workflow closes.
  await condition(allHandlersFinished);
  return { reference: input.reference, phase: state.phase, reason: outcome.reason };

  async function pathway(): Promise<Ending> {
    // Step 1: until the admission team finds the file complete.
    await moveTo('file_collection', 'patient', 'acknowledgement_sent', 'system', 'Acknowledgement emailed; waiting for the file', deadlineIn(timings.reminderAfter));
    for (;;) {
      const waited = await waitForPatient(() => submitted, 'file');
      if (waited !== 'done') return waited;
      awaitingCompleteness = true; // before the phase shows: a reviewer may act as soon as it does
      await moveTo('completeness_review', 'admission_coordinator', 'review_requested', 'system', 'File waiting for the completeness check', deadlineIn(timings.reviewWithin));
      if (!(await until(() => completeness !== undefined))) return ending!;
      const review = completeness!;
      completeness = undefined;
      if (review.decision === 'complete') break;
      submitted = false;
      state.lastRequest = { by: 'admission_coordinator', message: review.message, missingItems: review.missingItems };
      await emailPatient('file_incomplete', 'Email patient: missing items', { missingItems: itemList(review.missingItems), message: review.message });
      await moveTo('file_collection', 'patient', 'file_incomplete', 'admission_coordinator', `File incomplete: ${review.missingItems.join(', ')}`, deadlineIn(timings.reminderAfter), { missingItems: review.missingItems.join(',') });
    }

    // Step 2: a care coordinator, the contents, the fee, the report.
    state.lastRequest = null;
    await moveTo('coordinator_assignment', 'care_coordinator', 'file_complete', 'admission_coordinator', 'File complete: waiting for a care coordinator', deadlineIn(timings.reviewWithin));
    if (!(await until(() => state.coordinatorId !== null))) return ending!;
    for (;;) {
      awaitingContents = true;
      await moveTo('contents_review', 'care_coordinator', 'contents_review_requested', 'system', 'Waiting for the care coordinator to approve the contents', deadlineIn(timings.reviewWithin));
      if (!(await until(() => contentsDecision !== undefined))) return ending!;
      const decision = contentsDecision!;
      contentsDecision = undefined;
      if (decision.kind === 'approved') break;
      submitted = false;
      state.lastRequest = { by: 'care_coordinator', message: decision.message, missingItems: [] };
      await emailPatient('changes_requested', 'Email patient: changes requested', { message: decision.message });
      await moveTo('file_collection', 'patient', 'changes_requested', 'care_coordinator', 'Changes requested by the care coordinator', deadlineIn(timings.reminderAfter));
      const waited = await waitForPatient(() => submitted, 'file');
      if (waited !== 'done') return waited;
    }
    state.lastRequest = null;

    // Decided once, when it falls due: an S2 uploaded later does not take back a fee asked for.
    studyFee = studyFeeNow();
    const fee = studyFee;
    state.amountDueCents = fee;
    setPaymentStatus(paymentStatusNow());
    if (fee === 0) await record('fee_covered_by_s2', 'system', 'EU planned care (S2): the study fee is not asked of the patient (rules version)');
    else if (state.amountPaidCents < fee) {
      await moveTo('fee_payment', 'patient', 'fee_requested', 'system', `Service fee due: ${formatEur(fee)}`, deadlineIn(timings.feeReminderAfter), { amountCents: fee });
      await emailPatient('fee_request', 'Email patient: payment link', { amount: formatEur(fee), paymentPath: paymentPathFor(input.reference, 'study_fee', fee) });
      const paid = await waitForPatient(() => state.amountPaidCents >= fee, 'fee');
      if (paid !== 'done') return paid;
    }
    if (fee > 0) await businessEvent('fee_paid', 'system', `Service fee paid (${formatEur(state.amountPaidCents)})`, { amountCents: fee });

    // The file goes to the physicians now that the fee is paid; the study starts when they open it.
    studyOpening = patched(STUDY_OPENED);
    await moveTo('report_pending', 'mdt', 'study_started', 'system', 'File sent to the physicians', deadlineIn(timings.reportSla));
    await staffEmail('mdt', 'mdt_request', 'Email MDT: case to study');
    for (;;) {
      const arrived = await condition(() => report !== undefined || ended(), timings.reportSla, { summary: 'SLA: report from the physicians' });
      if (ended()) return ending!;
      if (arrived) break;
      await staffEmail('coordinator', 'report_overdue', 'Email coordinator: report overdue');
      await record('report_overdue', 'system', 'No report within the SLA: coordinator alerted', {}, { nextDeadline: deadlineIn(timings.reportSla) });
    }
    const rep = report!;
    state.report = { ...rep, at: new Date().toISOString() };
    await emailPatient('report_available', 'Email patient: report available', {});
    const summary = rep.kind === 'mdt' ? `MDT report: ${rep.strategy}` : `Analysis report: ${rep.diagnosisStatus} diagnosis`;
    await record('report_delivered', rep.by, summary, rep.kind === 'mdt' ? { kind: 'mdt', strategy: rep.strategy } : { kind: 'analysis', diagnosisStatus: rep.diagnosisStatus });

    if (rep.kind === 'mdt' && rep.strategy === 'treatment_here') {
      await moveTo('treatment_planning', 'care_coordinator', 'treatment_proposed', rep.by, 'Treatment here proposed: the care coordinator plans it');
      // Cases started before step 3 existed wait here (their histories replay unchanged).
      if (!patched(TREATMENT_PROGRAMME)) {
        await until(() => false);
        return ending!;
      }
      return programme.run();
    }
    await emailPatient('follow_up_offer', 'Email patient: follow-up offer', {});
    return { phase: 'closed', reason: summary };
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** Waits for `done` while the patient is expected to act, reminding them; returns how it ended. */
  async function waitForPatient(done: () => boolean, what: 'file' | 'fee'): Promise<'done' | Ending> {
    const after = what === 'file' ? timings.reminderAfter : timings.feeReminderAfter;
    let reminders = 0;
    state.remindersSent = 0;
    // Activity is compared with what was last seen (not re-read each round), so anything the patient
    // does while a reminder is being sent still counts.
    let seen = patientActivity;
    for (;;) {
      setDeadline(deadlineIn(after));
      const woke = await condition(() => done() || ended() || patientActivity !== seen, after, { summary: what === 'file' ? 'Reminder: file incomplete' : 'Reminder: fee unpaid' });
      if (ended()) return ending!;
      if (done()) return 'done';
      if (woke) {
        seen = patientActivity;
        reminders = 0; // the patient is active: the clock starts again
        state.remindersSent = 0;
        continue;
      }
      if (reminders >= timings.maxReminders) {
        if (what === 'file') {
          await emailPatient('file_abandoned', 'Email patient: case closed (no answer)', {});
          return { phase: 'abandoned', reason: `No answer after ${reminders} reminder(s)` };
        }
        await emailPatient('fee_expired', 'Email patient: payment request expired', {});
        return { phase: 'expired', reason: `Service fee unpaid after ${reminders} reminder(s)` };
      }
      reminders++;
      state.remindersSent = reminders;
      if (what === 'file') await emailPatient('file_reminder', 'Email patient: reminder, file incomplete', { missingItems: itemList(missingItems(state.checklist)) });
      else await emailPatient('fee_reminder', 'Email patient: reminder, fee unpaid', { amount: formatEur(state.amountDueCents - state.amountPaidCents) });
      await record(`${what}_reminder_sent`, 'system', `Reminder ${reminders}/${timings.maxReminders} sent`, { reminder: reminders, maxReminders: timings.maxReminders });
    }
  }

  /** Waits for `done` unless the case ends first; false when it ended. */
  async function until(done: () => boolean): Promise<boolean> {
    await condition(() => done() || ended());
    return !ended();
  }

  async function finish(end: Ending): Promise<void> {
    // Whatever ends a case early, money paid for a study that never started is refunded, and
    // nothing is due any more.
    if (end.phase !== 'closed' && !studyStarted()) {
      if (state.amountPaidCents > 0) state.refundDueCents = unstartedStudyRefundCents();
      state.amountDueCents = 0;
      setPaymentStatus(paymentStatusNow());
    }
    // Money paid towards a treatment that never started (declined, expired, withdrawn) goes back.
    const unused = Math.max(0, programme.unusedPrepaymentsCents() - money.overpaidCents('treatment'));
    if (unused > 0 && state.refundDueCents === 0) {
      state.refundDueCents = unused;
      setPaymentStatus(paymentStatusNow());
    }
    if (end.phase === 'withdrawn') {
      await staffEmail(state.coordinatorId ? 'coordinator' : 'admission_team', 'staff_withdrawal', 'Email coordinator: patient withdrew');
      await emailPatient('withdrawal_confirmed', 'Email patient: withdrawal confirmed', { refund: refundSentence() });
    } else if (end.phase === 'cancelled') {
      await emailPatient('case_cancelled', 'Email patient: case cancelled', { reason: end.reason.replace(/ \([^)]*\)$/, ''), refund: refundSentence() });
    }
    await moveTo(end.phase, 'none', `case_${end.phase}`, 'system', `Case ${end.phase}: ${end.reason}`, null, { reason: end.reason, refundDueCents: state.refundDueCents });
    await money.settle(end.phase);
  }

  /** Checklist items in words (their labels), for a refusal people read; its details keep the ids. */
  function checklistLabels(ids: readonly string[]) {
    return state.checklist.filter((e) => ids.includes(e.id)).map((e) => e.label);
  }
  function requireNotEnded(action: ActionName): void {
    if (ended() || TERMINAL_PHASES.includes(state.phase)) throw fail(FAILURE_TYPES.wrongPhase, refusals.caseEnded({ action, phase: state.phase }), { phase: state.phase });
  }
  function requireAwaited(awaited: boolean, action: ActionName): void {
    if (!awaited) throw fail(FAILURE_TYPES.wrongPhase, refusals.decisionBeingApplied({ action }), { phase: state.phase });
  }
  function requireAssignedCoordinator(by: string, action: ActionName): void {
    requirePhase(action);
    requireAwaited(awaitingContents, action);
    if (by !== state.coordinatorId) throw fail(FAILURE_TYPES.notAllowed, refusals.coordinatorOnly({ action }));
  }

  function studyStarted(): boolean {
    // Since STUDY_OPENED, paying the fee sends the file; the study starts when the physicians open it.
    if (state.phase === 'report_pending' && studyOpening) return state.studyOpenedAt != null;
    return (['report_pending', 'treatment_planning', 'estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay', 'follow_up'] as Phase[]).includes(state.phase);
  }
  /** Everything paid goes back when the study never started; overpayments are owed back already. */
  function unstartedStudyRefundCents(): number {
    return Math.max(0, state.amountPaidCents - money.overpaidCents());
  }
  function refundSentence(): string {
    const owed = money.owed();
    return owed ? rules.refundNotice[lang].replace('{amount}', formatEur(owed)) : '';
  }

  function refreshChecklist(): void {
    state.checklist = computeChecklist(input.requestType, state.questionnaire, state.documents, state.declaredNone, rules);
  }

  /** What is left to pay of the study fee (payments counted towards it so far deducted). */
  function feeStillDueCents(): number {
    const paid = state.payments.filter((x) => !isTreatmentPayment(x)).reduce((sum, x) => sum + x.amountCents, 0);
    return Math.max(0, (studyFee ?? studyFeeNow()) - paid);
  }
  /** The study fee this patient is asked for: none on EU planned care when the case's rules say the S2 covers it. */
  function studyFeeNow(): number {
    const s2 = rules.coverage.euPlannedCare?.studyFee === 'covered' && rules.coverage.euEeaCh.includes(input.patient.countryOfResidence) && state.documents.some((d) => d.kind === 's2_form');
    return s2 ? 0 : rules.studyFees[input.requestType].amountCents;
  }

  function paymentStatusNow(): PaymentStatus {
    if (state.refundDueCents > 0) return money.owed() > 0 ? 'refund_due' : 'refunded';
    const treatment = programme.paymentStatus();
    if (treatment) return treatment;
    if (state.amountDueCents === 0) return state.amountPaidCents > 0 ? 'paid' : 'none';
    if (state.amountPaidCents >= state.amountDueCents) return 'paid';
    return state.amountPaidCents > 0 ? 'partially_paid' : 'due';
  }
  /** The amount due and payment status from the state (step 3 adds estimates and the final account). */
  function refreshPaymentStatus(): void {
    if (state.treatment.estimates.length) state.amountDueCents = programme.amountDueCents(studyFee ?? studyFeeNow());
    setPaymentStatus(paymentStatusNow());
  }
  function setPaymentStatus(status: PaymentStatus): void {
    money.sync();
    state.paymentStatus = status;
    upsertSearchAttributes([{ key: searchAttributes.PaymentStatus, value: status }]);
    publishDetails();
  }

  function deadlineIn(duration: Duration): string {
    return new Date(Date.now() + msToNumber(duration)).toISOString();
  }
  function setDeadline(deadline: string | null): void {
    const changed = deadline !== state.nextDeadline;
    state.nextDeadline = deadline;
    // An upsert is a command: only when the deadline changed, and only in runs that record it.
    if (changed && patched(NEXT_DEADLINE_ATTRIBUTE)) upsertNextDeadline();
    publishDetails();
  }
  function upsertNextDeadline(): void {
    upsertSearchAttributes([{ key: searchAttributes.NextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline) : null }]);
  }

  /**
   * A business event for the audit trail. Cases started before the patch below kept some events in
   * the workflow's timeline only; their histories replay unchanged, newer cases record every event.
   */
  async function businessEvent(type: string, actor: string, summary: string, payload: EventPayload = {}): Promise<void> {
    if (patched(EVERY_EVENT_IN_AUDIT_TRAIL)) await record(type, actor, summary, payload);
    else note(type, actor, summary);
  }

  /** Appends to the timeline only. */
  function note(type: string, actor: string, summary: string): void {
    state.timeline.push({ at: new Date().toISOString(), type, actor, summary });
    publishDetails();
  }

  /**
   * A business event: timeline, and the audit trail in the database, with the case's view when it
   * changed (versioned: the read model keeps the newest, so a late write never moves a case back).
   */
  async function record(type: string, actor: string, summary: string, payload: EventPayload = {}, readModel: { nextDeadline?: string | null } = {}): Promise<void> {
    note(type, actor, summary);
    if (readModel.nextDeadline !== undefined) setDeadline(readModel.nextDeadline);
    const at = state.timeline[state.timeline.length - 1].at;
    // The view's change goes with the event: the read model then shows only what history recorded.
    const idempotencyKey = `${workflowId}:${timelineOffset + state.timeline.length}:${type}`;
    await writeViewWith(versions, (view) =>
      records.recordCaseEvent.executeWithOptions({ summary: `Record event: ${type}` }, [
        { reference: input.reference, idempotencyKey, type, actor, payload, summary, at, ...(input.ownerId ? { ownerId: input.ownerId } : {}), ...view },
      ]),
    );
  }

  /** Moves the case: state, Temporal UI (search attributes, details) and the database read model. */
  async function moveTo(phase: Phase, awaitingRole: AwaitingRole, type: string, actor: string, summary: string, nextDeadline: string | null = null, payload: EventPayload = {}): Promise<void> {
    state.phase = phase;
    state.awaitingRole = awaitingRole;
    state.waitingFor = waitingForText[awaitingRole];
    upsertSearchAttributes([
      { key: searchAttributes.CasePhase, value: phase },
      { key: searchAttributes.AwaitingRole, value: awaitingRole },
    ]);
    await record(type, actor, summary, payload, { nextDeadline });
  }

  async function emailPatient(template: EmailTemplateName, summary: string, vars: Record<string, string>, options: { key?: string; attachDocumentIds?: string[] } = {}): Promise<void> {
    await mail.sendEmail.executeWithOptions({ summary }, [
      {
        idempotencyKey: options.key ?? emailKey(template), to: input.patient.email, template, language: lang, caseReference: input.reference, requestType: input.requestType,
        vars: { reference: input.reference, firstName: p.firstName, lastName: p.lastName, ...vars },
        ...(options.attachDocumentIds?.length ? { attachDocumentIds: options.attachDocumentIds } : {}),
      },
    ]);
  }

  async function staffEmail(audience: StaffAudience, template: StaffTemplate, summary: string, vars?: Record<string, string>): Promise<void> {
    await mail.emailStaff.executeWithOptions({ summary }, [
      { idempotencyKey: emailKey(template), audience, coordinatorId: state.coordinatorId, reference: input.reference, requestType: input.requestType, template, ...(vars ? { vars } : {}) },
    ]);
  }

  /** Every search attribute from the state (a continued run starts without the previous run's updates). */
  function refreshSearchAttributes(): void {
    upsertSearchAttributes([
      { key: searchAttributes.CasePhase, value: state.phase },
      { key: searchAttributes.AwaitingRole, value: state.awaitingRole },
      { key: searchAttributes.PaymentStatus, value: state.paymentStatus },
      ...(state.coordinatorId ? [{ key: searchAttributes.CoordinatorId, value: state.coordinatorId }] : []),
    ]);
    if (state.nextDeadline && patched(NEXT_DEADLINE_ATTRIBUTE)) upsertNextDeadline();
  }

  function itemList(ids: readonly string[]): string {
    const labels = new Map(state.checklist.map((e) => [e.id, e.label[lang]]));
    return ids.map((id) => `- ${labels.get(id) ?? id}`).join('\n');
  }

  /** The Temporal UI's current details (workflows/currentDetails.ts): not part of history, no patch needed. */
  function publishDetails(): void {
    setCurrentDetails(currentDetailsOf(state, Date.now()));
  }
}
