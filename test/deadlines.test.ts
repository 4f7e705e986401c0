// Every API call to Temporal has a deadline: a case whose workflow cannot answer (no worker takes its
// tasks: a worker down, or a blocked case) answers 503 case_unavailable within TEMPORAL_CALL_TIMEOUT,
// nothing hangs, and the case still reads from the read model.
import crypto from 'node:crypto';
import request from 'supertest';
import { caseRowOf } from '../lib/caseView';
import { requestKeyHashOf } from '../lib/caseIdentity';
import { searchAttributes, workflowIdFor, type CaseStartInput } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;

beforeAll(async () => {
  stack = await startStack({ env: { TEMPORAL_CALL_TIMEOUT: '2s' } });
  patient = await signUp(stack, 'patient');
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

it('an update to a case no worker answers is a 503 case_unavailable within the deadline; the case still reads', async () => {
  // A case whose workflow runs on a task queue no worker polls: as when its worker is down.
  const reference = `INT-2026-${String(crypto.randomInt(900_000, 999_999))}`;
  const input: CaseStartInput = {
    reference, requestType: 'medical_opinion', language: 'en', ownerId: patient.userId,
    patient: { firstName: 'Nadia', lastName: 'Karim', email: patient.email, nationality: 'TN', countryOfResidence: 'TN' },
  };
  const handle = await stack.client.workflow.start('carePathway', {
    workflowId: workflowIdFor(reference), taskQueue: `nobody-polls-${reference}`, args: [input],
    memo: { ownerId: patient.userId, requestKeyHash: requestKeyHashOf(`${patient.userId}:${reference}`) },
    typedSearchAttributes: [{ key: searchAttributes.CaseId, value: reference }],
  });
  try {
    await stack.db.case.create({ data: { ...caseRowOf(input), confirmedRunId: handle.firstExecutionRunId } });

    const started = Date.now();
    const res = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).send({ placeOfBirth: 'Sfax' });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'case_unavailable', message: expect.stringMatching(/Read the case again/) });
    // Bounded by the deadline (2 s), not by a client or server timeout far beyond it.
    expect(elapsed).toBeLessThan(10_000);

    const read = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ phase: 'file_collection', awaitingRole: 'patient' });
    expect(read.body.questionnaire.placeOfBirth).toBeUndefined();
  } finally {
    await handle.terminate('test done');
  }
}, 60_000);
