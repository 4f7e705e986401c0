// A worker sends at most SMTP_MAX_CONNECTIONS emails at once. An email the mail server accepted is
// sent again only if its worker dies before recording it, so this bound is also the most one crash
// can send twice. Against a real SMTP server that holds each message a while, and a real database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createEmailActivities, createTransport } from '../activities/email';
import { createDb, type Db } from '../lib/db';
import { freePort } from '../harness/ports';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup prepares the template database.`);
  return value;
}

let dir: string;
let db: Db;
let server: SMTPServer;
let port: number;
/** Messages between MAIL FROM and the reply to their data, now and at most. */
let open = 0;
let mostOpen = 0;
const received: string[] = [];

beforeAll(async () => {
  dir = path.join(env('PARCOURS_TEST_DIR'), `email-slots-${crypto.randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), path.join(dir, 'parcours.db'));
  db = createDb(`file:${path.join(dir, 'parcours.db')}`);
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A message is in flight from its MAIL FROM to the server's reply to its data (a connection may
    // still be closing after that, while the sender's next one opens).
    onMailFrom(_address, _session, callback) {
      open++;
      mostOpen = Math.max(mostOpen, open);
      callback();
    },
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (d: Buffer) => (text += d.toString()));
      // A slow server: every sender that is allowed to is connected at the same time.
      stream.on('end', () => setTimeout(() => {
        received.push(/^Message-ID: (.*)$/im.exec(text)?.[1]?.trim() ?? '');
        open--;
        callback();
      }, 150));
    },
  });
  port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.$disconnect();
});

const input = (n: number, run: string) => {
  const reference = `INT-2026-9${String(n).padStart(5, '0')}`;
  return { idempotencyKey: `slots-${run}:${n}`, to: `patient${n}@example.test`, template: 'acknowledgement' as const, language: 'en' as const, vars: { reference, firstName: 'Ana', lastName: 'Silva' }, caseReference: reference, requestType: 'medical_opinion' as const };
};

it.each([1, 2, 3])('sends at most %i email(s) at once and every email exactly once', async (slots) => {
  const run = `${slots}-${crypto.randomUUID().slice(0, 6)}`;
  const email = createEmailActivities({
    db,
    transport: createTransport({ host: '127.0.0.1', port, secure: false, from: 'Parcours Test <international@parcours.test>' }),
    from: 'Parcours Test <international@parcours.test>',
    publicBaseUrl: 'http://parcours.test',
    documentsDir: path.join(dir, 'documents'),
    maxConcurrentSends: slots,
  });
  mostOpen = 0;
  const before = received.length;
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => email.sendEmail(input(n, run))));

  expect(mostOpen).toBe(slots);
  expect(results.every((r) => r.sentNow)).toBe(true);
  const got = received.slice(before).sort();
  expect(got).toEqual(results.map((r) => r.messageId).sort());
  const rows = await db.outboundEmail.findMany({ where: { idempotencyKey: { startsWith: `slots-${run}:` } } });
  expect(rows.map((r) => [r.status, r.attempts, r.sendingUntil])).toEqual(Array(6).fill(['sent', 1, null]));
});
