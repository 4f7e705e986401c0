// The estimate activity against a real SQLite database and documents directory: exact integer
// totals, DEV-<year>-<6 digits> numbering from the yearly counter, validity, idempotency by key,
// and the PDF itself (kept content-addressed, read back with pdf-lib, text in the patient's language).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { createEstimateActivities, ESTIMATE_COUNTER_OFFSET, formatEuros, type IssueEstimateInput } from '../activities/estimates';
import { DocumentStore } from '../lib/documentStore';
import { ESTIMATE_NOTICES, ESTIMATE_NUMBER_PATTERN, ESTIMATE_VALIDITY_DAYS, tariffs } from '../config/tariffs';
import type { RequestType } from '../workflows/definitions';
import { createCaseRow } from './support/caseRows';
import { nonRetryableFailure } from './support/failures';
import { pdfText, storedPdfText } from './support/issuedPdfs';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let activities: ReturnType<typeof createEstimateActivities>;
let store: DocumentStore;

beforeAll(async () => {
  stack = await startStack();
  activities = createEstimateActivities({ db: stack.db, documentsDir: stack.config.uploads.documentsDir });
  store = new DocumentStore(stack.config.uploads.documentsDir);
});
afterAll(async () => {
  await stack?.stop();
});

/** A case's read-model row, as the API creates it: the estimate is filed under the case. */
const newCase = (requestType: RequestType = 'proton_therapy', language: 'fr' | 'en' = 'fr') => createCaseRow(stack.db, { requestType, language });

const ISSUED_AT = '2026-03-14T10:00:00.000Z';

function input(reference: string, overrides: Partial<IssueEstimateInput> = {}): IssueEstimateInput {
  return {
    idempotencyKey: `case-${reference}:estimate:${crypto.randomUUID()}`,
    reference,
    requestType: 'proton_therapy',
    language: 'fr',
    patientName: 'Amina Benali',
    issuedAt: ISSUED_AT,
    ...overrides,
  };
}

describe('formatEuros', () => {
  it('formats integer cents without floating point, per language', () => {
    expect(formatEuros(0, 'fr')).toBe('0,00 €');
    expect(formatEuros(5, 'en')).toBe('€0.05');
    expect(formatEuros(123_456, 'fr')).toBe('1 234,56 €');
    expect(formatEuros(123_456, 'en')).toBe('€1,234.56');
    expect(formatEuros(1_234_567_890, 'fr')).toBe('12 345 678,90 €');
    expect(() => formatEuros(10.5, 'fr')).toThrow();
  });
});

