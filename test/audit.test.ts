// The audit trail: staff reads of a case, logins and logouts are recorded with the request ID the
// caller saw; ops read the trail through GET /audit, by case or by person, newest first.
import request from 'supertest';
import { PASSWORD, signUp, staff, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
let coordinator: Actor;
let ops: Actor;
let reference: string;

beforeAll(async () => {
  stack = await startStack();
  [patient, coordinator, ops] = await Promise.all([signUp(stack, 'patient'), staff(stack, 'admission_coordinator'), staff(stack, 'ops')]);
  const opened = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
  if (opened.status !== 201) throw new Error(`POST /cases: ${opened.status} ${JSON.stringify(opened.body)}`);
  reference = opened.body.reference;
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
});
afterAll(async () => {
  await stack.stop();
});

interface Entry {
  id: number;
  actorId: string | null;
  actorRole: string;
  action: string;
  caseReference: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
  at: string;
}
interface Page {
  items: Entry[];
  total: number;
  limit: number;
  offset: number;
}

async function trail(query: Record<string, string>, who: Actor = ops): Promise<Page> {
  const res = await request(stack.app).get('/audit').query(query).set(who.auth);
  if (res.status !== 200) throw new Error(`GET /audit ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Page;
}
const caseEntries = () => stack.db.auditEntry.findMany({ where: { caseReference: reference }, orderBy: { id: 'asc' } });

function expectNewestFirst(items: Entry[]): void {
  const ids = items.map((e) => e.id);
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  const times = items.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => b - a));
}

describe('audit trail', () => {
  it('records a staff read of a case with who, role, action, case and the X-Request-Id; the patient reading their own case records nothing', async () => {
    // The patient has already read the case (waiting for its state): none of that is in the trail.
    expect(await caseEntries()).toEqual([]);
    const own = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    expect(own.status).toBe(200);
    expect(await caseEntries()).toEqual([]);
    expect(await stack.db.auditEntry.count({ where: { actorId: patient.userId, action: 'case.read' } })).toBe(0);

    const res = await request(stack.app).get(`/cases/${reference}`).set(coordinator.auth);
    expect(res.status).toBe(200);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const entries = await caseEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: coordinator.userId, actorRole: 'admission_coordinator', action: 'case.read', caseReference: reference, requestId });

    // A request ID the caller chose is the one recorded, so a client can find its own request.
    const chosen = await request(stack.app).get(`/cases/${reference}`).set(coordinator.auth).set('X-Request-Id', 'support-ticket-4711');
    expect(chosen.headers['x-request-id']).toBe('support-ticket-4711');
    expect((await caseEntries()).at(-1)).toMatchObject({ actorId: coordinator.userId, requestId: 'support-ticket-4711' });
  });

  it('records login and logout, and ops list one person’s accesses newest first', async () => {
    const reader = await staff(stack, 'admission_coordinator'); // the helper signs in once
    const login = await request(stack.app).post('/auth/login').send({ email: reader.email, password: PASSWORD });
    expect(login.status).toBe(200);
    const session = { Authorization: `Bearer ${login.body.accessToken}` };
    const read = await request(stack.app).get(`/cases/${reference}`).set(session);
    expect(read.status).toBe(200);
    const logout = await request(stack.app).post('/auth/logout').set(session);
    expect(logout.status).toBe(204);

    const page = await trail({ actorId: reader.userId });
    expect(page).toMatchObject({ total: 4, limit: 25, offset: 0 });
    expect(page.items.map((e) => [e.action, e.requestId])).toEqual([
      ['auth.logout', logout.headers['x-request-id']],
      ['case.read', read.headers['x-request-id']],
      ['auth.login', login.headers['x-request-id']],
      ['auth.login', expect.any(String)],
    ]);
    expect(page.items.every((e) => e.actorId === reader.userId && e.actorRole === 'admission_coordinator')).toBe(true);
    expect(page.items.map((e) => e.caseReference)).toEqual([null, reference, null, null]);
    expectNewestFirst(page.items);

    // Pages: the second entry alone.
    const second = await trail({ actorId: reader.userId, limit: '1', offset: '1' });
    expect(second).toMatchObject({ total: 4, limit: 1, offset: 1 });
    expect(second.items.map((e) => e.action)).toEqual(['case.read']);
  });

  it('lists every staff access to one case for ops, newest first', async () => {
    const before = await caseEntries();
    const res = await request(stack.app).get(`/cases/${reference}`).set(ops.auth);
    expect(res.status).toBe(200);
    const page = await trail({ caseId: reference });
    expect(page.total).toBe(before.length + 1);
    expect(page.items[0]).toEqual({
      id: expect.any(Number),
      actorId: ops.userId,
      actorRole: 'ops',
      action: 'case.read',
      caseReference: reference,
      requestId: res.headers['x-request-id'],
      detail: null,
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(page.items.slice(1).map((e) => e.id)).toEqual(before.map((e) => e.id).reverse());
    expect(page.items.every((e) => e.caseReference === reference && e.action === 'case.read')).toBe(true);
    expectNewestFirst(page.items);
    // Another case's trail does not include these.
    expect(await trail({ caseId: 'INT-2026-999999' })).toEqual({ items: [], total: 0, limit: 25, offset: 0 });
  });

  it('is for ops only: 403 for other staff and the patient side, 401 when not signed in', async () => {
    for (const who of [coordinator, patient]) {
      const res = await request(stack.app).get('/audit').query({ caseId: reference }).set(who.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await request(stack.app).get('/audit').query({ caseId: reference })).status).toBe(401);
  });

  it.each([
    ['a malformed case reference', { caseId: 'INT-26-1' }, 'caseId'],
    ['a case reference in lower case', { caseId: 'int-2026-000001' }, 'caseId'],
    ['an account ID that is not a UUID', { actorId: '42' }, 'actorId'],
    ['neither caseId nor actorId', {}, '(query)'],
    ['both caseId and actorId', { caseId: 'INT-2026-000001', actorId: '3f1c2b9e-8a4d-4c6e-9f2a-1b3c5d7e9f01' }, '(query)'],
    ['an unknown parameter', { caseId: 'INT-2026-000001', action: 'case.read' }, '(query)'],
    ['a limit over 100', { caseId: 'INT-2026-000001', limit: '101' }, 'limit'],
  ])('answers 400 for %s', async (_label, query, path) => {
    const res = await request(stack.app).get('/audit').query(query).set(ops.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(path);
  });
});
