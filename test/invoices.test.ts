// The final invoice activity against a real SQLite database and documents directory:
// FAC-<year>-<6 digits> numbering from its own yearly counter, idempotency by key, figures printed as
// reconciled (and refused when they do not add up), and the PDF text in French and English. Also the
// issued document kinds, which nobody can upload.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { createInvoiceActivities, INVOICE_COUNTER_OFFSET, INVOICE_NUMBER_PATTERN, type IssueFinalInvoiceInput } from '../activities/invoices';
import { DocumentStore } from '../lib/documentStore';
import { DOCUMENT_KIND_IDS, documentKindLabel, ISSUED_DOCUMENT_KIND_IDS, isIssuedDocumentKind } from '../config/documentKinds';
import type { CoverageRoute } from '../workflows/coverage';
import { formatEuros, priceEstimate, tariffFor } from '../workflows/pricing';
import { RULES_BEFORE_VERSIONING } from '../workflows/rules';
import { reconcile } from '../workflows/reconciliation';
import { createCaseRow } from './support/caseRows';
import { nonRetryableFailure as failure } from './support/failures';
import { storedPdfText } from './support/issuedPdfs';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let activities: ReturnType<typeof createInvoiceActivities>;
let store: DocumentStore;

beforeAll(async () => {
  stack = await startStack();
  activities = createInvoiceActivities({ db: stack.db, documentsDir: stack.config.uploads.documentsDir });
  store = new DocumentStore(stack.config.uploads.documentsDir);
});
afterAll(async () => {
  await stack?.stop();
});

/** A case's read-model row, as the API creates it: the invoice is filed under the case. */
const newCase = () =>
  createCaseRow(stack.db, { requestType: 'treatment', phase: 'follow_up', awaitingRole: 'finance', nationality: 'SN', countryOfResidence: 'SN', patientFirstName: 'Awa', patientLastName: 'Diallo' });

const textOf = (sha256: string) => storedPdfText(store, sha256);

const ALLIANZ = { insurer: 'Allianz Care', policyNumber: 'AC-778812', coveredCents: 1_000_000 };

interface Scenario {
  language?: 'fr' | 'en';
  coverageRoute?: CoverageRoute;
  insurers?: IssueFinalInvoiceInput['insurers'];
  payments?: IssueFinalInvoiceInput['payments'];
}

/** An invoice for a consultation, 3 chemotherapy cycles and 2 days in hospital, reconciled as the workflow does. */
function input(reference: string, s: Scenario = {}, overrides: Partial<IssueFinalInvoiceInput> = {}): IssueFinalInvoiceInput {
  const language = s.language ?? 'fr';
  const coverageRoute = s.coverageRoute ?? 'self_pay';
  const insurers = s.insurers ?? [];
  const payments = s.payments ?? [{ paymentId: 'pay_001', amountCents: 500_000, paidAt: '2026-02-10T09:30:00.000Z' }];
  const { lines } = priceEstimate(tariffFor('treatment', RULES_BEFORE_VERSIONING), language, [
    { code: 'consultation', quantity: 1 },
    { code: 'chemotherapy_cycle', quantity: 3 },
    { code: 'hospital_day', quantity: 2 },
  ]);
  const reconciliation = reconcile({
    coverageRoute,
    invoiced: lines,
    insurerCoveredCents: insurers.reduce((sum, i) => sum + i.coveredCents, 0),
    paidCents: payments.reduce((sum, p) => sum + p.amountCents, 0),
    copaymentPercent: RULES_BEFORE_VERSIONING.stay.copaymentPercent,
  });
  return {
    idempotencyKey: `case-${reference}:final-invoice:${crypto.randomUUID()}`,
    reference,
    language,
    patientName: 'Awa Diallo',
    issuedAt: '2026-05-04T08:00:00.000Z',
    lines,
    reconciliation,
    coverageRoute,
    insurers,
    payments,
    ...overrides,
  };
}

