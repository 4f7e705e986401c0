// Fuzzing every write endpoint: at least 200 malformed bodies each, sent by a caller allowed to use
// the endpoint. Every answer is a 4xx (never a 5xx) and nothing is recorded.
import request from 'supertest';
import { signPayload } from '../api/payments/signature';
import { policy, STAFF_ROLES, type StaffRole } from '../api/policy';
import type { Operation } from '../api/routing';
import { signUp, staff, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

const BODIES_PER_ENDPOINT = 220;

let stack: Stack;
let patient: Actor;
const staffFor = {} as Record<StaffRole, Actor>;
let reference: string;

beforeAll(async () => {
  // Fuzzing sends thousands of sign-in-shaped requests: the limiter is tested elsewhere.
  stack = await startStack({ env: { RATE_LIMIT_AUTH_PER_15_MIN: '100000', RATE_LIMIT_UPLOADS_PER_MIN: '100000' } });
  patient = await signUp(stack, 'patient');
  for (const role of STAFF_ROLES) staffFor[role] = await staff(stack, role);
  const created = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
  reference = created.body.reference;
  // Settled (acknowledged) first, so no event of the case's own start lands while fuzzing counts records.
  await waitForState(stack.app, patient.auth, reference, (s) => s.timeline.some((e) => e.type === 'acknowledgement_sent'));
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A valid body per JSON write endpoint: each malformed body is this one broken for sure. */
function validExample(op: Operation): Record<string, Json> | undefined {
  const examples: Record<string, Record<string, Json>> = {
    'POST /auth/register': { email: 'new.person@example.test', password: 'a long enough passphrase', name: 'New Person', kind: 'patient', language: 'fr' },
    'POST /auth/verify-email/resend': { email: 'someone@example.test' },
    'POST /auth/login': { email: 'someone@example.test', password: 'whatever it is' },
    'POST /auth/refresh': { refreshToken: 'x'.repeat(43) },
    'POST /auth/password/forgot': { email: 'someone@example.test' },
    'POST /auth/password/set': { token: 'x'.repeat(40), password: 'a long enough passphrase' },
    'POST /cases': validCase(),
    'POST /cases/:reference/cancel': { reason: 'Duplicate of another case' },
    'POST /cases/:reference/messages': { body: 'Hello' },
    'PUT /cases/:reference/questionnaire': { pathologyName: 'Chordoma', dateOfBirth: '1978-03-14' },
    'PUT /cases/:reference/checklist/:itemId/none': { none: true },
    'POST /cases/:reference/review': { decision: 'incomplete', missingItems: ['gp_letter'], message: 'Please add the letter' },
    'PUT /cases/:reference/coordinator': { coordinatorId: '00000000-0000-4000-8000-000000000000' },
    'POST /cases/:reference/request-changes': { message: 'Please add the letter' },
    'POST /cases/:reference/report': { kind: 'mdt', strategy: 'treatment_here', summary: 'Proton therapy indicated' },
    'POST /cases/:reference/withdraw': { reason: 'Treated at home' },
    'POST /cases/:reference/estimates': { lines: [{ code: 'proton_fraction', quantity: 30 }] },
    'POST /cases/:reference/estimates/:number/decline': { reason: 'Too expensive' },
    'PUT /cases/:reference/coverage': { hasEhic: true },
    'POST /cases/:reference/estimates/:number/insurer-letters': { insurer: 'Allianz Care', policyNumber: 'P-123', coveredCents: 3_000_000, documentId: '00000000-0000-4000-8000-000000000000' },
    'PUT /cases/:reference/arrival': { date: '2099-03-01', plannedStayDays: 45, site: 'orsay' },
    'PUT /cases/:reference/companions': { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA' },
    'POST /cases/:reference/requests': { kind: 'interpreter', details: 'Arabic, for the first consultation' },
    'POST /cases/:reference/tasks/:taskId/complete': { outcome: 'Interpreter booked' },
    'POST /cases/:reference/discharge': { performed: [{ code: 'proton_fraction', quantity: 28 }] },
    'POST /cases/:reference/follow-ups': { at: '2099-06-01T10:30:00+02:00', description: 'MRI and consultation' },
    'POST /cases/:reference/refunds': { amountCents: 25_000, method: 'bank_transfer', reference: 'VIR-2026-0001' },
    'POST /cases/:reference/payments': { paymentId: 'virement-2020-0001', amountCents: 150_000, purpose: 'study_fee', receivedOn: '2020-01-15' },
    'POST /codec/decode': { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'ImhlbGxvIg==' }] },
    'POST /codec/encode': { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'ImhlbGxvIg==' }] },
    'POST /webhooks/payments': { paymentId: 'pay_1', caseReference: 'INT-2026-000001', amountCents: 100, currency: 'EUR', purpose: 'fees', paidAt: '2026-11-22T10:00:00Z' },
  };
  return examples[`${op.method.toUpperCase()} ${op.path}`];
}

