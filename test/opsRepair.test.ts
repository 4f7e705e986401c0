// ops:stuck and ops:repair against the real dev server and the real care worker. A case is made
// stuck for real: a worker whose workflow code differs (test/support/divergentInterceptors.ts) records
// one workflow task the real code does not produce, as the query-replay defect did; the real worker
// then fails every task of the case on replay. findStuckCases must find it, repairCase must reset it
// and re-deliver the update that task had accepted, exactly once, and a second repair must do nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { activityDepsFrom, createActivities } from '../activities';
import { loadConfig } from '../lib/config';
import { createDb, type Db } from '../lib/db';
import { OpsError, repairCase } from '../lib/ops/repair';
import { countFailingWorkflowTasks, findStuckCases } from '../lib/ops/stuck';
import { dataConverterFor } from '../lib/payloadCrypto';
import { bundleCareWorkflows } from '../lib/workflowBundle';
import { createCareWorker } from '../workers/careWorker';
import { answerQuestionnaireUpdate, getStateQuery, searchAttributes, workflowIdFor, type CaseStartInput } from '../workflows/definitions';
import { eventually } from './support/cases';

const EventType = temporal.api.enums.v1.EventType;
function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the test through jest, whose global setup starts the Temporal server.`);
  return value;
}

try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } }); // the failing replays warn on purpose
} catch {
  // already installed in this process
}

let db: Db;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let dataConverter: DataConverter;
let taskQueue: string;
let divergentBundle: string;
const running: { worker: Worker; done: Promise<void> }[] = [];

beforeAll(async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const dir = path.join(env('PARCOURS_TEST_DIR'), `ops-repair-${id}`);
  fs.mkdirSync(dir);
  const dbFile = path.join(dir, 'parcours.db');
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), dbFile);
  taskQueue = `test-ops-${id}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: env('PARCOURS_TEST_TEMPORAL_ADDRESS'), TEMPORAL_TASK_QUEUE: taskQueue, DATABASE_URL: `file:${dbFile}`,
    AUTH_SECRET: crypto.randomBytes(32).toString('hex'), PAYMENT_WEBHOOK_SECRET: crypto.randomBytes(32).toString('hex'), DOCUMENTS_DIR: path.join(dir, 'documents'),
    PARCOURS_KEKS: env('PARCOURS_TEST_KEKS'),
  });
  db = createDb(config.databaseUrl);
  dataConverter = dataConverterFor(config, db);
  native = await NativeConnection.connect({ address: config.temporal.address });
  connection = await Connection.connect({ address: config.temporal.address });
  client = new Client({ connection, namespace: 'default', dataConverter });
  const activities = createActivities(activityDepsFrom(config, db));
  const code = await bundleCareWorkflows({ workflowInterceptorModules: [require.resolve('./support/divergentInterceptors')] });
  divergentBundle = path.join(dir, 'divergent-bundle.js');
  fs.writeFileSync(divergentBundle, code);
  startReal = async () => {
    const worker = await createCareWorker({ connection: native, namespace: 'default', taskQueue, maxCachedWorkflows: config.temporal.maxCachedWorkflows, workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE'), activityDeps: activityDepsFrom(config, db), dataConverter });
    return track(worker);
  };
  startDivergent = async () => track(await Worker.create({ connection: native, namespace: 'default', taskQueue, workflowBundle: { codePath: divergentBundle }, activities, dataConverter }));
}, 120_000);

afterAll(async () => {
  for (const r of running) {
    if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
    await r.done;
  }
  await connection?.close();
  await native?.close();
  await db?.$disconnect();
});

let startReal: () => Promise<Worker>;
let startDivergent: () => Promise<Worker>;
function track(worker: Worker): Worker {
  running.push({ worker, done: worker.run() });
  return worker;
}
async function stop(worker: Worker): Promise<void> {
  worker.shutdown();
  await running.find((r) => r.worker === worker)!.done;
}

const year = new Date().getUTCFullYear();
const reference = `INT-${year}-9${String(crypto.randomInt(0, 100_000)).padStart(5, '0')}`;
const workflowId = workflowIdFor(reference);
const input: CaseStartInput = {
  reference, requestType: 'medical_opinion', language: 'en',
  patient: { firstName: 'Test', lastName: 'Patient', email: 'ops.repair.patient@example.test', nationality: 'MA', countryOfResidence: 'MA' },
  timings: { reminderAfter: '1h', feeReminderAfter: '1h', reportSla: '1h' },
};