describe('issueEstimate', () => {
  it('prices the catalogue defaults: each amount is unit × quantity and the total their exact sum', async () => {
    const { reference } = await newCase();
    const est = await activities.issueEstimate(input(reference));
    expect(est.lines.map((l) => [l.code, l.quantity, l.unitCents])).toEqual(tariffs.proton_therapy.map((t) => [t.code, t.defaultQuantity, t.unitCents]));
    for (const l of est.lines) {
      expect(Number.isInteger(l.unitCents)).toBe(true);
      expect(l.amountCents).toBe(l.unitCents * l.quantity);
    }
    expect(Number.isInteger(est.totalCents)).toBe(true);
    expect(est.totalCents).toBe(est.lines.reduce((s, l) => s + l.amountCents, 0));
    expect(est.lines.find((l) => l.code === 'proton_fraction')!.quantity).toBe(30);
    expect(est.lines[0].label).toBe(tariffs.proton_therapy[0].label.fr);
  });

  it('prices the lines the caller chose, with labels in the patient language', async () => {
    const { reference } = await newCase('treatment', 'en');
    const unit = (code: string) => tariffs.treatment.find((t) => t.code === code)!.unitCents;
    const est = await activities.issueEstimate(
      input(reference, { requestType: 'treatment', language: 'en', lines: [{ code: 'consultation', quantity: 1 }, { code: 'chemotherapy_cycle', quantity: 3 }, { code: 'hospital_day', quantity: 7 }] }),
    );
    expect(est.lines.map((l) => [l.code, l.quantity, l.amountCents])).toEqual([
      ['consultation', 1, unit('consultation')],
      ['chemotherapy_cycle', 3, 3 * unit('chemotherapy_cycle')],
      ['hospital_day', 7, 7 * unit('hospital_day')],
    ]);
    expect(est.totalCents).toBe(unit('consultation') + 3 * unit('chemotherapy_cycle') + 7 * unit('hospital_day'));
    expect(est.lines[1].label).toBe('Chemotherapy cycle');
  });

  it('numbers estimates DEV-<year>-<6 digits> from the yearly counter: two estimates get consecutive numbers', async () => {
    const { reference } = await newCase();
    const a = await activities.issueEstimate(input(reference));
    const b = await activities.issueEstimate(input(reference));
    for (const e of [a, b]) {
      expect(e.number).toMatch(ESTIMATE_NUMBER_PATTERN);
      expect(e.number.startsWith('DEV-2026-')).toBe(true);
    }
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
    // The estimate counter is its own row, apart from the case-reference counter of the same year.
    const counter = await stack.db.referenceCounter.findUnique({ where: { year: ESTIMATE_COUNTER_OFFSET + 2026 } });
    expect(counter!.last).toBe(Number(b.number.slice(-6)));
    // Another year starts again at 1.
    const next = await activities.issueEstimate(input(reference, { issuedAt: '2027-01-05T09:00:00.000Z' }));
    expect(next.number).toBe('DEV-2027-000001');
  });

  it('numbers estimates issued at the same time without gaps or repeats, and each key once', async () => {
    const { reference } = await newCase();
    const inputs = Array.from({ length: 6 }, () => input(reference, { issuedAt: '2028-02-01T09:00:00.000Z' }));
    // Every key twice at once: a retried activity beside its first attempt.
    const issued = await Promise.all([...inputs, ...inputs].map((i) => activities.issueEstimate(i)));
    const numbers = issued.slice(0, 6).map((e) => e.number);
    expect(issued.slice(6).map((e) => e.number)).toEqual(numbers);
    expect([...numbers].sort()).toEqual(['000001', '000002', '000003', '000004', '000005', '000006'].map((n) => `DEV-2028-${n}`));
    const rows = await stack.db.document.findMany({ where: { originalName: { startsWith: 'DEV-2028-' } } });
    expect(rows.map((r) => r.originalName).sort()).toEqual([...numbers].sort().map((n) => `${n}.pdf`));
    const counter = await stack.db.referenceCounter.findUnique({ where: { year: ESTIMATE_COUNTER_OFFSET + 2028 } });
    expect(counter!.last).toBe(6);
  });

  it(`is valid ${ESTIMATE_VALIDITY_DAYS} days after it is issued`, async () => {
    const { reference } = await newCase();
    const est = await activities.issueEstimate(input(reference, { issuedAt: '2026-03-14T10:30:00.000Z' }));
    expect(ESTIMATE_VALIDITY_DAYS).toBe(30);
    expect(est.validUntil).toBe('2026-04-13T10:30:00.000Z');
    expect(new Date(est.validUntil).getTime() - new Date('2026-03-14T10:30:00.000Z').getTime()).toBe(30 * 86_400_000);
  });

  it('returns the same estimate and document for the same idempotency key, and uses no new number', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference, { caseId });
    const first = await activities.issueEstimate(request);
    const again = await activities.issueEstimate(request);
    expect(again).toEqual(first);
    const docs = await stack.db.document.findMany({ where: { caseId, kind: 'estimate' } });
    expect(docs).toHaveLength(1);
    const after = await activities.issueEstimate(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(first.number.slice(-6)) + 1);
  });

  it('issues one estimate when two attempts with one key run at once', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const [a, b] = await Promise.all([activities.issueEstimate(request), activities.issueEstimate(request)]);
    expect(b).toEqual(a);
    expect(await stack.db.document.count({ where: { caseId, kind: 'estimate' } })).toBe(1);
  });

  it('refuses a key reused for a different estimate', async () => {
    const { reference } = await newCase();
    const request = input(reference);
    await activities.issueEstimate(request);
    const err = await nonRetryableFailure(activities.issueEstimate({ ...request, lines: [{ code: 'consultation', quantity: 1 }] }));
    expect(err.type).toBe('IdempotencyKeyReused');
  });

  it('refuses bad input without using a number', async () => {
    const { reference } = await newCase();
    const before = await activities.issueEstimate(input(reference));
    const bad: Partial<IssueEstimateInput>[] = [
      { lines: [{ code: 'no_such_item', quantity: 1 }] },
      { lines: [{ code: 'consultation', quantity: 0 }] },
      { lines: [{ code: 'consultation', quantity: 1.5 }] },
      { lines: [{ code: 'consultation', quantity: 1 }, { code: 'consultation', quantity: 2 }] },
      { lines: [] },
      { requestType: 'sample_analysis' },
      { issuedAt: 'yesterday' },
      { patientName: '  ' },
      { reference: 'INT-1999-000000' },
      { caseId: 'not-this-case' },
    ];
    for (const overrides of bad) await nonRetryableFailure(activities.issueEstimate(input(reference, overrides)));
    const after = await activities.issueEstimate(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(before.number.slice(-6)) + 1);
  });

  it.each([
    ['fr', 'Devis', '14 mars 2026', '13 avril 2026'],
    ['en', 'Estimate', '14 March 2026', '13 April 2026'],
  ] as const)('keeps a %s PDF content-addressed, with the number, the total and the not-included notice', async (language, title, issued, valid) => {
    const { reference, caseId } = await newCase('proton_therapy', language);
    const est = await activities.issueEstimate(input(reference, { language, patientName: 'Amina Benali' }));

    const file = store.blobPath(est.sha256);
    expect(fs.existsSync(file)).toBe(true);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(est.sha256);

    const doc = await stack.db.document.findUniqueOrThrow({ where: { id: est.documentId } });
    expect(doc).toMatchObject({ caseId, kind: 'estimate', sha256: est.sha256, sizeBytes: bytes.length, mediaType: 'application/pdf', language, needsTranslation: false, originalName: `${est.number}.pdf` });

    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getTitle()).toBe(`${title} ${est.number}`);
    const text = await pdfText(bytes);
    expect(text).toContain(`${title} ${est.number}`);
    expect(text).toContain(reference);
    expect(text).toContain('Amina Benali');
    expect(text).toContain(issued);
    expect(text).toContain(valid);
    for (const l of est.lines) expect(text).toContain(formatEuros(l.amountCents, language));
    expect(text).toContain(`Total ${formatEuros(est.totalCents, language)}`);
    expect(text).toContain(ESTIMATE_NOTICES[language].notIncluded);
    const other = language === 'fr' ? 'en' : 'fr';
    expect(text).not.toContain(ESTIMATE_NOTICES[other].notIncluded);
    expect(text).toContain(language === 'fr' ? "ne comprend pas les frais de transport, d'hébergement et de repas" : 'does not include transport, accommodation and meals');
  });

  it('prints a name outside the standard font without failing', async () => {
    const { reference } = await newCase();
    const est = await activities.issueEstimate(input(reference, { patientName: 'Łucja Żak' }));
    expect(await storedPdfText(store, est.sha256)).toContain('Lucja Zak');
  });
});
