// The visa certificate activity against a real SQLite database and documents directory:
// VIS-<year>-<6 digits> numbering from its own yearly counter, idempotency by key, and the PDF
// itself (kept content-addressed, read back with pdf-lib, in the certificate's language).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import {
  createVisaCertificateActivities,
  VISA_CERTIFICATE_COUNTER_OFFSET,
  VISA_CERTIFICATE_NUMBER_PATTERN,
  type IssueVisaCertificateInput,
} from '../activities/visaCertificates';
import { DocumentStore } from '../lib/documentStore';
import { createCaseRow } from './support/caseRows';
import { nonRetryableFailure as failure } from './support/failures';
import { storedPdfText } from './support/issuedPdfs';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let activities: ReturnType<typeof createVisaCertificateActivities>;
let store: DocumentStore;

beforeAll(async () => {
  stack = await startStack();
  activities = createVisaCertificateActivities({ db: stack.db, documentsDir: stack.config.uploads.documentsDir });
  store = new DocumentStore(stack.config.uploads.documentsDir);
});
afterAll(async () => {
  await stack?.stop();
});

/** A case's read-model row, as the API creates it: the certificate is filed under the case. */
const newCase = () => createCaseRow(stack.db, { phase: 'stay_preparation' });

const SITE = { name: 'Orsay (proton therapy centre)', address: 'Campus universitaire, bâtiment 101, 91400 Orsay' };

function input(reference: string, overrides: Partial<IssueVisaCertificateInput> = {}): IssueVisaCertificateInput {
  return {
    idempotencyKey: `case-${reference}:visa:${crypto.randomUUID()}`,
    reference,
    language: 'fr',
    issuedAt: '2026-03-14T10:00:00.000Z',
    holder: { role: 'patient', fullName: 'Amina Benali', nationality: 'DZ' },
    patient: { fullName: 'Amina Benali', nationality: 'DZ', dateOfBirth: '1978-03-14' },
    arrivalDate: '2026-04-02',
    plannedStayDays: 45,
    site: SITE,
    urgent: false,
    ...overrides,
  };
}

const companion = (relationship: 'family' | 'other') => ({ role: 'companion' as const, fullName: 'Karim Benali', nationality: 'DZ', relationship });

const textOf = (sha256: string) => storedPdfText(store, sha256);

const URGENT = {
  fr: "Les soins prévus relèvent d'une urgence médicale : nous remercions le consulat de bien vouloir traiter cette demande de visa dans les meilleurs délais.",
  en: 'The planned treatment is a medical urgency: we kindly ask the consulate to process this visa application as quickly as possible.',
};

