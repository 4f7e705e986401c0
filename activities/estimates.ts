// The financial estimate (devis, domain: step 3): priced lines from the tariff in force when it is
// issued (the rules version of that day, lib/rules.ts), a number
// from a yearly counter, and a PDF kept content-addressed with the case's documents. Called by the
// workflow's estimate module (workflows/estimate.ts); pricing is in workflows/pricing.ts.
//
// Issued once per idempotency key through activities/pdfDocuments.ts (a Document row with
// `uploadedById = system:<idempotencyKey>`, numbered in the same SQLite transaction, so numbers have
// no gaps). A retry re-renders the PDF and must get the stored digest: a key reused for a different
// estimate, or a catalogue changed between attempts, fails instead of returning lines that disagree
// with the PDF the patient has.
import type { IssuedDocumentKindId } from '../config/documentKinds';
import { ESTIMATE_NOTICES, ESTIMATE_VALIDITY_DAYS, estimateNumber, type EstimateLanguage } from '../config/tariffs';
import type { Db } from '../lib/db';
import { RulesRegistry } from '../lib/rules';
import type { RequestType } from '../workflows/definitions';
import { formatEuros, priceEstimate, tariffFor, type EstimateLine, type EstimateLineInput, type Tariff } from '../workflows/pricing';
import { checkIssueInput, createDocumentIssuer, formatDate, invalid, PdfLayout, requiredText, type IssuedKind } from './pdfDocuments';

export { formatEuros, priceEstimate, type EstimateLine, type EstimateLineInput };
export { formatDate };

/**
 * Estimate numbers count in the existing `ReferenceCounter` table (no schema change): the row with
 * key `year + 100000` is the estimate counter of that year (e.g. 102026 for 2026), apart from the
 * case-reference counter whose key is the plain year.
 */
export const ESTIMATE_COUNTER_OFFSET = 100_000;

export const ESTIMATE_DOCUMENT_KIND = 'estimate' satisfies IssuedDocumentKindId;
const DAY_MS = 86_400_000;

const ESTIMATE: IssuedKind = {
  kind: ESTIMATE_DOCUMENT_KIND,
  counterOffset: ESTIMATE_COUNTER_OFFSET,
  formatNumber: estimateNumber,
  name: 'Estimate',
  contents: 'other lines, patient, date, or a changed catalogue',
};

export interface IssueEstimateInput {
  /** Unique per business estimate, e.g. `case-INT-2026-000001:estimate:1`. */
  idempotencyKey: string;
  /** The case reference, e.g. INT-2026-000001. */
  reference: string;
  /** The case's row ID when the caller has it (checked against the reference). */
  caseId?: string;
  requestType: RequestType;
  /** Lines and quantities; default: every item of the programme with its default quantity. */
  lines?: EstimateLineInput[];
  language: EstimateLanguage;
  patientName: string;
  /** When the estimate is issued (ISO), passed in by the workflow so a retry prints the same date. */
  issuedAt: string;
  /** Valid until (ISO), from the workflow's configured validity; default issuedAt + ESTIMATE_VALIDITY_DAYS. */
  validUntil?: string;
}

export interface IssuedEstimate {
  number: string;
  totalCents: number;
  /** ISO instant: issuedAt + ESTIMATE_VALIDITY_DAYS. */
  validUntil: string;
  lines: EstimateLine[];
  documentId: string;
  sha256: string;
  /** The catalogue the lines were priced from: the tariff in force on the day of issue. */
  tariff: Tariff;
}


const WORDS: Record<EstimateLanguage, Record<'title' | 'date' | 'validUntil' | 'patient' | 'reference' | 'item' | 'unit' | 'quantity' | 'amount' | 'total' | 'currency', string>> = {
  fr: { title: 'Devis', date: "Date d'émission", validUntil: "Valable jusqu'au", patient: 'Patient', reference: 'Référence du dossier', item: 'Prestation', unit: 'Prix unitaire', quantity: 'Qté', amount: 'Montant', total: 'Total', currency: 'Montants en euros.' },
  en: { title: 'Estimate', date: 'Date of issue', validUntil: 'Valid until', patient: 'Patient', reference: 'Case reference', item: 'Item', unit: 'Unit price', quantity: 'Qty', amount: 'Amount', total: 'Total', currency: 'Amounts in euros.' },
};

interface PdfContent {
  number: string;
  language: EstimateLanguage;
  issuedAt: Date;
  validUntil: Date;
  patientName: string;
  reference: string;
  lines: EstimateLine[];
  totalCents: number;
}

/** The estimate as a one-or-more-page A4 PDF. Deterministic: the same content gives the same bytes. */
export async function renderEstimatePdf(c: PdfContent): Promise<Uint8Array> {
  const w = WORDS[c.language];
  const doc = await PdfLayout.create({ title: `${w.title} ${c.number}`, language: c.language, issuedAt: c.issuedAt });
  doc.heading();
  doc.title(`${w.title} ${c.number}`);
  doc.fields([
    [w.date, formatDate(c.issuedAt, c.language)],
    [w.validUntil, formatDate(c.validUntil, c.language)],
    [w.patient, c.patientName],
    [w.reference, c.reference],
  ]);
  doc.lineTable(c.lines, w);
  doc.endTable();
  doc.amountRow(w.total, formatEuros(c.totalCents, c.language), 12, doc.bold, 34);
  const notices = ESTIMATE_NOTICES[c.language];
  doc.paragraph(notices.notIncluded, doc.bold);
  doc.paragraph(notices.paymentCondition);
  doc.paragraph(w.currency);
  return doc.save();
}

export function createEstimateActivities(deps: { db: Db; documentsDir: string; rules?: RulesRegistry }) {
  const rules = deps.rules ?? new RulesRegistry();
  const issuer = createDocumentIssuer(deps);

  async function issueEstimate(input: IssueEstimateInput): Promise<IssuedEstimate> {
    const issuedAt = checkIssueInput(input);
    const patientName = requiredText(input.patientName, 'patientName');
    const validUntil = input.validUntil ? new Date(input.validUntil) : new Date(issuedAt.getTime() + ESTIMATE_VALIDITY_DAYS * DAY_MS);
    if (Number.isNaN(validUntil.getTime()) || validUntil.getTime() < issuedAt.getTime()) throw invalid(`validUntil must be an ISO date after issuedAt: ${input.validUntil}`);
    // The tariff that legally applies is the one in force when the estimate is issued; the result
    // records it, so the case's history keeps it whatever is published later.
    const tariff = tariffFor(input.requestType, rules.inForce(issuedAt));
    const { lines, totalCents } = priceEstimate(tariff, input.language, input.lines);

    const caseId = await issuer.caseIdOf(input.reference);
    if (input.caseId !== undefined && input.caseId !== caseId) throw invalid(`caseId ${input.caseId} is not the case ${input.reference}.`);
    const content = { language: input.language, issuedAt, validUntil, patientName, reference: input.reference, lines, totalCents };
    const issued = await issuer.issue(ESTIMATE, { idempotencyKey: input.idempotencyKey, caseId, language: input.language, issuedAt }, (number) => renderEstimatePdf({ number, ...content }));
    return { number: issued.number, totalCents, validUntil: validUntil.toISOString(), lines, documentId: issued.documentId, sha256: issued.sha256, tariff };
  }

  return { issueEstimate };
}
