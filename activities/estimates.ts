// The financial estimate (devis, domain: step 3): priced lines from config/tariffs.ts, a number
// from a yearly counter, and a PDF kept content-addressed with the case's documents. Not yet called
// by the workflow.
//
// Idempotency without a table of its own: the estimate's Document row (kind `estimate`, original
// name `<number>.pdf`) carries `system:<idempotencyKey>` as `uploadedById` (the workflow step that
// produced it; uploads always carry a user ID, and patients cannot upload the `estimate` kind).
// Claiming the number and creating that row happen in one SQLite transaction, which SQLite runs
// serialisably: two concurrent attempts with one key cannot both miss the row and both create one
// (the loser fails and its retry finds the winner's row), and a crash in between leaves neither, so
// numbers have no gaps. A retry re-renders the PDF (rendering is deterministic) and must get the
// stored digest: a key reused for a different estimate, or a catalogue changed between attempts,
// fails instead of returning lines that disagree with the PDF the patient has.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { DocumentStore } from '../api/uploads/documentStore';
import {
  ESTIMATE_ISSUER,
  ESTIMATE_NOTICES,
  ESTIMATE_VALIDITY_DAYS,
  estimateNumber,
  programmeFor,
  tariffs,
  type EstimateLanguage,
} from '../config/tariffs';
import type { Db } from '../lib/db';
import { FAILURE_TYPES, REQUEST_TYPES, type RequestType } from '../workflows/definitions';

/**
 * Estimate numbers count in the existing `ReferenceCounter` table (no schema change): the row with
 * key `year + 100000` is the estimate counter of that year (e.g. 102026 for 2026), apart from the
 * case-reference counter whose key is the plain year.
 */
export const ESTIMATE_COUNTER_OFFSET = 100_000;

export const ESTIMATE_DOCUMENT_KIND = 'estimate';
const MAX_QUANTITY = 999;
const DAY_MS = 86_400_000;

export interface EstimateLineInput {
  code: string;
  quantity: number;
}

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
}

export interface EstimateLine {
  code: string;
  label: string;
  unitCents: number;
  quantity: number;
  amountCents: number;
}

export interface IssuedEstimate {
  number: string;
  totalCents: number;
  /** ISO instant: issuedAt + ESTIMATE_VALIDITY_DAYS. */
  validUntil: string;
  lines: EstimateLine[];
  documentId: string;
  sha256: string;
}

const invalid = (message: string) => ApplicationFailure.create({ type: FAILURE_TYPES.invalid, message, nonRetryable: true });

