// The final invoice (domain: "After the stay"): the care given, priced; who pays what (the
// Assurance Maladie or the insurers, and the patient); the payments received; and what remains:
// a balance due (the patient was emailed a payment link), a refund due, or settled. The workflow
// reconciles (workflows/reconciliation.ts); this activity prints its figures and refuses figures
// that do not add up, rather than issuing an invoice that contradicts itself.
//
// Numbered FAC-<year>-<6 digits> (config/stay.ts) and issued once per idempotency key
// (activities/pdfDocuments.ts). All amounts are integer cents.
import type { IssuedDocumentKindId } from '../config/documentKinds';
import { invoiceNumber } from '../config/stay';
import type { Db } from '../lib/db';
import type { CoverageRoute } from '../workflows/coverage';
import { formatEuros, type EstimateLine } from '../workflows/pricing';
import type { Reconciliation, ReconciliationOutcome } from '../workflows/reconciliation';
import { checkIssueInput, createDocumentIssuer, formatDate, invalid, labelColon, PdfLayout, requiredText, type DocumentLanguage, type IssuedDocument, type IssuedKind } from './pdfDocuments';

/** Invoice numbers count in the `ReferenceCounter` row `year + 200000` (estimates use 100000, visa certificates 300000). */
export const INVOICE_COUNTER_OFFSET = 200_000;
export const INVOICE_DOCUMENT_KIND = 'final_invoice' satisfies IssuedDocumentKindId;
export const INVOICE_NUMBER_PATTERN = /^FAC-\d{4}-\d{6}$/;

const INVOICE: IssuedKind = {
  kind: INVOICE_DOCUMENT_KIND,
  counterOffset: INVOICE_COUNTER_OFFSET,
  formatNumber: invoiceNumber,
  name: 'Final invoice',
  contents: 'other lines, figures, insurers, payments, patient or date',
};

const COVERAGE_ROUTES: readonly CoverageRoute[] = ['french_insured', 'eu_planned_care', 'insurer_guarantee', 'self_pay'];
const OUTCOMES: readonly ReconciliationOutcome[] = ['settled', 'balance_due', 'refund_due'];

export interface InvoiceInsurer {
  insurer: string;
  policyNumber: string;
  /** What the insurer's letter covers, in integer cents. */
  coveredCents: number;
}

export interface InvoicePayment {
  paymentId: string;
  amountCents: number;
  /** ISO instant. */
  paidAt: string;
}

export interface IssueFinalInvoiceInput {
  /** Unique per invoice, e.g. `case-INT-2026-000001:final-invoice`. */
  idempotencyKey: string;
  /** The case reference; the case must exist. */
  reference: string;
  language: DocumentLanguage;
  patientName: string;
  /** When the invoice is issued (ISO), passed in by the workflow so a retry prints the same date. */
  issuedAt: string;
  /** The care given, priced (workflows/pricing.ts). */
  lines: EstimateLine[];
  /** Computed by the workflow from these lines and payments (workflows/reconciliation.ts): printed as is. */
  reconciliation: Reconciliation;
  coverageRoute: CoverageRoute;
  insurers: InvoiceInsurer[];
  /** What the patient paid towards the treatment: adds up to reconciliation.paidCents. */
  payments: InvoicePayment[];
}

export type IssuedInvoice = IssuedDocument;

/** What the invoice prints, checked. */
export interface InvoiceContent {
  number: string;
  language: DocumentLanguage;
  issuedAt: Date;
  reference: string;
  patientName: string;
  lines: readonly EstimateLine[];
  reconciliation: Reconciliation;
  coverageRoute: CoverageRoute;
  insurers: readonly InvoiceInsurer[];
  payments: readonly (Omit<InvoicePayment, 'paidAt'> & { paidAt: Date })[];
}

