// Emails with documents attached, against a real SQLite database, the content-addressed document
// store, the mail relay and a real SMTP server: the bytes that arrive are the stored ones, a document
// of another case is refused, and a retried email activity never sends the email (or its
// attachments) twice. Also the staff audiences of the later steps, each to its configured address.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import { createEmailActivities, createTransport, type SendEmailInput } from '../activities/email';
import { createStaffEmailActivities, type StaffAudience } from '../activities/staffEmails';
import { startMailRelay, type MailRelay } from '../workers/mailRelay';
import { DocumentStore } from '../lib/documentStore';
import { createDb, type Db } from '../lib/db';
import { createCaseRow } from './support/caseRows';
import { eventually } from './support/cases';
import { startSmtpCapture, type SmtpCapture } from '../harness/smtpCapture';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup prepares the template database.`);
  return value;
}

const STAFF = {
  admissionTeamEmail: 'admissions@parcours.test',
  mdtSecretariatEmail: 'rcp@parcours.test',
  radiotherapyTeamEmail: 'proton@parcours.test',
  financeTeamEmail: 'finance@parcours.test',
  supportTeamEmail: 'support@parcours.test',
  medicalAssistantsEmail: 'assistants@parcours.test',
};

let dir: string;
let db: Db;
let smtp: SmtpCapture;
let transport: Transporter;
let store: DocumentStore;
/** Keys whose activity fails once after queuing the email, as when a worker dies before completing. */
const crashAfterQueue = new Set<string>();
let email: ReturnType<typeof createEmailActivities>;
let relay: MailRelay;

beforeAll(async () => {
  dir = path.join(env('PARCOURS_TEST_DIR'), `email-attachments-${crypto.randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir);
  const dbFile = path.join(dir, 'parcours.db');
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), dbFile);
  db = createDb(`file:${dbFile}`);
  smtp = await startSmtpCapture();
  transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'Parcours Test <international@parcours.test>' });
  store = new DocumentStore(path.join(dir, 'documents'));
  relay = startMailRelay({ db, transport, from: 'Parcours Test <international@parcours.test>', documentsDir: store.root, maxConcurrentSends: 2, pollMs: 50 });
  email = createEmailActivities({
    db,
    from: 'Parcours Test <international@parcours.test>',
    publicBaseUrl: 'http://parcours.test',
    onQueued: () => relay.wake(),
    afterQueued: (input) => {
      if (crashAfterQueue.delete(input.idempotencyKey)) throw new Error('simulated crash after the email was queued');
    },
  });
});
afterAll(async () => {
  await relay?.stop();
  transport?.close();
  await smtp?.close();
  await db?.$disconnect();
});


/** A case of an English-speaking patient, waiting on the patient: the documents and emails are filed under it. */
const newCase = () => createCaseRow(db, { awaitingRole: 'patient', language: 'en' });

/** Keeps bytes in the store the way uploads and issued PDFs are kept, and files them under the case. */
async function storeDocument(caseId: string, bytes: Buffer, originalName: string, mediaType: string, uploadedById = 'system:test'): Promise<string> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(path.join(dir, 'incoming'), { recursive: true });
  const temp = path.join(dir, 'incoming', crypto.randomUUID());
  fs.writeFileSync(temp, bytes);
  await store.keep(temp, sha256);
  fs.rmSync(temp);
  const doc = await db.document.create({
    data: { caseId, sha256, sizeBytes: bytes.length, mediaType, kind: 'estimate', language: 'en', needsTranslation: false, originalName, uploadedById },
  });
  return doc.id;
}

/** A small PDF-looking payload with random bytes, so a mangled attachment cannot pass. */
const pdfBytes = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(4096), Buffer.from('\n%%EOF\n')]);

function estimateEmail(reference: string, attachDocumentIds: string[], key = `case-${reference}:estimate_issued:1`): SendEmailInput {
  return {
    idempotencyKey: key,
    to: `${reference.toLowerCase()}@example.test`,
    template: 'estimate_issued',
    language: 'en',
    caseReference: reference,
    requestType: 'proton_therapy',
    attachDocumentIds,
    vars: { reference, firstName: 'Amina', lastName: 'Benali', number: 'DEV-2026-000001', total: '€12,345.00', validUntil: '14 April 2026', coverageNotice: 'Your insurer may cover it.' },
  };
}

const sentTo = (reference: string) => smtp.messages.filter((m) => m.subject.includes(reference));
/** The first email about the case, once the relay delivered it. */
const delivered = (reference: string) => smtp.waitFor((m) => m.subject.includes(reference), 10_000);
/** Lets the relay run a few rounds, so an email it should not send would have arrived. */
const settle = () => new Promise((r) => setTimeout(r, 400));

