// The mail server down: emails wait in the outbox (ops see them with the last error, through
// lib/ops/outbox.ts behind `npm run ops:outbox`), and once it is back the relay delivers each one
// once, in the order they were queued. Real SQLite database, real SMTP server stopped and restarted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import { createEmailActivities, createTransport } from '../activities/email';
import { startSmtpCapture, type SmtpCapture } from '../harness/smtpCapture';
import { createDb, type Db } from '../lib/db';
import { outboxReport } from '../lib/ops/outbox';
import { startMailRelay, type MailRelay } from '../workers/mailRelay';
import { eventually } from './support/cases';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup prepares the template database.`);
  return value;
}

const FROM = 'Parcours Test <international@parcours.test>';
let db: Db;
let smtp: SmtpCapture;
let transport: Transporter;
let relay: MailRelay;

beforeAll(async () => {
  const dir = path.join(env('PARCOURS_TEST_DIR'), `mail-outage-${crypto.randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), path.join(dir, 'parcours.db'));
  db = createDb(`file:${path.join(dir, 'parcours.db')}`);
  smtp = await startSmtpCapture();
  transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, from: FROM });
  relay = startMailRelay({ db, transport, from: FROM, documentsDir: path.join(dir, 'documents'), maxConcurrentSends: 2, pollMs: 50 });
});
afterAll(async () => {
  await relay?.stop();
  transport?.close();
  await smtp?.close();
  await db?.$disconnect();
});


it('keeps the emails while the mail server is down, shows why, then delivers each once in order', async () => {
  const email = createEmailActivities({ db, from: FROM, publicBaseUrl: 'http://parcours.test', onQueued: relay.wake });
  const reference = 'INT-2026-900200';
  await smtp.suspend();
  const queued = [];
  for (const step of ['acknowledgement', 'file_reminder']) {
    queued.push(await email.sendEmail({ idempotencyKey: `case-${reference}:${step}`, to: 'ana@example.test', template: 'acknowledgement', language: 'fr', caseReference: reference, requestType: 'medical_opinion', vars: { reference, firstName: 'Ana', lastName: 'Silva' } }));
  }

  // The first one was tried and failed; the second waits behind it (same person, same case).
  await eventually(async () => expect((await outboxReport(db)).failing).toBe(1), 15_000);
  const report = await outboxReport(db);
  expect(report.pending).toBe(2);
  expect(report.waiting.map((w) => [w.reference, w.attempts])).toEqual([[reference, 1], [reference, 0]]);
  expect(report.waiting[0].lastError).toMatch(/ECONNREFUSED|connect/i);
  expect(report.waiting[0].nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() - 100);

  await smtp.resume();
  await eventually(async () => expect((await outboxReport(db)).pending).toBe(0), 15_000);
  const mine = smtp.messages.filter((m) => m.subject.includes(reference));
  expect(mine.map((m) => m.messageId)).toEqual(queued.map((q) => q.messageId));
  expect(await db.outboundEmail.findMany({ where: { caseReference: reference }, orderBy: { id: 'asc' }, select: { status: true, lastError: true } })).toEqual([
    { status: 'sent', lastError: null },
    { status: 'sent', lastError: null },
  ]);
});
