// The mail relay sends at most SMTP_MAX_CONNECTIONS emails at once; of several relays, one holds the
// outbox at a time. An email the mail server accepted
// is sent again only if the relay dies before recording it, so this bound is also the most one crash
// can send twice; stopped (SIGTERM), it finishes and records its sends first. Emails to one person
// about one case go in the order they were queued. Against a real SMTP server that holds each
// message a while, and a real database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createEmailActivities, createTransport } from '../activities/email';
import { startMailRelay } from '../workers/mailRelay';
import { createDb, type Db } from '../lib/db';
import { freePort } from '../harness/ports';
import { eventually } from './support/cases';

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
/** Message-IDs in the order the server accepted them. */
const received: string[] = [];
const FROM = 'Parcours Test <international@parcours.test>';

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

const input = (n: number, run: string, reference = `INT-2026-9${String(n).padStart(5, '0')}`) => ({
  idempotencyKey: `slots-${run}:${n}`, to: 'patient@example.test', template: 'acknowledgement' as const, language: 'en' as const,
  vars: { reference, firstName: 'Ana', lastName: 'Silva' }, caseReference: reference, requestType: 'medical_opinion' as const,
});

/** A relay with `slots` sends at once, and the activity that queues for it. */
function mailPath(slots: number) {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, from: FROM });
  const relay = startMailRelay({ db, transport, from: FROM, documentsDir: path.join(dir, 'documents'), maxConcurrentSends: slots, pollMs: 50 });
  const email = createEmailActivities({ db, from: FROM, publicBaseUrl: 'http://parcours.test', onQueued: relay.wake });
  return { relay, email, transport };
}


const rowsOf = (run: string) => db.outboundEmail.findMany({ where: { idempotencyKey: { startsWith: `slots-${run}:` } }, orderBy: { id: 'asc' } });

it.each([1, 2, 3])('sends at most %i email(s) at once and every email exactly once', async (slots) => {
  const run = `${slots}-${crypto.randomUUID().slice(0, 6)}`;
  const { relay, email, transport } = mailPath(slots);
  mostOpen = 0;
  const before = received.length;
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => email.sendEmail(input(n, run))));
  expect(results.every((r) => r.queuedNow)).toBe(true);
  await eventually(async () => expect((await rowsOf(run)).every((r) => r.status === 'sent')).toBe(true));
  await relay.stop();
  transport.close();

  expect(mostOpen).toBe(slots);
  expect(received.slice(before).sort()).toEqual(results.map((r) => r.messageId).sort());
  expect((await rowsOf(run)).map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(['sent', 1]));
});

it('sends the emails to one person about one case one at a time, in the order they were queued', async () => {
  const run = `order-${crypto.randomUUID().slice(0, 6)}`;
  const { relay, email, transport } = mailPath(3);
  mostOpen = 0;
  const before = received.length;
  const queued = [];
  for (const n of [0, 1, 2, 3]) queued.push(await email.sendEmail(input(n, run, 'INT-2026-900100')));
  await eventually(() => expect(received.length).toBe(before + 4));
  await relay.stop();
  transport.close();

  expect(mostOpen).toBe(1);
  expect(received.slice(before)).toEqual(queued.map((q) => q.messageId));
});

it('finishes and records the emails it is sending when stopped, and leaves the rest queued for the next start', async () => {
  const run = `stop-${crypto.randomUUID().slice(0, 6)}`;
  const first = mailPath(2);
  const before = received.length;
  const queued = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => first.email.sendEmail(input(n, run))));
  // Polled often: the two sends are in flight for a few hundred milliseconds.
  await eventually(() => expect(open).toBe(2), 10_000, 20);
  await first.relay.stop();
  first.transport.close();

  // Stopped mid-send: the two in flight went out and are recorded; nothing else was started.
  const rows = await rowsOf(run);
  expect(rows.filter((r) => r.status === 'sent').map((r) => r.attempts)).toEqual([1, 1]);
  expect(rows.filter((r) => r.status === 'pending').map((r) => r.attempts)).toEqual([0, 0, 0, 0]);
  expect(received.length).toBe(before + 2);

  const second = mailPath(2);
  await eventually(async () => expect((await rowsOf(run)).every((r) => r.status === 'sent')).toBe(true));
  await second.relay.stop();
  second.transport.close();
  expect(received.slice(before).sort()).toEqual(queued.map((q) => q.messageId).sort());
});

it('with two relays running, one holds the outbox and every email goes once', async () => {
  const run = `two-${crypto.randomUUID().slice(0, 6)}`;
  const a = mailPath(2);
  const b = mailPath(2);
  const before = received.length;
  const queued = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => (n % 2 ? a : b).email.sendEmail(input(n, run))));
  await eventually(async () => expect((await rowsOf(run)).every((r) => r.status === 'sent')).toBe(true));
  await Promise.all([a.relay.stop(), b.relay.stop()]);
  a.transport.close();
  b.transport.close();
  expect(received.slice(before).sort()).toEqual(queued.map((q) => q.messageId).sort());
});

it('sends nothing while a relay that died holds the outbox, and takes over once its lease ran out', async () => {
  const run = `dead-${crypto.randomUUID().slice(0, 6)}`;
  const until = new Date(Date.now() + 1_500);
  await db.mailRelayLease.upsert({ where: { id: 'outbox' }, create: { id: 'outbox', holder: 'a relay that was killed', until }, update: { holder: 'a relay that was killed', until } });
  const { relay, email, transport } = mailPath(2);
  const before = received.length;
  await Promise.all([0, 1].map((n) => email.sendEmail(input(n, run))));
  await new Promise((r) => setTimeout(r, 800));
  expect(received.length).toBe(before);

  await eventually(async () => expect((await rowsOf(run)).every((r) => r.status === 'sent')).toBe(true));
  expect(Date.now()).toBeGreaterThanOrEqual(until.getTime());
  await relay.stop();
  transport.close();
  expect(received.length).toBe(before + 2);
  expect((await db.mailRelayLease.findUniqueOrThrow({ where: { id: 'outbox' } })).until.getTime()).toBe(0);
});