function randomValueOtherThan(kind: string, r: () => number): Json {
  const candidates: Json[] = [null, true, 42, -1.5, 1e308, '', 'x'.repeat(Math.floor(r() * 3000)), [], [1, 'a', null], {}, { nested: { deeper: [{}] } }, '\u0000\u202e<script>', 'ä'.repeat(10)];
  const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const others = candidates.filter((v) => typeOf(v) !== kind);
  return others[Math.floor(r() * others.length)];
}

/** Malformed bodies: raw text that is not JSON, non-object JSON, and the valid example broken. */
function malformedBodies(example: Record<string, Json>, seed: number): (string | Json)[] {
  const r = rng(seed);
  const raw = ['{', '{"a":', '[1,2', 'nul', '{"x": undefined}', "{'single': 'quotes'}", '{"a":1,}', '\u0000', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}'];
  const out: (string | Json)[] = [...raw, null, 0, 'text', [], [example], true];
  const keys = Object.keys(example);
  while (out.length < BODIES_PER_ENDPOINT) {
    const body: Record<string, Json> = JSON.parse(JSON.stringify(example)) as Record<string, Json>;
    const mutation = Math.floor(r() * 4);
    if (mutation === 0) body[`unknown_${Math.floor(r() * 1e6)}`] = randomValueOtherThan('none', r); // strict schemas refuse unknown fields
    else if (mutation === 1) {
      const key = keys[Math.floor(r() * keys.length)];
      const v = body[key];
      body[key] = randomValueOtherThan(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v, r); // wrong type
    } else if (mutation === 2) {
      body.__proto__polluter = { isAdmin: true }; // an unknown key, of the kind used for prototype pollution
      body[keys[0]] = randomValueOtherThan(typeof body[keys[0]], r);
    } else {
      let deep: Json = body[keys[0]];
      for (let i = 0; i < 50; i++) deep = { a: deep };
      body[keys[0]] = deep; // deeply nested in place of a scalar or object
    }
    out.push(body);
  }
  return out;
}

async function snapshot() {
  // Audit entries are left out on purpose: a staff member's attempt on a case is itself audited.
  const db = stack.db;
  const counts = await Promise.all([
    db.case.count(), db.caseEvent.count(), db.caseRequest.count(), db.user.count(), db.session.count(), db.authToken.count(),
    db.document.count(), db.message.count(), db.payment.count(), db.outboundEmail.count(),
  ]);
  const state = (await request(stack.app).get(`/cases/${reference}`).set(patient.auth)).body as { amountPaidCents: number; timeline: unknown[]; documents: unknown[] };
  return { counts, paid: state.amountPaidCents, timeline: state.timeline.length, documents: state.documents.length };
}

// Write endpoints that take a body (submit, approve, read receipts, accepting an estimate, starting
// its treatment, recording the arrival and opening the file for the study take none).
const writeOps = () => stack.routes.operations.filter((op) => op.method !== 'get' && op.path !== '/auth/logout' && !/\/(read|submit|approve|accept|start|arrived|open)$/.test(op.path));

it('has a valid example for every JSON write endpoint (so new endpoints get fuzzed too)', () => {
  const missing = writeOps().filter((op) => !op.path.endsWith('/documents') && !validExample(op));
  expect(missing.map((op) => `${op.method} ${op.path}`)).toEqual([]);
});

it(`answers ${BODIES_PER_ENDPOINT} malformed bodies per write endpoint with a 4xx and records nothing`, async () => {
  const before = await snapshot();
  const secret = stack.config.payments.webhookSecret;
  const problems: string[] = [];
  let sent = 0;
  for (const [i, op] of writeOps().entries()) {
    // Well-formed path parameters, so the body itself is what gets judged.
    const url = op.path.replace(':reference', reference).replace(':itemId', 'operation_reports').replace(':number', 'DEV-2026-000001').replace(':taskId', 'T1');
    // A caller the policy lets through, so the body itself is what gets judged.
    const rule = op.action && op.action !== 'self' ? policy[op.action] : undefined;
    const actor = !rule || rule.patientSide ? patient : staffFor[rule.staff[0]];
    const example = validExample(op) ?? { kind: 'gp_letter', language: 'fr' };
    for (const body of malformedBodies(example, 1000 + i)) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      let req = request(stack.app)[op.method](url).set('Content-Type', 'application/json').set(actor.auth);
      if (op.access === 'webhook') {
        const ts = Math.floor(Date.now() / 1000);
        req = req.set('Parcours-Timestamp', String(ts)).set('Parcours-Signature', signPayload(secret, ts, text)); // signed, so the body itself is judged
      }
      const res = await req.send(text);
      sent++;
      if (res.status < 400 || res.status >= 500) problems.push(`${op.method} ${op.path} ← ${text.slice(0, 120)}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      else if (!res.body?.error?.code) problems.push(`${op.method} ${op.path}: ${res.status} without the error shape`);
    }
  }
  expect(problems).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(writeOps().length * 200);
  expect(await snapshot()).toEqual(before);
}, 300_000);