type Word =
  | 'title' | 'date' | 'patient' | 'reference' | 'coverage' | 'item' | 'unit' | 'quantity' | 'amount' | 'invoiced' | 'patientShare'
  | 'insurer' | 'policy' | 'payments' | 'noPayment' | 'paid' | 'balanceDue' | 'paymentLink' | 'refundDue' | 'refundNotice' | 'settled' | 'currency';

const WORDS: Record<DocumentLanguage, Record<Word, string>> = {
  fr: {
    title: 'Facture',
    date: "Date d'émission",
    patient: 'Patient',
    reference: 'Référence du dossier',
    coverage: 'Prise en charge',
    item: 'Prestation',
    unit: 'Prix unitaire',
    quantity: 'Qté',
    amount: 'Montant',
    invoiced: 'Total facturé',
    patientShare: 'Part patient',
    insurer: 'Assureur',
    policy: 'contrat n°',
    payments: 'Paiements reçus',
    noPayment: 'Aucun paiement reçu.',
    paid: 'Total payé',
    balanceDue: 'Solde à régler',
    paymentLink: 'Un lien de paiement vous a été envoyé par e-mail pour régler ce solde.',
    refundDue: 'Remboursement dû',
    refundNotice: 'Notre service financier vous rembourse ce montant ; il vous contactera si des informations sont nécessaires.',
    settled: 'Facture soldée : il ne reste rien à payer.',
    currency: 'Montants en euros.',
  },
  en: {
    title: 'Invoice',
    date: 'Date of issue',
    patient: 'Patient',
    reference: 'Case reference',
    coverage: 'Coverage',
    item: 'Item',
    unit: 'Unit price',
    quantity: 'Qty',
    amount: 'Amount',
    invoiced: 'Total invoiced',
    patientShare: 'Patient share',
    insurer: 'Insurer',
    policy: 'policy no.',
    payments: 'Payments received',
    noPayment: 'No payment received.',
    paid: 'Total paid',
    balanceDue: 'Balance due',
    paymentLink: 'A payment link for this balance has been emailed to you.',
    refundDue: 'Refund due',
    refundNotice: 'Our finance team refunds this amount to you; they will contact you if they need any details.',
    settled: 'Settled: nothing remains to be paid.',
    currency: 'Amounts in euros.',
  },
};

/** How the care is paid for, and who the third-party share is printed as. */
const COVERAGE: Record<CoverageRoute, { fr: string; en: string; share: { fr: string; en: string } }> = {
  french_insured: {
    fr: 'Assurance Maladie (ticket modérateur à la charge du patient)',
    en: 'French Assurance Maladie (co-payment payable by the patient)',
    share: { fr: 'Part Assurance Maladie', en: 'Assurance Maladie share' },
  },
  eu_planned_care: {
    fr: 'Soins programmés, autorisation préalable (formulaire S2)',
    en: 'Planned care, prior authorisation (S2 form)',
    share: { fr: 'Part assurance (S2)', en: 'Insurer share (S2)' },
  },
  insurer_guarantee: {
    fr: "Lettre de garantie de l'assureur",
    en: "Insurer's guarantee letter",
    share: { fr: 'Part assureur', en: 'Insurer share' },
  },
  self_pay: {
    fr: 'Paiement par le patient',
    en: 'Paid by the patient',
    share: { fr: 'Part assureur', en: 'Insurer share' },
  },
};

/** What remains: the balance and its payment link, the refund, or settled. */
function outcome(doc: PdfLayout, c: InvoiceContent, w: Record<Word, string>): void {
  const r = c.reconciliation;
  if (r.outcome === 'balance_due') {
    doc.amountRow(w.balanceDue, formatEuros(r.balanceDueCents, c.language), 12, doc.bold, 24);
    doc.paragraph(w.paymentLink);
  } else if (r.outcome === 'refund_due') {
    doc.amountRow(w.refundDue, formatEuros(r.refundDueCents, c.language), 12, doc.bold, 24);
    doc.paragraph(w.refundNotice);
  } else {
    doc.paragraph(w.settled, doc.bold);
  }
}

