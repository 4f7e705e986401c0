// The thin thread end to end: POST /cases → workflow → database + acknowledgement email → GET state.
import request from 'supertest';
import { searchAttributes } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
let referrer: Actor;
beforeAll(async () => {
  stack = await startStack();
  [patient, referrer] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'referrer')]);
});
afterAll(async () => {
  await stack.stop();
});

async function recordedCounts() {
  const [cases, requests, events, emails] = await Promise.all([
    stack.db.case.count(),
    stack.db.caseRequest.count(),
    stack.db.caseEvent.count(),
    stack.db.outboundEmail.count(),
  ]);
  return { cases, requests, events, emails };
}

describe('a step sent twice with the same Idempotency-Key', () => {
  it('is applied once and answers as the first time; a malformed key is a 400', async () => {
    const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
    const reference: string = res.body.reference;
    const key = `retry-${reference}`;
    const first = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', key).send({ placeOfBirth: 'Rabat' });
    const again = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', key).send({ placeOfBirth: 'Rabat' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.version).toBe(first.body.version);
    const read = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    const timeline = read.body.timeline as { type: string }[];
    expect(timeline.filter((e) => e.type === 'questionnaire_answered')).toHaveLength(1);
    const bad = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', 'short').send({ placeOfBirth: 'Rabat' });
    expect(bad.status).toBe(400);
  });

  it('answers as the first time even when the resent body no longer passes (e.g. a time now past); a new key gets the 400', async () => {
    const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
    const reference: string = res.body.reference;
    const key = `resent-${reference}`;
    const first = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', key).send({ placeOfBirth: 'Rabat' });
    expect(first.status).toBe(200);
    // Stands for a body that was valid when first sent and is not any more.
    const invalid = { email: 'not an email' };
    const again = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', key).send(invalid);
    expect([again.status, again.body.version, again.body.questionnaire.placeOfBirth]).toEqual([200, first.body.version, 'Rabat']);
    const fresh = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).set('Idempotency-Key', `${key}-2`).send(invalid);
    expect([fresh.status, fresh.body.error.code]).toEqual([400, 'validation_failed']);
    const read = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    expect((read.body.timeline as { type: string }[]).filter((e) => e.type === 'questionnaire_answered')).toHaveLength(1);
  });
});

