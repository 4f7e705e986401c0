// The payment provider webhook end to end: signed delivery → case workflow (update) → Payment row,
// against the real Temporal dev server and SQLite. Every refusal is checked to record nothing.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { signPayload } from '../api/payments/signature';
import { cancelCaseSignal, type CaseState } from '../workflows/definitions';
import { signUp, staff, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { freePort } from '../harness/ports';
import { startStack, type Stack } from './support/stack';
import { dataConverterOf } from '../lib/payloadCrypto';

let stack: Stack;
let patient: Actor;
let secret: string;
const logLines: { level: number; msg: string; [k: string]: unknown }[] = [];

beforeAll(async () => {
  // A real pino logger whose output the tests read (the ops warning for a payment on a closed case).
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
      done();
    },
  });
  stack = await startStack({ logger: pino({ level: 'warn' }, sink) });
  secret = stack.config.payments.webhookSecret;
  patient = await signUp(stack, 'patient');
});
afterAll(async () => {
  await stack.stop();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
let seq = 0;
const newPaymentId = () => `pay_${process.pid}.${++seq}:${crypto.randomUUID().slice(0, 8)}`;

function payment(caseReference: string, over: Record<string, unknown> = {}) {
  return { paymentId: newPaymentId(), caseReference, amountCents: 150_000, currency: 'EUR', purpose: 'Deposit, estimate DEV-2026-0042', paidAt: '2026-03-01T10:15:00Z', ...over };
}

interface DeliveryOptions {
  secret?: string;
  timestamp?: number;
  /** Sign these bytes instead of the ones sent (a tampered body). */
  signedBody?: string;
  contentType?: string;
  omit?: ('Parcours-Timestamp' | 'Parcours-Signature')[];
  app?: Stack['app'];
}

/** POSTs the exact bytes of `body`, signed as a provider would. */
function deliver(body: unknown, opts: DeliveryOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = opts.timestamp ?? nowSeconds();
  let req = request(opts.app ?? stack.app).post('/webhooks/payments').set('Content-Type', opts.contentType ?? 'application/json');
  if (!opts.omit?.includes('Parcours-Timestamp')) req = req.set('Parcours-Timestamp', String(ts));
  if (!opts.omit?.includes('Parcours-Signature')) req = req.set('Parcours-Signature', signPayload(opts.secret ?? secret, ts, opts.signedBody ?? raw));
  return req.send(raw);
}

async function openCase(): Promise<string> {
  const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
  expect(res.status).toBe(201);
  const reference: string = res.body.reference;
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  return reference;
}

async function stateOf(reference: string): Promise<CaseState> {
  const res = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
  expect(res.status).toBe(200);
  return res.body as CaseState;
}

/** Payment rows and what the workflow counted: both must stay put when a delivery is refused. */
async function recorded(reference: string) {
  const c = await stack.db.case.findUniqueOrThrow({ where: { reference } });
  const state = await stateOf(reference);
  return { rows: await stack.db.payment.count({ where: { caseId: c.id } }), allRows: await stack.db.payment.count(), amountPaidCents: state.amountPaidCents, payments: state.payments.length };
}

describe('POST /webhooks/payments', () => {
  let reference: string;
  beforeAll(async () => {
    reference = await openCase();
  });

  it('counts a correctly signed payment in the workflow, shows it in the case state and records one Payment row', async () => {
    const p = payment(reference, { paidAt: '2026-03-01T11:15:00+01:00' });
    const res = await deliver(p);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: p.paymentId, duplicate: false, amountPaidCents: 150_000, forwarded: true });

    const state = await stateOf(reference);
    expect(state.amountPaidCents).toBe(150_000);
    // The time is passed on in UTC.
    expect(state.payments).toEqual([{ paymentId: p.paymentId, amountCents: 150_000, currency: 'EUR', purpose: p.purpose, paidAt: '2026-03-01T10:15:00.000Z', allocatedTo: 'study_fee' }]); // no estimate yet: it counts towards the fee
    expect(state.timeline.map((e) => e.type)).toContain('payment_received');

    const c = await stack.db.case.findUniqueOrThrow({ where: { reference } });
    const rows = await stack.db.payment.findMany({ where: { caseId: c.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ paymentId: p.paymentId, amountCents: 150_000, currency: 'EUR', purpose: p.purpose, paidAt: new Date('2026-03-01T10:15:00Z') });
  });

  const bytes = (p: unknown) => JSON.stringify(p);
  it.each([
    ['a signature made with another secret', (p: object) => deliver(p, { secret: 'not-the-webhook-secret-0123456789abcdef' })],
    ['a tampered body (signature of another amount)', (p: object) => deliver(p, { signedBody: bytes({ ...p, amountCents: 1 }) })],
    [
      'a timestamp changed after signing',
      (p: object) => {
        const ts = nowSeconds();
        return request(stack.app).post('/webhooks/payments').set('Content-Type', 'application/json').set('Parcours-Timestamp', String(ts - 1)).set('Parcours-Signature', signPayload(secret, ts, bytes(p))).send(bytes(p));
      },
    ],
  ])('answers 401 invalid_signature for %s, records nothing and forwards nothing', async (_label, send) => {
    const before = await recorded(reference);
    const p = payment(reference, { amountCents: 99_999 });
    const res = await send(p);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_signature');
    expect(await recorded(reference)).toEqual(before);
    expect(await stack.db.payment.findUnique({ where: { paymentId: p.paymentId } })).toBeNull();
  });

  it('answers 401 stale_timestamp for a delivery signed 6 minutes ago or 6 minutes ahead, recording nothing', async () => {
    const before = await recorded(reference);
    for (const ts of [nowSeconds() - 6 * 60, nowSeconds() + 6 * 60]) {
      const res = await deliver(payment(reference), { timestamp: ts });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('stale_timestamp');
    }
    expect(await recorded(reference)).toEqual(before);
  });

  it('answers 401 when the signature headers are missing, recording nothing', async () => {
    const before = await recorded(reference);
    for (const omit of [['Parcours-Timestamp', 'Parcours-Signature'], ['Parcours-Signature'], ['Parcours-Timestamp']] as DeliveryOptions['omit'][]) {
      const res = await deliver(payment(reference), { omit });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    const badHeader = await request(stack.app).post('/webhooks/payments').set('Parcours-Timestamp', String(nowSeconds())).set('Parcours-Signature', 'sha256=abc').send(payment(reference));
    expect(badHeader.status).toBe(401);
    expect(await recorded(reference)).toEqual(before);
  });

  it.each([
    ['a zero amount', { amountCents: 0 }, ['amountCents']],
    ['a negative amount', { amountCents: -500 }, ['amountCents']],
    ['a fractional amount', { amountCents: 10.5 }, ['amountCents']],
    ['an amount as a string', { amountCents: '1000' }, ['amountCents']],
    ['an unsafe integer amount', { amountCents: 2 ** 60 }, ['amountCents']],
    ['another currency', { currency: 'USD' }, ['currency']],
    ['a malformed case reference', { caseReference: 'INT-26-1' }, ['caseReference']],
    ['a payment ID with spaces', { paymentId: 'pay 1' }, ['paymentId']],
    ['a payment ID over 100 characters', { paymentId: 'p'.repeat(101) }, ['paymentId']],
    ['an empty purpose', { purpose: '   ' }, ['purpose']],
    ['a purpose over 100 characters', { purpose: 'x'.repeat(101) }, ['purpose']],
    ['a date without time', { paidAt: '2026-03-01' }, ['paidAt']],
    ['a payment time 10 minutes in the future', { paidAt: new Date(Date.now() + 10 * 60_000).toISOString() }, ['paidAt']],
    ['an unknown field (strict body)', { status: 'settled' }, ['(body)']],
    ['missing fields', { paymentId: undefined, amountCents: undefined }, ['paymentId', 'amountCents']],
  ])('answers 400 for a correctly signed body with %s, recording nothing', async (_label, over, paths) => {
    const before = await recorded(reference);
    const res = await deliver(payment(reference, over));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const reported = (res.body.error.details as { path: string }[]).map((d) => d.path);
    for (const p of paths) expect(reported).toContain(p);
    expect(await recorded(reference)).toEqual(before);
  });

  it('answers 400 for correctly signed malformed JSON', async () => {
    const before = await recorded(reference);
    const res = await deliver('{"paymentId": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
    expect(await recorded(reference)).toEqual(before);
  });

  it('answers 404 unknown_case for a reference no case has, recording nothing', async () => {
    const before = await stack.db.payment.count();
    const p = payment('INT-2099-999999');
    const res = await deliver(p);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_case');
    expect(await stack.db.payment.count()).toBe(before);
  });

  it('answers 415 (never 500) for a body that is not JSON, even signed, recording nothing', async () => {
    const before = await recorded(reference);
    const p = payment(reference);
    const form = new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, String(v)])).toString();
    for (const [contentType, body] of [['application/x-www-form-urlencoded', form], ['text/plain', JSON.stringify(p)]]) {
      const res = await deliver(body, { contentType });
      expect([415, 401]).toContain(res.status);
      expect(res.body.error.code).toMatch(/unsupported_media_type|invalid_signature/);
    }
    expect(await recorded(reference)).toEqual(before);
  });
});