/** The invoice as a one-or-more-page A4 PDF. Deterministic: the same content gives the same bytes. */
export async function renderInvoicePdf(c: InvoiceContent): Promise<Uint8Array> {
  const w = WORDS[c.language];
  const money = (cents: number) => formatEuros(cents, c.language);
  const r = c.reconciliation;
  const doc = await PdfLayout.create({ title: `${w.title} ${c.number}`, language: c.language, issuedAt: c.issuedAt });
  doc.heading();
  doc.title(`${w.title} ${c.number}`);
  doc.fields([
    [w.date, formatDate(c.issuedAt, c.language)],
    [w.patient, c.patientName],
    [w.reference, c.reference],
    [w.coverage, COVERAGE[c.coverageRoute][c.language]],
  ]);
  doc.lineTable(c.lines, w);
  doc.endTable();
  doc.amountRow(w.invoiced, money(r.invoicedCents), 12, doc.bold, 20);
  doc.amountRow(COVERAGE[c.coverageRoute].share[c.language], money(r.insurerShareCents), 10, doc.regular, 15);
  for (const i of c.insurers) doc.amountRow(`${w.insurer}${labelColon(c.language)} ${i.insurer}, ${w.policy} ${i.policyNumber}`, money(i.coveredCents), 9, doc.regular, 13);
  doc.amountRow(w.patientShare, money(r.patientShareCents), 10, doc.bold, 28);

  doc.paragraph(w.payments, doc.bold);
  if (c.payments.length === 0) doc.paragraph(w.noPayment);
  for (const p of c.payments) doc.amountRow(`${formatDate(p.paidAt, c.language)} — ${p.paymentId}`, money(p.amountCents), 10, doc.regular, 15);
  doc.amountRow(w.paid, money(r.paidCents), 10, doc.bold, 28);

  outcome(doc, c, w);
  doc.paragraph(w.currency);
  return doc.save();
}

const isCents = (n: unknown, min = 0): n is number => Number.isSafeInteger(n) && (n as number) >= min;

/** The list itself: the input crosses a serialisation boundary, so a missing one is possible. */
function list<T>(value: readonly T[], message: string): readonly T[] {
  const given: unknown = value;
  if (!Array.isArray(given)) throw invalid(message);
  return value;
}

/** Each line priced as unit × quantity, in integer cents. */
function checkLines(lines: readonly EstimateLine[]): EstimateLine[] {
  return list(lines, 'lines must be the list of the care given (workflows/pricing.ts lines).').map((l, i) => {
    const label = requiredText(l?.label, `lines[${i}].label`);
    if (!isCents(l.unitCents) || !Number.isSafeInteger(l.quantity) || l.quantity < 1 || l.amountCents !== l.unitCents * l.quantity) {
      throw invalid(`lines[${i}] ("${label}") must have whole cents and a whole quantity of at least 1, with amountCents = unitCents × quantity (got ${String(l.unitCents)} × ${String(l.quantity)} = ${String(l.amountCents)}).`);
    }
    return { ...l, label };
  });
}

/**
 * The reconciliation printed as given, but only if it adds up for these lines and payments: an
 * invoice whose own figures disagree would be worse than none.
 */
