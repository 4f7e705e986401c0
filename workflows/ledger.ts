// The ledger and payments: what the patient owes (the study fee, the estimates to prepay, the balance
// of the final account), where each payment counts, and the payment status the case shows. Money owed
// back is workflows/moneyBack.ts; what an estimate still needs is workflows/estimate.ts.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { paymentReceivedUpdate, searchAttributes, type AllocatedPayment, type EstimateState, type PaymentNotice, type PaymentStatus } from './definitions';
import { formatEur } from './pricing';
import type { createMoneyBack } from './moneyBack';
import type { Case } from './case';
import { coveredCents } from './estimate';

/** What the ledger asks of the estimates (workflows/estimate.ts, created after it). */
export interface EstimateMoney {
  /** What is still neither paid nor covered on an estimate. */
  remainingCents(e: EstimateState): number;
  /** On EU planned care, waiting for the home insurer's acceptance: nothing is asked of the patient. */
  awaitingS2(e: EstimateState): boolean;
  checkGuarantee(e: EstimateState, actor: string): Promise<void>;
}

/** Money towards the treatment (estimates, balance, unallocated), as opposed to the study fee. */
export const isTreatmentPayment = (p: AllocatedPayment) => p.allocatedTo !== undefined && p.allocatedTo !== 'study_fee';