describe('idempotency by payment ID', () => {
  it('counts a delivery replayed three times once: same answer, same row, same total', async () => {
    const reference = await openCase();
    const p = payment(reference, { amountCents: 80_000 });
    const first = await deliver(p);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ paymentId: p.paymentId, duplicate: false, amountPaidCents: 80_000, forwarded: true });
    const row = await stack.db.payment.findUniqueOrThrow({ where: { paymentId: p.paymentId } });

    for (let i = 0; i < 3; i++) {
      // A provider retry is signed again with a new timestamp: the body is the same.
      const again = await deliver(p, { timestamp: nowSeconds() - i });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ paymentId: p.paymentId, duplicate: true, amountPaidCents: 80_000, forwarded: true });
    }
    expect(await stack.db.payment.findUniqueOrThrow({ where: { paymentId: p.paymentId } })).toEqual(row);
    expect(await stack.db.payment.count({ where: { caseId: row.caseId } })).toBe(1);
    const state = await stateOf(reference);
    expect(state.amountPaidCents).toBe(80_000);
    expect(state.payments.map((x) => x.paymentId)).toEqual([p.paymentId]);
    expect(state.timeline.filter((e) => e.type === 'payment_received')).toHaveLength(1);
  });

  it('accumulates partial payments delivered interleaved (A, B, A, B, A): each counted once, total A+B', async () => {
    const reference = await openCase();
    const a = payment(reference, { amountCents: 120_000, purpose: 'Deposit' });
    const b = payment(reference, { amountCents: 35_050, purpose: 'Balance' });
    const answers: { paymentId: string; duplicate: boolean; amountPaidCents: number }[] = [];
    for (const p of [a, b, a, b, a]) {
      const res = await deliver(p);
      expect(res.status).toBe(200);
      answers.push(res.body as (typeof answers)[number]);
    }
    expect(answers.map((x) => [x.paymentId, x.duplicate, x.amountPaidCents])).toEqual([
      [a.paymentId, false, 120_000],
      [b.paymentId, false, 155_050],
      // A repeat answers the total as it was when that payment was first counted.
      [a.paymentId, true, 120_000],
      [b.paymentId, true, 155_050],
      [a.paymentId, true, 120_000],
    ]);
    const state = await stateOf(reference);
    expect(state.amountPaidCents).toBe(155_050);
    expect(state.payments.map((x) => x.paymentId)).toEqual([a.paymentId, b.paymentId]);
    const c = await stack.db.case.findUniqueOrThrow({ where: { reference } });
    const rows = await stack.db.payment.findMany({ where: { caseId: c.id }, orderBy: { amountCents: 'desc' } });
    expect(rows.map((r) => [r.paymentId, r.amountCents])).toEqual([
      [a.paymentId, 120_000],
      [b.paymentId, 35_050],
    ]);
  });

  it('counts each payment once when the repeats arrive concurrently', async () => {
    const reference = await openCase();
    const a = payment(reference, { amountCents: 10_000 });
    const b = payment(reference, { amountCents: 2_500 });
    const responses = await Promise.all([a, b, a, b, a, a].map((p) => deliver(p)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(2);
    const state = await stateOf(reference);
    expect(state.amountPaidCents).toBe(12_500);
    expect(state.payments).toHaveLength(2);
    const c = await stack.db.case.findUniqueOrThrow({ where: { reference } });
    expect(await stack.db.payment.count({ where: { caseId: c.id } })).toBe(2);
  });

  it('answers 409 for a known payment ID with another amount, changing nothing', async () => {
    const reference = await openCase();
    const p = payment(reference, { amountCents: 5_000 });
    expect((await deliver(p)).status).toBe(200);
    const before = await recorded(reference);
    const res = await deliver({ ...p, amountCents: 500_000 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('payment_id_conflict');
    expect(await recorded(reference)).toEqual(before);
    expect((await stack.db.payment.findUniqueOrThrow({ where: { paymentId: p.paymentId } })).amountCents).toBe(5_000);
  });
});

describe('when the case cannot take the payment', () => {
  it('records a payment for a case whose workflow has ended, answers 200 forwarded: false and warns ops', async () => {
    const reference = await openCase();
    const handle = stack.client.workflow.getHandle(`case-${reference}`);
    await handle.signal(cancelCaseSignal, { reason: 'Patient chose another centre', by: 'ops:test' });
    await handle.result();

    const p = payment(reference, { amountCents: 42_000 });
    const res = await deliver(p);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: p.paymentId, duplicate: false, amountPaidCents: null, forwarded: false });
    const row = await stack.db.payment.findUniqueOrThrow({ where: { paymentId: p.paymentId } });
    expect(row.amountCents).toBe(42_000);
    // Not counted by the ended case: all of it is owed back (finance's money-owed worklist, test/moneyBack.test.ts).
    expect(row.counted).toBe(false);
    const warning = logLines.find((l) => l.paymentId === p.paymentId);
    expect(warning).toMatchObject({ level: 40, caseReference: reference, amountCents: 42_000 });
    expect(warning?.msg).toMatch(/workflow has ended.*reconcile/);

    // The provider repeating it changes nothing either.
    const again = await deliver(p);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ paymentId: p.paymentId, duplicate: true, forwarded: false });
    expect(await stack.db.payment.findUniqueOrThrow({ where: { paymentId: p.paymentId } })).toEqual(row);
  });

  it('answers 503 case_not_started (retry later) for a case whose workflow has not started, recording nothing', async () => {
    // POST /cases records the case row before it starts the workflow: a payment can land in between.
    const reference = `INT-2099-${String(crypto.randomInt(1_000_000)).padStart(6, '0')}`;
    await stack.db.case.create({
      data: {
        reference, workflowId: `case-${reference}`, requestType: 'treatment', phase: 'received', language: 'en', nationality: 'MA', countryOfResidence: 'MA',
        patientFirstName: 'Amina', patientLastName: 'Benali', patientEmail: 'amina@example.test', patient: {},
      },
    });
    const p = payment(reference);
    const res = await deliver(p);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('case_not_started');
    expect(await stack.db.payment.findUnique({ where: { paymentId: p.paymentId } })).toBeNull();
  });

  it('answers 503 when the workflow service is unreachable, recording nothing', async () => {
    const reference = await openCase();
    // The same app wired to a Temporal address where nothing listens (client retries kept short).
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 2 }))] });
    const { app } = createApp({ db: stack.db, client: new Client({ connection, dataConverter: dataConverterOf(stack.client) }), config: stack.config, logger: pino({ level: 'silent' }) });
    try {
      const before = await recorded(reference);
      const p = payment(reference);
      const res = await deliver(p, { app });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('workflow_service_unavailable');
      expect(await stack.db.payment.findUnique({ where: { paymentId: p.paymentId } })).toBeNull();
      expect(await recorded(reference)).toEqual(before);
    } finally {
      await connection.close();
    }
  });
});

