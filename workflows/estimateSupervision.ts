// The life of one estimate (workflows/estimate.ts): the patient's answer (reminders; expiry at the end
// of its validity or after the last reminder), then its guarantee (reminders; expiry).
import { condition } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { EstimateState } from './definitions';
import type { Case, Ending } from './case';
import type { Background } from './background';
import { coveredCents } from './estimate';
import { remindUntil } from './reminders';

/** Patch: an estimate's supervisor stops without emailing once the discharge expired it (it sent a payment link, then reminders). */
const ESTIMATE_EXPIRED_QUIETLY = 'estimate-expired-at-discharge-quietly';
/** Patch: nothing left to prepay on an accepted estimate (French insurance): no payment request for €0. */
const NO_ZERO_PAYMENT_REQUEST = 'no-payment-request-for-nothing';

/** What the supervision needs of the estimates' module. */
export interface Guarantee {
  s2Care: boolean;
  remainingCents: (e: EstimateState) => number;
  awaitingS2: (e: EstimateState) => boolean;
  coverageText: () => string;
  paymentPath: (purpose: string, amountCents: number) => string;
  money: (cents: number) => string;
}

/** Read through a function: handlers change the status while the flow awaits (no narrowing). */
const isGuaranteed = (e: EstimateState) => e.status === 'guaranteed';