export function createLedger(c: Case, money: ReturnType<typeof createMoneyBack>, estimates: () => EstimateMoney) {
  const { input, state, rules } = c;
  const t = state.treatment;
  /** The study fee asked of the patient, once it fell due (0 when the rules let the S2 cover it). */
  let studyFee: number | undefined;

  setHandler(
    paymentReceivedUpdate,
    async (payment) => {
      // Counted once per payment ID, even if the same update ID were not de-duplicated upstream. The
      // state changes before any await, so concurrent deliveries see each other.
      const duplicate = state.payments.some((x) => x.paymentId === payment.paymentId);
      if (duplicate) return { paymentId: payment.paymentId, duplicate, amountPaidCents: state.amountPaidCents };
      // Counted towards what its purpose names (study fee, an estimate, the balance); before any
      // estimate exists everything counts towards the fee, as it always did.
      const allocated: AllocatedPayment = { ...payment, allocatedTo: allocate(payment.purpose) };
      // What its purpose still needed before it: anything beyond is owed back.
      const needed = allocated.allocatedTo === 'study_fee' ? feeStillDueCents() : neededCents(allocated.allocatedTo);
      state.payments.push(allocated);
      state.amountPaidCents += payment.amountCents;
      const amountPaidCents = state.amountPaidCents;
      c.patientActed();
      refreshPaymentStatus();
      await c.businessEvent('payment_received', 'payment_provider', `Payment ${payment.paymentId}: ${formatEur(payment.amountCents)} (${allocated.allocatedTo})`, { paymentId: payment.paymentId, amountCents: payment.amountCents, allocatedTo: allocated.allocatedTo ?? null });
      await paymentAllocated(allocated);
      await money.paymentCounted(allocated, needed);
      // The allocation may change the case without recording an event (an estimate partly paid).
      return { paymentId: payment.paymentId, duplicate, amountPaidCents, state: await c.answer() };
    },
    {
      validator: (payment: PaymentNotice) => {
        if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents <= 0) throw ApplicationFailure.nonRetryable('amountCents must be a positive whole number of cents');
        if (payment.currency !== 'EUR') throw ApplicationFailure.nonRetryable('Only EUR payments are accepted');
      },
    },
  );

  /** Where a payment counts: the purpose the payer gave, else the oldest thing waiting for money. */
  function allocate(purpose: string): string {
    const number = /DEV-\d{4}-\d{6}/.exec(purpose)?.[0];
    if (number && t.estimates.some((e) => e.number === number)) return number;
    if (t.reconciliation && /balance|FAC-\d{4}-\d{6}/i.test(purpose)) return 'balance';
    if (/study_fee/.test(purpose) || t.estimates.length === 0) return 'study_fee';
    const open = t.estimates.find((e) => e.status === 'accepted' && estimates().remainingCents(e) > 0) ?? t.estimates.find((e) => e.status === 'issued');
    if (open) return open.number;
    if (t.reconciliation && balanceRemaining() > 0) return 'balance';
    return 'unallocated';
  }
  /** What a payment's target still needs before it is counted (0 for `unallocated`: nothing asked it). */
  function neededCents(target: string | undefined): number {
    const e = t.estimates.find((x) => x.number === target);
    if (e) return e.status === 'issued' || e.status === 'accepted' ? estimates().remainingCents(e) : 0;
    if (target === 'balance') return balanceRemaining();
    return 0;
  }
  const balancePaid = () => state.payments.filter((p) => p.allocatedTo === 'balance').reduce((s, p) => s + p.amountCents, 0);
  const balanceRemaining = () => Math.max(0, (t.reconciliation?.balanceDueCents ?? 0) - balancePaid());

  /** Called by the payment handler, state already changed: counts the payment and checks guarantees. */
  async function paymentAllocated(payment: AllocatedPayment): Promise<void> {
    const e = t.estimates.find((x) => x.number === payment.allocatedTo);
    if (e) {
      e.paidCents += payment.amountCents;
      refreshPaymentStatus();
      await estimates().checkGuarantee(e, 'payment_provider');
    }
  }

  /** The payment status once step 3 has money in play (null before: the fee logic applies). */
  function treatmentPaymentStatus(): PaymentStatus | null {
    if (t.reconciliation) return balanceRemaining() > 0 ? 'balance_due' : null;
    const live = t.estimates.filter((e) => e.status === 'accepted' || e.status === 'guaranteed');
    if (!live.length) return null;
    const open = live.filter((e) => e.status === 'accepted');
    if (open.length) return open.some((e) => e.paidCents > 0 || coveredCents(e) > 0) ? 'partially_paid' : 'due';
    return live.some((e) => coveredCents(e) > 0) || t.coverage?.route === 'french_insured' ? 'guaranteed' : 'paid';
  }
  /** What the patient owes in all (fee + estimates to prepay, or the reconciled share). */
  function amountDueCents(feeCents: number): number {
    if (t.reconciliation) return feeCents + t.reconciliation.patientShareCents;
    const live = t.estimates.filter((e) => e.status === 'accepted' || e.status === 'guaranteed');
    return feeCents + live.reduce((s, e) => s + (t.coverage?.route === 'french_insured' || (e.status === 'accepted' && estimates().awaitingS2(e)) ? 0 : Math.max(0, e.totalCents - coveredCents(e))), 0);
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
    const treatment = treatmentPaymentStatus();
    if (treatment) return treatment;
    if (state.amountDueCents === 0) return state.amountPaidCents > 0 ? 'paid' : 'none';
    if (state.amountPaidCents >= state.amountDueCents) return 'paid';
    return state.amountPaidCents > 0 ? 'partially_paid' : 'due';
  }
  /** The amount due and payment status from the state (step 3 adds estimates and the final account). */
  function refreshPaymentStatus(): void {
    if (state.treatment.estimates.length) state.amountDueCents = amountDueCents(studyFee ?? studyFeeNow());
    setPaymentStatus(paymentStatusNow());
  }
  function setPaymentStatus(status: PaymentStatus): void {
    money.sync();
    state.paymentStatus = status;
    c.upsertAttributes([{ key: searchAttributes.PaymentStatus, value: status }]);
    c.publishDetails();
  }
  /** The payment status from the state as it is, the amount due left as set. */
  const showPaymentStatus = () => setPaymentStatus(paymentStatusNow());

  /** The study fee falls due (the contents approved): decided once, so an S2 uploaded later does not take back a fee asked for. */
  function feeFallsDue(): number {
    studyFee = studyFeeNow();
    state.amountDueCents = studyFee;
    showPaymentStatus();
    return studyFee;
  }

  /** Treatment prepayments to give back when the case ends before the stay started. */
  function unusedPrepaymentsCents(): number {
    if (t.arrivedAt) return 0;
    return state.payments.filter(isTreatmentPayment).reduce((s, p) => s + p.amountCents, 0);
  }
  /** Everything paid goes back when the study never started; overpayments are owed back already. */
  function unstartedStudyRefundCents(): number {
    return Math.max(0, state.amountPaidCents - money.overpaidCents());
  }
  function refundSentence(): string {
    const owed = money.owed();
    return owed ? rules.refundNotice[c.lang].replace('{amount}', formatEur(owed)) : '';
  }

  return { refreshPaymentStatus, showPaymentStatus, feeFallsDue, balancePaid, balanceRemaining, unusedPrepaymentsCents, unstartedStudyRefundCents, refundSentence };
}
