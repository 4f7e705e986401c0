// One activity writes what a step of a case asks for (activities/bookkeeping.ts): the case row, its
// events and emails in the order asked, the view after the last event. Run again after a crash, it
// writes nothing twice; an email that can never go out stops it before the view moves.
import crypto from 'node:crypto';
import { createBookkeepingActivities, type BookkeepingWrite } from '../activities/bookkeeping';
import { createCaseRecordActivities } from '../activities/caseRecords';
import { createEmailActivities } from '../activities/email';
import { createStaffEmailActivities } from '../activities/staffEmails';
import { asStartInput, createCaseBody } from '../api/schemas/cases';
import type { Db } from '../lib/db';
import { initialCaseState, viewVersions } from '../workflows/caseState';
import type { CaseStartInput } from '../workflows/definitions';
import { validCase } from './support/cases';
import { openTestDb } from './support/testDb';

let db: Db;
beforeAll(() => {
  db = openTestDb('bookkeeping-batch');
});
afterAll(async () => {
  await db?.$disconnect();
});

function activities() {
  const records = createCaseRecordActivities({ db });
  const email = createEmailActivities({ db, from: 'parcours@hospital.test', publicBaseUrl: 'http://parcours.test' });
  const teams = { admissionTeamEmail: 'admission@hospital.test', mdtSecretariatEmail: 'mdt@hospital.test', radiotherapyTeamEmail: 'rt@hospital.test', financeTeamEmail: 'finance@hospital.test', supportTeamEmail: 'support@hospital.test', medicalAssistantsEmail: 'ma@hospital.test' };
  const staff = createStaffEmailActivities({ db, sendEmail: email.sendEmail, ...teams });
  return createBookkeepingActivities({ ...records, ...email, ...staff });
}

let seq = 0;
/** A case with no account behind it (this database has none), with a reference of its own. */
function newCase(): CaseStartInput {
  const reference = `INT-2026-${String(700_000 + ++seq + crypto.randomInt(0, 90_000))}`;
  const { ownerId: _owner, ...input } = asStartInput(createCaseBody.parse(validCase()), reference, crypto.randomUUID());
  return input;
}

/** A time after the row's case_received event (timeline order). */
const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/** The writes of a case's first step: the row, an event, the acknowledgement, a second event, a staff email. */
function firstStep(input: CaseStartInput): BookkeepingWrite[] {
  const key = (step: string) => `case-${input.reference}:${step}`;
  return [
    { kind: 'case', input },
    { kind: 'event', event: { idempotencyKey: key('1:acknowledgement_sent'), type: 'acknowledgement_sent', actor: 'system', payload: {}, summary: 'Acknowledgement sent', at: later(1) } },
    { kind: 'email', email: { idempotencyKey: key('acknowledgement'), to: input.patient.email, template: 'acknowledgement', language: input.language, caseReference: input.reference, requestType: input.requestType, vars: { reference: input.reference, firstName: input.patient.firstName, lastName: input.patient.lastName } } },
    { kind: 'event', event: { idempotencyKey: key('2:file_collection'), type: 'file_collection', actor: 'system', payload: {}, summary: 'Collecting the file', at: later(2) } },
    { kind: 'staffEmail', email: { idempotencyKey: key('staff_withdrawal:1'), audience: 'admission_team', coordinatorId: null, reference: input.reference, requestType: input.requestType, template: 'staff_withdrawal' } },
  ];
}

/** The view's change after the step (the phase moved), as the workflow sends it. */
function stepChange(input: CaseStartInput) {
  const state = initialCaseState(input);
  const versions = viewVersions(state);
  state.phase = 'completeness_review';
  return versions.toSend()!;
}

const events = (reference: string) => db.caseEvent.findMany({ where: { case: { reference } }, orderBy: { at: 'asc' }, select: { type: true, idempotencyKey: true } });
const outbox = (reference: string) => db.outboundEmail.findMany({ where: { caseReference: reference }, select: { idempotencyKey: true, toAddress: true } });

it('writes the row, the events and the emails in order, and the view after the last event', async () => {
  const input = newCase();
  const { writeBookkeeping } = activities();
  const result = await writeBookkeeping({ reference: input.reference, writes: firstStep(input), change: stepChange(input) });
  expect(result).toEqual({ events: 2, emails: 1 }); // the step's two events (case_received is the row's); the patient's email
  expect((await events(input.reference)).map((e) => e.type)).toEqual(['case_received', 'acknowledgement_sent', 'file_collection']);
  expect((await outbox(input.reference)).map((e) => e.toAddress).sort()).toEqual(['admission@hospital.test', input.patient.email].sort());
  expect(await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).toMatchObject({ phase: 'completeness_review', viewVersion: 1 });
});

it('run again after a crash, writes nothing twice', async () => {
  const input = newCase();
  const { writeBookkeeping } = activities();
  const batch = { reference: input.reference, writes: firstStep(input), change: stepChange(input) };
  await writeBookkeeping(batch);
  expect(await writeBookkeeping(batch)).toEqual({ events: 0, emails: 0 });
  expect(await events(input.reference)).toHaveLength(3);
  expect(await outbox(input.reference)).toHaveLength(2);
  expect((await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).viewVersion).toBe(1);
});

it('an email that can never go out fails the batch for good, after the writes before it and before the view', async () => {
  const input = newCase();
  const { writeBookkeeping } = activities();
  const writes = firstStep(input);
  const email = writes[2] as Extract<BookkeepingWrite, { kind: 'email' }>;
  writes[2] = { kind: 'email', email: { ...email.email, attachDocumentIds: ['no-such-document'] } };
  await expect(writeBookkeeping({ reference: input.reference, writes, change: stepChange(input) })).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('no such document') });
  expect((await events(input.reference)).map((e) => e.type)).toEqual(['case_received', 'acknowledgement_sent']);
  expect(await outbox(input.reference)).toHaveLength(0);
  expect(await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).toMatchObject({ phase: 'file_collection', viewVersion: 0 });
});
