// GET /worklist: each staff role sees the cases waiting on it, from the read model. One case is opened
// for real (it waits on the patient); the others are read-model rows written directly, because the
// workflow steps that hand cases to coordinators, finance or the MDT do not exist yet.
import request from 'supertest';
import type { StaffRole } from '../api/policy';
import { signUp, staff, type Actor } from './support/actors';
import { eventually, validCase } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
let referrer: Actor;
const team = {} as Record<'admission' | 'care1' | 'care2' | 'finance' | 'mdt' | 'medicalAssistant' | 'support' | 'ops', Actor>;
let realCase: string;

const HOUR = 3_600_000;
const base = Date.now();
const at = (offsetHours: number) => new Date(base + offsetHours * HOUR);
// Another year than the API allocates in: these rows can never collide with a real POST /cases.
const ref = (n: number) => `INT-2031-${String(n).padStart(6, '0')}`;

interface Row {
  n: number;
  awaitingRole: string;
  phase?: string;
  requestType?: string;
  country?: string;
  deadlineHours?: number;
  createdHours?: number;
  coordinator?: 'care1' | 'care2';
}

// References by name, for readable expectations (the rows below give each one's data).
const R = {
  admOverdue30h: ref(1),
  admOverdue2h: ref(2),
  admDue5h: ref(3),
  admNoDeadlineOld: ref(4),
  admNoDeadlineNew: ref(5),
  care1Due1h: ref(11),
  care2Overdue1h: ref(12),
  careUnassigned: ref(13),
  care1Patient: ref(14), // care1's case waiting on the patient, overdue
  care1Finance: ref(15), // care1's case waiting on finance
  care1Closed: ref(43), // care1's case that has ended
  financeOverdue: ref(21),
  mdtNoDeadline: ref(31),
  cancelled: ref(41), // terminal, waits on nobody
  cancelledStale: ref(42), // terminal although its awaitingRole still says admission_coordinator
};

const rows: Row[] = [
  { n: 1, awaitingRole: 'admission_coordinator', phase: 'file_collection', requestType: 'sample_analysis', country: 'DZ', deadlineHours: -30, createdHours: -40 },
  { n: 2, awaitingRole: 'admission_coordinator', phase: 'received', requestType: 'proton_therapy', country: 'MA', deadlineHours: -2, createdHours: -3 },
  { n: 3, awaitingRole: 'admission_coordinator', phase: 'file_collection', requestType: 'medical_opinion', country: 'SN', deadlineHours: 5, createdHours: -20 },
  { n: 4, awaitingRole: 'admission_coordinator', phase: 'file_collection', requestType: 'treatment', country: 'MA', createdHours: -48 },
  { n: 5, awaitingRole: 'admission_coordinator', phase: 'file_collection', requestType: 'treatment', country: 'MA', createdHours: -1 },
  { n: 11, awaitingRole: 'care_coordinator', coordinator: 'care1', deadlineHours: 1 },
  { n: 12, awaitingRole: 'care_coordinator', coordinator: 'care2', deadlineHours: -1 },
  { n: 13, awaitingRole: 'care_coordinator' },
  { n: 14, awaitingRole: 'patient', phase: 'fee_payment', coordinator: 'care1', deadlineHours: -3 },
  { n: 15, awaitingRole: 'finance', phase: 'guarantee_pending', coordinator: 'care1', deadlineHours: 10 },
  { n: 43, awaitingRole: 'none', phase: 'closed', coordinator: 'care1', deadlineHours: -60 },
  { n: 21, awaitingRole: 'finance', deadlineHours: -1 },
  { n: 31, awaitingRole: 'mdt' },
  { n: 41, awaitingRole: 'none', phase: 'cancelled', deadlineHours: -5 },
  { n: 42, awaitingRole: 'admission_coordinator', phase: 'cancelled', deadlineHours: -50 },
];