/** The first estimate moves the case through its phases; an additional one runs beside the stay. */
export async function superviseEstimate(c: Case, bg: Background, refreshPaymentStatus: () => void, g: Guarantee, e: EstimateState): Promise<'guaranteed' | Ending> {
  const { state, timings } = c;
  const t = state.treatment;
  const { money, remainingCents, awaitingS2, paymentPath } = g;
  const ms = msToNumber;
  const iso = (at: number) => new Date(at).toISOString();
  const stopped = (): Ending => ({ phase: 'closed', reason: 'stopping' });
  const main = !e.additional;
  if (main) await c.moveTo('estimate_review', 'patient', 'estimate_review', 'system', `Estimate ${e.number} sent: waiting for the patient's answer`, e.validUntil, { number: e.number, validUntil: e.validUntil.slice(0, 10) });
  // The messages of both waits, shared by both kinds of run: plain functions returning the activity's own
  // promise, so that awaiting them takes the ticks the inline calls of older runs took, and they replay.
  const unanswered = {
    expire(): Promise<void> {
      e.status = 'expired';
      refreshPaymentStatus();
      return c.record('estimate_expired', 'system', `Estimate ${e.number} expired unanswered`, { number: e.number });
    },
    expiredEmail: () => c.emailPatient('estimate_expired', `Email patient: estimate ${e.number} expired`, { number: e.number }),
    ending: (): Ending => ({ phase: 'expired', reason: `Estimate ${e.number} unanswered` }),
    email: () => c.emailPatient('estimate_reminder', `Email patient: reminder, estimate ${e.number}`, { number: e.number, total: money(e.totalCents), validUntil: e.validUntil.slice(0, 10) }),
    record: (n: number) => c.record('estimate_reminder_sent', 'system', `Reminder ${n}/${timings.maxReminders}: estimate ${e.number}`, { number: e.number, reminder: n, maxReminders: timings.maxReminders }),
    /** At least one reminder before it expires: halfway through the validity when that comes first. */
    wait: (sent: number): number => {
      const left = Date.parse(e.validUntil) - Date.now();
      return Math.max(1, Math.min(ms(timings.reminderAfter), sent === 0 ? left / 2 : left));
    },
  };
  if (c.sharedReminders) {
    const outcome = await remindUntil({
      summary: () => `Reminder: estimate ${e.number} unanswered`,
      done: () => e.status !== 'issued',
      stop: bg.stop,
      interval: unanswered.wait,
      max: timings.maxReminders,
      expiresAt: Date.parse(e.validUntil),
      remind: async (n) => {
        await unanswered.email();
        await unanswered.record(n);
      },
    });
    if (c.ended()) return c.ending()!;
    if (outcome === 'stopped') return stopped();
    if (outcome === 'exhausted') {
      await unanswered.expire();
      await unanswered.expiredEmail();
      return unanswered.ending();
    }
  } else {
    let reminders = 0;
    for (;;) {
      await condition(() => e.status !== 'issued' || bg.stop(), unanswered.wait(reminders), { summary: `Reminder: estimate ${e.number} unanswered` });
      if (c.ended()) return c.ending()!;
      if (bg.stopping() && e.status === 'issued') return stopped();
      if (e.status !== 'issued') break;
      if (Date.now() >= Date.parse(e.validUntil) || reminders >= timings.maxReminders) {
        await unanswered.expire();
        await unanswered.expiredEmail();
        return unanswered.ending();
      }
      reminders++;
      await unanswered.email();
      await unanswered.record(reminders);
    }
  }
  if (e.status === 'declined') {
    await c.emailPatient('estimate_declined', `Email patient: estimate ${e.number} declined`, { number: e.number });
    return { phase: 'closed', reason: `Estimate ${e.number} declined` };
  }
  if (e.status === 'guaranteed') return 'guaranteed';
  const expired = (): Ending => ({ phase: 'expired', reason: `Estimate ${e.number} expired at discharge` });
  if (e.status === 'expired' && c.patched(ESTIMATE_EXPIRED_QUIETLY)) return expired(); // the discharge ended the wait for an answer: no payment link

  // Accepted: nothing about the treatment proceeds until it is guaranteed.
  const insurerRoute = t.coverage?.prepayment === 'insurer';
  if (main) await c.moveTo('guarantee_pending', insurerRoute ? 'finance' : 'patient', 'guarantee_requested', 'system', `Estimate ${e.number} accepted: ${money(remainingCents(e))} to pay, or an insurer letter`, iso(Date.now() + ms(timings.guaranteeReminderAfter)), { number: e.number, remainingCents: remainingCents(e) });
  // Before the patch a French-insured patient was asked to "pay €0.00" through a link to pay nothing.
  // Paid in full already (a payment that arrived meanwhile) or nothing to prepay: the audit trail says why no request went out.
  const nothingToPay = remainingCents(e) === 0 && c.patched(NO_ZERO_PAYMENT_REQUEST);
  if (awaitingS2(e)) await s2Awaited(c, e);
  else if (nothingToPay) await c.record('payment_request_skipped', 'system', `Estimate ${e.number}: nothing left to prepay, no payment request sent`, { number: e.number });
  else await c.emailPatient('guarantee_request', `Email patient: payment link for ${e.number}`, { number: e.number, total: money(e.totalCents), amount: money(remainingCents(e)), paymentPath: paymentPath(e.number, remainingCents(e)), coverageNotice: g.coverageText() });
  let routeSeen = t.coverage?.route;
  const routeChanged = () => g.s2Care && t.coverage?.route !== routeSeen;
  const unguaranteed = {
    toFinance: () => c.moveTo('guarantee_pending', 'finance', 'coverage_route_changed', 'system', `S2 on file: EU planned care; finance records the insurer's acceptance of ${e.number}`, iso(Date.now() + ms(timings.guaranteeReminderAfter)), { number: e.number }),
    expire(reminders: number): Promise<void> {
      e.status = 'expired';
      refreshPaymentStatus();
      return c.record('guarantee_expired', 'system', `Estimate ${e.number} neither paid nor guaranteed after ${reminders} reminder(s)`, { number: e.number, reminders });
    },
    expiredEmail: () => c.emailPatient('guarantee_expired', `Email patient: estimate ${e.number} expired (not guaranteed)`, { number: e.number }),
    ending: (): Ending => ({ phase: 'expired', reason: `Estimate ${e.number} not guaranteed` }),
    email: () =>
      awaitingS2(e)
        ? c.staffEmail('finance', 's2_acceptance_reminder', `Email finance: reminder, S2 acceptance for ${e.number}`, { number: e.number })
        : c.emailPatient('guarantee_reminder', `Email patient: reminder, ${e.number} not guaranteed`, { number: e.number, amount: money(remainingCents(e)), paymentPath: paymentPath(e.number, remainingCents(e)) }),
    record: (n: number) => c.record('guarantee_reminder_sent', 'system', `Reminder ${n}/${timings.maxReminders}: estimate ${e.number} not guaranteed`, { number: e.number, reminder: n, maxReminders: timings.maxReminders }),
  };
  if (c.sharedReminders) {
    const outcome = await remindUntil({
      summary: () => `Reminder: estimate ${e.number} not guaranteed`,
      done: () => isGuaranteed(e),
      // Expired by the discharge meanwhile: the wait ends then, with no reminder.
      stop: () => bg.stop() || e.status === 'expired',
      interval: () => ms(timings.guaranteeReminderAfter),
      max: timings.maxReminders,
      // Money came in, or the coverage route changed: the clock starts again.
      progress: {
        value: () => `${e.paidCents + coveredCents(e)}:${g.s2Care ? t.coverage?.route : ''}`,
        async changed() {
          if (!routeChanged()) return;
          routeSeen = t.coverage?.route;
          // An S2 arrived while the patient was asked to pay: finance takes over, the patient is told.
          if (!awaitingS2(e)) return;
          if (main) await unguaranteed.toFinance();
          await s2Awaited(c, e);
        },
      },
      remind: async (n) => {
        await unguaranteed.email();
        await unguaranteed.record(n);
      },
    });
    if (c.ended()) return c.ending()!;
    if (outcome === 'done') return 'guaranteed';
    if (bg.stopping()) return stopped();
    if (e.status === 'expired') return expired();
    await unguaranteed.expire(timings.maxReminders);
    await unguaranteed.expiredEmail();
    return unguaranteed.ending();
  }
  let reminders = 0;
  let seen = e.paidCents + coveredCents(e);
  for (;;) {
    const woke = await condition(() => e.status === 'guaranteed' || bg.stop() || e.paidCents + coveredCents(e) !== seen || routeChanged(), timings.guaranteeReminderAfter, { summary: `Reminder: estimate ${e.number} not guaranteed` });
    if (c.ended()) return c.ending()!;
    if (isGuaranteed(e)) return 'guaranteed';
    if (bg.stopping()) return stopped();
    if (woke) {
      if (routeChanged()) {
        routeSeen = t.coverage?.route;
        if (awaitingS2(e)) {
          if (main) await unguaranteed.toFinance();
          await s2Awaited(c, e);
        }
      }
      seen = e.paidCents + coveredCents(e);
      reminders = 0; // money came in: the clock starts again
      continue;
    }
    if (e.status === 'expired' && c.patched(ESTIMATE_EXPIRED_QUIETLY)) return expired(); // expired by the discharge meanwhile: no reminder
    if (reminders >= timings.maxReminders) {
      await unguaranteed.expire(reminders);
      await unguaranteed.expiredEmail();
      return unguaranteed.ending();
    }
    reminders++;
    await unguaranteed.email();
    await unguaranteed.record(reminders);
  }
}

/** On EU planned care: the patient is told nothing is to prepay, finance that the acceptance is awaited. */
async function s2Awaited(c: Case, e: EstimateState): Promise<void> {
  await c.record('payment_request_skipped', 'system', `Estimate ${e.number}: EU planned care (S2), the insurer's acceptance is awaited from finance; no payment request`, { number: e.number, route: 'eu_planned_care' });
  await c.emailPatient('s2_acceptance_pending', `Email patient: S2 acceptance awaited for ${e.number}`, { number: e.number });
  await c.staffEmail('finance', 's2_acceptance_to_record', `Email finance: S2 acceptance to record for ${e.number}`, { number: e.number });
}
