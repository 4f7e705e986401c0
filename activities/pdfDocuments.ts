// What the PDFs Parcours issues share (estimates, visa certificates, final invoices): the checks on
// their common input, dates in words, text the standard fonts can print, an A4 layout with the
// issuer's heading, and issuing one as a case document exactly once per idempotency key.
//
// Idempotency without a table of its own: the document's row (an issued kind, original name
// `<number>.pdf`) carries `system:<idempotencyKey>` as `uploadedById` (the workflow step that
// produced it; uploads always carry a user ID, and nobody can upload an issued kind). Claiming the
// number and creating that row happen in one SQLite transaction, which SQLite runs serialisably:
// two concurrent attempts with one key cannot both miss the row and both create one (the loser
// fails and its retry finds the winner's row), and a crash in between leaves neither, so numbers
// have no gaps. A retry re-renders the PDF (rendering is deterministic: fixed metadata dates, no
// random IDs, no object streams) and must get the stored digest: a key reused for other contents
// fails instead of returning data that disagree with the PDF the patient has.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { DocumentStore } from '../lib/documentStore';
import { DOCUMENT_ISSUER, type IssuedDocumentKindId } from '../config/documentKinds';
import type { Db } from '../lib/db';
import { FAILURE_TYPES, LANGUAGES, type Language } from '../workflows/definitions';
import { formatEuros, type EstimateLine } from '../workflows/pricing';

export type DocumentLanguage = Language;

export const invalid = (message: string) => ApplicationFailure.create({ type: FAILURE_TYPES.invalid, message, nonRetryable: true });

/** The checks every issued document's input needs; returns the issue date. */
export function checkIssueInput(input: { idempotencyKey: string; language: string; issuedAt: string }): Date {
  if (!input.idempotencyKey) throw invalid('idempotencyKey is required.');
  if (!(LANGUAGES as readonly string[]).includes(input.language)) throw invalid(`Unknown language: ${String(input.language)}`);
  const issuedAt = new Date(input.issuedAt);
  if (Number.isNaN(issuedAt.getTime())) throw invalid(`issuedAt is not an ISO date: ${input.issuedAt}`);
  return issuedAt;
}

/** A required text field, trimmed (a name printed with stray spaces would change the digest). */
export function requiredText(value: string | undefined, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw invalid(`${field} is required.`);
  return text;
}

// ---- Dates ----------------------------------------------------------------------------------

const MONTHS: Record<DocumentLanguage, readonly string[]> = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** The calendar date at the centre (Europe/Paris) of an instant. */
export function parisDate(at: Date): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

const inWords = ({ year, month, day }: { year: number; month: number; day: number }, language: DocumentLanguage) => `${day} ${MONTHS[language][month - 1]} ${year}`;

/** An instant as the date printed at the centre: `14 mars 2026`, `14 March 2026`. */
export function formatDate(at: Date, language: DocumentLanguage): string {
  return inWords(parisDate(at), language);
}