beforeAll(async () => {
  stack = await startStack();
  const roles: [keyof typeof team, StaffRole][] = [
    ['admission', 'admission_coordinator'],
    ['care1', 'care_coordinator'],
    ['care2', 'care_coordinator'],
    ['finance', 'finance'],
    ['mdt', 'mdt'],
    ['medicalAssistant', 'medical_assistant'],
    ['support', 'support'],
    ['ops', 'ops'],
  ];
  const [p, r, ...members] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'referrer'), ...roles.map(([, role]) => staff(stack, role))]);
  patient = p;
  referrer = r;
  roles.forEach(([key], i) => (team[key] = members[i]));

  const opened = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
  if (opened.status !== 201) throw new Error(`POST /cases: ${opened.status} ${JSON.stringify(opened.body)}`);
  realCase = opened.body.reference;
  await eventually(async () => {
    const row = await stack.db.case.findUniqueOrThrow({ where: { reference: realCase } });
    if (row.awaitingRole !== 'patient') throw new Error(`case ${realCase} still waits on ${row.awaitingRole}`);
  });

  for (const row of rows) {
    const reference = ref(row.n);
    await stack.db.case.create({
      data: {
        reference,
        workflowId: `case-${reference}`,
        requestType: row.requestType ?? 'medical_opinion',
        phase: row.phase ?? 'file_collection',
        awaitingRole: row.awaitingRole,
        language: 'en',
        nationality: 'FR',
        countryOfResidence: row.country ?? 'SN',
        patientFirstName: 'Test',
        patientLastName: `Patient ${row.n}`,
        patientEmail: `patient.${row.n}@example.test`,
        patient: { firstName: 'Test', lastName: `Patient ${row.n}` },
        coordinatorId: row.coordinator ? team[row.coordinator].userId : null,
        nextDeadline: row.deadlineHours === undefined ? null : at(row.deadlineHours),
        createdAt: at(row.createdHours ?? -10),
      },
    });
  }
});
afterAll(async () => {
  await stack.stop();
});

interface Item {
  reference: string;
  requestType: string;
  phase: string;
  awaitingRole: string | null;
  countryOfResidence: string;
  patientName: string;
  coordinatorId: string | null;
  nextDeadline: string | null;
  overdue: boolean;
  createdAt: string;
}
interface Page {
  items: Item[];
  total: number;
  limit: number;
  offset: number;
}

