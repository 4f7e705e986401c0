// One durable workflow per international-patient case. Deterministic code only: every side effect
// is an activity, every wait is a timer or a condition on state changed by updates and signals.
//
// The case (workflows/case.ts) and one module per sub-domain, each with its slice of the state and its
// handlers: the file (fileCollection.ts), the study (study.ts), the ledger and payments (ledger.ts,
// moneyBack.ts), the estimate and its guarantee (estimate.ts), the arrival and the stay (arrival.ts,
// stay.ts), after the stay (afterStay.ts). This function composes them, in the order they always were
// created: each decides its patches when created, and the order of patch markers is part of history.
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import { type CaseOutcome, type CaseStartInput, type ResumePoint } from './definitions';
import { handleCaseSignals, openCase, type Ending } from './case';
import { createMoneyBack } from './moneyBack';
import { createFileCollection } from './fileCollection';
import { createLedger } from './ledger';
import { createStudy } from './study';
import { createBackground } from './background';
import { createEstimates } from './estimate';
import { createArrival } from './arrival';
import { createStay } from './stay';
import { createAfterStay } from './afterStay';

export async function carePathway(input: CaseStartInput): Promise<CaseOutcome> {
  const c = openCase(input);
  const { state, timings, workflowId } = c;
  const t = state.treatment;
  // Money owed back (refunds due, overpayments) and the refunds finance records.
  const money = createMoneyBack({ state, remindAfter: timings.taskReminderAfter, record: c.record, moveTo: c.moveTo, staffEmail: c.staffEmail, refreshPaymentStatus: () => ledger.refreshPaymentStatus(), answer: c.answer, patched: c.patched, sharedReminders: c.sharedReminders });
  handleCaseSignals(c);
  const ledger = createLedger(c, money, () => estimates);
  const file = createFileCollection(c, (kind) => estimates.documentAdded(kind));
  const study = createStudy(c, file, ledger);

  // Step 3 to the end of the case (treatment here).
  const bg = createBackground(c);
  const estimates = createEstimates(c, bg, ledger.refreshPaymentStatus, () => stay.discharged());
  const arrival = createArrival(c);
  const stay = createStay(c, bg, estimates, arrival.siteOf, () => afterStay);
  const afterStay = createAfterStay(c, bg, { ledger, treatmentOverpaidCents: () => money.overpaidCents('treatment'), patientName: arrival.patientName, invoiceTariff: stay.invoiceTariff });

  // ---- the pathway --------------------------------------------------------------------------------

  c.publishDetails();
  let outcome: Ending;
  if (input.resume) {
    // A long case continued as new: same case, fresh history, resumed where it was.
    c.refreshSearchAttributes();
    outcome = await resume(input.resume.stage);
  } else {
    if (c.batch) await c.batch.write(c.caseWrite(), 'Record case in database');
    else await c.inTurn(() => c.records.recordCase.executeWithOptions({ summary: 'Record case in database' }, [input]));
    const creator = input.referrer ? `referrer:${input.referrer.email}` : 'patient';
    c.note('case_received', creator, 'Case received');
    await c.emailPatient('acknowledgement', 'Email patient: acknowledgement', {}, { key: `${workflowId}:acknowledgement` });
    outcome = await file.collect(() => study.run(treatment));
  }
  bg.halt();
  await bg.settled();
  await finish(outcome);
  // Let notifications already under way finish before the workflow closes.
  await condition(allHandlersFinished);
  if (c.batch) await c.batch.drained();
  return { reference: input.reference, phase: state.phase, reason: outcome.reason };

  /** From `treatment_planning` (the report proposed treatment here) to the end of the case. */
  async function treatment(): Promise<Ending> {
    estimates.refreshCoverage();
    c.setDeadline(new Date(Date.now() + msToNumber(timings.reviewWithin)).toISOString());
    await condition(() => t.estimates.length > 0 || c.ended());
    if (c.ended()) return c.ending()!;
    const guaranteed = await estimates.supervise(t.estimates[0]);
    if (guaranteed !== 'guaranteed') return guaranteed;

    await c.moveTo('stay_preparation', 'care_coordinator', 'stay_preparation', 'system', 'Estimate guaranteed: the arrival date can be set', new Date(Date.now() + msToNumber(timings.reviewWithin)).toISOString());
    const arrived = await arrival.prepare();
    if (arrived !== 'arrived') return arrived;
    return stay.run();
  }

  /** Picks up a case that continued as new: its background waits first, then its stage. */
  async function resume(stage: ResumePoint['stage']): Promise<Ending> {
    stay.resume();
    afterStay.resume();
    estimates.resume();
    return stage === 'in_stay' ? stay.run() : afterStay.followUp();
  }

  async function finish(end: Ending): Promise<void> {
    // Batched cases: what the last step wrote (the closing email) lands before the case leaves its
    // phase, as when each write was an activity: until then it is closing, not closed.
    if (c.batch) await c.batch.landed();
    // Whatever ends a case early, money paid for a study that never started is refunded, and
    // nothing is due any more.
    if (end.phase !== 'closed' && !study.studyStarted()) {
      if (state.amountPaidCents > 0) state.refundDueCents = ledger.unstartedStudyRefundCents();
      state.amountDueCents = 0;
      ledger.showPaymentStatus();
    }
    // Money paid towards a treatment that never started (declined, expired, withdrawn) goes back.
    const unused = Math.max(0, ledger.unusedPrepaymentsCents() - money.overpaidCents('treatment'));
    if (unused > 0 && state.refundDueCents === 0) {
      state.refundDueCents = unused;
      ledger.showPaymentStatus();
    }
    if (end.phase === 'withdrawn') {
      await c.staffEmail(state.coordinatorId ? 'coordinator' : 'admission_team', 'staff_withdrawal', 'Email coordinator: patient withdrew');
      await c.emailPatient('withdrawal_confirmed', 'Email patient: withdrawal confirmed', { refund: ledger.refundSentence() });
    } else if (end.phase === 'cancelled') {
      await c.emailPatient('case_cancelled', 'Email patient: case cancelled', { reason: end.reason.replace(/ \([^)]*\)$/, ''), refund: ledger.refundSentence() });
    }
    await c.moveTo(end.phase, 'none', `case_${end.phase}`, 'system', `Case ${end.phase}: ${end.reason}`, null, { reason: end.reason, refundDueCents: state.refundDueCents });
    await money.settle(end.phase);
  }
}
