// Secure messaging end to end: POST /cases/:reference/messages → Message row → workflow signal →
// notifyMessage activity → email (a link, never the content) through the real SMTP capture.
import crypto from 'node:crypto';
import request from 'supertest';
import { messageIdFor } from '../activities/email';
import { signUp, staff, uniqueEmail, type Actor } from './support/actors';
import { eventually, validCase } from './support/cases';
import { startStack, type Stack } from './support/stack';
import { SUPPORT_CONTACT } from '../config/stay';

const ADMISSIONS = 'admissions@parcours.test';

let stack: Stack;
let patient: Actor;
let otherPatient: Actor;
let referrer: Actor;
let admission: Actor;
let careCoordinator: Actor;
let medicalAssistant: Actor;
let finance: Actor;
let ops: Actor;

beforeAll(async () => {
  stack = await startStack();
  [patient, otherPatient, referrer] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'patient'), signUp(stack, 'referrer')]);
  [admission, careCoordinator, medicalAssistant, finance, ops] = await Promise.all([
    staff(stack, 'admission_coordinator'),
    staff(stack, 'care_coordinator'),
    staff(stack, 'medical_assistant'),
    staff(stack, 'finance'),
    staff(stack, 'ops'),
  ]);
});
afterAll(async () => {
  await stack.stop();
});

interface MessageBody {
  id: string;
  reference: string;
  authorId: string;
  authorRole: string;
  authorSide: 'patient' | 'staff';
  body: string;
  attachmentIds: string[];
  createdAt: string;
  readAt: string | null;
  readById: string | null;
}