it('attaches the stored bytes with the original name and detected type', async () => {
  const { reference, caseId } = await newCase();
  const pdf = pdfBytes();
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(2048)]);
  const estimateId = await storeDocument(caseId, pdf, 'DEV-2026-000001.pdf', 'application/pdf');
  const mapId = await storeDocument(caseId, png, 'plan d’accès.png', 'image/png');

  const result = await email.sendEmail(estimateEmail(reference, [estimateId, mapId]));
  expect(result.queuedNow).toBe(true);

  const mail = await delivered(reference);
  expect(mail.subject).toBe(`Case ${reference}: your estimate DEV-2026-000001`);
  expect(mail.text).toContain(`http://parcours.test/cases/${reference}`);
  expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    ['DEV-2026-000001.pdf', 'application/pdf'],
    ['plan d’accès.png', 'image/png'],
  ]);
  expect(mail.attachments[0].content.equals(pdf)).toBe(true);
  expect(mail.attachments[1].content.equals(png)).toBe(true);
});

it('refuses a document of another case for good, naming it, and sends nothing', async () => {
  const mine = await newCase();
  const other = await newCase();
  const ownId = await storeDocument(mine.caseId, pdfBytes(), 'mine.pdf', 'application/pdf');
  const othersId = await storeDocument(other.caseId, pdfBytes(), 'other.pdf', 'application/pdf');
  const input = estimateEmail(mine.reference, [ownId, othersId]);

  const failure: unknown = await email.sendEmail(input).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ nonRetryable: true, type: 'InvalidInput' });
  expect((failure as Error).message).toContain(`Cannot attach document ${othersId}`);
  expect((failure as Error).message).toContain(`not ${mine.reference}`);

  // Neither sent nor left pending in the outbox.
  await settle();
  expect(sentTo(mine.reference)).toHaveLength(0);
  expect(await db.outboundEmail.findUnique({ where: { idempotencyKey: input.idempotencyKey } })).toBeNull();
});

it('refuses an unknown document ID, and attachments without a case', async () => {
  const { reference, caseId } = await newCase();
  const ownId = await storeDocument(caseId, pdfBytes(), 'mine.pdf', 'application/pdf');
  await expect(email.sendEmail(estimateEmail(reference, [ownId, 'no-such-document']))).rejects.toMatchObject({
    nonRetryable: true,
    message: expect.stringContaining('Cannot attach document no-such-document'),
  });
  const { caseReference: _omitted, ...withoutCase } = estimateEmail(reference, [ownId]);
  await expect(email.sendEmail({ ...withoutCase, vars: { ...withoutCase.vars, caseUrl: 'http://parcours.test/cases/x' } })).rejects.toMatchObject({
    nonRetryable: true,
    message: expect.stringContaining('names no caseReference'),
  });
  expect(sentTo(reference)).toHaveLength(0);
});

it('refuses to attach a document the patient uploaded: the medical file stays on the portal', async () => {
  const { reference, caseId } = await newCase();
  const uploaded = await storeDocument(caseId, pdfBytes(), 'scan report.pdf', 'application/pdf', 'patient:someone');
  await expect(email.sendEmail(estimateEmail(reference, [uploaded]))).rejects.toMatchObject({
    nonRetryable: true,
    message: expect.stringContaining('Only documents Parcours issues can be attached'),
  });
  expect(sentTo(reference)).toHaveLength(0);
});

it('sends an email with attachments once when the activity fails after queuing it and is retried', async () => {
  const { reference, caseId } = await newCase();
  const pdf = pdfBytes();
  const id = await storeDocument(caseId, pdf, 'DEV-2026-000002.pdf', 'application/pdf');
  const input = estimateEmail(reference, [id]);
  crashAfterQueue.add(input.idempotencyKey);

  await expect(email.sendEmail(input)).rejects.toThrow('simulated crash after the email was queued');
  // The retry (same input, as Temporal gives it) finds the outbox row and queues nothing.
  await expect(email.sendEmail(input)).resolves.toMatchObject({ queuedNow: false });

  await delivered(reference);
  await settle();
  const mails = sentTo(reference);
  expect(mails).toHaveLength(1);
  expect(mails[0].attachments[0].content.equals(pdf)).toBe(true);
  expect(await db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } })).toMatchObject({ status: 'sent', attempts: 1 });
});

it('sends an email once when a retried attempt runs beside the first (the first outlived its timeout)', async () => {
  const { reference, caseId } = await newCase();
  const id = await storeDocument(caseId, pdfBytes(), 'DEV-2026-000003.pdf', 'application/pdf');
  const input = estimateEmail(reference, [id]);

  const outcomes = await Promise.all([email.sendEmail(input), email.sendEmail(input)]);
  // One queues it; the other finds it queued.
  expect(outcomes.map((o) => o.queuedNow).sort()).toEqual([false, true]);
  await delivered(reference);
  await expect(email.sendEmail(input)).resolves.toMatchObject({ queuedNow: false });
  await settle();
  expect(sentTo(reference)).toHaveLength(1);
  expect(await db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } })).toMatchObject({ status: 'sent', attempts: 1 });
});

