// The Parcours database restored from an older backup while Temporal keeps its histories: the reference
// counter goes back, yet a new patient never gets (nor reaches) another patient's case, and
// `rebuildReadModel` brings the lost case back from Temporal alone.
import path from 'node:path';
import request from 'supertest';
import { asStartInput, createCaseBody } from '../api/schemas/cases';
import { sha256 } from '../lib/caseIdentity';
import { caseRowOf } from '../lib/caseView';
import { createDb } from '../lib/db';
import { rebuildReadModel } from '../lib/ops/rebuild';
import { login, signUp, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { state } from './support/pathway';
import { startStack, type Stack } from './support/stack';

const stacks: Stack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.stop().catch(() => undefined);
});

const referenceNumber = (reference: string) => Number(reference.slice(-6));
const referencesIn = (body: { items: { reference: string }[] }) => body.items.map((c) => c.reference);

/** What reached a case's workflow from outside (signals and updates in its recorded history), for "nothing reached it" checks. */
async function historyOf(stack: Stack, reference: string) {
  const history = await stack.client.workflow.getHandle(`case-${reference}`).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateAdmittedEventAttributes);
}

describe('after the database is restored from an older backup', () => {
  let before: Stack;
  let after: Stack;
  let patientA: Actor;
  let patientB: Actor;
  let refA: string;
  let refB: string;
  const keyA = 'restore-test-key-a-0001';

  it('opens A’s case, restores a backup taken before it, and gives B a new reference', async () => {
    before = await startStack();
    stacks.push(before);
    patientA = await signUp(before);
    // The backup: taken after A registered, before A opened a case.
    const backup = path.join(process.env.PARCOURS_TEST_DIR!, `restore-backup-${Date.now()}.db`);
    await before.db.$executeRawUnsafe(`VACUUM INTO '${backup}'`);

    const opened = await request(before.app).post('/cases').set(patientA.auth).set('Idempotency-Key', keyA).send(validCase());
    expect(opened.status).toBe(201);
    refA = opened.body.reference;
    await waitForState(before.app, patientA.auth, refA, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
    expect((await before.db.case.findUniqueOrThrow({ where: { reference: refA } })).confirmedRunId).toEqual(expect.any(String));
    const answered = await request(before.app).put(`/cases/${refA}/questionnaire`).set(patientA.auth).send({ placeOfBirth: 'Rabat' });
    expect(answered.status).toBe(200);
    await waitForState(before.app, patientA.auth, refA, (s) => s.questionnaire.placeOfBirth === 'Rabat');
    const memo = (await before.client.workflow.getHandle(`case-${refA}`).describe()).memo;
    expect(memo).toEqual({ ownerId: patientA.userId, requestKeyHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(memo)).not.toContain(keyA);
    // The data keys are carried over into the restored database, as docs/operations.md says to do:
    // without A's key its Temporal history could not be read, nor A's case rebuilt from it.
    const dataKeys = await before.db.dataKey.findMany();
    await before.stop();
    stacks.splice(stacks.indexOf(before), 1);
    const restored = createDb(`file:${backup}`);
    for (const k of dataKeys) await restored.dataKey.upsert({ where: { id: k.id }, update: {}, create: k });
    await restored.$disconnect();

    // The restart on the restored file: A's workflow goes on (same task queue), A's rows are gone.
    after = await startStack({ reuse: { databaseFile: backup, taskQueue: before.taskQueue } });
    stacks.push(after);
    patientA = await login(after, patientA.email);
    expect((await request(after.app).get(`/cases/${refA}`).set(patientA.auth)).status).toBe(404);

    patientB = await signUp(after);
    const historyBefore = (await historyOf(after, refA)).length;
    const openedB = await request(after.app).post('/cases').set(patientB.auth).send(validCase({ patient: { ...validCase().patient, firstName: 'Bilal', email: 'bilal@example.ma' } }));
    expect(openedB.status).toBe(201);
    refB = openedB.body.reference;
    expect(refB).not.toBe(refA);
    expect(referenceNumber(refB)).toBeGreaterThan(referenceNumber(refA)); // the counter moved past A's reference for good
    const stateB = await waitForState(after.app, patientB.auth, refB, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
    expect(stateB.questionnaire.firstName).toBe('Bilal');

    const list = await request(after.app).get('/cases').set(patientB.auth);
    expect(referencesIn(list.body)).toEqual([refB]);
    expect((await request(after.app).get(`/cases/${refA}`).set(patientB.auth)).status).toBe(404);
    const write = await request(after.app).put(`/cases/${refA}/questionnaire`).set(patientB.auth).send({ placeOfBirth: 'Tanger' });
    expect(write.status).toBe(404);
    expect(JSON.stringify(write.body)).not.toContain('Amina');
    expect((await historyOf(after, refA)).length).toBe(historyBefore); // nothing reached A's workflow
  });

  it('refuses writes (404) to a row not confirmed whose workflow names another owner; confirms one that matches', async () => {
    // Rows as the code before this fix could leave them after a restore, for workflows that no worker
    // runs (nothing else touches them): one whose memo names A while the row is B's, one started without
    // a memo (older workflows) whose start input names B, as the row does.
    const block = Math.floor(referenceNumber(refB) / 1000) * 1000;
    const referenceAt = (n: number) => `INT-${refB.slice(4, 8)}-${String(block + n).padStart(6, '0')}`;
    const [foreign, legacy] = [referenceAt(998), referenceAt(999)];
    const body = createCaseBody.parse(validCase());
    const idle = `idle-${after.taskQueue}`;
    const handles = [
      await after.client.workflow.start('carePathway', { workflowId: `case-${foreign}`, taskQueue: idle, args: [asStartInput(body, foreign, patientA.userId)], memo: { ownerId: patientA.userId, requestKeyHash: 'f'.repeat(64) } }),
      await after.client.workflow.start('carePathway', { workflowId: `case-${legacy}`, taskQueue: idle, args: [asStartInput(body, legacy, patientB.userId)] }),
    ];
    try {
      for (const reference of [foreign, legacy]) await after.db.case.create({ data: caseRowOf(asStartInput(body, reference, patientB.userId)) });

      // B reads B's own row (the read model), but no write reaches the other owner's workflow.
      expect((await request(after.app).get(`/cases/${foreign}`).set(patientB.auth)).status).toBe(200);
      const historyBefore = (await historyOf(after, foreign)).length;
      const refused = await request(after.app).post(`/cases/${foreign}/messages`).set(patientB.auth).send({ body: 'Hello' });
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('not_found');
      expect(await after.db.message.count({ where: { case: { reference: foreign } } })).toBe(0);
      expect((await historyOf(after, foreign)).length).toBe(historyBefore);
      expect((await after.db.case.findUniqueOrThrow({ where: { reference: foreign } })).confirmedRunId).toBeNull();

      // A request recorded before the restore whose reference another case's workflow now holds: its
      // retry moves its rows to a new reference and starts there.
      const patientC = await signUp(after);
      const keyC = 'restore-test-key-c-0001';
      await after.db.case.update({ where: { reference: foreign }, data: { ownerId: patientC.userId } });
      await after.db.caseRequest.create({ data: { idempotencyKey: `${patientC.userId}:${keyC}`, reference: foreign, bodyHash: sha256(JSON.stringify(body)) } });
      const moved = await request(after.app).post('/cases').set(patientC.auth).set('Idempotency-Key', keyC).send(validCase());
      expect(moved.status).toBe(201);
      expect(moved.body.reference).not.toBe(foreign);
      expect(await after.db.caseRequest.findUniqueOrThrow({ where: { idempotencyKey: `${patientC.userId}:${keyC}` } })).toMatchObject({ reference: moved.body.reference });
      expect(await after.db.case.findUnique({ where: { reference: foreign } })).toBeNull();
      expect(await after.db.case.findUniqueOrThrow({ where: { reference: moved.body.reference } })).toMatchObject({ ownerId: patientC.userId, confirmedRunId: expect.any(String) });
      await waitForState(after.app, patientC.auth, moved.body.reference, (st) => st.phase === 'file_collection');
      expect((await historyOf(after, foreign)).length).toBe(historyBefore);

      // No memo: the start input names B, as the row does: confirmed, and the message goes through.
      const posted = await request(after.app).post(`/cases/${legacy}/messages`).set(patientB.auth).send({ body: 'Hello' });
      expect(posted.status).toBe(201);
      expect((await after.db.case.findUniqueOrThrow({ where: { reference: legacy } })).confirmedRunId).toBe(handles[1].firstExecutionRunId);
    } finally {
      for (const h of handles) await h.terminate('test over').catch(() => undefined);
      await after.db.message.deleteMany({ where: { case: { reference: { in: [foreign, legacy] } } } });
      await after.db.case.deleteMany({ where: { reference: { in: [foreign, legacy] } } });
    }

    // B's own row, unconfirmed (as when the API stops right after the start): the memo matches, the write goes through.
    await after.db.case.update({ where: { reference: refB }, data: { confirmedRunId: null } });
    const write = await request(after.app).post(`/cases/${refB}/messages`).set(patientB.auth).send({ body: 'Hello again' });
    expect(write.status).toBe(201);
    const described = await after.client.workflow.getHandle(`case-${refB}`).describe();
    expect((await after.db.case.findUniqueOrThrow({ where: { reference: refB } })).confirmedRunId).toBe(described.raw.workflowExecutionInfo?.firstRunId);
  });

  it('rebuilds A’s case from Temporal: A reads it again, B still cannot; a second run changes nothing', async () => {
    const summary = await rebuildReadModel(after.db, after.client, { query: `TaskQueue = "${after.taskQueue}"` });
    expect(summary).toMatchObject({ workflows: 3, rowsCreated: 1, requestsCreated: 1, conflicts: [], failures: [], ownersMissing: [] });
    expect(summary.eventsAppended).toBeGreaterThanOrEqual(3); // case_received, acknowledgement_sent, questionnaire_answered

    const stateA = await state(after, patientA, refA);
    expect(stateA).toMatchObject({ reference: refA, phase: 'file_collection', awaitingRole: 'patient' });
    expect(stateA.questionnaire).toMatchObject({ firstName: 'Amina', placeOfBirth: 'Rabat' });
    expect(stateA.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['case_received', 'questionnaire_answered']));
    const listA = await request(after.app).get('/cases').set(patientA.auth);
    expect(referencesIn(listA.body)).toEqual([refA]);
    const rowA = await after.db.case.findUniqueOrThrow({ where: { reference: refA } });
    expect(rowA).toMatchObject({ ownerId: patientA.userId, confirmedRunId: expect.any(String) });

    // B still sees only B's case and cannot reach A's.
    expect((await request(after.app).get(`/cases/${refA}`).set(patientB.auth)).status).toBe(404);
    expect((await request(after.app).put(`/cases/${refA}/questionnaire`).set(patientB.auth).send({ placeOfBirth: 'Tanger' })).status).toBe(404);
    const listB = await request(after.app).get('/cases').set(patientB.auth);
    expect(referencesIn(listB.body)).toEqual([refB]);

    // A writes again (the workflow answers), and A's retried POST is the same request: 409 naming A's case.
    const answered = await request(after.app).put(`/cases/${refA}/questionnaire`).set(patientA.auth).send({ placeOfBirth: 'Casablanca' });
    expect(answered.status).toBe(200);
    await waitForState(after.app, patientA.auth, refA, (s) => s.questionnaire.placeOfBirth === 'Casablanca');
    const retried = await request(after.app).post('/cases').set(patientA.auth).set('Idempotency-Key', keyA).send(validCase());
    expect(retried.status).toBe(409);
    expect(retried.body.error).toMatchObject({ code: 'duplicate_request', details: { reference: refA } });

    const counter = await after.db.referenceCounter.findFirstOrThrow();
    expect(counter.last).toBeGreaterThanOrEqual(Math.max(referenceNumber(refA), referenceNumber(refB)));
    const again = await rebuildReadModel(after.db, after.client, { query: `TaskQueue = "${after.taskQueue}"` });
    expect(again).toMatchObject({ workflows: 3, rowsCreated: 0, eventsAppended: 0, requestsCreated: 0, confirmed: 0, conflicts: [], failures: [] });
  });
});
