// Step 2, the study: a care coordinator, the contents approved (or changes asked of the patient), the
// service fee (workflows/ledger.ts), the physicians opening the file, and their report (MDT or analysis).
// Also the withdrawal, whose refund depends on whether the study started.
import { condition, setHandler } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import { missingItems } from './checklist';
import {
  approveContentsUpdate,
  assignCoordinatorUpdate,
  FAILURE_TYPES,
  openStudyUpdate,
  paymentPathFor,
  requestChangesUpdate,
  searchAttributes,
  submitReportUpdate,
  withdrawUpdate,
  type Phase,
  type ReportInput,
} from './definitions';
import { fail } from './failures';
import { refusals, type ActionName } from './refusals';
import { formatEur } from './pricing';
import type { Case, Ending } from './case';
import { remindUntil } from './reminders';
import type { createFileCollection } from './fileCollection';
import type { createLedger } from './ledger';

/** Patch: step 3 to the end of the case (before it, a `treatment_here` case waited in treatment planning). */
const TREATMENT_PROGRAMME = 'treatment-programme';
/** Patch: the study starts when the physicians open the file (openStudy), not when the fee is paid. */
const STUDY_OPENED = 'study-opened-by-physicians';

export function createStudy(c: Case, file: ReturnType<typeof createFileCollection>, ledger: ReturnType<typeof createLedger>) {
  const { input, state, timings } = c;
  let contentsDecision: { kind: 'approved' } | { kind: 'changes'; message: string } | undefined;
  // A decision is taken once per review (see awaitingCompleteness in workflows/fileCollection.ts).
  let awaitingContents = false;
  let report: ReportInput | undefined;
  /** Set on entering report_pending: whether this run records the opening of the file (patch STUDY_OPENED). */
  let studyOpening = false;

  setHandler(
    assignCoordinatorUpdate,
    async ({ coordinatorId, coordinatorInitials, by }) => {
      const previous = state.coordinatorId;
      state.coordinatorId = coordinatorId;
      // The initials come with the update (history has them), so replay sets the same state; updates
      // recorded before carry none and leave the state as it was then: no patch needed.
      if (coordinatorInitials) state.coordinatorInitials = coordinatorInitials;
      else delete state.coordinatorInitials;
      c.upsertAttributes([{ key: searchAttributes.CoordinatorId, value: coordinatorId }]);
      await c.record(previous ? 'coordinator_reassigned' : 'coordinator_assigned', by, previous ? `Coordinator changed from ${previous} to ${coordinatorId}` : `Coordinator ${coordinatorId} assigned`, { coordinatorId, previous });
      return c.answer();
    },
    { validator: (_arg) => c.requirePhase('assignCoordinator') },
  );

  setHandler(
    approveContentsUpdate,
    async ({ by }) => {
      awaitingContents = false;
      contentsDecision = { kind: 'approved' };
      await c.businessEvent('contents_approved', by, 'Contents approved by the care coordinator');
      return c.answer();
    },
    {
      validator: ({ by }: { by: string }) => {
        requireAssignedCoordinator(by, 'approveContents');
        const missing = missingItems(state.checklist);
        if (missing.length) throw fail(FAILURE_TYPES.missingItems, refusals.itemsMissingRequestChanges({ missing: file.checklistLabels(missing) }), { missingItems: missing });
      },
    },
  );

  setHandler(
    requestChangesUpdate,
    ({ message }) => {
      awaitingContents = false;
      contentsDecision = { kind: 'changes', message };
      return c.answer();
    },
    { validator: ({ by }: { message: string; by: string }) => requireAssignedCoordinator(by, 'requestChanges') },
  );

  setHandler(
    submitReportUpdate,
    (input_) => {
      report = input_;
      // A report is the study done: the file was opened, if nobody said so before (runs that record the
      // opening only: in older runs the change would publish the view where their history did not).
      if (studyOpening) state.studyOpenedAt ??= new Date().toISOString();
      return c.answer();
    },
    {
      validator: (rep: ReportInput) => {
        c.requirePhase('submitReport');
        const expected = input.requestType === 'sample_analysis' ? 'analysis' : 'mdt';
        if (rep.kind !== expected) throw fail(FAILURE_TYPES.invalid, refusals.wrongReportKind({ requestType: input.requestType, expected }));
      },
    },
  );

  setHandler(
    withdrawUpdate,
    ({ reason, by }) => {
      // The case ends at its next step. A fee paid for a study that has not started is refunded (marked
      // at once, so the answer shows it); overpayments are owed back already.
      if (!studyStarted() && state.amountPaidCents > 0) {
        state.refundDueCents = ledger.unstartedStudyRefundCents();
        ledger.showPaymentStatus();
      }
      c.end({ phase: 'withdrawn', reason: `${reason} (${by})` });
      return c.answer();
    },
    { validator: (_arg) => c.requireNotEnded('withdraw') },
  );

  setHandler(
    openStudyUpdate,
    async ({ by }) => {
      if (!state.studyOpenedAt) {
        state.studyOpenedAt = new Date().toISOString();
        await c.record('study_opened', by, 'File opened by the physicians: the study has started');
      }
      return c.answer();
    },
    { validator: (_arg) => c.requirePhase('openFile') },
  );

  function requireAssignedCoordinator(by: string, action: ActionName): void {
    c.requirePhase(action);
    c.requireAwaited(awaitingContents, action);
    c.requireCoordinator(by, action);
  }

  /** Step 2, once the file is complete: until the report; then `treatment` when the MDT proposes treatment here. */
  async function run(treatment: () => Promise<Ending>): Promise<Ending> {
    state.lastRequest = null;
    await c.moveTo('coordinator_assignment', 'care_coordinator', 'file_complete', 'admission_coordinator', 'File complete: waiting for a care coordinator', c.deadlineIn(timings.reviewWithin));
    if (!(await c.until(() => state.coordinatorId !== null))) return c.ending()!;
    for (;;) {
      awaitingContents = true;
      await c.moveTo('contents_review', 'care_coordinator', 'contents_review_requested', 'system', 'Waiting for the care coordinator to approve the contents', c.deadlineIn(timings.reviewWithin));
      if (!(await c.until(() => contentsDecision !== undefined))) return c.ending()!;
      const decision = contentsDecision!;
      contentsDecision = undefined;
      if (decision.kind === 'approved') break;
      file.reopen();
      state.lastRequest = { by: 'care_coordinator', message: decision.message, missingItems: [] };
      await c.emailPatient('changes_requested', 'Email patient: changes requested', { message: decision.message });
      await c.moveTo('file_collection', 'patient', 'changes_requested', 'care_coordinator', 'Changes requested by the care coordinator', c.deadlineIn(timings.reminderAfter));
      const waited = await file.waitForPatient(() => file.submitted(), 'file');
      if (waited !== 'done') return waited;
    }
    state.lastRequest = null;

    const fee = ledger.feeFallsDue();
    if (fee === 0) await c.record('fee_covered_by_s2', 'system', 'EU planned care (S2): the study fee is not asked of the patient (rules version)');
    else if (state.amountPaidCents < fee) {
      await c.moveTo('fee_payment', 'patient', 'fee_requested', 'system', `Service fee due: ${formatEur(fee)}`, c.deadlineIn(timings.feeReminderAfter), { amountCents: fee });
      await c.emailPatient('fee_request', 'Email patient: payment link', { amount: formatEur(fee), paymentPath: paymentPathFor(input.reference, 'study_fee', fee) });
      const paid = await file.waitForPatient(() => state.amountPaidCents >= fee, 'fee');
      if (paid !== 'done') return paid;
    }
    if (fee > 0) await c.businessEvent('fee_paid', 'system', `Service fee paid (${formatEur(state.amountPaidCents)})`, { amountCents: fee });

    // The file goes to the physicians now that the fee is paid; the study starts when they open it.
    studyOpening = c.patched(STUDY_OPENED);
    await c.moveTo('report_pending', 'mdt', 'study_started', 'system', 'File sent to the physicians', c.deadlineIn(timings.reportSla));
    await c.staffEmail('mdt', 'mdt_request', 'Email MDT: case to study');
    if (c.sharedReminders) {
      await remindUntil({ summary: () => 'SLA: report from the physicians', done: () => report !== undefined, stop: c.ended, interval: () => msToNumber(timings.reportSla), remind: reportOverdue });
      if (c.ended()) return c.ending()!;
    } else {
      for (;;) {
        const arrived = await condition(() => report !== undefined || c.ended(), timings.reportSla, { summary: 'SLA: report from the physicians' });
        if (c.ended()) return c.ending()!;
        if (arrived) break;
        await c.staffEmail('coordinator', 'report_overdue', 'Email coordinator: report overdue');
        await reportOverdueRecord();
      }
    }
    const rep = report!;
    state.report = { ...rep, at: new Date().toISOString() };
    await c.emailPatient('report_available', 'Email patient: report available', {});
    const summary = rep.kind === 'mdt' ? `MDT report: ${rep.strategy}` : `Analysis report: ${rep.diagnosisStatus} diagnosis`;
    await c.record('report_delivered', rep.by, summary, rep.kind === 'mdt' ? { kind: 'mdt', strategy: rep.strategy } : { kind: 'analysis', diagnosisStatus: rep.diagnosisStatus });

    if (rep.kind === 'mdt' && rep.strategy === 'treatment_here') {
      await c.moveTo('treatment_planning', 'care_coordinator', 'treatment_proposed', rep.by, 'Treatment here proposed: the care coordinator plans it');
      // Cases started before step 3 existed wait here (their histories replay unchanged).
      if (!c.patched(TREATMENT_PROGRAMME)) {
        await c.until(() => false);
        return c.ending()!;
      }
      return treatment();
    }
    await c.emailPatient('follow_up_offer', 'Email patient: follow-up offer', {});
    return { phase: 'closed', reason: summary };
  }

  /** The physicians' report is late: the coordinator is alerted, and again each SLA after. */
  async function reportOverdue(): Promise<void> {
    await c.staffEmail('coordinator', 'report_overdue', 'Email coordinator: report overdue');
    await reportOverdueRecord();
  }
  function reportOverdueRecord(): Promise<void> {
    return c.record('report_overdue', 'system', 'No report within the SLA: coordinator alerted', {}, { nextDeadline: c.deadlineIn(timings.reportSla) });
  }

  function studyStarted(): boolean {
    // Since STUDY_OPENED, paying the fee sends the file; the study starts when the physicians open it.
    if (state.phase === 'report_pending' && studyOpening) return state.studyOpenedAt != null;
    return (['report_pending', 'treatment_planning', 'estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay', 'follow_up'] as Phase[]).includes(state.phase);
  }

  return { run, studyStarted };
}
