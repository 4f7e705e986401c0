// Money owed back to the payer is work for finance (shared/domain.md, "Money owed back"): refunds due
// (withdrawal, a study or treatment that never started, the reconciliation), payments beyond what was
// asked and payments arriving after the case ended. Finance hears of each, the case waits on finance
// until the money is returned, and finance records each refund made through `recordRefund`.
import { condition, setHandler } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { StaffAudience, StaffTemplate } from '../activities/staffEmails';
import { msToNumber } from '@temporalio/common/lib/time';
import { emptyMoneyBack } from './caseState';
import { fail } from './failures';
import { refusals } from './refusals';
import { formatEur } from './pricing';
import { remindUntil } from './reminders';
import {
  FAILURE_TYPES,
  REFUND_METHODS,
  TERMINAL_PHASES,
  recordRefundUpdate,
  type AllocatedPayment,
  type AwaitingRole,
  type CaseState,
  type CaseAnswer,
  type EventPayload,
  type MoneyBack,
  type RefundRecord,
  type Phase,
} from './definitions';

/**
 * Patch: overpayments are flagged, and a case that ends owing money waits on finance until it is
 * returned. Runs started before it keep closing at once, as their histories recorded.
 */
export const MONEY_BACK = 'money-owed-back-to-finance';

export interface MoneyBackContext {
  state: CaseState;
  /** How long a refund may wait before finance is reminded (the case's task reminder timing). */
  remindAfter: Duration;
  record(type: string, actor: string, summary: string, payload?: EventPayload, readModel?: { nextDeadline?: string | null }): Promise<void>;
  moveTo(phase: Phase, awaitingRole: AwaitingRole, type: string, actor: string, summary: string, nextDeadline?: string | null, payload?: EventPayload): Promise<void>;
  staffEmail(audience: StaffAudience, template: StaffTemplate, summary: string, vars?: Record<string, string>): Promise<void>;
  /** Recomputes the payment status from the state, and with it `owedCents` (through `sync`). */
  refreshPaymentStatus(): void;
  answer(): CaseAnswer | Promise<CaseAnswer>;
  /** `patched(name)`, implied by the newest patch (workflows/patches.ts). */
  patched(name: string): boolean;
  /** Runs opened under SHARED_REMINDERS: the wait on finance is workflows/reminders.ts. */
  sharedReminders: boolean;
}