describe('POST /cases/:reference/payments (finance records a bank transfer)', () => {
  let reference: string;
  let finance: Actor;
  beforeAll(async () => {
    finance = await staff(stack, 'finance');
    reference = await openCase();
  });
  const record = (actor: Actor, body: Record<string, unknown>) => request(stack.app).post(`/cases/${reference}/payments`).set(actor.auth).send(body);

  it('counts the transfer in the workflow as a provider payment is, and records one Payment row; recording it again changes nothing', async () => {
    const paymentId = `virement.${process.pid}.${crypto.randomUUID().slice(0, 8)}`;
    const body = { paymentId, amountCents: 80_000, purpose: 'study_fee', receivedOn: '2026-03-02' };
    const first = await record(finance, body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ paymentId, duplicate: false, amountPaidCents: 80_000, forwarded: true });
    const state = await stateOf(reference);
    expect(state.payments).toEqual([{ paymentId, amountCents: 80_000, currency: 'EUR', purpose: 'study_fee', paidAt: '2026-03-02T12:00:00.000Z', allocatedTo: 'study_fee' }]);
    expect(await stack.db.payment.findUnique({ where: { paymentId } })).toMatchObject({ amountCents: 80_000, currency: 'EUR', purpose: 'study_fee', paidAt: new Date('2026-03-02T12:00:00Z') });

    const before = await recorded(reference);
    const again = await record(finance, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ paymentId, duplicate: true, amountPaidCents: 80_000 });
    expect(await recorded(reference)).toEqual(before);

    // The same ID with another amount is another payment: refused, nothing changes.
    const conflict = await record(finance, { ...body, amountCents: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('payment_id_conflict');
    expect(await recorded(reference)).toEqual(before);
  });

  it('gives the payment an ID when none is sent', async () => {
    const res = await record(finance, { amountCents: 100, purpose: 'study_fee', receivedOn: '2026-03-03' });
    expect(res.status).toBe(201);
    expect(res.body.paymentId).toMatch(/^transfer_[0-9a-f-]{36}$/);
    expect(await stack.db.payment.findUnique({ where: { paymentId: res.body.paymentId as string } })).not.toBeNull();
  });

  it('refuses an invalid body field by field, and anyone but finance, recording nothing', async () => {
    const before = await recorded(reference);
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const invalid = await record(finance, { amountCents: -5, purpose: '', receivedOn: future, currency: 'USD' });
    expect(invalid.status).toBe(400);
    const paths = (invalid.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['amountCents', 'purpose', 'receivedOn']));

    const care = await staff(stack, 'care_coordinator');
    const body = { amountCents: 100, purpose: 'study_fee', receivedOn: '2026-03-03' };
    expect((await record(care, body)).status).toBe(403);
    expect((await record(patient, body)).status).toBe(403);
    expect((await request(stack.app).post(`/cases/${reference}/payments`).send(body)).status).toBe(401);
    expect((await request(stack.app).post('/cases/INT-2026-999999/payments').set(finance.auth).send(body)).status).toBe(404);
    expect(await recorded(reference)).toEqual(before);
  });
});

describe('OpenAPI', () => {
  it('documents the webhook, its signature headers and the signature scheme', async () => {
    const res = await request(stack.app).get('/openapi.json');
    const op = res.body.paths['/webhooks/payments'].post as { parameters: { name: string; in: string }[]; responses: Record<string, unknown> };
    expect(op.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['header:Parcours-Timestamp', 'header:Parcours-Signature']));
    expect(JSON.stringify(op)).toContain('HMAC-SHA256');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '503']));
  });
});