it('retries (and sends nothing) while a document file is missing from the store, saying why', async () => {
  const { reference, caseId } = await newCase();
  const bytes = pdfBytes();
  const id = await storeDocument(caseId, bytes, 'lost.pdf', 'application/pdf');
  const { sha256 } = await db.document.findUniqueOrThrow({ where: { id } });
  fs.rmSync(store.blobPath(sha256));
  const input = estimateEmail(reference, [id]);

  await expect(email.sendEmail(input)).resolves.toMatchObject({ queuedNow: true });
  const row = () => db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
  await eventually(async () => expect((await row()).lastError).not.toBeNull());
  const failed = await row();
  expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
  expect(failed.lastError).toContain(`Cannot read document ${id}`);
  expect(failed.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
  expect(sentTo(reference)).toHaveLength(0);

  // Once the file is back, the next attempt (2 s later) sends it.
  const temp = path.join(dir, 'incoming', crypto.randomUUID());
  fs.writeFileSync(temp, bytes);
  await store.keep(temp, sha256);
  expect((await delivered(reference)).attachments[0].content.equals(bytes)).toBe(true);
  await eventually(async () => expect((await row()).status).toBe('sent'));
  expect(await row()).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
});

it('links a payment absolutely from the path the workflow gives', async () => {
  const { reference } = await newCase();
  await email.sendEmail({
    idempotencyKey: `case-${reference}:guarantee_request:1`,
    to: 'amina@example.test',
    template: 'guarantee_request',
    language: 'fr',
    caseReference: reference,
    requestType: 'proton_therapy',
    vars: { reference, firstName: 'Amina', lastName: 'Benali', number: 'DEV-2026-000003', total: '12 345,00 €', amount: '12 345,00 €', paymentPath: `/cases/${reference}/payments/pay_9`, coverageNotice: '' },
  });
  const mail = await delivered(reference);
  expect(mail.text).toContain(`régler 12 345,00 € de façon sécurisée ici : http://parcours.test/cases/${reference}/payments/pay_9`);
  expect(mail.attachments).toEqual([]);
});

describe('staff emails', () => {
  const staff = () => createStaffEmailActivities({ db, sendEmail: email.sendEmail, ...STAFF });

  it.each([
    ['finance', 'estimate_to_finance', { number: 'DEV-2026-000004', total: '€9,000.00' }, STAFF.financeTeamEmail],
    ['support', 'task_assigned', { taskLabel: 'Interprète', taskId: 'task-1' }, STAFF.supportTeamEmail],
    ['medical_assistants', 'task_reminder', { taskLabel: 'Changement de rendez-vous', taskId: 'task-2' }, STAFF.medicalAssistantsEmail],
  ] as const)('%s gets %s at its configured address, with its values and the reference', async (audience: StaffAudience, template, vars, address) => {
    const { reference } = await newCase();
    const result = await staff().emailStaff({
      idempotencyKey: `case-${reference}:${template}`,
      audience,
      coordinatorId: null,
      reference,
      requestType: 'proton_therapy',
      template,
      // A stray reference in vars never redirects the email to another case.
      vars: { ...vars, reference: 'INT-2026-999999' },
    });
    expect(result).toEqual({ to: address });
    const mail = await delivered(reference);
    expect(mail.to).toEqual([address]);
    expect(mail.text).toContain(`http://parcours.test/cases/${reference}`);
    for (const value of Object.values(vars)) expect(`${mail.subject}\n${mail.text}`).toContain(value);
    expect(mail.text).not.toContain('INT-2026-999999');
  });

  it('still sends the first templates without vars', async () => {
    const { reference } = await newCase();
    await expect(
      staff().emailStaff({ idempotencyKey: `case-${reference}:mdt_request`, audience: 'mdt', coordinatorId: null, reference, requestType: 'proton_therapy', template: 'mdt_request' }),
    ).resolves.toEqual({ to: STAFF.radiotherapyTeamEmail });
  });

  it('refuses to send a staff template whose values are missing', async () => {
    const { reference } = await newCase();
    await expect(
      staff().emailStaff({ idempotencyKey: `case-${reference}:task_overdue`, audience: 'coordinator', coordinatorId: null, reference, requestType: 'treatment', template: 'task_overdue' }),
    ).rejects.toThrow("Email template 'task_overdue' needs a value for {taskLabel}");
    expect(sentTo(reference)).toHaveLength(0);
  });
});