/** Opens a case as `owner` (the patient's email is the owner's own unless given) and returns its reference. */
async function openCase(owner: Actor, overrides: Record<string, unknown> = {}, patientEmail = owner.email): Promise<{ reference: string; id: string }> {
  const res = await request(stack.app)
    .post('/cases')
    .set(owner.auth)
    .send(validCase({ patient: { ...validCase().patient, email: patientEmail }, ...overrides }));
  if (res.status !== 201) throw new Error(`open case: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await stack.db.case.findUniqueOrThrow({ where: { reference: res.body.reference } });
  return { reference: res.body.reference, id: row.id };
}

const post = (actor: Actor, reference: string, body: unknown) => request(stack.app).post(`/cases/${reference}/messages`).set(actor.auth).send(body as object);
const list = (actor: Actor, reference: string) => request(stack.app).get(`/cases/${reference}/messages`).set(actor.auth);
const markRead = (actor: Actor, reference: string, messageId: string) => request(stack.app).post(`/cases/${reference}/messages/${messageId}/read`).set(actor.auth);

async function posted(actor: Actor, reference: string, body: unknown): Promise<MessageBody> {
  const res = await post(actor, reference, body);
  if (res.status !== 201) throw new Error(`post message: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as MessageBody;
}

/** The notification of one message to one address, identified by the outbox's deterministic Message-ID. */
const notification = (messageId: string, to: string) =>
  stack.smtp.waitFor((m) => m.to.includes(to) && m.messageId === messageIdFor(`message:${messageId}:${to}`, stack.config.smtp.from));

/** Who the outbox addressed for a message: the whole recipient list once the last email is captured. */
async function notifiedAddresses(messageId: string): Promise<string[]> {
  const rows = await stack.db.outboundEmail.findMany({ where: { idempotencyKey: { startsWith: `message:${messageId}:` } } });
  return rows.map((r) => r.toAddress).sort();
}

const secret = (label: string) => `${label} ${crypto.randomUUID()}: my PET scan shows two new lesions`;

describe('posting a message notifies the other side without the content', () => {
  it('patient → admission team (no coordinator yet); admission coordinator → patient in the case language', async () => {
    const { reference } = await openCase(patient, { language: 'fr' });
    const text = secret('patient');
    const res = await post(patient, reference, { body: `  ${text}  ` });
    expect(res.status).toBe(201);
    const msg = res.body as MessageBody;
    expect(msg).toMatchObject({ reference, authorId: patient.userId, authorRole: 'patient', authorSide: 'patient', body: text, attachmentIds: [], readAt: null, readById: null });
    expect(Number.isNaN(Date.parse(msg.createdAt))).toBe(false);

    const toTeam = await notification(msg.id, ADMISSIONS);
    expect(toTeam.subject).toBe(`Nouveau message concernant le dossier ${reference}`);
    expect(toTeam.text).toContain(`http://parcours.test/cases/${reference}`);
    expect(toTeam.text).not.toContain(text);
    expect(toTeam.subject).not.toContain(text);
    expect(await notifiedAddresses(msg.id)).toEqual([ADMISSIONS]);

    const replyText = secret('reply');
    const reply = await posted(admission, reference, { body: replyText });
    expect(reply).toMatchObject({ authorId: admission.userId, authorRole: 'admission_coordinator', authorSide: 'staff', body: replyText });
    const toPatient = await notification(reply.id, patient.email);
    expect(toPatient.subject).toBe(`Nouveau message concernant le dossier ${reference}`); // the case is in French
    expect(toPatient.text).toContain(`http://parcours.test/cases/${reference}`);
    expect(toPatient.text).not.toContain(replyText);
    expect(await notifiedAddresses(reply.id)).toEqual([patient.email]);

    const listed = await list(patient, reference);
    expect(listed.status).toBe(200);
    expect((listed.body.items as MessageBody[]).map((m) => [m.id, m.body, m.authorSide])).toEqual([
      [msg.id, text, 'patient'],
      [reply.id, replyText, 'staff'],
    ]);
    const row = await stack.db.message.findUniqueOrThrow({ where: { id: msg.id } });
    expect(row).toMatchObject({ authorId: patient.userId, authorRole: 'patient', body: text, attachmentIds: [] });
  });

  it('on a case opened by a referring doctor, a staff message notifies both the patient (case language) and the referrer (their language)', async () => {
    const patientEmail = uniqueEmail('referred');
    const { reference } = await openCase(
      referrer,
      { language: 'fr', referrer: { name: 'Dr Youssef Alaoui', institution: 'CHU Ibn Rochd', email: referrer.email } },
      patientEmail,
    );
    const text = secret('assistant');
    const msg = await posted(medicalAssistant, reference, { body: text });
    expect(msg).toMatchObject({ authorRole: 'medical_assistant', authorSide: 'staff' });

    const [toPatient, toReferrer] = await Promise.all([notification(msg.id, patientEmail), notification(msg.id, referrer.email)]);
    expect(toPatient.subject).toBe(`Nouveau message concernant le dossier ${reference}`);
    expect(toReferrer.subject).toBe(`New message about case ${reference}`); // the referrer registered in English
    for (const mail of [toPatient, toReferrer]) {
      expect(mail.text).toContain(`http://parcours.test/cases/${reference}`);
      expect(mail.text).not.toContain(text);
    }
    expect(await notifiedAddresses(msg.id)).toEqual([patientEmail, referrer.email].sort());

    // The referring doctor writes on the patient side.
    const fromReferrer = await posted(referrer, reference, { body: secret('referrer') });
    expect(fromReferrer).toMatchObject({ authorId: referrer.userId, authorRole: 'referrer', authorSide: 'patient' });
    await notification(fromReferrer.id, ADMISSIONS);
  });

  it("a patient message goes to the case's coordinator once one is assigned, not to the admission team", async () => {
    const { reference } = await openCase(patient, { language: 'en' });
    // Assigned in the read model, which is where notifyMessage reads it (the assignment endpoint waits for
    // a file accepted as complete): in the column and in the stored view, so the workflow’s next change,
    // which may land after this, keeps it.
    const row = await stack.db.case.findUniqueOrThrow({ where: { reference } });
    await stack.db.case.update({ where: { reference }, data: { coordinatorId: careCoordinator.userId, view: { ...(row.view as object), coordinatorId: careCoordinator.userId } } });
    const text = secret('to coordinator');
    const msg = await posted(patient, reference, { body: text });
    const mail = await notification(msg.id, careCoordinator.email);
    expect(mail.subject).toBe(`New message about case ${reference}`);
    expect(mail.text).not.toContain(text);
    expect(await notifiedAddresses(msg.id)).toEqual([careCoordinator.email]);
  });
});

describe('posting with an Idempotency-Key', () => {
  it('stores and notifies once on a double submit, answers the first message again, and refuses the key for another message', async () => {
    const { reference } = await openCase(patient, { language: 'en' });
    const key = crypto.randomUUID();
    const text = secret('double submit');
    const send = (body: unknown) => request(stack.app).post(`/cases/${reference}/messages`).set(patient.auth).set('Idempotency-Key', key).send(body as object);
    // Both at once (a double click), then once more (a retry after a lost answer).
    const [a, b] = await Promise.all([send({ body: text }), send({ body: text })]);
    const again = await send({ body: text });
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(again.status).toBe(200);
    const id = (a.status === 201 ? a : b).body.id as string;
    expect([a.body.id, b.body.id, again.body.id]).toEqual([id, id, id]);
    expect(await stack.db.message.count({ where: { case: { reference } } })).toBe(1);
    await notification(id, ADMISSIONS);
    expect(await notifiedAddresses(id)).toEqual([ADMISSIONS]);

    const other = await send({ body: secret('another message') });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await stack.db.message.count({ where: { case: { reference } } })).toBe(1);
    // The key is the author's: another author's message with the same key is their own.
    const staffSide = await request(stack.app).post(`/cases/${reference}/messages`).set(admission.auth).set('Idempotency-Key', key).send({ body: secret('reply') });
    expect(staffSide.status).toBe(201);
    const bad = await request(stack.app).post(`/cases/${reference}/messages`).set(patient.auth).set('Idempotency-Key', 'short').send({ body: text });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
  });
});

