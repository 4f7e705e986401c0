// Access traces (issue #17 item 5): every staff read of patient data is in the audit trail, through the
// API and through the console (one entry per read, none twice); the retention purge deletes old audit
// entries only; the patient's export holds their data and their documents' bytes, and nobody else's.
import zlib from 'node:zlib';
import request from 'supertest';
import type { StaffRole } from '../api/policy';
import { loadConfig } from '../lib/config';
import { purgeAuditTrail } from '../lib/ops/purgeAudit';
import { PASSWORD, signUp, staff, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let owner: Actor;
let other: Actor;
let reference: string;
let otherReference: string;
let documentId: string;
const actors = {} as Record<StaffRole, Actor>;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Title (lettre du medecin) >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');
const DAY = 24 * 60 * 60 * 1000;

async function openCase(who: Actor, patient: Record<string, string>): Promise<string> {
  const base = validCase();
  const opened = await request(stack.app).post('/cases').set(who.auth).send({ ...base, patient: { ...base.patient, ...patient } });
  if (opened.status !== 201) throw new Error(`POST /cases: ${opened.status} ${JSON.stringify(opened.body)}`);
  const ref = opened.body.reference as string;
  await waitForState(stack.app, who.auth, ref, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  return ref;
}

beforeAll(async () => {
  stack = await startStack();
  [owner, other] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'patient')]);
  for (const role of ['admission_coordinator', 'care_coordinator', 'finance', 'ops'] as const) actors[role] = await staff(stack, role);
  reference = await openCase(owner, { firstName: 'Amina', lastName: 'Benali' });
  otherReference = await openCase(other, { firstName: 'Yusuf', lastName: 'Okonkwo', email: 'yusuf.okonkwo@example.ng' });
  const doc = await request(stack.app).post(`/cases/${reference}/documents`).set(owner.auth).field('kind', 'gp_letter').field('language', 'fr').attach('files', PDF, 'lettre.pdf');
  expect(doc.status).toBe(201);
  documentId = doc.body.items[0].documentId;
  expect((await request(stack.app).post(`/cases/${reference}/messages`).set(owner.auth).send({ body: 'Bonjour, mes examens arrivent.' })).status).toBe(201);
  expect((await request(stack.app).put(`/cases/${reference}/questionnaire`).set(owner.auth).send({ pathologyName: 'Chordome' })).status).toBeLessThan(300);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

let seq = 0;
const nextId = () => `trace-${process.pid}-${++seq}`;
const entriesOf = (requestId: string) => stack.db.auditEntry.findMany({ where: { requestId }, orderBy: { id: 'asc' } });

describe('every staff read is traced', () => {
  // [what, who, path, action, the case the entries name (null: one entry without a case)]
  const reads: [string, StaffRole, () => string, string, 'case' | 'listed' | null][] = [
    ['the case (state, questionnaire, timeline)', 'admission_coordinator', () => `/cases/${reference}`, 'case.read', 'case'],
    ['the documents list', 'admission_coordinator', () => `/cases/${reference}/documents`, 'document.list', 'case'],
    ['a document download', 'care_coordinator', () => `/cases/${reference}/documents/${documentId}`, 'document.download', 'case'],
    ['the messages', 'admission_coordinator', () => `/cases/${reference}/messages`, 'message.list', 'case'],
    ['the worklist (ops see every open case, with names)', 'ops', () => '/worklist', 'worklist.read', 'listed'],
    ['my cases, empty', 'care_coordinator', () => '/worklist/mine', 'worklist.mine', null],
    ['the tasks worklist, empty', 'finance', () => '/worklist/tasks', 'worklist.tasks', null],
    ['the money owed, empty', 'finance', () => '/worklist/money-owed', 'worklist.money_owed', null],
  ];

  it.each(reads)('%s: one entry per read, with who, role, action and request ID', async (_what, role, path, action, names) => {
    const requestId = nextId();
    const res = await request(stack.app).get(path()).set(actors[role].auth).set('X-Request-Id', requestId);
    expect(res.status).toBe(200);
    const entries = await entriesOf(requestId);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e).toMatchObject({ actorId: actors[role].userId, actorRole: role, action });
    if (names === 'case') expect(entries.map((e) => e.caseReference)).toEqual([reference]);
    if (names === null) expect(entries.map((e) => e.caseReference)).toEqual([null]);
    if (names === 'listed') {
      // One entry per case on the page, so each case's trail shows who saw the patient's name.
      const shown = (res.body as { items: { reference: string }[] }).items.map((i) => i.reference);
      expect(shown).toEqual(expect.arrayContaining([reference, otherReference]));
      expect(entries.map((e) => e.caseReference).sort()).toEqual([...shown].sort());
    }
  });

  it('records the document downloaded', async () => {
    const requestId = nextId();
    expect((await request(stack.app).get(`/cases/${reference}/documents/${documentId}`).set(actors.ops.auth).set('X-Request-Id', requestId)).status).toBe(200);
    expect((await entriesOf(requestId))[0].detail).toEqual({ documentId });
  });

  it('traces reads of the audit trail itself, with the query, outside the case’s own trail', async () => {
    const requestId = nextId();
    const res = await request(stack.app).get('/audit').query({ caseId: reference }).set(actors.ops.auth).set('X-Request-Id', requestId);
    expect(res.status).toBe(200);
    expect(await entriesOf(requestId)).toEqual([expect.objectContaining({ actorId: actors.ops.userId, actorRole: 'ops', action: 'audit.read', caseReference: null, detail: { caseId: reference } })]);
    // The case's trail lists the accesses to the case, not the reads of its trail.
    expect((res.body as { items: { action: string }[] }).items.map((e) => e.action)).not.toContain('audit.read');
    const mine = await request(stack.app).get('/audit').query({ actorId: actors.ops.userId }).set(actors.ops.auth);
    expect((mine.body as { items: { action: string; requestId: string }[] }).items).toContainEqual(expect.objectContaining({ action: 'audit.read', requestId }));
  });

  it('a refused read is not recorded as a read', async () => {
    const requestId = nextId();
    expect((await request(stack.app).get('/audit').query({ caseId: reference }).set(actors.finance.auth).set('X-Request-Id', requestId)).status).toBe(403);
    expect(await entriesOf(requestId)).toEqual([]);
  });
});

