// After the stay: the account reconciled (workflows/reconciliation.ts) into the final invoice, a balance
// chased or a refund owed, the follow-up appointments (each reminded), and the close once no follow-up
// remains and nothing is open.
import { condition, setHandler, Trigger } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import { FAILURE_TYPES, paymentPathFor, scheduleFollowUpUpdate, type FollowUp } from './definitions';
import { fail } from './failures';
import { refusals } from './refusals';
import { formatEuros, priceEstimate, type EstimateLine, type EstimateLineInput, type Tariff } from './pricing';
import { reconcile } from './reconciliation';
import { issued as documents, type Case, type Ending } from './case';
import type { Background } from './background';
import { remindUntil } from './reminders';
import { coveredCents } from './estimate';
import { isTreatmentPayment, type createLedger } from './ledger';

/** Patch: a follow-up's reminder is watched from when it is scheduled (before it, from when it was announced). */
const FOLLOW_UP_WATCH_AT_ONCE = 'follow-up-watch-at-once';

const iso = (at: number) => new Date(at).toISOString();
/** An appointment time as the patient reads it (the centre's time zone). */
const whenText = (at: string) => `${new Date(at).toLocaleString('en-GB', { timeZone: 'Europe/Paris', dateStyle: 'medium', timeStyle: 'short' })} (Paris)`;

interface AfterStayNeeds {
  ledger: ReturnType<typeof createLedger>;
  /** Overpaid towards the treatment: owed back apart (workflows/moneyBack.ts), so the account leaves it out. */
  treatmentOverpaidCents(): number;
  patientName(): string;
  invoiceTariff(): Tariff;
}