describe('read receipts', () => {
  it('are set by the other side only, keep the first read, and ignore reading your own side', async () => {
    const { reference } = await openCase(patient);
    const fromPatient = await posted(patient, reference, { body: 'Question about my appointment' });

    const own = await markRead(patient, reference, fromPatient.id);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: fromPatient.id, readAt: null, readById: null });

    const first = await markRead(admission, reference, fromPatient.id);
    expect(first.status).toBe(200);
    expect(first.body.readById).toBe(admission.userId);
    expect(first.body.readAt).toEqual(expect.any(String));

    const second = await markRead(careCoordinator, reference, fromPatient.id);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ readAt: first.body.readAt, readById: admission.userId });

    const fromStaff = await posted(admission, reference, { body: 'Your appointment is confirmed' });
    // Another staff member is on the author's side: no receipt.
    expect((await markRead(careCoordinator, reference, fromStaff.id)).body).toMatchObject({ readAt: null, readById: null });
    expect((await markRead(admission, reference, fromStaff.id)).body).toMatchObject({ readAt: null, readById: null });

    const patientRead = await markRead(patient, reference, fromStaff.id);
    expect(patientRead.body).toMatchObject({ readById: patient.userId, readAt: expect.any(String) });
    const again = await markRead(patient, reference, fromStaff.id);
    expect(again.body).toMatchObject({ readAt: patientRead.body.readAt, readById: patient.userId });

    const listed = await list(admission, reference);
    expect((listed.body.items as MessageBody[]).map((m) => [m.id, m.readById, m.readAt])).toEqual([
      [fromPatient.id, admission.userId, first.body.readAt],
      [fromStaff.id, patient.userId, patientRead.body.readAt],
    ]);
  });

  it('answers 404 for a message of another case or an unknown message ID', async () => {
    const [a, b] = await Promise.all([openCase(patient), openCase(patient)]);
    const onB = await posted(admission, b.reference, { body: 'Message on case B' });
    const crossed = await markRead(patient, a.reference, onB.id);
    expect(crossed.status).toBe(404);
    expect(crossed.body.error.code).toBe('not_found');
    expect((await markRead(patient, a.reference, crypto.randomUUID())).status).toBe(404);
    const row = await stack.db.message.findUniqueOrThrow({ where: { id: onB.id } });
    expect(row.readAt).toBeNull();
  });
});