describe('POST /cases', () => {
  it('answers with a case that takes the questionnaire at once, and the next read shows the answer', async () => {
    const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
    expect(res.status).toBe(201);
    const reference: string = res.body.reference;
    const answered = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).send({ placeOfBirth: 'Rabat' });
    expect(answered.status).toBe(200);
    const read = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    expect(read.body).toMatchObject({ phase: 'file_collection', questionnaire: { placeOfBirth: 'Rabat' } });
    expect(read.body.version).toBeGreaterThanOrEqual(answered.body.version);
  });

  it('starts the workflow, records the case, emails one acknowledgement and answers its state', async () => {
    const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
    expect(res.status).toBe(201);
    const reference: string = res.body.reference;
    expect(reference).toMatch(/^INT-\d{4}-\d{6}$/);
    expect(res.body.workflowId).toBe(`case-${reference}`);
    expect(res.headers.location).toBe(`/cases/${reference}`);

    // Ready at once: the case collects its file as soon as POST /cases answers.
    const first = await request(stack.app).get(`/cases/${reference}`).set(patient.auth);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ phase: 'file_collection', awaitingRole: 'patient' });

    const state = await waitForState(stack.app, patient.auth, reference, (s) => s.timeline.some((e) => e.type === 'acknowledgement_sent'));
    expect(state).toMatchObject({ reference, requestType: 'proton_therapy', language: 'fr', awaitingRole: 'patient', paymentStatus: 'none' });
    expect(state.timeline.map((e) => e.type)).toEqual(['case_received', 'acknowledgement_sent']);

    const mail = await stack.smtp.waitFor((m) => m.subject.includes(reference));
    expect(mail.to).toEqual(['amina.benali@example.ma']);
    expect(mail.subject).toBe(`Votre demande ${reference} a bien été reçue`); // the patient's language
    expect(mail.text).toContain('une protonthérapie');
    expect(mail.text).toContain(`http://parcours.test/cases/${reference}`);

    // The read model follows the workflow (an activity writes it just after the state changes).
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: { orderBy: { id: 'asc' } } } });
      expect(row).toMatchObject({ workflowId: `case-${reference}`, phase: 'file_collection', awaitingRole: 'patient', nationality: 'MA', patientEmail: 'amina.benali@example.ma' });
      expect(row.events.map((e) => e.type)).toEqual(['case_received', 'acknowledgement_sent']);
    });

    // Ops see the case in the Temporal UI: summary, search attributes, current details.
    const handle = stack.client.workflow.getHandle(`case-${reference}`);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(`${reference} · proton_therapy · MA`);
    expect(await description.staticDetails()).toContain(`(http://parcours.test/console/cases/${reference})`);
    const sa = description.typedSearchAttributes;
    expect(sa.get(searchAttributes.CaseId)).toBe(reference);
    expect(sa.get(searchAttributes.RequestType)).toBe('proton_therapy');
    expect(sa.get(searchAttributes.PatientCountry)).toBe('MA');
    expect(sa.get(searchAttributes.CasePhase)).toBe('file_collection');
    expect(sa.get(searchAttributes.AwaitingRole)).toBe('patient');
    expect(sa.get(searchAttributes.PaymentStatus)).toBe('none');
    // When the file reminder is due: the ops views' NextDeadline column. The workflow sets the attribute
    // at once and writes the read model in an activity after: they agree once both are written.
    expect(state.nextDeadline).not.toBeNull();
    await eventually(async () => {
      const [attribute, read] = [(await handle.describe()).typedSearchAttributes.get(searchAttributes.NextDeadline), (await stack.db.case.findUniqueOrThrow({ where: { reference } })).nextDeadline];
      expect(attribute?.toISOString()).toBe(read?.toISOString());
    });

    // Exactly one acknowledgement, with the deterministic Message-ID recorded in the outbox.
    await new Promise((r) => setTimeout(r, 500));
    const acks = stack.smtp.messages.filter((m) => m.subject.includes(reference));
    expect(acks).toHaveLength(1);
    const outbox = await stack.db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: `case-${reference}:acknowledgement` } });
    expect(outbox).toMatchObject({ status: 'sent', attempts: 1, messageId: acks[0].messageId });
  });

  it('opens a case for a referring doctor and writes to the patient in English', async () => {
    const body = validCase({
      requestType: 'medical_opinion',
      language: 'en',
      referrer: { name: 'Dr Youssef Alaoui', institution: 'CHU Ibn Rochd', email: 'y.alaoui@chu.example.ma', phone: '+212 5 22 00 00 00' },
    });
    const res = await request(stack.app).post('/cases').set(referrer.auth).send(body);
    expect(res.status).toBe(201);
    const mail = await stack.smtp.waitFor((m) => m.subject.includes(res.body.reference));
    expect(mail.subject).toBe(`Your request ${res.body.reference} has been received`);
    expect(mail.text).toContain('a medical opinion from our multidisciplinary tumour board');
    const state = await waitForState(stack.app, referrer.auth, res.body.reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
    expect(state.timeline[0].actor).toBe('referrer:y.alaoui@chu.example.ma');
  });

  it('refuses a second POST with the same Idempotency-Key: 409 naming the first case, no second case or email', async () => {
    const key = 'c6f1d7a2-7c1e-4b51-9d7e-2f3c4b5a6d7e';
    const first = await request(stack.app).post('/cases').set(patient.auth).set('Idempotency-Key', key).send(validCase());
    expect(first.status).toBe(201);
    const second = await request(stack.app).post('/cases').set(patient.auth).set('Idempotency-Key', key).send(validCase());
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'duplicate_request', details: { reference: first.body.reference } });

    const other = await request(stack.app).post('/cases').set(patient.auth).set('Idempotency-Key', key).send(validCase({ language: 'en' }));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');

    await stack.smtp.waitFor((m) => m.subject.includes(first.body.reference));
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.messages.filter((m) => m.subject.includes(first.body.reference))).toHaveLength(1);
    expect(await stack.db.caseRequest.count({ where: { idempotencyKey: `${patient.userId}:${key}` } })).toBe(1);
  });

  it.each([
    ['an empty body', {}, ['requestType', 'language', 'patient']],
    ['an unknown request type', validCase({ requestType: 'surgery' }), ['requestType']],
    ['a bad email and country', validCase({ patient: { ...validCase().patient, email: 'not-an-email', countryOfResidence: 'XX' } }), ['patient.email', 'patient.countryOfResidence']],
    ['a lower-case country', validCase({ patient: { ...validCase().patient, nationality: 'ma' } }), ['patient.nationality']],
    ['an impossible birth date', validCase({ patient: { ...validCase().patient, dateOfBirth: '1978-02-30' } }), ['patient.dateOfBirth']],
    ['a field the workflow owns (mass assignment)', validCase({ phase: 'treatment_planning' }), ['(body)']],
    ['an unknown patient field', validCase({ patient: { ...validCase().patient, approvedBy: 'me' } }), ['patient']],
    ['an incomplete referrer', validCase({ referrer: { name: 'Dr X' } }), ['referrer.institution', 'referrer.email']],
  ])('answers 400 with field errors for %s and records nothing', async (_label, body, paths) => {
    const before = await recordedCounts();
    const res = await request(stack.app).post('/cases').set(patient.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const reported = (res.body.error.details as { path: string }[]).map((d) => d.path);
    for (const p of paths) expect(reported).toContain(p);
    expect(await recordedCounts()).toEqual(before);
  });

  it('answers 400 for malformed JSON, 415 for a non-JSON body, 413 for an oversized one, 400 for a bad Idempotency-Key', async () => {
    const before = await recordedCounts();
    const malformed = await request(stack.app).post('/cases').set(patient.auth).set('Content-Type', 'application/json').send('{"requestType": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const text = await request(stack.app).post('/cases').set(patient.auth).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const huge = await request(stack.app).post('/cases').set(patient.auth).send(validCase({ reason: 'x'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    const badKey = await request(stack.app).post('/cases').set(patient.auth).set('Idempotency-Key', 'short').send(validCase());
    expect(badKey.status).toBe(400);
    expect(await recordedCounts()).toEqual(before);
  });
});

describe('GET /cases/:reference', () => {
  it('answers 404 for an unknown or malformed reference', async () => {
    const unknown = await request(stack.app).get('/cases/INT-2026-999999').set(patient.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await request(stack.app).get('/cases/..%2Fetc').set(patient.auth);
    expect(malformed.status).toBe(404);
  });
});

describe('the rest of the API', () => {
  it('answers unknown routes with the JSON error shape and reports health', async () => {
    const res = await request(stack.app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found' });
    expect(res.headers['x-powered-by']).toBeUndefined();
    const health = await request(stack.app).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document with every route', async () => {
    const res = await request(stack.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/cases', '/cases/{reference}', '/health', '/auth/login']));
  });
});