function checkReconciliation(r: Reconciliation, lines: readonly EstimateLine[], payments: readonly InvoicePayment[]): void {
  const fix = 'pass the reconciliation computed from these lines and payments (workflows/reconciliation.ts).';
  if (!r || !OUTCOMES.includes(r.outcome)) throw invalid(`reconciliation.outcome must be one of ${OUTCOMES.join(', ')}: ${fix}`);
  const amounts = [r.invoicedCents, r.insurerShareCents, r.patientShareCents, r.paidCents, r.balanceDueCents, r.refundDueCents];
  if (!amounts.every((a) => isCents(a))) throw invalid(`Every reconciliation amount must be a whole, non-negative number of cents: ${fix}`);
  const invoiced = lines.reduce((sum, l) => sum + l.amountCents, 0);
  const paid = payments.reduce((sum, p) => sum + p.amountCents, 0);
  const diff = r.patientShareCents - r.paidCents;
  const problems = [
    r.invoicedCents !== invoiced && `invoicedCents is ${r.invoicedCents} but the lines add up to ${invoiced}`,
    r.insurerShareCents + r.patientShareCents !== r.invoicedCents && `insurerShareCents + patientShareCents (${r.insurerShareCents} + ${r.patientShareCents}) is not invoicedCents (${r.invoicedCents})`,
    r.paidCents !== paid && `paidCents is ${r.paidCents} but the payments add up to ${paid}`,
    (r.balanceDueCents !== Math.max(0, diff) || r.refundDueCents !== Math.max(0, -diff)) && `balanceDueCents ${r.balanceDueCents} and refundDueCents ${r.refundDueCents} do not match patientShareCents − paidCents (${diff})`,
    r.outcome !== (diff > 0 ? 'balance_due' : diff < 0 ? 'refund_due' : 'settled') && `outcome "${r.outcome}" does not match patientShareCents − paidCents (${diff})`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw invalid(`The reconciliation does not add up: ${problems.join('; ')}. ${fix[0].toUpperCase()}${fix.slice(1)}`);
}

function checkInsurers(insurers: readonly InvoiceInsurer[]): InvoiceInsurer[] {
  return list(insurers, 'insurers must be a list (empty when no insurer covers the care).').map((i, n) => {
    if (!isCents(i?.coveredCents)) throw invalid(`insurers[${n}].coveredCents must be a whole, non-negative number of cents.`);
    return { insurer: requiredText(i.insurer, `insurers[${n}].insurer`), policyNumber: requiredText(i.policyNumber, `insurers[${n}].policyNumber`), coveredCents: i.coveredCents };
  });
}

function checkPayments(payments: readonly InvoicePayment[]): InvoiceContent['payments'] {
  return list(payments, 'payments must be a list (empty when nothing was paid).').map((p, n) => {
    if (!isCents(p?.amountCents, 1)) throw invalid(`payments[${n}].amountCents must be a whole, positive number of cents.`);
    const paidAt = new Date(p.paidAt);
    if (Number.isNaN(paidAt.getTime())) throw invalid(`payments[${n}].paidAt is not an ISO date: ${String(p.paidAt)}`);
    return { paymentId: requiredText(p.paymentId, `payments[${n}].paymentId`), amountCents: p.amountCents, paidAt };
  });
}

export function createInvoiceActivities(deps: { db: Db; documentsDir: string }) {
  const issuer = createDocumentIssuer(deps);

  async function issueFinalInvoice(input: IssueFinalInvoiceInput): Promise<IssuedInvoice> {
    const issuedAt = checkIssueInput(input);
    const patientName = requiredText(input.patientName, 'patientName');
    if (!COVERAGE_ROUTES.includes(input.coverageRoute)) throw invalid(`Unknown coverageRoute "${String(input.coverageRoute)}"; known: ${COVERAGE_ROUTES.join(', ')}.`);
    const lines = checkLines(input.lines);
    const insurers = checkInsurers(input.insurers);
    const payments = checkPayments(input.payments);
    checkReconciliation(input.reconciliation, lines, input.payments);

    const caseId = await issuer.caseIdOf(input.reference);
    const content = { language: input.language, issuedAt, reference: input.reference, patientName, lines, reconciliation: input.reconciliation, coverageRoute: input.coverageRoute, insurers, payments };
    return issuer.issue(INVOICE, { idempotencyKey: input.idempotencyKey, caseId, language: input.language, issuedAt }, (number) => renderInvoicePdf({ number, ...content }));
  }

  return { issueFinalInvoice };
}
