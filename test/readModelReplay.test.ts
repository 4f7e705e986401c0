// Shaped like the query-replay defect's repro (../shared/notes/query-replay-defect): the worker is
// SIGKILLed while new cases' first activities run; during the outage every patient reads their case
// and acts on what they read, as fast as the shared repro's "patient" does; the worker comes back and
// catches up with both the activities and the people's updates. The people read through the real API,
// which serves the durable read model: they can read while no worker runs, they never see a phase
// history has not recorded, and every history replays afterwards (with queries, the repro blocked 10/10).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { Http } from '../harness/http';
import { registerPatient, type Person } from '../harness/people';
import { startSystem, type System } from '../harness/system';
import { openTreatmentCase, QUESTIONNAIRE, SCRIPT_TIMINGS } from '../harness/treatmentCase';
import { pool } from '../bench/stats';
import { workflowIdFor, type CaseState } from '../workflows/definitions';
import { dataConverterOf } from '../lib/payloadCrypto';

const EventType = temporal.api.enums.v1.EventType;
const N = 10;

let sys: System;
let dir: string;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-readmodel-'));
  sys = await startSystem({ dir, env: SCRIPT_TIMINGS });
}, 120_000);

afterAll(async () => {
  await sys?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it(`${N} cases whose people read and act while the worker is down and catching up: no read fails or goes backwards, every history replays`, async () => {
  // People retry 503s (a case that cannot answer in time) as a person would.
  const http = new Http(sys.baseUrl, 120_000);
  const tag = Date.now().toString(36);
  const patients: Person[] = await pool(Array.from({ length: N }, (_, i) => i), 4, (i) => registerPatient(http, sys.smtp, `readmodel.${tag}.${i}@test.example`));

  // Open every case and kill the worker at once: their first activities (case record, acknowledgement
  // email) are in flight or pending, as the repro's `ack` activity is.
  const references = await Promise.all(patients.map((p) => openTreatmentCase(http, p)));
  await sys.worker.kill();

  // With no worker running, every read still answers, from the read model: the case collects its file.
  const read = async (i: number) => {
    const res = await http.send<CaseState>('get', `/cases/${references[i]}`, { token: patients[i].token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const whileDown = await Promise.all(references.map((_, i) => read(i)));
  for (const s of whileDown) expect(s).toMatchObject({ phase: 'file_collection', awaitingRole: 'patient' });

  // Each patient acts on what they read, at once (their updates wait for a worker: 503, retried), and
  // the worker comes back while they do.
  const versions = whileDown.map((s) => s.version);
  const acting = Promise.all(
    references.map(async (reference, i) => {
      const answered = await http.send<CaseState>('put', `/cases/${reference}/questionnaire`, { token: patients[i].token, json: QUESTIONNAIRE });
      expect(answered.status).toBe(200);
      // Read-your-writes, and never backwards.
      const after = await read(i);
      expect(after.version).toBeGreaterThanOrEqual(answered.body.version);
      expect(after.version).toBeGreaterThanOrEqual(versions[i]);
      expect(after.questionnaire.pathologyName).toBe(QUESTIONNAIRE.pathologyName);
      versions[i] = after.version;
    }),
  );
  await new Promise((r) => setTimeout(r, 1500));
  await sys.worker.start();
  await acting;

  // Every case settles: acknowledged, questionnaire recorded, in the read model and in history.
  await Promise.all(
    references.map(async (_, i) => {
      for (let tries = 0; ; tries++) {
        const s = await read(i);
        expect(s.version).toBeGreaterThanOrEqual(versions[i]);
        versions[i] = s.version;
        const types = s.timeline.map((e) => e.type);
        if (types.includes('acknowledgement_sent') && types.includes('questionnaire_answered')) break;
        if (tries > 300) throw new Error(`${references[i]} did not settle: ${types.join(', ')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );

  // No workflow task failed, and every history replays on today's code.
  const histories = await Promise.all(references.map(async (r) => ({ workflowId: workflowIdFor(r), history: await sys.client.workflow.getHandle(workflowIdFor(r)).fetchHistory() })));
  const failedTasks = histories.flatMap((h) => (h.history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).map(() => h.workflowId));
  expect(failedTasks).toEqual([]);
  const replayFailures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: path.join(dir, 'care-bundle.js') }, dataConverter: dataConverterOf(sys.client) }, histories)) {
    replayed++;
    if (result.error) replayFailures.push(`${result.workflowId}: ${result.error.message.slice(0, 300)}`);
  }
  expect({ replayed, replayFailures }).toEqual({ replayed: N, replayFailures: [] });
}, 600_000);
