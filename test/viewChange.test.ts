// The read model is written with changes of the view (only the fields that changed), so each history
// event carries a few fields rather than the whole case. A change applied to any stored version from its
// base up gives exactly the workflow's view; a stored view older than the base refuses it.
import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createCaseRecordActivities } from '../activities/caseRecords';
import { asStartInput, createCaseBody } from '../api/schemas/cases';
import { caseRowOf, isCaseAck, readCaseState, storedViewAt, writeCaseState, writeCaseViewChange } from '../lib/caseView';
import type { Db } from '../lib/db';
import { applyViewChange, initialCaseState, viewOf, viewVersions, type ViewChange } from '../workflows/caseState';
import type { CaseState, CaseView } from '../workflows/definitions';
import { validCase } from './support/cases';
import { openTestDb } from './support/testDb';

let db: Db;
beforeAll(() => {
  db = openTestDb('view-change');
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The case as people see it (the API's read). */
async function readCaseStateOf(reference: string) {
  return readCaseState(db, await db.case.findUniqueOrThrow({ where: { reference } }));
}

let seq = 0;
/** A new case's start input with a reference of its own (far above the API's blocks). */
function startInput() {
  const reference = `INT-2026-${String(800_000 + ++seq + crypto.randomInt(0, 90_000))}`;
  return asStartInput(createCaseBody.parse(validCase()), reference, crypto.randomUUID());
}

/** A workflow-like state and its versions, moved through a few changes. */
function caseInMotion() {
  const state: CaseState = initialCaseState(startInput());
  const versions = viewVersions(state);
  return { state, versions };
}

describe('viewVersions', () => {
  it('sends only the fields that changed, with the version they build on', () => {
    const { state, versions } = caseInMotion();
    expect(versions.pending()).toBe(false);
    expect(versions.toSend()).toBeUndefined();

    state.questionnaire = { ...state.questionnaire, placeOfBirth: 'Rabat' };
    expect(versions.pending()).toBe(true);
    const change = versions.toSend()!;
    expect(change).toEqual({ base: 0, version: 1, fields: { questionnaire: state.questionnaire } });
    expect(versions.pending()).toBe(false);

    state.phase = 'completeness_review';
    state.awaitingRole = 'admission_coordinator';
    const next = versions.toSend()!;
    expect(next.base).toBe(1);
    expect(Object.keys(next.fields).sort()).toEqual(['awaitingRole', 'phase']);
  });

  it('a change carries every field changed since its base, even one changed back', () => {
    const { state, versions } = caseInMotion();
    const v0 = viewOf(state);
    state.phase = 'completeness_review';
    versions.bump(); // version 1: what an update answered (the API may store it)
    const v1 = { ...viewOf(state) };
    state.phase = 'file_collection'; // back as at version 0
    state.remindersSent = 2;
    const change = versions.toSend()!;
    expect(change.base).toBe(0);
    expect(change.version).toBe(2);
    expect(Object.keys(change.fields).sort()).toEqual(['phase', 'remindersSent']);
    // Applied to either stored version, the result is the workflow's view.
    expect(applyViewChange(v0, change)).toEqual(viewOf(state));
    expect(applyViewChange(v1, change)).toEqual(viewOf(state));
  });

  it('the whole view is the current version', () => {
    const { state, versions } = caseInMotion();
    state.remindersSent = 1;
    expect(versions.whole()).toEqual({ view: viewOf(state), version: 1 });
  });
});

describe('the read model applies changes', () => {
  async function newRow() {
    const input = startInput();
    const { ownerId: _owner, ...row } = caseRowOf(input); // no account in this database: the row has no owner
    await db.case.create({ data: row });
    return input;
  }
  const change = (base: number, version: number, fields: Partial<CaseView>): ViewChange => ({ base, version, fields });

  it('stores a change built on the stored version, or on an older one it covers', async () => {
    const input = await newRow();
    expect(await writeCaseViewChange(db, input.reference, change(0, 1, { phase: 'completeness_review', awaitingRole: 'admission_coordinator' }))).toBe('stored');
    let row = await db.case.findUniqueOrThrow({ where: { reference: input.reference } });
    expect(row).toMatchObject({ viewVersion: 1, phase: 'completeness_review', awaitingRole: 'admission_coordinator' });
    expect((row.view as unknown as CaseView).questionnaire).toEqual(initialCaseState(input).questionnaire);

    // Version 2 came through an update's result; the change from 1 to 3 still lands on it.
    const two = { ...viewOf(initialCaseState(input)), phase: 'completeness_review' as const, awaitingRole: 'admission_coordinator' as const, remindersSent: 1, version: 2 };
    expect(await writeCaseState(db, two)).toBe(true);
    expect(await writeCaseViewChange(db, input.reference, change(1, 3, { remindersSent: 1, coordinatorId: 'c-1' }))).toBe('stored');
    row = await db.case.findUniqueOrThrow({ where: { reference: input.reference } });
    expect(row).toMatchObject({ viewVersion: 3, coordinatorId: 'c-1', phase: 'completeness_review' });
    expect((await readCaseStateOf(input.reference))!).toMatchObject({ version: 3, remindersSent: 1, coordinatorId: 'c-1', timeline: [] });
  });

  it('ignores a change it already has, and refuses one built on a version it lacks', async () => {
    const input = await newRow();
    expect(await writeCaseViewChange(db, input.reference, change(0, 2, { remindersSent: 2 }))).toBe('stored');
    expect(await writeCaseViewChange(db, input.reference, change(0, 1, { remindersSent: 1 }))).toBe('already');
    expect(await writeCaseViewChange(db, input.reference, change(4, 5, { remindersSent: 5 }))).toBe('behind');
    expect((await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).viewVersion).toBe(2);
  });

  it('answers an update acknowledgement from the stored view at its version or newer, and null while the row stays behind', async () => {
    const input = await newRow();
    expect(await writeCaseViewChange(db, input.reference, change(0, 2, { remindersSent: 2 }))).toBe('stored');
    const ack = { reference: input.reference, version: 2 };
    expect(isCaseAck(ack)).toBe(true);
    expect(isCaseAck({ ...viewOf(initialCaseState(input)), version: 2 })).toBe(false);
    expect(await storedViewAt(db, ack, 0)).toMatchObject({ reference: input.reference, version: 2, remindersSent: 2 });
    expect(await storedViewAt(db, { reference: input.reference, version: 1 }, 0)).toMatchObject({ version: 2 });
    // A version the row has not reached (a database restored meanwhile): null once the wait is over, so the API answers 503.
    expect(await storedViewAt(db, { reference: input.reference, version: 3 }, 300)).toBeNull();
    // It lands during the wait: answered.
    const late = storedViewAt(db, { reference: input.reference, version: 3 }, 3_000);
    await writeCaseViewChange(db, input.reference, change(2, 3, { remindersSent: 3 }));
    expect(await late).toMatchObject({ version: 3, remindersSent: 3 });
  });

  it('the activity refuses a change the stored view is too old for (not retried), and takes the whole view', async () => {
    const input = await newRow();
    const records = createCaseRecordActivities({ db });
    const event = { reference: input.reference, idempotencyKey: `case-${input.reference}:7:phase_changed`, type: 'phase_changed', actor: 'system', payload: {}, summary: 'Phase changed' };
    const refused = records.recordCaseEvent({ ...event, change: change(3, 4, { remindersSent: 4 }) });
    await expect(refused).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(refused).rejects.toMatchObject({ type: 'ReadModelBehind', nonRetryable: true });
    expect(await db.caseEvent.count({ where: { idempotencyKey: event.idempotencyKey } })).toBe(0);

    const whole = { ...viewOf(initialCaseState(input)), remindersSent: 4 };
    expect(await records.recordCaseEvent({ ...event, view: whole, version: 4 })).toEqual({ recorded: true });
    expect((await readCaseStateOf(input.reference))!).toMatchObject({ version: 4, remindersSent: 4, timeline: [expect.objectContaining({ type: 'phase_changed' })] });
  });

  it('a change written just before the one it builds on waits for it, then lands', async () => {
    const input = await newRow();
    const records = createCaseRecordActivities({ db });
    const later = records.publishCaseView({ reference: input.reference, change: change(1, 2, { remindersSent: 2 }) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).viewVersion).toBe(0);
    expect(await records.publishCaseView({ reference: input.reference, change: change(0, 1, { phase: 'completeness_review' }) })).toEqual({ stored: true });
    expect(await later).toEqual({ stored: true });
    expect((await readCaseStateOf(input.reference))!).toMatchObject({ version: 2, phase: 'completeness_review', remindersSent: 2 });
  });
});