describe('issueFinalInvoice', () => {
  it('keeps the invoice content-addressed as a final_invoice document named after its number', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const invoice = await activities.issueFinalInvoice(request);
    expect(invoice.number).toMatch(INVOICE_NUMBER_PATTERN);
    expect(invoice.number.startsWith('FAC-2026-')).toBe(true);

    const bytes = fs.readFileSync(store.blobPath(invoice.sha256));
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(invoice.sha256);
    const doc = await stack.db.document.findUniqueOrThrow({ where: { id: invoice.documentId } });
    expect(doc).toMatchObject({
      caseId,
      kind: 'final_invoice',
      sha256: invoice.sha256,
      sizeBytes: bytes.length,
      mediaType: 'application/pdf',
      language: 'fr',
      needsTranslation: false,
      originalName: `${invoice.number}.pdf`,
      uploadedById: `system:${request.idempotencyKey}`,
    });
    expect((await PDFDocument.load(bytes)).getTitle()).toBe(`Facture ${invoice.number}`);
  });

  it.each([
    ['fr', 'Facture', '4 mai 2026', '10 février 2026', 'Total facturé', 'Part assureur', 'Part patient', 'Paiements reçus', 'Total payé', 'Solde à régler', 'Un lien de paiement vous a été envoyé par e-mail'],
    ['en', 'Invoice', '4 May 2026', '10 February 2026', 'Total invoiced', 'Insurer share', 'Patient share', 'Payments received', 'Total paid', 'Balance due', 'A payment link for this balance has been emailed to you.'],
  ] as const)('prints the lines, the shares, the payments and the balance due with its payment link (%s)', async (language, title, issued, paidOn, invoiced, insurerShare, patientShare, paymentsHeading, totalPaid, balanceDue, paymentLink) => {
    const { reference } = await newCase();
    const request = input(reference, { language });
    const r = request.reconciliation;
    expect(r.outcome).toBe('balance_due');
    const invoice = await activities.issueFinalInvoice(request);
    const text = await textOf(invoice.sha256);
    const money = (cents: number) => formatEuros(cents, language);
    expect(text).toContain(`${title} ${invoice.number}`);
    expect(text).toContain(issued);
    expect(text).toContain('Awa Diallo');
    expect(text).toContain(reference);
    for (const l of request.lines) expect(text).toContain(`${l.label} ${money(l.unitCents)} ${l.quantity} ${money(l.amountCents)}`);
    expect(text).toContain(`${invoiced} ${money(r.invoicedCents)}`);
    expect(text).toContain(`${insurerShare} ${money(0)}`);
    expect(text).toContain(`${patientShare} ${money(r.patientShareCents)}`);
    expect(text).toContain(paymentsHeading);
    expect(text).toContain(`${paidOn} — pay_001 ${money(500_000)}`);
    expect(text).toContain(`${totalPaid} ${money(r.paidCents)}`);
    expect(text).toContain(`${balanceDue} ${money(r.balanceDueCents)}`);
    expect(text).toContain(paymentLink);
  });

  it.each([
    ['fr', 'Remboursement dû', 'Assureur : Allianz Care, contrat n° AC-778812'],
    ['en', 'Refund due', 'Insurer: Allianz Care, policy no. AC-778812'],
  ] as const)('prints the insurer and the refund due when the patient paid more than their share (%s)', async (language, refundDue, insurerLine) => {
    const { reference } = await newCase();
    const request = input(reference, { language, coverageRoute: 'insurer_guarantee', insurers: [ALLIANZ] });
    const r = request.reconciliation;
    expect(r.outcome).toBe('refund_due');
    const text = await textOf((await activities.issueFinalInvoice(request)).sha256);
    expect(text).toContain(`${insurerLine} ${formatEuros(ALLIANZ.coveredCents, language)}`);
    expect(text).toContain(formatEuros(r.insurerShareCents, language));
    expect(text).toContain(`${refundDue} ${formatEuros(r.refundDueCents, language)}`);
    expect(text).not.toMatch(/Solde à régler|Balance due|payment link|lien de paiement/);
  });

  it.each([
    ['fr', 'Part Assurance Maladie', 'Facture soldée : il ne reste rien à payer.'],
    ['en', 'Assurance Maladie share', 'Settled: nothing remains to be paid.'],
  ] as const)('prints the Assurance Maladie share and "settled" when the co-payment was paid (%s)', async (language, share, settled) => {
    const { reference } = await newCase();
    const probe = input(reference, { language, coverageRoute: 'french_insured', payments: [] });
    const copayment = probe.reconciliation.patientShareCents;
    const request = input(reference, { language, coverageRoute: 'french_insured', payments: [{ paymentId: 'pay_copay', amountCents: copayment, paidAt: '2026-04-30T12:00:00.000Z' }] });
    expect(request.reconciliation.outcome).toBe('settled');
    const text = await textOf((await activities.issueFinalInvoice(request)).sha256);
    expect(text).toContain(`${share} ${formatEuros(request.reconciliation.insurerShareCents, language)}`);
    expect(text).toContain(settled);
    expect(text).not.toMatch(/Solde à régler|Balance due|Remboursement dû|Refund due/);
  });

  it('says so when no payment was received', async () => {
    const { reference } = await newCase();
    const text = await textOf((await activities.issueFinalInvoice(input(reference, { language: 'en', payments: [] }))).sha256);
    expect(text).toContain('No payment received.');
    expect(text).toContain(`Total paid ${formatEuros(0, 'en')}`);
  });

  it('numbers invoices from their own yearly counter, without gaps; another year starts again at 1', async () => {
    const { reference } = await newCase();
    const a = await activities.issueFinalInvoice(input(reference));
    const b = await activities.issueFinalInvoice(input(reference));
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
    const counter = await stack.db.referenceCounter.findUnique({ where: { year: INVOICE_COUNTER_OFFSET + 2026 } });
    expect(counter!.last).toBe(Number(b.number.slice(-6)));
    // 31 December 23:30 UTC is already 1 January at the centre: the year printed is the number's.
    const next = await activities.issueFinalInvoice(input(reference, {}, { issuedAt: '2026-12-31T23:30:00.000Z' }));
    expect(next.number).toBe('FAC-2027-000001');
  });

  it('returns the same invoice for the same key and uses no new number', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const first = await activities.issueFinalInvoice(request);
    expect(await activities.issueFinalInvoice(request)).toEqual(first);
    expect(await stack.db.document.count({ where: { caseId, kind: 'final_invoice' } })).toBe(1);
    const after = await activities.issueFinalInvoice(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(first.number.slice(-6)) + 1);
  });

  it('issues one invoice when two attempts with one key run at once', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const [a, b] = await Promise.all([activities.issueFinalInvoice(request), activities.issueFinalInvoice(request)]);
    expect(b).toEqual(a);
    expect(await stack.db.document.count({ where: { caseId, kind: 'final_invoice' } })).toBe(1);
  });

  it('refuses a key reused for a different invoice', async () => {
    const { reference } = await newCase();
    const request = input(reference);
    await activities.issueFinalInvoice(request);
    const other = input(reference, { payments: [] }, { idempotencyKey: request.idempotencyKey });
    expect((await failure(activities.issueFinalInvoice(other))).type).toBe('IdempotencyKeyReused');
  });

  it('refuses an unknown case as CaseNotFound', async () => {
    expect((await failure(activities.issueFinalInvoice(input('INT-1999-000000')))).type).toBe('CaseNotFound');
  });

  it('refuses figures that do not add up, and other bad input, without using a number', async () => {
    const { reference } = await newCase();
    const before = await activities.issueFinalInvoice(input(reference));
    const good = input(reference);
    const r = good.reconciliation;
    const bad: Partial<IssueFinalInvoiceInput>[] = [
      { reconciliation: { ...r, paidCents: r.paidCents + 1 } },
      { reconciliation: { ...r, invoicedCents: r.invoicedCents - 100 } },
      { reconciliation: { ...r, outcome: 'settled' } },
      { reconciliation: { ...r, balanceDueCents: 0 } },
      { reconciliation: { ...r, insurerShareCents: 10.5 } },
      { lines: good.lines.map((l, i) => (i === 0 ? { ...l, amountCents: l.amountCents + 1 } : l)) },
      { payments: [{ paymentId: 'pay_001', amountCents: 500_000, paidAt: 'last week' }] },
      { insurers: [{ insurer: '', policyNumber: 'X', coveredCents: 0 }] },
      { coverageRoute: 'cash' as CoverageRoute },
      { patientName: ' ' },
      { language: 'es' as 'fr' },
    ];
    for (const overrides of bad) expect((await failure(activities.issueFinalInvoice({ ...good, ...overrides }))).type).toBe('InvalidInput');
    const after = await activities.issueFinalInvoice(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(before.number.slice(-6)) + 1);
  });
});

describe('issued document kinds', () => {
  it('are not uploadable, and have labels like the uploaded kinds', () => {
    expect(ISSUED_DOCUMENT_KIND_IDS).toEqual(['estimate', 'visa_certificate', 'final_invoice']);
    for (const kind of ISSUED_DOCUMENT_KIND_IDS) {
      expect(DOCUMENT_KIND_IDS as readonly string[]).not.toContain(kind);
      expect(isIssuedDocumentKind(kind)).toBe(true);
    }
    expect(isIssuedDocumentKind('gp_letter')).toBe(false);
    expect(documentKindLabel('final_invoice', 'fr')).toBe('Facture finale');
    expect(documentKindLabel('estimate', 'en')).toBe('Estimate');
    expect(documentKindLabel('gp_letter', 'en')).toBe("Letter from the patient's doctor");
    expect(documentKindLabel('no_such_kind', 'en')).toBeUndefined();
  });
});
