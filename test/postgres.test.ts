// Parcours on PostgreSQL (issue #16 item 1), against the machine's PostgreSQL server: fresh databases
// (random names, dropped at the end whatever happens), migrated by the project's own migrator
// (lib/migrations.ts, `npm run db:migrate`), and the whole stack (real Temporal dev server, worker,
// mail relay, API) on one of them. The rows are checked in PostgreSQL itself.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { studyFees } from '../config/fees';
import { projectRoot } from '../lib/databaseUrl';
import { migrate, migrationDirs, MIGRATIONS_TABLE, readMigrations } from '../lib/migrations';
import type { CaseState } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, fillFile, makeTeam, pay, type Team } from './support/pathway';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { startStack, type Stack } from './support/stack';

const root = projectRoot();
const MIGRATIONS = readMigrations(migrationDirs.postgresql(root)).map((m) => m.name);
const databases: TestDatabase[] = [];
async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('parcours_test_pg');
  databases.push(db);
  return db;
}

let pg: TestDatabase;
let s: Stack;
let team: Team;

beforeAll(async () => {
  pg = await database();
  const result = await migrate(pg.url);
  expect(result).toEqual({ provider: 'postgresql', applied: MIGRATIONS, alreadyApplied: 0 });
  s = await startStack({ databaseUrl: pg.url, env: CALM_TIMINGS });
  team = await makeTeam(s);
}, 60_000);
afterAll(async () => {
  try {
    await s?.stop();
  } finally {
    for (const db of databases) await db.drop();
  }
});

/** The schema as PostgreSQL describes it (columns, indexes, constraints, triggers), order-independent. */
async function schemaOf(db: TestDatabase, opts: { triggers: boolean }) {
  const notOurs = `NOT IN ('${MIGRATIONS_TABLE}')`;
  return {
    columns: await db.query(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name ${notOurs} ORDER BY 1, 2`),
    indexes: await db.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename ${notOurs} ORDER BY 1, 2`),
    constraints: await db.query(`SELECT conrelid::regclass::text AS "table", conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text ${notOurs} ORDER BY 1, 2`),
    ...(opts.triggers ? { triggers: await db.query(`SELECT event_object_table, trigger_name, action_timing, event_manipulation, action_statement FROM information_schema.triggers ORDER BY 1, 2, 4`) } : {}),
  };
}