/** Euros from integer cents, without floating point: `1 234,56 €` (fr) or `€1,234.56` (en). */
export function formatEuros(cents: number, language: EstimateLanguage): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`Not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100));
  const rest = String(abs % 100).padStart(2, '0');
  const grouped = (sep: string) => euros.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return language === 'fr' ? `${sign}${grouped(' ')},${rest} €` : `${sign}€${grouped(',')}.${rest}`;
}

const MONTHS: Record<EstimateLanguage, readonly string[]> = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** The calendar date at the centre (Europe/Paris) of an instant. */
function parisDate(at: Date): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

export function formatDate(at: Date, language: EstimateLanguage): string {
  const { year, month, day } = parisDate(at);
  return `${day} ${MONTHS[language][month - 1]} ${year}`;
}

/** Prices the lines from the catalogue; every amount is an exact integer product, the total an exact sum. */
export function priceEstimate(requestType: RequestType, language: EstimateLanguage, lines?: EstimateLineInput[]): { lines: EstimateLine[]; totalCents: number } {
  if (!REQUEST_TYPES.includes(requestType)) throw invalid(`Unknown request type: ${String(requestType)}`);
  const programme = programmeFor[requestType];
  if (!programme) throw invalid(`A ${requestType} request is not quoted: there is no tariff for it.`);
  const catalogue = tariffs[programme];
  const wanted = lines ?? catalogue.map((item) => ({ code: item.code, quantity: item.defaultQuantity }));
  if (wanted.length === 0) throw invalid('An estimate needs at least one line.');
  const seen = new Set<string>();
  const priced = wanted.map(({ code, quantity }) => {
    const item = catalogue.find((i) => i.code === code);
    if (!item) throw invalid(`Unknown item "${code}" for ${programme}; known: ${catalogue.map((i) => i.code).join(', ')}.`);
    if (seen.has(code)) throw invalid(`Item "${code}" appears twice; give one line with the whole quantity.`);
    seen.add(code);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) throw invalid(`The quantity of "${code}" must be a whole number from 1 to ${MAX_QUANTITY}.`);
    const amountCents = item.unitCents * quantity;
    return { code, label: item.label[language], unitCents: item.unitCents, quantity, amountCents };
  });
  const totalCents = priced.reduce((sum, l) => sum + l.amountCents, 0);
  if (!Number.isSafeInteger(totalCents)) throw invalid('The estimate total is out of range.');
  return { lines: priced, totalCents };
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

// Latin letters that do not decompose into a base letter and an accent.
const LATIN_FALLBACK: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l' };

/**
 * Text the standard fonts can print (WinAnsi): accents are kept; a character outside the set loses
 * its accent when that makes it printable, else becomes "?". (A name in another script needs an
 * embedded Unicode font: not done yet.)
 */
function printable(text: string, font: PDFFont): string {
  const charset = new Set(font.getCharacterSet());
  return [...text.normalize('NFC')]
    .map((ch) => {
      if (charset.has(ch.codePointAt(0)!)) return ch;
      const base = (LATIN_FALLBACK[ch] ?? ch).normalize('NFD').replace(/\p{M}/gu, '');
      return base !== '' && [...base].every((c) => charset.has(c.codePointAt(0)!)) ? base : '?';
    })
    .join('');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (current !== '' && font.widthOfTextAtSize(candidate, size) > width) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** The estimate as a one-or-more-page A4 PDF. Deterministic: the same content gives the same bytes. */
export async function renderEstimatePdf(c: PdfContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const w = WORDS[c.language];
  pdf.setTitle(`${w.title} ${c.number}`);
  pdf.setAuthor(ESTIMATE_ISSUER.name);
  pdf.setCreator('Parcours');
  pdf.setProducer('Parcours (pdf-lib)');
  pdf.setLanguage(c.language);
  pdf.setCreationDate(c.issuedAt);
  pdf.setModificationDate(c.issuedAt);

  const [pageWidth, pageHeight] = [595.28, 841.89];
  const margin = 56;
  const right = pageWidth - margin;
  const grey = rgb(0.45, 0.45, 0.45);
  // Table columns: the item label on the left, then right-aligned numbers.
  const colUnit = right - 190;
  const colQty = right - 130;
  const labelWidth = colUnit - margin - 75;
  let page: PDFPage = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - margin;

  const text = (s: string, x: number, size: number, font = regular, color = rgb(0, 0, 0)) => page.drawText(printable(s, font), { x, y, size, font, color });
  const textRight = (s: string, xRight: number, size: number, font = regular) => {
    const p = printable(s, font);
    page.drawText(p, { x: xRight - font.widthOfTextAtSize(p, size), y, size, font });
  };
  const rule = () => page.drawLine({ start: { x: margin, y: y - 4 }, end: { x: right, y: y - 4 }, thickness: 0.5, color: grey });
  const tableHeader = () => {
    text(w.item, margin, 9, bold);
    textRight(w.unit, colUnit, 9, bold);
    textRight(w.quantity, colQty, 9, bold);
    textRight(w.amount, right, 9, bold);
    rule();
    y -= 18;
  };
  const ensureRoom = (height: number, repeatHeader: boolean) => {
    if (y - height >= margin) return;
    page = pdf.addPage([pageWidth, pageHeight]);
    y = pageHeight - margin;
    if (repeatHeader) tableHeader();
  };

  text(ESTIMATE_ISSUER.name, margin, 13, bold);
  y -= 16;
  text(ESTIMATE_ISSUER.department[c.language], margin, 10, regular, grey);
  y -= 40;
  text(`${w.title} ${c.number}`, margin, 18, bold);
  y -= 30;
  const info: [string, string][] = [
    [w.date, formatDate(c.issuedAt, c.language)],
    [w.validUntil, formatDate(c.validUntil, c.language)],
    [w.patient, c.patientName],
    [w.reference, c.reference],
  ];
  const colon = c.language === 'fr' ? ' :' : ':';
  for (const [label, value] of info) {
    text(`${label}${colon}`, margin, 10, bold);
    text(value, margin + 130, 10);
    y -= 15;
  }
  y -= 20;

  tableHeader();
  for (const line of c.lines) {
    const labelLines = wrap(printable(line.label, regular), regular, 10, labelWidth);
    ensureRoom(labelLines.length * 13 + 6, true);
    // Label first, then the figures on its first line: the text reads in table order.
    const rowY = y;
    for (const l of labelLines) {
      text(l, margin, 10);
      y -= 13;
    }
    const nextY = y - 5;
    y = rowY;
    textRight(formatEuros(line.unitCents, c.language), colUnit, 10);
    textRight(String(line.quantity), colQty, 10);
    textRight(formatEuros(line.amountCents, c.language), right, 10);
    y = nextY;
  }
  ensureRoom(40, false);
  y += 9;
  rule();
  y -= 18;
  text(w.total, margin, 12, bold);
  textRight(formatEuros(c.totalCents, c.language), right, 12, bold);
  y -= 34;

  const notices = ESTIMATE_NOTICES[c.language];
  for (const [paragraph, font] of [
    [notices.notIncluded, bold],
    [notices.paymentCondition, regular],
    [w.currency, regular],
  ] as const) {
    const lines = wrap(printable(paragraph, font), font, 10, right - margin);
    ensureRoom(lines.length * 13 + 8, false);
    for (const l of lines) {
      text(l, margin, 10, font);
      y -= 13;
    }
    y -= 8;
  }

  return pdf.save({ useObjectStreams: false });
}

/** Keeps the PDF bytes content-addressed with the uploads, through the same store. */
async function storePdf(store: DocumentStore, bytes: Uint8Array, sha256: string): Promise<void> {
  await fs.mkdir(store.incomingDir, { recursive: true });
  const temp = path.join(store.incomingDir, `${crypto.randomUUID()}.pdf`);
  try {
    await fs.writeFile(temp, bytes);
    await store.keep(temp, sha256);
  } finally {
    await store.discard([temp]);
  }
}

export function createEstimateActivities(deps: { db: Db; documentsDir: string }) {
  const { db } = deps;
  const store = new DocumentStore(deps.documentsDir);

  async function issueEstimate(input: IssueEstimateInput): Promise<IssuedEstimate> {
    if (!input.idempotencyKey) throw invalid('idempotencyKey is required.');
    if (input.language !== 'fr' && input.language !== 'en') throw invalid(`Unknown language: ${String(input.language)}`);
    if (!input.patientName?.trim()) throw invalid('patientName is required.');
    const issuedAt = new Date(input.issuedAt);
    if (Number.isNaN(issuedAt.getTime())) throw invalid(`issuedAt is not an ISO date: ${input.issuedAt}`);
    const validUntil = new Date(issuedAt.getTime() + ESTIMATE_VALIDITY_DAYS * DAY_MS);
    const { lines, totalCents } = priceEstimate(input.requestType, input.language, input.lines);

    const found = await db.case.findUnique({ where: { reference: input.reference }, select: { id: true } });
    if (!found) throw ApplicationFailure.create({ type: 'CaseNotFound', message: `No case ${input.reference}.`, nonRetryable: true });
    if (input.caseId !== undefined && input.caseId !== found.id) throw invalid(`caseId ${input.caseId} is not the case ${input.reference}.`);
    const caseId = found.id;
    const producedBy = `system:${input.idempotencyKey}`;
    const content = { language: input.language, issuedAt, validUntil, patientName: input.patientName.trim(), reference: input.reference, lines, totalCents };

    return db.$transaction(
      async (tx) => {
        const existing = await tx.document.findFirst({ where: { caseId, kind: ESTIMATE_DOCUMENT_KIND, uploadedById: producedBy }, orderBy: { createdAt: 'asc' } });
        let number: string;
        if (existing) {
          number = existing.originalName.replace(/\.pdf$/, '');
        } else {
          // The number's year is the date printed on the estimate (the centre's calendar).
          const year = parisDate(issuedAt).year;
          const counter = await tx.referenceCounter.upsert({
            where: { year: ESTIMATE_COUNTER_OFFSET + year },
            create: { year: ESTIMATE_COUNTER_OFFSET + year, last: 1 },
            update: { last: { increment: 1 } },
          });
          number = estimateNumber(year, counter.last);
        }
        const bytes = await renderEstimatePdf({ number, ...content });
        const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
        if (existing && existing.sha256 !== sha256) {
          throw ApplicationFailure.create({
            type: 'IdempotencyKeyReused',
            message: `Estimate ${number} was already issued under ${input.idempotencyKey} with other contents (other lines, patient, date, or a changed catalogue); use a new key for a new estimate.`,
            nonRetryable: true,
          });
        }
        // Written (again, harmlessly: content-addressed) before the row commits, so a row never
        // points at a missing file.
        await storePdf(store, bytes, sha256);
        const documentId = existing
          ? existing.id
          : (
              await tx.document.create({
                data: {
                  caseId,
                  sha256,
                  sizeBytes: bytes.length,
                  mediaType: 'application/pdf',
                  kind: ESTIMATE_DOCUMENT_KIND,
                  language: input.language,
                  needsTranslation: false,
                  originalName: `${number}.pdf`,
                  uploadedById: producedBy,
                },
                select: { id: true },
              })
            ).id;
        return { number, totalCents, validUntil: validUntil.toISOString(), lines, documentId, sha256 };
      },
      { timeout: 30_000 },
    );
  }

  return { issueEstimate };
}