describe('console pages: exactly one entry per read', () => {
  const HTML = 'text/html,application/xhtml+xml';
  async function consoleAs(who: Actor) {
    const agent = request.agent(stack.app);
    const login = await agent.get('/login').set('Accept', HTML);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const res = await agent.post('/portal/login').set('Accept', HTML).type('form').send(new URLSearchParams({ email: who.email, password: PASSWORD, _csrf: csrf }).toString());
    expect(res.status).toBe(303);
    return agent;
  }

  it('a case page reads the case, its documents and its messages once each', async () => {
    const agent = await consoleAs(actors.admission_coordinator);
    const requestId = nextId();
    const page = await agent.get(`/console/cases/${reference}`).set('Accept', HTML).set('X-Request-Id', requestId);
    expect(page.status).toBe(200);
    const entries = await entriesOf(requestId);
    expect(entries.map((e) => [e.action, e.caseReference, e.actorId])).toEqual([
      ['case.read', reference, actors.admission_coordinator.userId],
      ['document.list', reference, actors.admission_coordinator.userId],
      ['message.list', reference, actors.admission_coordinator.userId],
    ]);
  });

  it('a document opened from the console is one download; the worklist page one entry per case shown', async () => {
    const agent = await consoleAs(actors.ops);
    const download = nextId();
    expect((await agent.get(`/console/cases/${reference}/documents/${documentId}`).set('Accept', HTML).set('X-Request-Id', download)).status).toBe(200);
    expect((await entriesOf(download)).map((e) => e.action)).toEqual(['document.download']);
    const list = nextId();
    expect((await agent.get('/console').set('Accept', HTML).set('X-Request-Id', list)).status).toBe(200);
    const entries = await entriesOf(list);
    expect(entries.every((e) => e.action === 'worklist.read' && e.actorId === actors.ops.userId)).toBe(true);
    expect(entries.map((e) => e.caseReference).sort()).toEqual([reference, otherReference].sort());
  });
});