describe('issueVisaCertificate', () => {
  it("keeps the patient's certificate content-addressed as a visa_certificate document named after its number", async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const cert = await activities.issueVisaCertificate(request);
    expect(cert.number).toMatch(VISA_CERTIFICATE_NUMBER_PATTERN);
    expect(cert.number.startsWith('VIS-2026-')).toBe(true);

    const bytes = fs.readFileSync(store.blobPath(cert.sha256));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(cert.sha256);
    const doc = await stack.db.document.findUniqueOrThrow({ where: { id: cert.documentId } });
    expect(doc).toMatchObject({
      caseId,
      kind: 'visa_certificate',
      sha256: cert.sha256,
      sizeBytes: bytes.length,
      mediaType: 'application/pdf',
      language: 'fr',
      needsTranslation: false,
      originalName: `${cert.number}.pdf`,
      uploadedById: `system:${request.idempotencyKey}`,
    });
    expect((await PDFDocument.load(bytes)).getTitle()).toBe(`Attestation de prise en charge médicale ${cert.number}`);
  });

  it('certifies in French that the patient is expected at the site from the arrival date, for the planned stay', async () => {
    const { reference } = await newCase();
    const text = await textOf((await activities.issueVisaCertificate(input(reference))).sha256);
    expect(text).toContain('Attestation de prise en charge médicale');
    expect(text).toContain('14 mars 2026'); // issued
    expect(text).toContain(reference);
    expect(text).toContain('Nous attestons que Amina Benali (nationalité : Algérie, né(e) le 14 mars 1978) est attendu(e)');
    expect(text).toContain(`sur le site ${SITE.name} (${SITE.address})`);
    expect(text).toContain('à partir du 2 avril 2026, pour un séjour prévu de 45 jours.');
    expect(text).toContain('demande de visa de court séjour pour raisons médicales');
    expect(text).not.toContain('urgence');
  });

  it("certifies in English that a family companion accompanies the patient, and states the urgency when the arrival is close", async () => {
    const { reference } = await newCase();
    const cert = await activities.issueVisaCertificate(input(reference, { language: 'en', holder: companion('family'), arrivalDate: '2026-03-20', plannedStayDays: 1, urgent: true }));
    const text = await textOf(cert.sha256);
    expect(text).toContain('Medical care certificate for a short-stay visa application');
    expect(text).toContain('14 March 2026');
    expect(text).toContain('We certify that Karim Benali (nationality: Algeria) accompanies, as a family member, Amina Benali (nationality: Algeria, born on 14 March 1978), who is expected');
    expect(text).toContain(`at our ${SITE.name} site (${SITE.address}) to receive medical treatment from 20 March 2026, for a planned stay of 1 day.`);
    expect(text).toContain(URGENT.en);
    expect(text).not.toContain(URGENT.fr);
  });

  it.each([
    ['fr', "accompagne, en tant qu'accompagnant(e) sans lien de parenté, Amina Benali", URGENT.fr],
    ['en', 'accompanies, as a companion who is not a family member, Amina Benali', URGENT.en],
  ] as const)('names a companion who is not family as such (%s), with the urgency only when urgent', async (language, wording, urgency) => {
    const { reference } = await newCase();
    const calm = await textOf((await activities.issueVisaCertificate(input(reference, { language, holder: companion('other') }))).sha256);
    expect(calm).toContain('Karim Benali');
    expect(calm).toContain(wording);
    expect(calm).not.toContain(urgency);
    const urgent = await textOf((await activities.issueVisaCertificate(input(reference, { language, holder: companion('other'), urgent: true }))).sha256);
    expect(urgent).toContain(urgency);
  });

  it('numbers certificates from their own yearly counter, without gaps; another year starts again at 1', async () => {
    const { reference } = await newCase();
    const a = await activities.issueVisaCertificate(input(reference));
    const b = await activities.issueVisaCertificate(input(reference, { holder: companion('family') }));
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
    const counter = await stack.db.referenceCounter.findUnique({ where: { year: VISA_CERTIFICATE_COUNTER_OFFSET + 2026 } });
    expect(counter!.last).toBe(Number(b.number.slice(-6)));
    const next = await activities.issueVisaCertificate(input(reference, { issuedAt: '2027-01-05T09:00:00.000Z', arrivalDate: '2027-02-01' }));
    expect(next.number).toBe('VIS-2027-000001');
  });

  it('returns the same certificate for the same key and uses no new number', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const first = await activities.issueVisaCertificate(request);
    expect(await activities.issueVisaCertificate(request)).toEqual(first);
    expect(await stack.db.document.count({ where: { caseId, kind: 'visa_certificate' } })).toBe(1);
    const after = await activities.issueVisaCertificate(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(first.number.slice(-6)) + 1);
  });

  it('issues one certificate when two attempts with one key run at once', async () => {
    const { reference, caseId } = await newCase();
    const request = input(reference);
    const [a, b] = await Promise.all([activities.issueVisaCertificate(request), activities.issueVisaCertificate(request)]);
    expect(b).toEqual(a);
    expect(await stack.db.document.count({ where: { caseId, kind: 'visa_certificate' } })).toBe(1);
  });

  it('refuses a key reused for a different certificate', async () => {
    const { reference } = await newCase();
    const request = input(reference);
    await activities.issueVisaCertificate(request);
    const err = await failure(activities.issueVisaCertificate({ ...request, urgent: true }));
    expect(err.type).toBe('IdempotencyKeyReused');
  });

  it('refuses an unknown case as CaseNotFound', async () => {
    const err = await failure(activities.issueVisaCertificate(input('INT-1999-000000')));
    expect(err.type).toBe('CaseNotFound');
  });

  it('refuses bad input without using a number', async () => {
    const { reference } = await newCase();
    const before = await activities.issueVisaCertificate(input(reference));
    const bad: Partial<IssueVisaCertificateInput>[] = [
      { idempotencyKey: '' },
      { language: 'de' as 'fr' },
      { issuedAt: 'yesterday' },
      { holder: { role: 'companion', fullName: 'Karim Benali', nationality: 'DZ' } },
      { holder: { role: 'patient', fullName: 'Someone Else', nationality: 'DZ' } },
      { holder: { role: 'patient', fullName: '  ', nationality: 'DZ' } },
      { patient: { fullName: 'Amina Benali', nationality: '' } },
      { patient: { fullName: 'Amina Benali', nationality: 'DZ', dateOfBirth: '14/03/1978' } },
      { arrivalDate: '2026-02-30' },
      { plannedStayDays: 0 },
      { plannedStayDays: 1.5 },
      { site: { name: 'Paris', address: '' } },
    ];
    for (const overrides of bad) expect((await failure(activities.issueVisaCertificate(input(reference, overrides)))).type).toBe('InvalidInput');
    const after = await activities.issueVisaCertificate(input(reference));
    expect(Number(after.number.slice(-6))).toBe(Number(before.number.slice(-6)) + 1);
  });
});