/** A calendar date (YYYY-MM-DD: an arrival day, a birth date; no time zone applies) in words. */
export function formatCalendarDate(date: string, language: DocumentLanguage): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Not a YYYY-MM-DD date: "${date}"`);
  return inWords({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, language);
}

/** French typography puts a space before a colon. */
export const labelColon = (language: DocumentLanguage): string => (language === 'fr' ? ' :' : ':');

// ---- Text for the standard fonts ------------------------------------------------------------

// Latin letters that do not decompose into a base letter and an accent.
const LATIN_FALLBACK: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l' };

/**
 * Text the standard fonts can print (WinAnsi): accents are kept; a character outside the set loses
 * its accent when that makes it printable, else becomes "?". (A name in another script needs an
 * embedded Unicode font: not done yet.)
 */
export function printable(text: string, font: PDFFont): string {
  const charset = new Set(font.getCharacterSet());
  return [...text.normalize('NFC')]
    .map((ch) => {
      if (charset.has(ch.codePointAt(0)!)) return ch;
      const base = (LATIN_FALLBACK[ch] ?? ch).normalize('NFD').replace(/\p{M}/gu, '');
      return base !== '' && [...base].every((c) => charset.has(c.codePointAt(0)!)) ? base : '?';
    })
    .join('');
}

/** Words into lines no wider than `width` (a single longer word keeps its own line). */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
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

// ---- Layout -----------------------------------------------------------------------------------

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const BLACK = rgb(0, 0, 0);
export const GREY = rgb(0.45, 0.45, 0.45);
/** Where a field's value starts, right of its label. */
const FIELD_VALUE_X = MARGIN + 130;

/** The column headings of a table of priced lines. */
export interface LineTableWords {
  item: string;
  unit: string;
  quantity: string;
  amount: string;
}

/**
 * An A4 document written top to bottom: a cursor `y` that moves down, and a new page when the
 * next block does not fit. Every document Parcours issues has the same heading and metadata.
 */
export class PdfLayout {
  readonly margin = MARGIN;
  readonly right = A4[0] - MARGIN;
  y = A4[1] - MARGIN;
  private page: PDFPage;

  private constructor(
    private readonly pdf: PDFDocument,
    readonly language: DocumentLanguage,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.page = pdf.addPage(A4);
  }

  /** A new document whose metadata are fixed by its content (title, language, issue date), so the bytes are too. */
  static async create(meta: { title: string; language: DocumentLanguage; issuedAt: Date }): Promise<PdfLayout> {
    const pdf = await PDFDocument.create({ updateMetadata: false });
    const regular = await pdf.embedFont(StandardFonts.Helvetica);
    const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
    pdf.setTitle(meta.title);
    pdf.setAuthor(DOCUMENT_ISSUER.name);
    pdf.setCreator('Parcours');
    pdf.setProducer('Parcours (pdf-lib)');
    pdf.setLanguage(meta.language);
    pdf.setCreationDate(meta.issuedAt);
    pdf.setModificationDate(meta.issuedAt);
    return new PdfLayout(pdf, meta.language, regular, bold);
  }

  save(): Promise<Uint8Array> {
    return this.pdf.save({ useObjectStreams: false });
  }

  /** Moves the cursor down. */
  skip(points: number): void {
    this.y -= points;
  }

  text(s: string, x: number, size: number, font = this.regular, color: RGB = BLACK): void {
    this.page.drawText(printable(s, font), { x, y: this.y, size, font, color });
  }

  textRight(s: string, xRight: number, size: number, font = this.regular): void {
    const p = printable(s, font);
    this.page.drawText(p, { x: xRight - font.widthOfTextAtSize(p, size), y: this.y, size, font });
  }

  rule(): void {
    this.page.drawLine({ start: { x: MARGIN, y: this.y - 4 }, end: { x: this.right, y: this.y - 4 }, thickness: 0.5, color: GREY });
  }

  /** Starts a new page unless `height` points still fit; `onNewPage` draws what a page continues with (a table's header). */
  ensureRoom(height: number, onNewPage?: () => void): void {
    if (this.y - height >= MARGIN) return;
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
    onNewPage?.();
  }

  /** The issuer's name and department, at the top of the first page. */
  heading(): void {
    this.text(DOCUMENT_ISSUER.name, MARGIN, 13, this.bold);
    this.skip(16);
    this.text(DOCUMENT_ISSUER.department[this.language], MARGIN, 10, this.regular, GREY);
    this.skip(40);
  }

  title(s: string): void {
    const lines = wrap(printable(s, this.bold), this.bold, 18, this.right - MARGIN);
    lines.forEach((line, i) => {
      this.text(line, MARGIN, 18, this.bold);
      this.skip(i < lines.length - 1 ? 22 : 30);
    });
  }

  /** Label and value pairs (date, patient, reference…), the value wrapped in its column. */
  fields(rows: readonly (readonly [string, string])[]): void {
    const colon = labelColon(this.language);
    const width = this.right - FIELD_VALUE_X;
    for (const [label, value] of rows) {
      // A value that fits is printed as given; a longer one (an address) wraps in its column.
      const shown = printable(value, this.regular);
      const lines = this.regular.widthOfTextAtSize(shown, 10) <= width ? [shown] : wrap(shown, this.regular, 10, width);
      this.ensureRoom(lines.length * 15);
      this.text(`${label}${colon}`, MARGIN, 10, this.bold);
      for (const line of lines) {
        this.text(line, FIELD_VALUE_X, 10);
        this.skip(15);
      }
    }
    this.skip(20);
  }

  /** A wrapped paragraph across the page's width. */
  paragraph(s: string, font = this.regular): void {
    const lines = wrap(printable(s, font), font, 10, this.right - MARGIN);
    this.ensureRoom(lines.length * 13 + 8);
    for (const line of lines) {
      this.text(line, MARGIN, 10, font);
      this.skip(13);
    }
    this.skip(8);
  }

  /** Priced lines: label (wrapped), unit price, quantity, amount; the header repeats on each new page. */
  lineTable(lines: readonly EstimateLine[], words: LineTableWords): void {
    // Table columns: the item label on the left, then right-aligned numbers.
    const colUnit = this.right - 190;
    const colQty = this.right - 130;
    const labelWidth = colUnit - MARGIN - 75;
    const header = () => {
      this.text(words.item, MARGIN, 9, this.bold);
      this.textRight(words.unit, colUnit, 9, this.bold);
      this.textRight(words.quantity, colQty, 9, this.bold);
      this.textRight(words.amount, this.right, 9, this.bold);
      this.rule();
      this.skip(18);
    };
    header();
    for (const line of lines) {
      const labelLines = wrap(printable(line.label, this.regular), this.regular, 10, labelWidth);
      this.ensureRoom(labelLines.length * 13 + 6, header);
      // Label first, then the figures on its first line: the text reads in table order.
      const rowY = this.y;
      for (const l of labelLines) {
        this.text(l, MARGIN, 10);
        this.skip(13);
      }
      const nextY = this.y - 5;
      this.y = rowY;
      this.textRight(formatEuros(line.unitCents, this.language), colUnit, 10);
      this.textRight(String(line.quantity), colQty, 10);
      this.textRight(formatEuros(line.amountCents, this.language), this.right, 10);
      this.y = nextY;
    }
  }

  /** The rule under a table, before its totals. */
  endTable(): void {
    this.ensureRoom(40);
    this.y += 9;
    this.rule();
    this.skip(18);
  }

  /** A label (wrapped) with an amount right-aligned on its first line, then `advance` points down. */
  amountRow(label: string, amount: string, size: number, font: PDFFont, advance: number): void {
    const lineHeight = size + 3;
    const lines = wrap(printable(label, font), font, size, this.right - MARGIN - 130);
    this.ensureRoom(lines.length * lineHeight);
    const rowY = this.y;
    lines.forEach((line, i) => {
      this.y = rowY - i * lineHeight;
      this.text(line, MARGIN, size, font);
    });
    this.y = rowY;
    this.textRight(amount, this.right, size, font);
    this.skip((lines.length - 1) * lineHeight + advance);
  }
}

// ---- Issuing a document -----------------------------------------------------------------------

export interface IssuedDocument {
  number: string;
  documentId: string;
  sha256: string;
}

/** What is fixed for one kind of issued document: its kind, its numbering, and how errors name it. */
export interface IssuedKind {
  kind: IssuedDocumentKindId;
  /** Numbers count in the `ReferenceCounter` row `counterOffset + year` (e.g. 102026 for 2026's estimates). */
  counterOffset: number;
  formatNumber(year: number, sequence: number): string;
  /** For the error when a key was already used: what the document is ("Estimate") and what may have differed. */
  name: string;
  contents: string;
}

/** One document to issue. */
export interface IssueRequest {
  idempotencyKey: string;
  caseId: string;
  language: DocumentLanguage;
  /** The number's year is the issue date's at the centre (the date printed on the document). */
  issuedAt: Date;
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

/** Rolls back an issue whose number another document took while it rendered. */
class NumberTaken extends Error {}

export function createDocumentIssuer(deps: { db: Db; documentsDir: string }) {
  const { db } = deps;
  const store = new DocumentStore(deps.documentsDir);

  /** The case's row ID; a document is only ever filed under an existing case. */
  async function caseIdOf(reference: string): Promise<string> {
    const found = await db.case.findUnique({ where: { reference }, select: { id: true } });
    if (!found) throw ApplicationFailure.create({ type: 'CaseNotFound', message: `No case ${reference}: check the reference; a document is issued only for an existing case.`, nonRetryable: true });
    return found.id;
  }

  /**
   * The document issued under this key: found (and checked against a fresh rendering), or numbered,
   * rendered, stored and recorded. `render` must be deterministic.
   *
   * Rendered outside the transaction, with the number the counter will give: the worker's database
   * connection serves one transaction at a time and every other query waits for it, so a render
   * inside held up all the worker's writes (an email's record as sent among them, which a crash
   * then resent). If another document took that number meanwhile, nothing is written and the
   * document is rendered again with the next one: numbers stay without gaps.
   */
  /**
   * Documents of one counter are issued one at a time in this process. Concurrent issuers each rendered
   * with the same next number and all but one rendered again: with 50 estimates at once, up to 1,275
   * renders for 50 documents (bench: the estimate step's p50 was 12–16 s). Other processes still race
   * (rarely), and the check below keeps their numbers without gaps.
   */
  const turns = new Map<number, Promise<unknown>>();
  function inTurn<T>(counterYear: number, run: () => Promise<T>): Promise<T> {
    const mine = (turns.get(counterYear) ?? Promise.resolve()).then(run);
    const settled = mine.catch(() => undefined);
    turns.set(counterYear, settled);
    void settled.then(() => {
      if (turns.get(counterYear) === settled) turns.delete(counterYear);
    });
    return mine;
  }

  function issue(spec: IssuedKind, req: IssueRequest, render: (number: string) => Promise<Uint8Array>): Promise<IssuedDocument> {
    return inTurn(spec.counterOffset + parisDate(req.issuedAt).year, () => issueNow(spec, req, render));
  }

  async function issueNow(spec: IssuedKind, req: IssueRequest, render: (number: string) => Promise<Uint8Array>): Promise<IssuedDocument> {
    const producedBy = `system:${req.idempotencyKey}`;
    const year = parisDate(req.issuedAt).year;
    const counterYear = spec.counterOffset + year;
    const issuedUnderKey = (client: Pick<Db, 'document'>) => client.document.findFirst({ where: { caseId: req.caseId, kind: spec.kind, uploadedById: producedBy }, orderBy: { createdAt: 'asc' } });
    const rendered = async (number: string) => {
      const bytes = await render(number);
      return { bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
    };
    const reused = (number: string) => ApplicationFailure.create({
      type: 'IdempotencyKeyReused',
      message: `${spec.name} ${number} was already issued under ${req.idempotencyKey} with other contents (${spec.contents}); use a new key for a new ${spec.name.toLowerCase()}.`,
      nonRetryable: true,
    });
    for (;;) {
      const existing = await issuedUnderKey(db);
      if (existing) {
        const number = existing.originalName.replace(/\.pdf$/, '');
        const { bytes, sha256 } = await rendered(number);
        if (existing.sha256 !== sha256) throw reused(number);
        // Again, harmlessly (content-addressed): the file may have been lost since.
        await storePdf(store, bytes, sha256);
        return { number, documentId: existing.id, sha256 };
      }
      const sequence = ((await db.referenceCounter.findUnique({ where: { year: counterYear } }))?.last ?? 0) + 1;
      const number = spec.formatNumber(year, sequence);
      const { bytes, sha256 } = await rendered(number);
      // Stored before the row commits, so a row never points at a missing file.
      await storePdf(store, bytes, sha256);
      const outcome = await db.$transaction(async (tx) => {
        if (await issuedUnderKey(tx)) return 'again' as const;
        const counter = await tx.referenceCounter.upsert({ where: { year: counterYear }, create: { year: counterYear, last: 1 }, update: { last: { increment: 1 } } });
        if (counter.last !== sequence) throw new NumberTaken();
        const created = await tx.document.create({
          data: { caseId: req.caseId, sha256, sizeBytes: bytes.length, mediaType: 'application/pdf', kind: spec.kind, language: req.language, needsTranslation: false, originalName: `${number}.pdf`, uploadedById: producedBy },
          select: { id: true },
        });
        return { number, documentId: created.id, sha256 };
      }).catch((err: unknown) => {
        if (err instanceof NumberTaken) return 'again' as const;
        throw err;
      });
      // Issued under this key by another attempt meanwhile, or the number taken: look again.
      if (outcome !== 'again') return outcome;
    }
  }

  return { caseIdOf, issue };
}
