// The outbox: a retried email activity never queues, and so never sends, the same business email twice.
import request from 'supertest';
import type { SendEmailInput } from '../activities/email';
import { signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
const failedOnce = new Set<string>();

beforeAll(async () => {
  // After the acknowledgement is in the outbox, the activity fails once, as when a worker dies
  // before reporting completion. Temporal retries it.
  stack = await startStack({
    afterEmailQueued: (input: SendEmailInput) => {
      if (input.template === 'acknowledgement' && !failedOnce.has(input.idempotencyKey)) {
        failedOnce.add(input.idempotencyKey);
        throw new Error('simulated crash after the email was queued');
      }
    },
  });
  patient = await signUp(stack, 'patient');
});
afterAll(async () => {
  await stack.stop();
});

it('delivers the acknowledgement exactly once when the email activity fails after queuing it and is retried', async () => {
  const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase());
  expect(res.status).toBe(201);
  const reference: string = res.body.reference;
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));

  // The activity really failed once and ran again.
  const history = await stack.client.workflow.getHandle(`case-${reference}`).fetchHistory();
  // Each attempt the email activity starts is an event (bookkeeping runs on the task queue).
  const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
  expect(failedOnce.has(`case-${reference}:acknowledgement`)).toBe(true);
  expect(attempts).toContain(2);

  await stack.smtp.waitFor((m) => m.subject.includes(reference));
  await new Promise((r) => setTimeout(r, 500));
  expect(stack.smtp.messages.filter((m) => m.subject.includes(reference))).toHaveLength(1);
  const row = await stack.db.outboundEmail.findUniqueOrThrow({ where: { idempotencyKey: `case-${reference}:acknowledgement` } });
  expect(row).toMatchObject({ status: 'sent', attempts: 1 });
});

it('records the case events once even though the workflow retried', async () => {
  const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase({ language: 'en' }));
  await waitForState(stack.app, patient.auth, res.body.reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  await eventually(async () => {
    const events = await stack.db.caseEvent.findMany({ where: { case: { reference: res.body.reference } } });
    expect(events.map((e) => e.type).sort()).toEqual(['acknowledgement_sent', 'case_received']);
  });
});

it('refuses to change or delete an audit event', async () => {
  const event = await stack.db.caseEvent.findFirstOrThrow();
  // SQLite's trigger aborts the statement (the driver adapter reports it as a constraint error).
  await expect(stack.db.caseEvent.update({ where: { id: event.id }, data: { actor: 'someone else' } })).rejects.toThrow(/constraint/i);
  await expect(stack.db.caseEvent.delete({ where: { id: event.id } })).rejects.toThrow(/constraint/i);
  expect(await stack.db.caseEvent.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
});
