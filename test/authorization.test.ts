// The authorization matrix: every signed-in route × every kind of caller × own or foreign case,
// checked against api/policy.ts (test/support/authorizationMatrix.ts; test/cluster.test.ts runs it over
// HTTP). New routes join the matrix by declaring their `action`.
import request from 'supertest';
import { policy, STAFF_ROLES, type StaffRole } from '../api/policy';
import { login, signUp, staff, type Actor } from './support/actors';
import { matrixFailures, PLACEHOLDER_IDS, signedInOperations, withoutToken, type MatrixIds, type MatrixSend } from './support/authorizationMatrix';
import { validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let owner: Actor;
let stranger: Actor;
let referrer: Actor;
const staffActors = {} as Record<StaffRole, Actor>;
let ids: MatrixIds;

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
    ...PLACEHOLDER_IDS,
  };
}, 120_000);
afterAll(async () => {
  await stack.stop();
});

const signedIn = () => signedInOperations(stack.routes.operations);
const send: MatrixSend = async (op, url, caller) => {
  const req = request(stack.app)[op.method](url);
  if (caller) void req.set({ Authorization: `Bearer ${caller.token}` });
  const res = await (op.method === 'get' ? req : req.send({}));
  return { status: res.status, body: res.body };
};

it('every signed-in route declares the policy action it enforces', () => {
  for (const op of signedIn()) expect({ route: `${op.method} ${op.path}`, action: op.action }).toEqual({ route: `${op.method} ${op.path}`, action: expect.any(String) });
  const declared = new Set(signedIn().map((op) => op.action));
  for (const action of Object.keys(policy)) expect(declared).toContain(action); // no policy entry without a route
});

it('answers 401 on every signed-in route without a token', async () => {
  for (const r of await withoutToken(stack.routes.operations, ids, send)) expect(r).toEqual({ route: r.route, status: 401 });
});

it('lets each caller do exactly what the policy allows, on own and foreign cases', async () => {
  const actors = { owner, stranger, referrer, staff: staffActors };
  expect(await matrixFailures(stack.routes.operations, ids, actors, send)).toEqual([]);
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