describe('who may use messaging', () => {
  it('refuses a staff role without messaging (403), other patients and doctors (404) and anonymous callers (401)', async () => {
    const { reference } = await openCase(patient);
    const msg = await posted(patient, reference, { body: 'Only for my care team' });
    const before = await stack.db.message.count();

    for (const role of [finance, ops]) {
      for (const res of [await post(role, reference, { body: 'hello' }), await list(role, reference), await markRead(role, reference, msg.id)]) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    for (const stranger of [otherPatient, referrer]) {
      for (const res of [await post(stranger, reference, { body: 'hello' }), await list(stranger, reference), await markRead(stranger, reference, msg.id)]) {
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain('Only for my care team');
      }
    }
    const anonymous = [
      await request(stack.app).post(`/cases/${reference}/messages`).send({ body: 'hello' }),
      await request(stack.app).get(`/cases/${reference}/messages`),
      await request(stack.app).post(`/cases/${reference}/messages/${msg.id}/read`),
    ];
    for (const res of anonymous) expect(res.status).toBe(401);

    expect(await stack.db.message.count()).toBe(before);
    expect((await stack.db.message.findUniqueOrThrow({ where: { id: msg.id } })).readAt).toBeNull();
  });
});

describe('validation', () => {
  let reference: string;
  beforeAll(async () => {
    ({ reference } = await openCase(patient));
  });

  it.each([
    ['an empty body', { body: '' }, ['body']],
    ['a blank body', { body: '   \n ' }, ['body']],
    ['a missing body', {}, ['body']],
    ['a 5001-character body', { body: 'x'.repeat(5001) }, ['body']],
    ['a body that is not text', { body: 42 }, ['body']],
    ['an author role (mass assignment)', { body: 'hello', authorRole: 'admission_coordinator' }, ['(body)']],
    ['a read receipt (mass assignment)', { body: 'hello', readAt: '2026-01-01T00:00:00Z' }, ['(body)']],
    ['eleven attachments', { body: 'hello', attachmentIds: Array.from({ length: 11 }, () => crypto.randomUUID()) }, ['attachmentIds']],
    ['the same attachment twice', { body: 'hello', attachmentIds: ['a', 'a'] }, ['attachmentIds']],
  ])('answers 400 for %s and stores nothing', async (_label, body, paths) => {
    const before = await stack.db.message.count();
    const res = await post(patient, reference, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const reported = (res.body.error.details as { path: string }[]).map((d) => d.path);
    for (const p of paths) expect(reported).toContain(p);
    expect(await stack.db.message.count()).toBe(before);
  });

  it('accepts exactly 5000 characters and refuses a non-JSON body (415)', async () => {
    const max = await post(patient, reference, { body: 'y'.repeat(5000) });
    expect(max.status).toBe(201);
    expect(max.body.body).toHaveLength(5000);
    const before = await stack.db.message.count();
    const text = await request(stack.app).post(`/cases/${reference}/messages`).set(patient.auth).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    expect(await stack.db.message.count()).toBe(before);
  });
});

describe('attachments', () => {
  async function insertDocument(caseId: string): Promise<string> {
    // Uploading is another endpoint's job: the row is what attaching checks against.
    const doc = await stack.db.document.create({
      data: { caseId, sha256: crypto.randomBytes(32).toString('hex'), sizeBytes: 1234, mediaType: 'application/pdf', kind: 'message_attachment', language: 'fr', needsTranslation: false, originalName: 'report.pdf', uploadedById: patient.userId },
    });
    return doc.id;
  }

  it("accepts the case's own documents and names, with a 400, a document of another case", async () => {
    const [mine, theirs] = await Promise.all([openCase(patient), openCase(otherPatient)]);
    const [docA, docA2, docB] = await Promise.all([insertDocument(mine.id), insertDocument(mine.id), insertDocument(theirs.id)]);

    const ok = await posted(patient, mine.reference, { body: 'My latest reports', attachmentIds: [docA, docA2] });
    expect(ok.attachmentIds).toEqual([docA, docA2]);
    const listed = await list(admission, mine.reference);
    expect((listed.body.items as MessageBody[]).find((m) => m.id === ok.id)?.attachmentIds).toEqual([docA, docA2]);

    const before = await stack.db.message.count();
    const res = await post(patient, mine.reference, { body: 'Also this one', attachmentIds: [docA, docB] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain(docB);
    expect(res.body.error.details).toEqual([{ path: 'attachmentIds.1', message: expect.stringContaining(docB) }]);
    const unknown = await post(patient, mine.reference, { body: 'And this', attachmentIds: ['no-such-document'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('no-such-document');
    expect(await stack.db.message.count()).toBe(before);
  });
});

describe('a closed case', () => {
  it("refuses new messages with 409 case_closed, giving the office's contact instead, and still lists the old ones", async () => {
    const { reference } = await openCase(patient);
    const earlier = await posted(patient, reference, { body: 'Before the cancellation' });
    const cancel = await request(stack.app).post(`/cases/${reference}/cancel`).set(ops.auth).send({ reason: 'Patient withdrew the request' });
    expect(cancel.status).toBe(202);
    await eventually(async () => {
      expect((await stack.db.case.findUniqueOrThrow({ where: { reference } })).phase).toBe('cancelled');
    });

    const before = await stack.db.message.count();
    for (const actor of [patient, admission]) {
      const res = await post(actor, reference, { body: 'After the cancellation' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('case_closed');
      // The way to reach the team once messaging is closed.
      expect(res.body.error.details).toEqual({ officeEmail: SUPPORT_CONTACT.email, officePhone: SUPPORT_CONTACT.phone });
      expect(res.body.error.message).toContain(SUPPORT_CONTACT.email);
      expect(res.body.error.message).toContain(SUPPORT_CONTACT.phone);
    }
    expect(await stack.db.message.count()).toBe(before);
    const listed = await list(patient, reference);
    expect(listed.status).toBe(200);
    expect((listed.body.items as MessageBody[]).map((m) => m.id)).toEqual([earlier.id]);
  });

  it('trusts the read model: 409 while the workflow, already recorded as cancelled, is still finishing', async () => {
    const { reference } = await openCase(patient);
    // The window between the workflow recording `cancelled` and closing: its signals still land,
    // so only the phase check keeps a message from being stored and announced.
    await stack.db.case.update({ where: { reference }, data: { phase: 'cancelled' } });
    const res = await post(patient, reference, { body: 'Too late' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('case_closed');
    expect(await stack.db.message.count({ where: { case: { reference } } })).toBe(0);
    expect((await stack.client.workflow.getHandle(`case-${reference}`).describe()).status.name).toBe('RUNNING');
  });
});

it('documents the messaging routes in the OpenAPI document', async () => {
  const res = await request(stack.app).get('/openapi.json');
  expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/cases/{reference}/messages', '/cases/{reference}/messages/{messageId}/read']));
  expect(res.body.components.schemas).toHaveProperty('PostMessage');
  expect(res.body.components.schemas).toHaveProperty('Message');
});