describe('retention purge', () => {
  const aged = (action: string, days: number) => stack.db.auditEntry.create({ data: { actorId: 'retention-test', actorRole: 'ops', action, at: new Date(Date.now() - days * DAY) } });
  const medicalCounts = async () => ({
    cases: await stack.db.case.count(),
    events: await stack.db.caseEvent.count(),
    documents: await stack.db.document.count(),
    messages: await stack.db.message.count(),
    payments: await stack.db.payment.count(),
    refunds: await stack.db.refund.count(),
  });

  it('refuses a retention under 183 days, in the configuration and in the purge', async () => {
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '90' })).toThrow(/AUDIT_RETENTION_DAYS: must be at least 183 days/);
    expect(loadConfig({}).audit.retentionDays).toBe(400);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '183' }).audit.retentionDays).toBe(183);
    await expect(purgeAuditTrail(stack.db, { retentionDays: 182, by: 'test' })).rejects.toThrow(/under 183 days.*Set AUDIT_RETENTION_DAYS to 183 or more/);
  });

  it('deletes only audit entries older than the retention, records itself, and leaves medical and billing records', async () => {
    const old = await aged('test.old', 500);
    const kept = await aged('test.kept', 300);
    const before = await medicalCounts();
    const total = await stack.db.auditEntry.count();
    expect(await purgeAuditTrail(stack.db, { retentionDays: 400, by: 'test', dryRun: true })).toMatchObject({ deleted: 1, dryRun: true });
    expect(await stack.db.auditEntry.count()).toBe(total);

    const result = await purgeAuditTrail(stack.db, { retentionDays: 400, by: 'retention-tester' });
    expect(result).toMatchObject({ deleted: 1, retentionDays: 400, dryRun: false });
    expect(await stack.db.auditEntry.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await stack.db.auditEntry.findUnique({ where: { id: kept.id } })).not.toBeNull();
    expect(await stack.db.auditEntry.count()).toBe(total); // one gone, the purge's own record added
    expect(await medicalCounts()).toEqual(before);
    expect(await stack.db.auditEntry.findFirst({ where: { action: 'audit.purge' }, orderBy: { id: 'desc' } })).toMatchObject({
      actorId: 'retention-tester', actorRole: 'ops', detail: { cutoff: result.cutoff.toISOString(), retentionDays: 400, deleted: 1, batch: 1 },
    });
    expect(await stack.db.auditPurgePermit.count()).toBe(0);
  });

  it('works in batches, each recorded', async () => {
    for (let i = 0; i < 5; i++) await aged('test.batch', 450 + i);
    expect(await purgeAuditTrail(stack.db, { retentionDays: 400, by: 'batch-tester', batchSize: 2 })).toMatchObject({ deleted: 5 });
    const runs = await stack.db.auditEntry.findMany({ where: { action: 'audit.purge', actorId: 'batch-tester' }, orderBy: { id: 'asc' } });
    expect(runs.map((r) => (r.detail as { deleted: number }).deleted)).toEqual([2, 2, 1]);
    expect(await stack.db.auditEntry.count({ where: { action: 'test.batch' } })).toBe(0);
  });

  it('the database itself refuses other deletes: without a permit, of a recent entry even with one, and of case events', async () => {
    const old = await aged('test.guarded', 500);
    const recent = await aged('test.recent', 100);
    await expect(stack.db.auditEntry.delete({ where: { id: old.id } })).rejects.toThrow();
    await expect(stack.db.$transaction(async (tx) => {
      await tx.auditPurgePermit.create({ data: { cutoff: new Date() } });
      await tx.auditEntry.delete({ where: { id: recent.id } });
    })).rejects.toThrow();
    expect(await stack.db.auditEntry.count({ where: { id: { in: [old.id, recent.id] } } })).toBe(2);
    expect(await stack.db.auditPurgePermit.count()).toBe(0);
    await expect(stack.db.caseEvent.deleteMany({})).rejects.toThrow();
    await expect(stack.db.auditEntry.update({ where: { id: recent.id }, data: { action: 'changed' } })).rejects.toThrow();
  });
});