async function worklist(who: Actor, query: Record<string, string> = {}): Promise<Page> {
  const res = await request(stack.app).get('/worklist').query(query).set(who.auth);
  if (res.status !== 200) throw new Error(`GET /worklist ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Page;
}
const refs = (page: Page) => page.items.map((i) => i.reference);

const ADMISSION_ORDER = [R.admOverdue30h, R.admOverdue2h, R.admDue5h, R.admNoDeadlineOld, R.admNoDeadlineNew];

describe('GET /worklist', () => {
  it('shows each role exactly the open cases waiting on it, overdue first, then by deadline (none last), then oldest', async () => {
    const admission = await worklist(team.admission);
    expect(refs(admission)).toEqual(ADMISSION_ORDER);
    expect(admission).toMatchObject({ total: 5, limit: 25, offset: 0 });
    expect(admission.items.map((i) => i.overdue)).toEqual([true, true, false, false, false]);

    expect(refs(await worklist(team.finance))).toEqual([R.financeOverdue, R.care1Finance]);
    expect(refs(await worklist(team.mdt))).toEqual([R.mdtNoDeadline]);
    // Nothing is handed to medical assistants or support yet: a valid, empty worklist.
    expect(await worklist(team.medicalAssistant)).toEqual({ items: [], total: 0, limit: 25, offset: 0 });
    expect(await worklist(team.support)).toEqual({ items: [], total: 0, limit: 25, offset: 0 });
  });

  it('describes each case from the read model', async () => {
    const [first] = (await worklist(team.admission)).items;
    expect(first).toEqual({
      reference: R.admOverdue30h,
      requestType: 'sample_analysis',
      phase: 'file_collection',
      awaitingRole: 'admission_coordinator',
      countryOfResidence: 'DZ',
      patientName: 'Test Patient 1',
      coordinatorId: null,
      nextDeadline: at(-30).toISOString(),
      overdue: true,
      createdAt: at(-40).toISOString(),
    });
  });

  it('shows a care coordinator only the cases assigned to them', async () => {
    const care1 = await worklist(team.care1);
    expect(refs(care1)).toEqual([R.care1Due1h]);
    expect(care1.items[0]).toMatchObject({ coordinatorId: team.care1.userId, overdue: false });
    const care2 = await worklist(team.care2);
    expect(refs(care2)).toEqual([R.care2Overdue1h]);
    expect(care2.items[0]).toMatchObject({ coordinatorId: team.care2.userId, overdue: true });
  });

  it('filters by phase, request type, country and overdue, alone or together', async () => {
    const a = team.admission;
    expect(refs(await worklist(a, { phase: 'received' }))).toEqual([R.admOverdue2h]);
    expect(refs(await worklist(a, { requestType: 'treatment' }))).toEqual([R.admNoDeadlineOld, R.admNoDeadlineNew]);
    expect(refs(await worklist(a, { country: 'MA' }))).toEqual([R.admOverdue2h, R.admNoDeadlineOld, R.admNoDeadlineNew]);
    expect(refs(await worklist(a, { overdue: 'true' }))).toEqual([R.admOverdue30h, R.admOverdue2h]);
    expect(refs(await worklist(a, { overdue: 'false' }))).toEqual([R.admDue5h, R.admNoDeadlineOld, R.admNoDeadlineNew]);
    const combined = await worklist(a, { phase: 'file_collection', country: 'MA', overdue: 'false' });
    expect(refs(combined)).toEqual([R.admNoDeadlineOld, R.admNoDeadlineNew]);
    expect(combined.total).toBe(2);
    expect(await worklist(a, { country: 'US' })).toMatchObject({ items: [], total: 0 });
  });

  it('pages with limit and offset, the total counting every match', async () => {
    const a = team.admission;
    expect(await worklist(a, { limit: '2' })).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(refs(await worklist(a, { limit: '2' }))).toEqual(ADMISSION_ORDER.slice(0, 2));
    expect(refs(await worklist(a, { limit: '2', offset: '2' }))).toEqual(ADMISSION_ORDER.slice(2, 4));
    expect(await worklist(a, { limit: '2', offset: '4' })).toMatchObject({ items: [expect.objectContaining({ reference: ADMISSION_ORDER[4] })], total: 5, limit: 2, offset: 4 });
    expect(await worklist(a, { offset: '50' })).toMatchObject({ items: [], total: 5, offset: 50 });
    expect(refs(await worklist(a, { limit: '100' }))).toEqual(ADMISSION_ORDER);
  });

  it('caps limit at 100 and says so', async () => {
    const res = await request(stack.app).get('/worklist').query({ limit: '101' }).set(team.admission.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ path: 'limit', message: expect.stringContaining('At most 100') }]);
  });

  it.each([
    ['an unknown parameter', { sort: 'reference' }, '(query)'],
    ['limit 0', { limit: '0' }, 'limit'],
    ['a non-numeric limit', { limit: 'ten' }, 'limit'],
    ['a negative offset', { offset: '-1' }, 'offset'],
    ['an unknown phase', { phase: 'surgery_scheduled' }, 'phase'],
    ['an unknown request type', { requestType: 'surgery' }, 'requestType'],
    ['a lower-case country', { country: 'ma' }, 'country'],
    ['an unknown country', { country: 'XX' }, 'country'],
    ['a one-letter country (the country lookup throws on it)', { country: 'X' }, 'country'],
    ['overdue other than true or false', { overdue: 'yes' }, 'overdue'],
    ['a repeated parameter', 'phase=received&phase=file_collection', 'phase'],
  ])('answers 400 for %s, naming the parameter', async (_label, query, path) => {
    const res = await request(stack.app).get('/worklist').query(query).set(team.admission.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(path);
  });

  it('names the unknown parameter and the accepted ones', async () => {
    const res = await request(stack.app).get('/worklist').query({ sort: 'reference' }).set(team.admission.auth);
    expect(res.body.error.details[0].message).toMatch(/sort.*Accepted: phase, requestType, country, awaitingRole, overdue, limit, offset/);
  });

  it('lets a role name only its own awaitingRole', async () => {
    expect(refs(await worklist(team.admission, { awaitingRole: 'admission_coordinator' }))).toEqual(ADMISSION_ORDER);
    for (const [who, awaitingRole] of [
      [team.admission, 'finance'],
      [team.care1, 'patient'],
      [team.medicalAssistant, 'mdt'],
    ] as const) {
      const res = await request(stack.app).get('/worklist').query({ awaitingRole }).set(who.auth);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'awaitingRole', message: expect.stringContaining('only ops') }]);
    }
  });

  it('shows ops every open case, overdue first, and filters them by awaitingRole', async () => {
    const all = await worklist(team.ops);
    const open = [...Object.values(R).filter((r) => r !== R.cancelled && r !== R.cancelledStale && r !== R.care1Closed), realCase];
    expect([...refs(all)].sort()).toEqual([...open].sort());
    expect(all.total).toBe(open.length);
    // The order holds across roles: overdue first, then deadlines ascending, cases without one last.
    const deadlines = all.items.map((i) => (i.nextDeadline === null ? Infinity : Date.parse(i.nextDeadline)));
    expect(deadlines).toEqual([...deadlines].sort((x, y) => x - y));
    const overdue = all.items.map((i) => i.overdue);
    expect(overdue).toEqual([...overdue].sort((x, y) => Number(y) - Number(x)));
    expect(all.items.filter((i) => i.overdue).map((i) => i.reference).sort()).toEqual([R.admOverdue30h, R.admOverdue2h, R.care2Overdue1h, R.financeOverdue, R.care1Patient].sort());

    expect(refs(await worklist(team.ops, { awaitingRole: 'patient' }))).toEqual([R.care1Patient, realCase]);
    // Ops see care-coordinator cases whoever is assigned, and the unassigned one.
    expect(refs(await worklist(team.ops, { awaitingRole: 'care_coordinator' }))).toEqual([R.care2Overdue1h, R.care1Due1h, R.careUnassigned]);
    expect(refs(await worklist(team.ops, { awaitingRole: 'admission_coordinator', overdue: 'true' }))).toEqual([R.admOverdue30h, R.admOverdue2h]);
    // Ended cases wait on nobody: not listed even when asked for.
    expect(await worklist(team.ops, { awaitingRole: 'none' })).toMatchObject({ items: [], total: 0 });
    expect(await worklist(team.ops, { phase: 'cancelled' })).toMatchObject({ items: [], total: 0 });
  });

  it('refuses the patient side (403) and anonymous callers (401)', async () => {
    for (const who of [patient, referrer]) {
      const res = await request(stack.app).get('/worklist').set(who.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const anonymous = await request(stack.app).get('/worklist');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('is documented in the OpenAPI document with its query parameters', async () => {
    const res = await request(stack.app).get('/openapi.json');
    const params = (res.body.paths['/worklist'].get.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params.sort()).toEqual(['awaitingRole', 'country', 'limit', 'offset', 'overdue', 'phase', 'requestType']);
  });
});

async function mine(who: Actor, query: Record<string, string> = {}): Promise<Page> {
  const res = await request(stack.app).get('/worklist/mine').query(query).set(who.auth);
  if (res.status !== 200) throw new Error(`GET /worklist/mine ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Page;
}

describe('GET /worklist/mine', () => {
  it('shows a care coordinator every open case they coordinate, whatever it waits on, overdue first, then by deadline', async () => {
    const care1 = await mine(team.care1);
    // Waiting on the patient (overdue), on care1, on finance; not the ended case, not care2's, not the unassigned one.
    expect(refs(care1)).toEqual([R.care1Patient, R.care1Due1h, R.care1Finance]);
    expect(care1).toMatchObject({ total: 3, limit: 25, offset: 0 });
    expect(care1.items.map((i) => [i.awaitingRole, i.overdue])).toEqual([['patient', true], ['care_coordinator', false], ['finance', false]]);
    expect(care1.items[0]).toMatchObject({ coordinatorId: team.care1.userId, patientName: 'Test Patient 14', phase: 'fee_payment' });
    expect(refs(await mine(team.care2))).toEqual([R.care2Overdue1h]);
  });

  it('filters and pages like /worklist, and takes no awaitingRole', async () => {
    expect(refs(await mine(team.care1, { phase: 'guarantee_pending' }))).toEqual([R.care1Finance]);
    expect(refs(await mine(team.care1, { overdue: 'true' }))).toEqual([R.care1Patient]);
    expect(refs(await mine(team.care1, { overdue: 'false' }))).toEqual([R.care1Due1h, R.care1Finance]);
    expect(await mine(team.care1, { limit: '1', offset: '1' })).toMatchObject({ items: [expect.objectContaining({ reference: R.care1Due1h })], total: 3 });
    const res = await request(stack.app).get('/worklist/mine').query({ awaitingRole: 'patient' }).set(team.care1.auth);
    expect(res.status).toBe(400);
    expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain('(query)');
  });

  it('is for care coordinators only', async () => {
    for (const who of [team.admission, team.finance, team.mdt, team.ops, patient]) {
      const res = await request(stack.app).get('/worklist/mine').set(who.auth);
      expect(res.status).toBe(403);
    }
    expect((await request(stack.app).get('/worklist/mine')).status).toBe(401);
  });
});
