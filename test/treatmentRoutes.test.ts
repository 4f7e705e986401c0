// The routes of step 3 to the end of the case, on what needs no case in step 3: each body's
// validation (400 with the field paths), the role checks (403), the patient side kept to its own cases
// (404), the workflow's refusal on a case still in step 1 (409 wrong_phase), and the task worklist read
// from CaseEvent rows written directly (the workflow steps that create tasks need a case in its stay).
import request from 'supertest';
import type { StaffRole } from '../api/policy';
import { MAX_LINES } from '../api/schemas/treatment';
import { signUp, staff, type Actor } from './support/actors';
import { eventually } from './support/cases';
import { CALM_TIMINGS, openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let owner: Actor;
let stranger: Actor;
const team = {} as Record<'care1' | 'care2' | 'admission' | 'finance' | 'mdt' | 'medicalAssistant' | 'support' | 'ops', Actor>;
let reference: string;

beforeAll(async () => {
  stack = await startStack({ env: CALM_TIMINGS });
  const roles: [keyof typeof team, StaffRole][] = [
    ['care1', 'care_coordinator'],
    ['care2', 'care_coordinator'],
    ['admission', 'admission_coordinator'],
    ['finance', 'finance'],
    ['mdt', 'mdt'],
    ['medicalAssistant', 'medical_assistant'],
    ['support', 'support'],
    ['ops', 'ops'],
  ];
  const [o, s, ...members] = await Promise.all([signUp(stack), signUp(stack), ...roles.map(([, role]) => staff(stack, role))]);
  owner = o;
  stranger = s;
  roles.forEach(([key], i) => (team[key] = members[i]));
  reference = await openCase(stack, owner);
}, 90_000);
afterAll(async () => {
  await stack.stop();
});

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
const errorOf = (res: { body: unknown }) => (res.body as ErrorBody).error;
const fieldPaths = (res: { body: unknown }) => [...new Set(((errorOf(res).details ?? []) as { path: string }[]).map((d) => d.path))].sort();

type Method = 'post' | 'put';
function send(actor: Actor, method: Method, url: string, body?: unknown) {
  const req = request(stack.app)[method](url).set(actor.auth);
  return body === undefined ? req : req.send(body as object);
}

const NUMBER = 'DEV-2026-000001';
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const line = (code: string, quantity = 1) => ({ code, quantity });

describe('validation: 400 naming each field, before anything reaches the workflow', () => {
  const cases: [string, keyof typeof team | 'owner', Method, string, unknown, string[]][] = [
    ['estimate: bad code and quantity', 'care1', 'post', '/estimates', { lines: [{ code: 'Proton!', quantity: 0 }, { code: 'consultation', quantity: 2.5 }] }, ['lines.0.code', 'lines.0.quantity', 'lines.1.quantity']],
    ['estimate: no line at all', 'care1', 'post', '/estimates', { lines: [] }, ['lines']],
    ['estimate: too many lines', 'care1', 'post', '/estimates', { lines: Array.from({ length: MAX_LINES + 1 }, (_, i) => line(`item_${'a'.repeat(i + 1)}`)) }, ['lines']],
    ['estimate: a code twice', 'care1', 'post', '/estimates', { lines: [line('consultation'), line('consultation', 2)] }, ['lines']],
    ['estimate: an amount set by the client', 'care1', 'post', '/estimates', { lines: [line('consultation')], totalCents: 1 }, ['(body)']],
    ['accept: not an estimate number', 'owner', 'post', '/estimates/DEV-1/accept', undefined, ['number']],
    ['decline: reason too long', 'owner', 'post', `/estimates/${NUMBER}/decline`, { reason: 'x'.repeat(501) }, ['reason']],
    ['coverage: nothing declared', 'owner', 'put', '/coverage', {}, ['(body)']],
    ['coverage: letters in the number, EHIC not a boolean', 'owner', 'put', '/coverage', { frenchSocialSecurityNumber: '1 78 AB 99 123 456', hasEhic: 'yes' }, ['frenchSocialSecurityNumber', 'hasEhic']],
    ['coverage: the key does not match', 'owner', 'put', '/coverage', { frenchSocialSecurityNumber: '2 84 12 75 123 456 00' }, ['frenchSocialSecurityNumber']],
    ['insurer letter: every field wrong', 'finance', 'post', `/estimates/${NUMBER}/insurer-letters`, { insurer: ' ', policyNumber: 'x'.repeat(101), coveredCents: 0, documentId: 'letter.pdf' }, ['coveredCents', 'documentId', 'insurer', 'policyNumber']],
    ['insurer letter: cents not whole', 'finance', 'post', `/estimates/${NUMBER}/insurer-letters`, { insurer: 'Allianz', policyNumber: 'P-1', coveredCents: 12.5, documentId: '00000000-0000-4000-8000-000000000000' }, ['coveredCents']],
    ['arrival: past date, no days, unknown site', 'owner', 'put', '/arrival', { date: '2020-01-01', plannedStayDays: 0, site: 'lyon' }, ['date', 'plannedStayDays', 'site']],
    ['arrival: not a calendar date, stay too long', 'care1', 'put', '/arrival', { date: '2030-02-30', plannedStayDays: 366 }, ['date', 'plannedStayDays']],
    ['companion: every field wrong', 'owner', 'put', '/companions', { fullName: '', relationship: 'friend', nationality: 'XX', proofDocumentId: 'proof' }, ['fullName', 'nationality', 'proofDocumentId', 'relationship']],
    ['request: unknown kind, no details', 'owner', 'post', '/requests', { kind: 'massage', details: '   ' }, ['details', 'kind']],
    ['complete: no outcome', 'support', 'post', '/tasks/T1/complete', { outcome: '' }, ['outcome']],
    ['complete: not a task ID', 'support', 'post', '/tasks/a%20b/complete', { outcome: 'Booked' }, ['taskId']],
    ['start: not an estimate number', 'care1', 'post', '/estimates/INT-2026-000001/start', undefined, ['number']],
    ['discharge: quantity not whole', 'care1', 'post', '/discharge', { performed: [line('consultation', 1.5)] }, ['performed.0.quantity']],
    ['follow-up: a day without its hour, description too long', 'care1', 'post', '/follow-ups', { at: '2030-12-01', description: 'x'.repeat(501) }, ['at', 'description']],
    ['follow-up: a time without its offset', 'care1', 'post', '/follow-ups', { at: '2030-12-01T10:30:00', description: 'MRI' }, ['at']],
    ['follow-up: in the past', 'care1', 'post', '/follow-ups', { at: '2020-01-01T10:00:00+01:00', description: 'MRI' }, ['at']],
  ];
  it.each(cases)('%s', async (_label, who, method, path, body, paths) => {
    const actor = who === 'owner' ? owner : team[who];
    const res = await send(actor, method, `/cases/${reference}${path}`, body);
    expect({ status: res.status, code: errorOf(res).code, paths: fieldPaths(res) }).toEqual({ status: 400, code: 'validation_failed', paths });
  });

  it('tells which fields are wrong in words a client can act on', async () => {
    const res = await send(owner, 'put', `/cases/${reference}/coverage`, { frenchSocialSecurityNumber: '2 84 12 75 123 456 00' });
    expect(errorOf(res).details).toEqual([{ path: 'frenchSocialSecurityNumber', message: expect.stringMatching(/Carte Vitale/) }]);
    const days = await send(owner, 'put', `/cases/${reference}/arrival`, { date: tomorrow(), plannedStayDays: 1.5 });
    expect(errorOf(days).details).toEqual([{ path: 'plannedStayDays', message: 'A whole number of days.' }]);
  });

  it('wants JSON when a body is required (415), and takes no body as {} where every field is optional', async () => {
    const coverage = await request(stack.app).put(`/cases/${reference}/coverage`).set(owner.auth).set('Content-Type', 'text/plain').send('hasEhic=true');
    expect([coverage.status, errorOf(coverage).code]).toEqual([415, 'unsupported_media_type']);
    // No body: the defaults, so the request reaches the workflow (which refuses it in step 1).
    const decline = await request(stack.app).post(`/cases/${reference}/estimates/${NUMBER}/decline`).set(owner.auth);
    expect([decline.status, errorOf(decline).code]).toEqual([409, 'wrong_phase']);
  });
});

describe('who may act', () => {
  const attempts: [string, keyof typeof team | 'owner', Method, string, unknown][] = [
    ['finance issues an estimate', 'finance', 'post', '/estimates', {}],
    ['a support member issues an estimate', 'support', 'post', '/estimates', {}],
    ['the patient issues an estimate', 'owner', 'post', '/estimates', {}],
    ['a care coordinator accepts for the patient', 'care1', 'post', `/estimates/${NUMBER}/accept`, undefined],
    ['a care coordinator declares the coverage', 'care1', 'put', '/coverage', { hasEhic: true }],
    ['a care coordinator records an insurer letter', 'care1', 'post', `/estimates/${NUMBER}/insurer-letters`, {}],
    ['the patient records an insurer letter', 'owner', 'post', `/estimates/${NUMBER}/insurer-letters`, {}],
    ['the MDT sets the arrival date', 'mdt', 'put', '/arrival', {}],
    ['finance adds a companion', 'finance', 'put', '/companions', {}],
    ['the patient says they have arrived', 'owner', 'post', '/arrived', undefined],
    ['a medical assistant records the arrival', 'medicalAssistant', 'post', '/arrived', undefined],
    ['support raises a request', 'support', 'post', '/requests', {}],
    ['the patient completes a task', 'owner', 'post', '/tasks/T1/complete', {}],
    ['an admission coordinator completes a task', 'admission', 'post', '/tasks/T1/complete', {}],
    ['ops start a treatment', 'ops', 'post', `/estimates/${NUMBER}/start`, undefined],
    ['finance records the discharge', 'finance', 'post', '/discharge', {}],
    ['a medical assistant schedules a follow-up', 'medicalAssistant', 'post', '/follow-ups', {}],
  ];
  it.each(attempts)('403 when %s (before the body is judged)', async (_label, who, method, path, body) => {
    const res = await send(who === 'owner' ? owner : team[who], method, `/cases/${reference}${path}`, body);
    expect([res.status, errorOf(res).code]).toEqual([403, 'forbidden']);
  });

  it("404 for another patient's case, whatever the step and the body: nothing about the case leaks", async () => {
    for (const [method, path, body] of [
      ['post', `/estimates/${NUMBER}/accept`, undefined],
      ['post', `/estimates/${NUMBER}/decline`, { reason: 'x'.repeat(900) }],
      ['put', '/coverage', { hasEhic: true }],
      ['put', '/arrival', { date: tomorrow(), plannedStayDays: 10 }],
      ['put', '/companions', {}],
      ['post', '/requests', { kind: 'interpreter', details: 'Arabic' }],
    ] as [Method, string, unknown][]) {
      const res = await send(stranger, method, `/cases/${reference}${path}`, body);
      expect({ path, status: res.status, code: errorOf(res).code }).toEqual({ path, status: 404, code: 'not_found' });
      expect(JSON.stringify(res.body)).not.toMatch(/Benali|Amina|proton/i);
    }
  });

  it('404 for a case that does not exist, to staff too', async () => {
    const res = await send(team.care1, 'post', '/cases/INT-2026-999999/estimates', {});
    expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
  });

  it('lets the staff of these steps read the case they work on (case.read is every staff role, audited)', async () => {
    for (const who of ['care1', 'finance', 'support', 'medicalAssistant'] as const) {
      const res = await request(stack.app).get(`/cases/${reference}`).set(team[who].auth);
      expect({ who, status: res.status }).toEqual({ who, status: 200 });
    }
  });
});

describe('the workflow refuses what step 1 cannot do', () => {
  it('409 wrong_phase: accepting or declining an estimate while the file is being collected', async () => {
    const accept = await send(owner, 'post', `/cases/${reference}/estimates/${NUMBER}/accept`);
    expect([accept.status, errorOf(accept).code]).toEqual([409, 'wrong_phase']);
    expect(errorOf(accept).message).not.toBe('');
    const decline = await send(owner, 'post', `/cases/${reference}/estimates/${NUMBER}/decline`, { reason: 'Too expensive' });
    expect([decline.status, errorOf(decline).code]).toEqual([409, 'wrong_phase']);
  });

  it('409 case_closed on a case that has ended, before the body is judged', async () => {
    const ended = await openCase(stack, owner);
    const withdrawn = await send(owner, 'post', `/cases/${ended}/withdraw`, { reason: 'Treated at home' });
    expect(withdrawn.status).toBe(200);
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { reference: ended } });
      if (row.phase !== 'withdrawn') throw new Error(`still ${row.phase}`);
    });
    const res = await send(owner, 'put', `/cases/${ended}/arrival`, { date: 'soon' });
    expect([res.status, errorOf(res).code]).toEqual([409, 'case_closed']);
  });
});