export function createAfterStay(c: Case, bg: Background, needs: AfterStayNeeds) {
  const { input, state, timings, rules, workflowId, lang } = c;
  const { ledger } = needs;
  const t = state.treatment;
  const money = (cents: number) => formatEuros(cents, lang);
  const paymentPath = (purpose: string, amountCents: number) => paymentPathFor(input.reference, purpose, amountCents);
  /** Set once no follow-up remains and the case closes: a follow-up added now would never be watched. */
  let closing = false;

  setHandler(
    scheduleFollowUpUpdate,
    async ({ at, description, by }) => {
      const f: FollowUp = { id: `F${t.followUps.length + 1}`, at: iso(Date.parse(at)), description, reminded: false };
      t.followUps.push(f);
      c.publishDetails();
      // Watched from now: closing waits for the background work, and a slow announcement (SMTP outage)
      // let a case close before the watcher joined it. Read once, so a replay that goes live keeps the choice.
      const atOnce = c.patched(FOLLOW_UP_WATCH_AT_ONCE);
      const announced = new Trigger<void>();
      if (atOnce) bg.add(watchFollowUp(f, announced));
      try {
        await c.record('follow_up_scheduled', by, `Follow-up ${f.id} at ${f.at}`, { followUpId: f.id, at: f.at });
        await c.emailPatient('follow_up_scheduled', `Email patient: follow-up ${f.id}`, { date: whenText(f.at), description });
      } finally {
        announced.resolve();
      }
      if (!atOnce) bg.add(watchFollowUp(f));
      return c.answer();
    },
    {
      validator: ({ at, by }: { at: string; by: string }) => {
        c.stepThree.requirePhase('scheduleFollowUp');
        if (closing) throw fail(FAILURE_TYPES.wrongPhase, refusals.caseClosing());
        c.requireCoordinator(by, 'scheduleFollowUp');
        const when = Date.parse(at);
        if (Number.isNaN(when)) throw fail(FAILURE_TYPES.invalid, refusals.followUpTimeInvalid());
        if (when <= Date.now()) throw fail(FAILURE_TYPES.invalid, refusals.followUpInPast({ now: new Date().toISOString() }));
      },
    },
  );

  /** Reconciles what was done with what was paid or guaranteed: final invoice, refund or balance. */
  async function settleAccount(performed: EstimateLineInput[] | undefined): Promise<void> {
    const guaranteed = t.estimates.filter((e) => e.status === 'guaranteed');
    const lines = performed ?? mergeLines(guaranteed.flatMap((e) => e.lines));
    t.invoiced = lines.length ? priceEstimate(needs.invoiceTariff(), lang, lines).lines : [];
    const treatmentPayments = state.payments.filter(isTreatmentPayment);
    // Overpayments are owed back apart (workflows/moneyBack.ts): the account counts what was asked for.
    const treatmentPaid = treatmentPayments.reduce((s, p) => s + p.amountCents, 0) - needs.treatmentOverpaidCents();
    const insurerCovered = guaranteed.reduce((s, e) => s + coveredCents(e), 0);
    const r = reconcile({ coverageRoute: t.coverage?.route ?? 'self_pay', invoiced: t.invoiced, insurerCoveredCents: insurerCovered, paidCents: treatmentPaid, copaymentPercent: rules.stay.copaymentPercent });
    const invoice = await documents.issueFinalInvoice.executeWithOptions({ summary: 'Issue final invoice (PDF)' }, [{
      idempotencyKey: `${workflowId}:final-invoice`,
      reference: input.reference,
      language: lang,
      patientName: needs.patientName(),
      issuedAt: new Date().toISOString(),
      lines: t.invoiced,
      reconciliation: r,
      coverageRoute: t.coverage?.route ?? 'self_pay',
      insurers: guaranteed.flatMap((e) => e.insurerLetters.map((l) => ({ insurer: l.insurer, policyNumber: l.policyNumber, coveredCents: l.coveredCents }))),
      payments: treatmentPayments.map((p) => ({ paymentId: p.paymentId, amountCents: p.amountCents, paidAt: p.paidAt })),
    }]);
    t.reconciliation = { ...r, invoiceNumber: invoice.number, invoiceDocumentId: invoice.documentId };
    state.refundDueCents += r.refundDueCents;
    ledger.refreshPaymentStatus();
    await c.record('account_reconciled', 'system', `Final invoice ${invoice.number}: ${r.outcome} (invoiced ${money(r.invoicedCents)}, insurer ${money(r.insurerShareCents)}, paid ${money(r.paidCents)})`, {
      invoiceNumber: invoice.number, outcome: r.outcome, invoicedCents: r.invoicedCents, balanceDueCents: r.balanceDueCents, refundDueCents: r.refundDueCents, insurerShareCents: r.insurerShareCents, paidCents: r.paidCents,
    });
    const vars = { invoiceNumber: invoice.number, invoiced: money(r.invoicedCents), insurerShare: money(r.insurerShareCents), paid: money(r.paidCents) };
    const attach = { attachDocumentIds: [invoice.documentId] };
    if (r.outcome === 'balance_due') {
      await c.emailPatient('final_invoice_balance', 'Email patient: final invoice, balance due', { ...vars, amount: money(r.balanceDueCents), paymentPath: paymentPath(`balance ${invoice.number}`, r.balanceDueCents) }, attach);
      bg.add(chaseBalance(invoice.number));
    } else if (r.outcome === 'refund_due') {
      await c.emailPatient('final_invoice_refund', 'Email patient: final invoice, refund due', { ...vars, amount: money(r.refundDueCents) }, attach);
    } else {
      await c.emailPatient('final_invoice_settled', 'Email patient: final invoice, settled', vars, attach);
    }
    if (r.outcome !== 'settled') {
      const settlement = r.outcome === 'balance_due' ? `balance due ${money(r.balanceDueCents)}` : `refund due ${money(r.refundDueCents)}`;
      await c.staffEmail('finance', 'account_to_settle', `Email finance: ${settlement}`, { invoiceNumber: invoice.number, settlement });
    }
  }

  /** After the stay: closes once no follow-up remains and nothing is open for `followUpWindow`. */
  async function followUp(): Promise<Ending> {
    const closeAt = () => Math.max(Date.parse(t.dischargedAt ?? new Date().toISOString()), ...t.followUps.map((f) => Date.parse(f.at))) + msToNumber(timings.followUpWindow);
    for (;;) {
      if (state.phase !== 'follow_up') await c.moveTo('follow_up', ledger.balanceRemaining() > 0 ? 'patient' : 'care_coordinator', 'follow_up_started', 'system', 'After the stay: follow-up and billing', iso(closeAt()));
      const scheduled = t.followUps.length;
      const due = closeAt();
      c.setDeadline(iso(due));
      const woke = await condition(() => c.ended() || t.followUps.length !== scheduled || bg.historyLong(), Math.max(1, due - Date.now()), { summary: 'Timer: close when no follow-up remains' });
      if (c.ended()) return c.ending()!;
      if (bg.historyLong()) await bg.continueAsNewAt('follow_up');
      if (woke) continue;
      if (t.tasks.some((x) => x.status === 'open')) {
        await condition(() => c.ended() || t.tasks.every((x) => x.status === 'done') || t.followUps.length !== scheduled);
        continue;
      }
      break;
    }
    closing = true;
    bg.halt();
    await bg.settled();
    await c.emailPatient('case_closed', 'Email patient: case closed', {});
    return { phase: 'closed', reason: t.followUps.length ? `Follow-up completed (${t.followUps.length} appointment(s))` : 'Stay completed; no follow-up needed' };
  }

  /** Reminds the patient of a follow-up appointment a few days before, never ahead of its announcement. */
  async function watchFollowUp(f: FollowUp, announced?: PromiseLike<void>): Promise<void> {
    const at = Date.parse(f.at) - msToNumber(timings.arrivalReminderBefore);
    if (await condition(bg.stop, Math.max(1, at - Date.now()), { summary: `Timer: follow-up ${f.id} reminder` })) return;
    if (announced) {
      // Due: sent even if the case is closing or continuing as new meanwhile, not if it was withdrawn or cancelled.
      await announced;
      if (c.ended()) return;
    }
    f.reminded = true;
    await c.emailPatient('follow_up_reminder', `Email patient: follow-up ${f.id} reminder`, { date: whenText(f.at), description: f.description });
  }

  /** Reminds the patient of a balance due; after the last reminder, finance follows it up. */
  async function chaseBalance(invoiceNumber: string): Promise<void> {
    const remind = (n: number) => c.emailPatient('balance_reminder', `Email patient: reminder, balance due (${n})`, { invoiceNumber, amount: money(ledger.balanceRemaining()), paymentPath: paymentPath(`balance ${invoiceNumber}`, ledger.balanceRemaining()) });
    if (c.sharedReminders) {
      // A part paid starts the reminders again, as a payment toward a guarantee does.
      await remindUntil({ summary: () => 'Reminder: balance due', done: () => ledger.balanceRemaining() === 0, stop: bg.stop, interval: () => msToNumber(timings.feeReminderAfter), max: timings.maxReminders, progress: { value: ledger.balancePaid }, remind });
      return;
    }
    for (let n = 1; n <= timings.maxReminders; n++) {
      let seen = ledger.balancePaid();
      for (;;) {
        const woke = await condition(() => ledger.balanceRemaining() === 0 || bg.stop() || ledger.balancePaid() !== seen, timings.feeReminderAfter, { summary: 'Reminder: balance due' });
        if (ledger.balanceRemaining() === 0 || bg.stop()) return;
        if (!woke) break;
        seen = ledger.balancePaid();
      }
      await remind(n);
    }
  }

  return {
    settleAccount,
    followUp,
    /** A continued run watches the follow-ups not reminded yet. */
    resume(): void {
      for (const f of t.followUps) if (!f.reminded) bg.add(watchFollowUp(f));
    },
  };
}

/** One line per item: quantities of the same item across estimates add up. */
function mergeLines(lines: readonly EstimateLine[]): EstimateLineInput[] {
  const byCode = new Map<string, number>();
  for (const l of lines) byCode.set(l.code, (byCode.get(l.code) ?? 0) + l.quantity);
  return [...byCode].map(([code, quantity]) => ({ code, quantity }));
}

export type AfterStay = ReturnType<typeof createAfterStay>;