/** The entries of a ZIP archive, each checked against its CRC-32 (the central directory, as unzip reads it). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(p + 16);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(p + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    expect(zlib.crc32(data)).toBe(crc);
    out.set(name, data);
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

interface Bundle {
  format: string;
  account: { id: string; email: string };
  cases: { reference: string; state: { questionnaire: Record<string, string>; timeline: unknown[] }; documents: { documentId: string; file: string }[]; messages: { body: string }[]; payments: unknown[]; refunds: unknown[] }[];
}

describe('the patient’s export (right of access)', () => {
  const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  it('holds the account, the case, questionnaire, timeline, messages and the document’s bytes; no other patient’s data', async () => {
    const requestId = nextId();
    const res = await request(stack.app).get('/me/export').set(owner.auth).set('X-Request-Id', requestId).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="parcours-\d{4}-\d{2}-\d{2}\.zip"$/);
    const files = unzip(res.body as Buffer);
    const [root] = [...files.keys()][0].split('/');
    const bundle = JSON.parse(files.get(`${root}/data.json`)!.toString('utf8')) as Bundle;
    expect(bundle.format).toBe('parcours-export/1');
    expect(bundle.account).toMatchObject({ id: owner.userId, email: owner.email });
    expect(bundle.cases.map((c) => c.reference)).toEqual([reference]);
    const [c] = bundle.cases;
    expect(c.state.questionnaire).toMatchObject({ pathologyName: 'Chordome' });
    expect(c.state.timeline.length).toBeGreaterThan(0);
    expect(c.messages.map((m) => m.body)).toEqual(['Bonjour, mes examens arrivent.']);
    expect(c.documents.map((d) => d.documentId)).toEqual([documentId]);
    expect(files.get(`${root}/${c.documents[0].file}`)).toEqual(PDF);
    expect([...files.keys()].sort()).toEqual([`${root}/data.json`, `${root}/${c.documents[0].file}`].sort());
    // Nothing of the other patient's case, anywhere in the archive.
    const everything = Buffer.concat([...files.entries()].map(([name, data]) => Buffer.concat([Buffer.from(name), data]))).toString('latin1');
    expect(everything).not.toContain(otherReference);
    expect(everything).not.toMatch(/Okonkwo|yusuf/i);
    // Recorded with the patient as actor, under the case.
    expect((await entriesOf(requestId)).map((e) => [e.action, e.actorId, e.actorRole, e.caseReference])).toEqual([['data.export', owner.userId, 'patient', reference]]);
  });

  it('gives another patient only their own case, and refuses staff (403) and callers not signed in (401)', async () => {
    const res = await request(stack.app).get('/me/export').set(other.auth).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const files = unzip(res.body as Buffer);
    const json = [...files.entries()].find(([name]) => name.endsWith('/data.json'))![1].toString('utf8');
    expect((JSON.parse(json) as Bundle).cases.map((c) => c.reference)).toEqual([otherReference]);
    expect(json).not.toContain(reference);
    expect(json).not.toContain('Benali');
    const staffTry = await request(stack.app).get('/me/export').set(actors.ops.auth);
    expect(staffTry.status).toBe(403);
    expect(staffTry.body.error.code).toBe('forbidden');
    const anonymous = await request(stack.app).get('/me/export');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('is linked from the portal in both languages, and downloads from it', async () => {
    const agent = request.agent(stack.app);
    const HTML = 'text/html,application/xhtml+xml';
    const login = await agent.get('/login').set('Accept', HTML);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect((await agent.post('/portal/login').set('Accept', HTML).type('form').send(new URLSearchParams({ email: owner.email, password: PASSWORD, _csrf: csrf }).toString())).status).toBe(303);
    const en = await agent.get('/cases').set('Accept', HTML).set('Accept-Language', 'en');
    expect(en.text).toContain('<a href="/my-data/export" download>Download my data</a>');
    expect((await agent.get('/lang/fr?next=/cases').set('Accept', HTML)).status).toBe(303);
    const casePage = await agent.get(`/cases/${reference}`).set('Accept', HTML);
    expect(casePage.status).toBe(200);
    expect(casePage.text).toContain('<a href="/my-data/export" download>Télécharger mes données</a>');
    const zip = await agent.get('/my-data/export').set('Accept', HTML).buffer(true).parse(binary);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect([...unzip(zip.body as Buffer).keys()].some((n) => n.endsWith('/data.json'))).toBe(true);
    // Signed out, the portal sends to the sign-in page, not an archive.
    const anonymous = await request(stack.app).get('/my-data/export').set('Accept', HTML);
    expect(anonymous.status).toBe(303);
  });
});