/** Must be created at the start of the workflow: `patched` is then decided once, for the whole run. */
export function createMoneyBack(ctx: MoneyBackContext) {
  const { state } = ctx;
  const enabled = ctx.patched(MONEY_BACK);
  // Cases that predate the ledger (or continued from a run that did) start it empty.
  const book = (): MoneyBack => (state.moneyBack ??= emptyMoneyBack());
  const sum = (xs: { cents?: number; amountCents?: number }[]) => xs.reduce((s, x) => s + (x.cents ?? x.amountCents ?? 0), 0);

  function owed(): number {
    const b = book();
    return Math.max(0, state.refundDueCents + sum(b.overpayments) - sum(b.refunds));
  }
  /** Keeps `owedCents` (what the read model and worklists show) equal to `owed()`: the payment status update calls it. */
  function sync(): void {
    book().owedCents = owed();
  }
  /** Overpaid so far, all of it or towards the treatment only (estimates, balance, unallocated). */
  function overpaidCents(only?: 'treatment'): number {
    return sum(book().overpayments.filter((o) => only !== 'treatment' || o.towards !== 'study_fee'));
  }

  /**
   * Called by the payment handler once the payment is counted: the part of it beyond what its purpose
   * still needed (`neededCents`, measured before it), or all of it once the case has ended, is owed back.
   */
  async function paymentCounted(payment: AllocatedPayment, neededCents: number): Promise<void> {
    if (!enabled) return;
    const ended = TERMINAL_PHASES.includes(state.phase);
    const excess = ended ? payment.amountCents : Math.max(0, payment.amountCents - Math.max(0, neededCents));
    if (excess === 0) return;
    const towards = payment.allocatedTo ?? 'study_fee';
    book().overpayments.push({ paymentId: payment.paymentId, cents: excess, towards, at: new Date().toISOString() });
    ctx.refreshPaymentStatus();
    const why = ended ? 'received after the case ended' : `beyond what was due (${towards})`;
    await ctx.record('overpayment_received', 'payment_provider', `Payment ${payment.paymentId}: ${formatEur(excess)} ${why}, to return`, { paymentId: payment.paymentId, excessCents: excess, towards, afterEnd: ended });
    // While the case runs, finance hears of it now; once it has ended, the wait below tells them.
    if (!ended) await ctx.staffEmail('finance', 'overpayment_received', `Email finance: ${formatEur(excess)} overpaid`, { amount: formatEur(excess), paymentId: payment.paymentId });
  }

  setHandler(
    recordRefundUpdate,
    async ({ refundId, amountCents, method, reference, by }) => {
      const b = book();
      if (b.refunds.some((r) => r.refundId === refundId)) return ctx.answer();
      b.refunds.push({ refundId, amountCents, method, reference, by, at: new Date().toISOString() });
      ctx.refreshPaymentStatus();
      await ctx.record('refund_recorded', by, `Refund of ${formatEur(amountCents)} recorded (${method}); still to return: ${formatEur(owed())}`, { refundId, amountCents, method, owedCents: owed() });
      return ctx.answer();
    },
    {
      validator: ({ refundId, amountCents, method, reference }: Omit<RefundRecord, 'at'>) => {
        if (book().refunds.some((r) => r.refundId === refundId)) return; // a repeat: answered with the case as it is
        if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw fail(FAILURE_TYPES.invalid, refusals.refundAmountInvalid());
        if (!(REFUND_METHODS as readonly string[]).includes(method)) throw fail(FAILURE_TYPES.invalid, refusals.refundMethodInvalid({ methods: REFUND_METHODS }));
        if (!reference.trim()) throw fail(FAILURE_TYPES.invalid, refusals.refundReferenceMissing());
        const due = owed();
        if (due === 0) throw fail(FAILURE_TYPES.nothingOwed, refusals.nothingOwed(), { phase: state.phase });
        if (amountCents > due) throw fail(FAILURE_TYPES.invalid, refusals.refundTooLarge({ amountCents, owedCents: due }));
      },
    },
  );

  /**
   * After the case reached its last phase: while money is owed back, the case waits on finance (on
   * their worklist, reminded) and closes once it is all returned.
   */
  async function settle(phase: Phase): Promise<void> {
    if (!enabled || owed() === 0) return;
    const deadline = () => new Date(Date.now() + msToNumber(ctx.remindAfter)).toISOString();
    await ctx.moveTo(phase, 'finance', 'refund_awaited', 'system', `Money to return: ${formatEur(owed())}`, deadline(), { owedCents: owed() });
    await ctx.staffEmail('finance', 'money_to_return', `Email finance: ${formatEur(owed())} to return`, { amount: formatEur(owed()) });
    const remindEmail = (n: number) => ctx.staffEmail('finance', 'money_to_return_reminder', `Email finance: reminder ${n}, money to return`, { amount: formatEur(owed()) });
    const remindRecord = (n: number) => ctx.record('refund_reminder_sent', 'system', `Reminder ${n} to finance: ${formatEur(owed())} to return`, { reminder: n, owedCents: owed() }, { nextDeadline: deadline() });
    if (ctx.sharedReminders) {
      // Finance is reminded until it is all returned: nothing else ends this wait.
      const remind = async (n: number) => {
        await remindEmail(n);
        await remindRecord(n);
      };
      await remindUntil({ summary: () => 'Reminder: money to return', done: () => owed() === 0, stop: () => false, interval: () => msToNumber(ctx.remindAfter), remind });
    } else {
      let reminders = 0;
      for (;;) {
        const settled = await condition(() => owed() === 0, ctx.remindAfter, { summary: 'Reminder: money to return' });
        if (settled) break;
        reminders++;
        await remindEmail(reminders);
        await remindRecord(reminders);
      }
    }
    await ctx.moveTo(phase, 'none', 'money_returned', 'system', 'All money owed back has been returned', null);
  }

  return { enabled, owed, sync, overpaidCents, paymentCounted, settle };
}
