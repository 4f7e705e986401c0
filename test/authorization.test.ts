// The authorization matrix: every signed-in route × every kind of caller × own or foreign case,
// checked against api/policy.ts. New routes join the matrix by declaring their `action`.
import request from 'supertest';
import { isAllowed, policy, STAFF_ROLES, type Action, type StaffRole } from '../api/policy';
import type { Operation } from '../api/routing';
import { login, signUp, staff, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let owner: Actor;
let stranger: Actor;
let referrer: Actor;
const staffActors = {} as Record<StaffRole, Actor>;
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  [owner, stranger, referrer] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'patient'), signUp(stack, 'referrer')]);
  for (const role of STAFF_ROLES) staffActors[role] = await staff(stack, role);

  const created = await request(stack.app).post('/cases').set(owner.auth).send(validCase());
  expect(created.status).toBe(201);
  const reference: string = created.body.reference;
  await waitForState(stack.app, owner.auth, reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');
  const doc = await request(stack.app).post(`/cases/${reference}/documents`).set(owner.auth).field('kind', 'gp_letter').field('language', 'fr').attach('files', pdf, 'lettre.pdf');
  expect(doc.status).toBe(201);
  const msg = await request(stack.app).post(`/cases/${reference}/messages`).set(owner.auth).send({ body: 'Bonjour' });
  expect(msg.status).toBe(201);
  ids = {
    reference,
    documentId: (doc.body as { items: { documentId: string }[] }).items[0].documentId,
    messageId: (msg.body as { id: string }).id,
    // Well-formed, so an allowed caller gets past the path checks to the workflow (which refuses in step 1).
    number: 'DEV-2026-000001',
    taskId: 'T1',
  };
}, 120_000);
afterAll(async () => {
  await stack.stop();
});

// Sign-out last: it ends the session the other requests use.
const signedIn = () => stack.routes.operations.filter((op) => op.access === 'signed_in').sort((a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'));
const urlOf = (op: Operation) => op.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? (name === 'itemId' ? 'operation_reports' : `missing-${name}`));
const send = (op: Operation, actor?: Actor) => {
  const req = request(stack.app)[op.method](urlOf(op));
  if (actor) void req.set(actor.auth);
  return op.method === 'get' ? req : req.send({});
};
const isCaseBound = (op: Operation) => op.path.includes(':reference');

it('every signed-in route declares the policy action it enforces', () => {
  for (const op of signedIn()) expect({ route: `${op.method} ${op.path}`, action: op.action }).toEqual({ route: `${op.method} ${op.path}`, action: expect.any(String) });
  const declared = new Set(signedIn().map((op) => op.action));
  for (const action of Object.keys(policy)) expect(declared).toContain(action); // no policy entry without a route
});

it('answers 401 on every signed-in route without a token', async () => {
  for (const op of signedIn()) {
    const res = await send(op);
    expect({ route: `${op.method} ${op.path}`, status: res.status }).toEqual({ route: `${op.method} ${op.path}`, status: 401 });
  }
});

interface Expectation {
  who: string;
  actor: Actor;
  expect: 'allowed' | 403 | 404;
}

function expectations(op: Operation): Expectation[] {
  const action = op.action as Action | 'self';
  const out: Expectation[] = [];
  const patientSide = (who: string, actor: Actor, owns: boolean): Expectation => {
    if (action === 'self') return { who, actor, expect: 'allowed' };
    // On a case that is not theirs the patient side learns nothing: 404, whatever the action.
    if (isCaseBound(op) && !owns) return { who, actor, expect: 404 };
    return { who, actor, expect: policy[action].patientSide ? 'allowed' : 403 };
  };
  out.push(patientSide('owner patient', owner, true), patientSide('other patient', stranger, false), patientSide('other referrer', referrer, false));
  for (const role of STAFF_ROLES) {
    out.push({ who: role, actor: staffActors[role], expect: action === 'self' || isAllowed(action, { kind: 'staff', role }) ? 'allowed' : 403 });
  }
  return out;
}

it('lets each caller do exactly what the policy allows, on own and foreign cases', async () => {
  const failures: string[] = [];
  for (const op of signedIn()) {
    for (const e of expectations(op)) {
      const res = await send(op, e.actor);
      // Allowed by the policy: the route may still refuse for business reasons (wrong phase, invalid
      // body, or `not_your_case` when a care coordinator acts on a case assigned to another).
      const policyRefusal = [401, 404].includes(res.status) || (res.status === 403 && res.body?.error?.code !== 'not_your_case');
      const ok = e.expect === 'allowed' ? !policyRefusal && res.status < 500 : res.status === e.expect;
      if (!ok) failures.push(`${op.method.toUpperCase()} ${op.path} as ${e.who}: expected ${e.expect}, got ${res.status} ${JSON.stringify(res.body?.error?.code ?? '')}`);
    }
  }
  expect(failures).toEqual([]);
}, 120_000);

it('never shows a foreign case’s data in a 404', async () => {
  stranger = await signUp(stack, 'patient'); // the matrix signed everyone out
  const res = await request(stack.app).get(`/cases/${ids.reference}`).set(stranger.auth);
  expect(res.status).toBe(404);
  expect(JSON.stringify(res.body)).not.toMatch(/Benali|Amina|proton/i);
});

it('refuses mass assignment: a patient cannot set workflow-owned fields, roles or amounts', async () => {
  owner = await login(stack, owner.email);
  const attempts: [string, Record<string, unknown>][] = [
    ['/cases', validCase({ phase: 'treatment_planning' })],
    ['/cases', validCase({ status: 'approved' })],
    ['/cases', validCase({ approvedBy: owner.userId })],
    ['/cases', validCase({ amountDueCents: 0 })],
    ['/cases', validCase({ ownerId: stranger.userId })],
    ['/cases', validCase({ patient: { ...validCase().patient, role: 'ops' } })],
    [`/cases/${ids.reference}/messages`, { body: 'x', authorRole: 'care_coordinator' }],
  ];
  const before = await stack.db.case.count();
  for (const [url, body] of attempts) {
    const res = await request(stack.app).post(url).set(owner.auth).send(body);
    expect({ url, body, status: res.status }).toEqual({ url, body, status: 400 });
  }
  const role = await request(stack.app).post('/auth/register').send({ email: 'x@example.test', password: 'a long enough passphrase', name: 'X', kind: 'patient', role: 'ops' });
  expect(role.status).toBe(400);
  expect(await stack.db.case.count()).toBe(before);
});