it('finds a case whose workflow task fails on replay, repairs it once, and a second repair does nothing', async () => {
  let real = await startReal();
  await client.workflow.start('carePathway', {
    workflowId, taskQueue, args: [input],
    typedSearchAttributes: [{ key: searchAttributes.CaseId, value: reference }, { key: searchAttributes.CasePhase, value: 'file_collection' }],
  });
  const handle = client.workflow.getHandle(workflowId);
  // Settled first (acknowledgement recorded, no activity running), so the update is alone in its task
  // and the re-run records its audit event under the same key (workflow ID + timeline position).
  await eventually(async () => {
    const settled = await handle.query(getStateQuery);
    expect(settled.phase).toBe('file_collection');
    expect(settled.timeline.map((t) => t.type)).toContain('acknowledgement_sent');
    expect((await handle.describe()).raw.pendingActivities ?? []).toHaveLength(0);
  }, 20_000);

  // The divergent worker takes over and records the update's task with its extra timer.
  await stop(real);
  const divergent = await startDivergent();
  const updateId = `ops-test-${crypto.randomUUID()}`;
  await handle.executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: { pathologyName: 'Chordoma' }, by: 'patient' }], updateId });
  await stop(divergent);

  // A real worker with an empty cache replays the case when the timer wakes it, and fails.
  real = await startReal();
  const failedRunId = (await handle.describe()).runId;
  await eventually(async () => {
    const { events } = await handle.fetchHistory();
    expect(events!.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toBe(true);
  }, 30_000);

  const started = Date.now();
  const stuck = (await findStuckCases(client, { workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE') })).filter((s) => s.reference === reference);
  expect(stuck).toHaveLength(1);
  // The metrics' gauge (parcours_workflow_tasks_failing) counts it: its task has failed at least once.
  await eventually(async () => expect(await countFailingWorkflowTasks(client, { taskQueue, minAttempts: 2 })).toBe(1));
  const [s] = stuck;
  expect(s).toMatchObject({ reference, workflowId, runId: failedRunId });
  expect(s.error).toMatch(/NON_DETERMINISTIC|nondetermin/i);
  expect(s.since).toBeInstanceOf(Date);
  // The task to re-run is the one that accepted the update: its WorkflowTaskCompleted precedes the UpdateAccepted event.
  const events = (await handle.fetchHistory()).events!;
  const accepted = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId)!;
  const completedBefore = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && Number(e.eventId) < Number(accepted.eventId));
  expect(s.resetEventId).toBe(Number(completedBefore[completedBefore.length - 1].eventId));
  expect(s.lastGoodEventId).toBe(Number(completedBefore[completedBefore.length - 2].eventId));
  console.log(`findStuckCases took ${Date.now() - started} ms; ${reference}: ${s.error} (last good ${s.lastGoodEventId}, reset to ${s.resetEventId})`);

  const repaired = await repairCase(client, db, reference, { by: 'ops-test', reason: 'test: divergent task', workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE') });
  expect(repaired).toMatchObject({ outcome: 'repaired', failedRunId, resetEventId: s.resetEventId, updates: [{ updateId, name: 'answerQuestionnaire', outcome: 'applied' }] });
  const newRunId = repaired.newRunId!;
  expect(newRunId).not.toBe(failedRunId);
  expect((await handle.describe()).runId).toBe(newRunId);
  await eventually(async () => expect(await countFailingWorkflowTasks(client, { taskQueue, minAttempts: 2 })).toBe(0));

  // The case goes on: a new update is handled, and the new run's history replays with the real code.
  const current = client.workflow.getHandle(workflowId, newRunId);
  await current.executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: { pathologyLocation: 'Skull base' }, by: 'patient' }], updateId: `${updateId}-after` });
  const state = await current.query(getStateQuery);
  expect(state.phase).toBe('file_collection');
  expect(state.questionnaire).toMatchObject({ pathologyName: 'Chordoma', pathologyLocation: 'Skull base' });
  // Exactly once: the re-delivered update appears once in the timeline and once in the audit trail.
  expect(state.timeline.filter((t) => t.type === 'questionnaire_answered')).toHaveLength(2);
  await eventually(async () => expect(await db.caseEvent.count({ where: { case: { reference }, type: 'questionnaire_answered' } })).toBe(2));
  const newHistory = await current.fetchHistory();
  expect(newHistory.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && e.workflowTaskFailedEventAttributes?.cause !== temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW)).toHaveLength(0);
  expect(newHistory.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId)).toHaveLength(1);
  await Worker.runReplayHistory({ workflowBundle: { codePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE') }, dataConverter }, newHistory, workflowId);

  const rows = await db.caseRepair.findMany({ where: { reference } });
  expect(rows).toEqual([expect.objectContaining({ failedRunId, newRunId, status: 'done', resetEventId: s.resetEventId, by: 'ops-test' })]);
  expect(await db.auditEntry.count({ where: { caseReference: reference, action: 'ops.repair', actorRole: 'ops' } })).toBe(1);
  expect((await findStuckCases(client, { workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE'), extraQuery: `CaseId = '${reference}'` }))).toEqual([]);

  // Again: nothing is reset, nothing re-delivered, nothing recorded twice.
  const again = await repairCase(client, db, reference, { by: 'ops-test', reason: 'test: second run', workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE') });
  expect(again.outcome).toBe('not_stuck');
  expect((await handle.describe()).runId).toBe(newRunId);
  expect(await db.caseRepair.count({ where: { reference } })).toBe(1);
  expect(await db.auditEntry.count({ where: { caseReference: reference, action: 'ops.repair' } })).toBe(1);
  expect((await current.query(getStateQuery)).timeline.filter((t) => t.type === 'questionnaire_answered')).toHaveLength(2);
}, 150_000);

it('says clearly when a reference is unknown or malformed', async () => {
  await expect(repairCase(client, db, `INT-${year}-999999x`, { by: 'ops-test', reason: 'test' })).rejects.toThrow(/No case workflow case-INT-.*check the reference/);
  await expect(repairCase(client, db, 'not a reference', { by: 'ops-test', reason: 'test' })).rejects.toBeInstanceOf(OpsError);
});