describe('GET /worklist/tasks: open tasks of my team, from the audit trail', () => {
  const HOUR = 3_600_000;
  const base = Date.now();
  // Another year than the API allocates in: these rows never collide with a real case.
  const ref = (n: number) => `INT-2032-${String(n).padStart(6, '0')}`;
  const A = ref(1); // care1's case, in the stay
  const B = ref(2); // care2's case, in the stay
  const C = ref(3); // closed: its open task is nobody's work any more

  interface Item {
    taskId: string;
    kind: string;
    team: string;
    reference: string;
    requestedBy: string;
    createdAt: string;
  }
  interface Page {
    items: Item[];
    total: number;
    limit: number;
    offset: number;
  }
  const tasks = async (who: Actor, query: Record<string, string> = {}): Promise<Page> => {
    const res = await request(stack.app).get('/worklist/tasks').query(query).set(who.auth);
    if (res.status !== 200) throw new Error(`GET /worklist/tasks ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Page;
  };
  const ids = (page: Page) => page.items.map((i) => `${i.reference}:${i.taskId}`);

  beforeAll(async () => {
    const cases: [string, string, Actor | null][] = [
      [A, 'in_stay', team.care1],
      [B, 'in_stay', team.care2],
      [C, 'closed', team.care1],
    ];
    const caseIds: Record<string, string> = {};
    for (const [reference, phase, coordinator] of cases) {
      const row = await stack.db.case.create({
        data: {
          reference, workflowId: `case-${reference}`, requestType: 'proton_therapy', phase, awaitingRole: 'care_coordinator', language: 'en',
          nationality: 'MA', countryOfResidence: 'MA', patientFirstName: 'Test', patientLastName: reference, patientEmail: `${reference}@example.test`,
          patient: { firstName: 'Test', lastName: reference }, coordinatorId: coordinator?.userId ?? null,
        },
      });
      caseIds[reference] = row.id;
    }
    const events: [string, 'task_created' | 'task_done', number, Record<string, string>][] = [
      [A, 'task_created', -5, { taskId: 'T1', team: 'support', kind: 'interpreter' }],
      [A, 'task_created', -4, { taskId: 'T2', team: 'medical_assistant', kind: 'appointment_change' }],
      [A, 'task_created', -3, { taskId: 'T3', team: 'care_coordinator', kind: 'concierge' }],
      [A, 'task_created', -2, { taskId: 'T4', team: 'finance', kind: 'billing_question' }],
      [A, 'task_created', -1.5, { taskId: 'T5', team: 'support', kind: 'accommodation' }],
      [A, 'task_done', -1, { taskId: 'T5' }],
      [B, 'task_created', -6, { taskId: 'T1', team: 'support', kind: 'accommodation' }],
      [B, 'task_created', -1, { taskId: 'T2', team: 'care_coordinator', kind: 'home_care' }],
      // Done in B: A's T1 (the same ID in another case) stays open.
      [B, 'task_created', -0.9, { taskId: 'T3', team: 'support', kind: 'interpreter' }],
      [B, 'task_done', -0.5, { taskId: 'T3' }],
      [C, 'task_created', -7, { taskId: 'T1', team: 'support', kind: 'interpreter' }],
    ];
    for (const [i, [reference, type, hours, payload]] of events.entries()) {
      await stack.db.caseEvent.create({
        data: { caseId: caseIds[reference], type, actor: type === 'task_created' ? `patient:${owner.userId}` : team.support.userId, payload, at: new Date(base + hours * HOUR), idempotencyKey: `test-${i}` },
      });
    }
  });

  it("lists my team's open tasks, oldest first; a done task and an ended case's task are gone", async () => {
    const page = await tasks(team.support);
    expect(ids(page)).toEqual([`${B}:T1`, `${A}:T1`]);
    expect(page.total).toBe(2);
    expect(page.items[1]).toEqual({
      taskId: 'T1', kind: 'interpreter', team: 'support', reference: A, requestType: 'proton_therapy', phase: 'in_stay',
      coordinatorId: team.care1.userId, requestedBy: `patient:${owner.userId}`, createdAt: new Date(base - 5 * HOUR).toISOString(),
      patientName: `Test ${A}`,
    });
    expect(ids(await tasks(team.medicalAssistant))).toEqual([`${A}:T2`]);
    expect(ids(await tasks(team.finance))).toEqual([`${A}:T4`]);
  });

  it('gives care coordinators the coordinator tasks of their own cases only', async () => {
    expect(ids(await tasks(team.care1))).toEqual([`${A}:T3`]);
    expect(ids(await tasks(team.care2))).toEqual([`${B}:T2`]);
  });

  it("gives ops every team's open tasks, optionally one team's", async () => {
    expect(ids(await tasks(team.ops))).toEqual([`${B}:T1`, `${A}:T1`, `${A}:T2`, `${A}:T3`, `${A}:T4`, `${B}:T2`]);
    expect(ids(await tasks(team.ops, { team: 'care_coordinator' }))).toEqual([`${A}:T3`, `${B}:T2`]);
  });

  it('gives an empty list to roles no request is for', async () => {
    for (const who of ['mdt', 'admission'] as const) expect(await tasks(team[who])).toEqual({ items: [], total: 0, limit: 25, offset: 0 });
  });

  it('pages like /worklist', async () => {
    const first = await tasks(team.ops, { limit: '2' });
    const second = await tasks(team.ops, { limit: '2', offset: '2' });
    expect([first.total, first.limit, first.offset, second.offset]).toEqual([6, 2, 0, 2]);
    expect([...ids(first), ...ids(second)]).toEqual(ids(await tasks(team.ops)).slice(0, 4));
  });

  it("refuses another team's list, unknown parameters, and the patient side", async () => {
    const other = await request(stack.app).get('/worklist/tasks').query({ team: 'finance' }).set(team.support.auth);
    expect({ status: other.status, paths: fieldPaths(other) }).toEqual({ status: 400, paths: ['team'] });
    const none = await request(stack.app).get('/worklist/tasks').query({ team: 'support' }).set(team.mdt.auth);
    expect({ status: none.status, paths: fieldPaths(none) }).toEqual({ status: 400, paths: ['team'] });
    const unknown = await request(stack.app).get('/worklist/tasks').query({ status: 'open', limit: '500' }).set(team.ops.auth);
    expect({ status: unknown.status, paths: fieldPaths(unknown) }).toEqual({ status: 400, paths: ['(query)', 'limit'] });
    const patient = await request(stack.app).get('/worklist/tasks').set(owner.auth);
    expect([patient.status, errorOf(patient).code]).toEqual([403, 'forbidden']);
  });
});
