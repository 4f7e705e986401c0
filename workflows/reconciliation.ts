// After the stay: what was done (invoiced) against what was paid or guaranteed. Pure and exact
// (integer cents): the workflow decides the outcome, the invoice activity prints these numbers.
import type { CoverageRoute } from './coverage';
import type { EstimateLine } from './pricing';

export interface ReconciliationInput {
  coverageRoute: CoverageRoute;
  /** The care actually given, priced from the catalogue. */
  invoiced: readonly EstimateLine[];
  /** Insurer approval letters on file: the insurer pays up to these amounts. */
  insurerCoveredCents: number;
  /** What the patient paid towards the treatment (estimates and balance; not the study fee). */
  paidCents: number;
  /** The patient's share under French terms (the case's rules: stay.copaymentPercent). */
  copaymentPercent: number;
}

export type ReconciliationOutcome = 'settled' | 'balance_due' | 'refund_due';

export interface Reconciliation {
  invoicedCents: number;
  /** Paid by the Assurance Maladie (co-payment route) or the insurer (letters), never more than invoiced. */
  insurerShareCents: number;
  patientShareCents: number;
  paidCents: number;
  /** patientShare - paid, when positive. */
  balanceDueCents: number;
  /** paid - patientShare, when positive. */
  refundDueCents: number;
  outcome: ReconciliationOutcome;
}

export function reconcile(input: ReconciliationInput): Reconciliation {
  const invoicedCents = input.invoiced.reduce((sum, l) => sum + l.amountCents, 0);
  const percent = input.copaymentPercent;
  let insurerShareCents: number;
  if (input.coverageRoute === 'french_insured') {
    // The patient owes the co-payment, rounded to the cent; the Assurance Maladie the rest.
    insurerShareCents = invoicedCents - Math.round((invoicedCents * percent) / 100);
  } else {
    insurerShareCents = Math.min(Math.max(0, input.insurerCoveredCents), invoicedCents);
  }
  const patientShareCents = invoicedCents - insurerShareCents;
  const diff = patientShareCents - input.paidCents;
  return {
    invoicedCents,
    insurerShareCents,
    patientShareCents,
    paidCents: input.paidCents,
    balanceDueCents: Math.max(0, diff),
    refundDueCents: Math.max(0, -diff),
    outcome: diff > 0 ? 'balance_due' : diff < 0 ? 'refund_due' : 'settled',
  };
}