describe('migrations on PostgreSQL', () => {
  it('every SQLite migration has its PostgreSQL twin; each is recorded once applied, and migrating again changes nothing', async () => {
    expect(MIGRATIONS).toEqual(readMigrations(migrationDirs.sqlite(root)).map((m) => m.name));
    const recorded = await pg.query<{ name: string }>(`SELECT "name" FROM "${MIGRATIONS_TABLE}" ORDER BY "name"`);
    expect(recorded.map((r) => r.name)).toEqual(MIGRATIONS);
    const before = await schemaOf(pg, { triggers: true });
    expect(await migrate(pg.url)).toEqual({ provider: 'postgresql', applied: [], alreadyApplied: MIGRATIONS.length });
    expect(await schemaOf(pg, { triggers: true })).toEqual(before);
    expect(await pg.query(`SELECT "name" FROM "${MIGRATIONS_TABLE}" ORDER BY "name"`)).toEqual(recorded);
  });

  it('build exactly the schema of the current datamodel (what `prisma migrate diff --from-empty` makes of its PostgreSQL copy)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-pg-schema-'));
    try {
      const schema = path.join(dir, 'schema.prisma');
      execFileSync('bash', [path.join(root, 'scripts', 'postgres-schema.sh'), path.join(root, 'prisma', 'schema.prisma'), schema]);
      const sql = execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schema, '--script'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')
        .filter((l) => !l.startsWith('Loaded Prisma config'))
        .join('\n');
      const baseline = await database();
      await baseline.query(sql);
      expect(await schemaOf(pg, { triggers: false })).toEqual(await schemaOf(baseline, { triggers: false }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a migration that fails leaves nothing of itself (the ones before it stay applied), and is applied once fixed', async () => {
    const db = await database();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-pg-migrations-'));
    try {
      fs.cpSync(migrationDirs.postgresql(root), dir, { recursive: true });
      const broken = '99991231235959_broken';
      fs.mkdirSync(path.join(dir, broken));
      const sqlOf = (last: string) => `CREATE TABLE "Half" ("id" TEXT PRIMARY KEY);\nALTER TABLE "Case" ADD COLUMN "half" TEXT;\n${last}\n`;
      fs.writeFileSync(path.join(dir, broken, 'migration.sql'), sqlOf('SELECT 1 / 0;'));

      await expect(migrate(db.url, { dir })).rejects.toThrow(/Migration 99991231235959_broken failed and was rolled back \(nothing of it applied\): division by zero/);
      expect((await db.query<{ name: string }>(`SELECT "name" FROM "${MIGRATIONS_TABLE}" ORDER BY "name"`)).map((r) => r.name)).toEqual(MIGRATIONS);
      expect(await db.query(`SELECT to_regclass('"Half"') AS half`)).toEqual([{ half: null }]);
      expect(await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Case' AND column_name = 'half'`)).toEqual([]);

      fs.writeFileSync(path.join(dir, broken, 'migration.sql'), sqlOf('SELECT 1;'));
      expect(await migrate(db.url, { dir })).toMatchObject({ applied: [broken], alreadyApplied: MIGRATIONS.length });
      expect(await db.query(`SELECT to_regclass('"Half"')::text AS half`)).toEqual([{ half: '"Half"' }]);

      // A migration changed after it was applied is refused, and nothing runs.
      fs.appendFileSync(path.join(dir, MIGRATIONS[0], 'migration.sql'), '\n-- edited afterwards\n');
      fs.mkdirSync(path.join(dir, '99991231235960_later'));
      fs.writeFileSync(path.join(dir, '99991231235960_later', 'migration.sql'), 'CREATE TABLE "Later" ("id" TEXT PRIMARY KEY);\n');
      await expect(migrate(db.url, { dir })).rejects.toThrow(`Migration ${MIGRATIONS[0]} was changed after it was applied`);
      expect(await db.query(`SELECT to_regclass('"Later"') AS later`)).toEqual([{ later: null }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two migrators starting at once apply each migration once (they wait for each other)', async () => {
    const db = await database();
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([MIGRATIONS, []]);
    expect(await db.query(`SELECT count(*)::int AS n FROM "${MIGRATIONS_TABLE}"`)).toEqual([{ n: MIGRATIONS.length }]);
  });
});

describe('the stack on PostgreSQL', () => {
  const FEE = studyFees.medical_opinion.amountCents;
  let patient: Actor;
  let ref: string;
  const wait = (done: (st: CaseState) => boolean) => waitForState(s.app, patient.auth, ref, done);
  const row = async <T extends Record<string, unknown>>(sql: string, ...params: unknown[]) => (await pg.query<T>(sql, params))[0];

  it('opens a case (idempotent POST), collects the file, takes the fee through the webhook (a replay is a duplicate) and keeps the read model and audit trail in PostgreSQL', async () => {
    patient = await signUp(s);
    const key = crypto.randomUUID();
    const open = () => request(s.app).post('/cases').set(patient.auth).set('Idempotency-Key', key).send(validCase({ requestType: 'medical_opinion', language: 'en' }));
    const [first, again] = [await open(), await open()];
    expect(first.status).toBe(201);
    ref = String(first.body.reference);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate_request', details: { reference: ref } });
    expect(await row(`SELECT count(*)::int AS n FROM "CaseRequest" WHERE "idempotencyKey" = $1`, `${patient.userId}:${key}`)).toEqual({ n: 1 });
    expect(await row(`SELECT count(*)::int AS n FROM "Case" WHERE "ownerId" = $1`, patient.userId)).toEqual({ n: 1 });

    await wait((st) => st.phase === 'file_collection');
    await fillFile(s, patient, ref, 'medical_opinion');
    expect((await call(s, patient, 'post', `/cases/${ref}/submit`)).status).toBe(200);
    await wait((st) => st.phase === 'completeness_review');
    expect((await call(s, team.admission, 'post', `/cases/${ref}/review`, { decision: 'complete' })).status).toBe(200);
    await wait((st) => st.phase === 'coordinator_assignment');
    expect((await call(s, team.admission, 'put', `/cases/${ref}/coordinator`, { coordinatorId: team.care.userId })).status).toBe(200);
    await wait((st) => st.phase === 'contents_review');
    expect((await call(s, team.care, 'post', `/cases/${ref}/approve`)).status).toBe(200);
    await wait((st) => st.phase === 'fee_payment');

    const paid = await pay(s, ref, FEE, `pay-${ref}`);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ duplicate: false, forwarded: true, amountPaidCents: FEE });
    const replay = await pay(s, ref, FEE, `pay-${ref}`);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, amountPaidCents: FEE });
    await wait((st) => st.phase === 'report_pending');
    expect(await pg.query(`SELECT "amountCents", "counted" FROM "Payment" p JOIN "Case" c ON c."id" = p."caseId" WHERE c."reference" = $1`, [ref])).toEqual([{ amountCents: FEE, counted: true }]);

    // The read model: a JSONB view, versioned, with the case's phase; the deadline a real timestamp.
    const readModel = await row<{ phase: string; viewPhase: string; viewType: string; viewVersion: number; deadline: string }>(
      `SELECT "phase", "view" ->> 'phase' AS "viewPhase", jsonb_typeof("view") AS "viewType", "viewVersion", pg_typeof("nextDeadline")::text AS deadline FROM "Case" WHERE "reference" = $1`,
      ref,
    );
    expect(readModel).toMatchObject({ phase: 'report_pending', viewPhase: 'report_pending', viewType: 'object', deadline: 'timestamp without time zone' });
    expect(readModel.viewVersion).toBeGreaterThan(1);
    const events = await pg.query<{ type: string }>(`SELECT e."type" FROM "CaseEvent" e JOIN "Case" c ON c."id" = e."caseId" WHERE c."reference" = $1 ORDER BY e."id"`, [ref]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['acknowledgement_sent', 'payment_received']));
    // The audit trail is append-only here too.
    await expect(pg.query(`UPDATE "CaseEvent" SET "actor" = 'someone else'`)).rejects.toThrow(/CaseEvent is append-only/);
    await expect(pg.query(`DELETE FROM "AuditEntry"`)).rejects.toThrow(/AuditEntry is append-only/);

    // A staff read is audited, with the request ID the caller chose, and ops read it back.
    const read = await request(s.app).get(`/cases/${ref}`).set(team.care.auth).set('X-Request-Id', `pg-${ref}`);
    expect(read.status).toBe(200);
    expect(await row(`SELECT "actorId", "action", "requestId" FROM "AuditEntry" WHERE "caseReference" = $1 AND "requestId" = $2`, ref, `pg-${ref}`)).toEqual({ actorId: team.care.userId, action: 'case.read', requestId: `pg-${ref}` });
    const trail = await request(s.app).get('/audit').query({ caseId: ref }).set(team.ops.auth);
    expect(trail.status).toBe(200);
    expect(trail.body.items).toContainEqual(expect.objectContaining({ requestId: `pg-${ref}`, action: 'case.read' }));
  }, 90_000);

  it('a message sent twice at once with one Idempotency-Key is stored once', async () => {
    const key = crypto.randomUUID();
    const send = () => request(s.app).post(`/cases/${ref}/messages`).set(patient.auth).set('Idempotency-Key', key).send({ body: 'My scans are on their way.' });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(await pg.query(`SELECT "id", "idempotencyKey" FROM "Message" WHERE "idempotencyKey" = $1`, [key])).toEqual([{ id: a.body.id, idempotencyKey: key }]);
  });

  it("lists a team's open tasks from the events' JSON payloads (raw SQL translated for PostgreSQL)", async () => {
    const c = await s.db.case.findUniqueOrThrow({ where: { reference: ref } });
    const taskId = `task-${crypto.randomUUID()}`;
    await s.db.caseEvent.create({ data: { caseId: c.id, type: 'task_created', actor: 'patient', idempotencyKey: `${c.workflowId}:${taskId}`, payload: { taskId, kind: 'interpreter', team: 'support' } } });
    const tasks = async (actor: Actor) => {
      const res = await request(s.app).get('/worklist/tasks').set(actor.auth);
      expect(res.status).toBe(200);
      return (res.body as { items: { taskId: string; team: string; reference: string }[]; total: number }).items.filter((t) => t.taskId === taskId);
    };
    expect(await tasks(team.support)).toEqual([expect.objectContaining({ taskId, team: 'support', reference: ref })]);
    expect(await tasks(team.finance)).toEqual([]);
    await s.db.caseEvent.create({ data: { caseId: c.id, type: 'task_done', actor: 'support', idempotencyKey: `${c.workflowId}:${taskId}:done`, payload: { taskId } } });
    expect(await tasks(team.support)).toEqual([]);
  });

  it('after the case ends, a late payment is owed back; two refunds at once are judged one after the other, and a replayed one is a duplicate', async () => {
    expect((await call(s, team.mdt, 'post', `/cases/${ref}/study/open`)).status).toBe(200);
    expect((await call(s, patient, 'post', `/cases/${ref}/withdraw`, { reason: 'Treated at home after all' })).status).toBe(200);
    await wait((st) => st.phase === 'withdrawn');
    await eventually(async () => expect((await s.client.workflow.getHandle(`case-${ref}`).describe()).status.name).toBe('COMPLETED'));

    const late = await pay(s, ref, 5_000, `pay-${ref}-late`);
    expect(late.body).toMatchObject({ forwarded: false });
    expect(await row(`SELECT "counted" FROM "Payment" WHERE "paymentId" = $1`, `pay-${ref}-late`)).toEqual({ counted: false });

    const refund = (key: string, amountCents: number) =>
      request(s.app).post(`/cases/${ref}/refunds`).set(team.finance.auth).set('Idempotency-Key', key).send({ amountCents, method: 'bank_transfer', reference: `VIR-${key.slice(0, 8)}` });
    const [k1, k2] = [crypto.randomUUID(), crypto.randomUUID()];
    // 3,000 + 3,000 > 5,000 owed: whichever is judged second sees the first and is refused.
    const [r1, r2] = await Promise.all([refund(k1, 3_000), refund(k2, 3_000)]);
    expect([r1.status, r2.status].sort()).toEqual([201, 400]);
    const [made, refused] = r1.status === 201 ? [r1, r2] : [r2, r1];
    expect(made.body).toMatchObject({ afterEnd: true, owedCents: 2_000, duplicate: false });
    expect(refused.body.error.code).toBe('refused');
    const replay = await refund(made === r1 ? k1 : k2, 3_000);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ refundId: made.body.refundId, duplicate: true, afterEnd: true, owedCents: 2_000 });
    expect(await pg.query(`SELECT "refundId", "amountCents", "afterEnd" FROM "Refund" r JOIN "Case" c ON c."id" = r."caseId" WHERE c."reference" = $1`, [ref])).toEqual([{ refundId: made.body.refundId, amountCents: 3_000, afterEnd: true }]);
    await expect(pg.query(`UPDATE "Refund" SET "amountCents" = 1`)).rejects.toThrow(/Refund is append-only/);
  }, 60_000);
});
