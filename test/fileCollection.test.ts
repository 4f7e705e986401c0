// Step 1 of the pathway — the file — branch by branch, against the real stack: questionnaire,
// documents and translations, items declared "none", submission, the admission team's completeness
// check (its validator, incomplete → fixed → complete), what step 2 refuses before that, who may do
// what, and the reminder / abandonment timers. One stack with calm timings (no timer fires), one with
// fast ones (a reminder after 2 s, 2 reminders, then the case is abandoned). Both stacks can slow
// one email down for a chosen case (the stack's afterEmailQueued hook, as a slow database or worker would):
// two regression tests use it to hold the workflow inside a step (windows where a second decision or patient activity once went wrong).
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { checklists } from '../config/checklists';
import type { ItemStatus } from '../workflows/checklist';
import { searchAttributes, type CaseState } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, waitForState } from './support/cases';
import { CALM_TIMINGS, call, FAST_TIMINGS, makeTeam, openCase, QUESTIONNAIRE, state, upload, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let calm: Stack;
let fast: Stack;
let team: Team;
/** Cases whose "items missing" email activity is slow to finish: 1.5 s after it queued the email. */
const slowIncompleteEmail = new Set<string>();
/** Likewise for the reminder, on the fast stack. */
const slowReminderEmail = new Set<string>();

beforeAll(async () => {
  [calm, fast] = await Promise.all([
    startStack({
      env: CALM_TIMINGS,
      afterEmailQueued: async (input) => {
        if (input.template === 'file_incomplete' && input.caseReference && slowIncompleteEmail.has(input.caseReference)) await new Promise((r) => setTimeout(r, 1_500));
      },
    }),
    startStack({
      env: FAST_TIMINGS,
      afterEmailQueued: async (input) => {
        if (input.template === 'file_reminder' && input.caseReference && slowReminderEmail.has(input.caseReference)) await new Promise((r) => setTimeout(r, 1_500));
      },
    }),
  ]);
  team = await makeTeam(calm);
}, 60_000);
afterAll(async () => {
  await Promise.all([calm?.stop(), fast?.stop()]);
});

// ---- helpers ----------------------------------------------------------------------------------------

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
const errorOf = (res: { body: unknown }) => (res.body as ErrorBody).error;
/** The distinct field paths of a 400 (one field may carry several messages). */
const fieldPaths = (res: { body: unknown }) => [...new Set((errorOf(res).details as { path: string; message: string }[]).map((d) => d.path))].sort();

const statuses = (s: CaseState): Record<string, ItemStatus> => Object.fromEntries(s.checklist.map((e) => [e.id, e.status]));
const itemStatus = (s: CaseState, id: string) => s.checklist.find((e) => e.id === id)?.status;
const missing = (s: CaseState) => s.checklist.filter((e) => e.status === 'missing' || e.status === 'needs_translation').map((e) => e.id);

/** French label of a proton therapy checklist item, as the emails list it. */
const frLabel = (id: string) => {
  const item = checklists.proton_therapy.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item.label.fr;
};

const PATIENT_EMAIL = 'amina.benali@example.ma'; // validCase's patient: every case's emails go there
const mailsAbout = (stack: Stack, reference: string, subject: RegExp) => stack.smtp.messages.filter((m) => m.subject.includes(reference) && subject.test(m.subject));
const REMINDER_FR = /^Rappel : votre dossier .* est incomplet$/;
const ABANDONED_FR = /^Votre demande .* a été clôturée$/;
const INCOMPLETE_FR = /^Votre dossier .* : éléments manquants$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventTypes(stack: Stack, reference: string): Promise<string[]> {
  const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: { orderBy: { id: 'asc' } } } });
  return row.events.map((e) => e.type);
}

async function worklistRefs(actor: Actor): Promise<{ reference: string; phase: string; awaitingRole: string | null; nextDeadline: string | null; overdue: boolean }[]> {
  const res = await request(calm.app).get('/worklist').query({ limit: '100' }).set(actor.auth);
  expect(res.status).toBe(200);
  const body = res.body as { items: { reference: string; phase: string; awaitingRole: string | null; nextDeadline: string | null; overdue: boolean }[]; total: number };
  expect(body.total).toBeLessThanOrEqual(100); // one page holds them all: absence means absence
  return body.items;
}

/** Answers the whole questionnaire (the API's own route). */
async function answerAll(stack: Stack, patient: Actor, reference: string): Promise<void> {
  const res = await call(stack, patient, 'put', `/cases/${reference}/questionnaire`, QUESTIONNAIRE);
  expect(res.status).toBe(200);
}

async function submitAndWaitForReview(stack: Stack, patient: Actor, reference: string): Promise<CaseState> {
  const res = await call(stack, patient, 'post', `/cases/${reference}/submit`);
  expect(res.status).toBe(200);
  return waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'completeness_review');
}

const QUESTIONNAIRE_ITEMS = ['administrative_data', 'referrer_contact', 'request_reason', 'pathology'];

// ---- the tests --------------------------------------------------------------------------------------

describe('step 1 — the file (calm timings: no timer fires)', () => {
  it('questionnaire: answers land in state.questionnaire and move their items from missing to provided; invalid answers are 400 per field and change nothing', async () => {
    const patient = await signUp(calm);
    // Opened without a reason, so all four questionnaire items start missing.
    const reference = await openCase(calm, patient, 'proton_therapy', { reason: undefined });
    const before = await state(calm, patient, reference);
    for (const id of QUESTIONNAIRE_ITEMS) expect(itemStatus(before, id)).toBe('missing');
    expect(before.checklist.find((e) => e.id === 'administrative_data')?.missingFields).toEqual(['placeOfBirth', 'postalAddress']);
    expect(before.questionnaire).toMatchObject({ firstName: 'Amina', lastName: 'Benali', nationality: 'MA' });

    const future = `${new Date().getUTCFullYear() + 1}-01-15`;
    const invalid: [string, Record<string, unknown>, string[], RegExp?][] = [
      ['an impossible date', { dateOfBirth: '1978-02-30' }, ['dateOfBirth'], /real calendar date/],
      ['a date in another format', { dateOfBirth: '14/03/1978' }, ['dateOfBirth'], /YYYY-MM-DD/],
      ['a date of birth in the future', { dateOfBirth: future }, ['dateOfBirth'], /future/],
      ['a lower-case country', { nationality: 'ma' }, ['nationality'], /capitals/],
      ['an unknown field', { favouriteColour: 'blue' }, ['(body)'], /favouriteColour/],
      ['an empty body', {}, ['(body)'], /at least one answer/],
      ['a valid answer next to an invalid one', { placeOfBirth: 'Rabat', referrerEmail: 'not-an-email' }, ['referrerEmail']],
      ['several invalid fields', { sex: 'unknown', phone: 'call me', pathologyName: '   ' }, ['pathologyName', 'phone', 'sex']],
    ];
    for (const [label, body, paths, message] of invalid) {
      const res = await call(calm, patient, 'put', `/cases/${reference}/questionnaire`, body);
      expect({ label, status: res.status, code: errorOf(res).code, paths: fieldPaths(res) }).toEqual({ label, status: 400, code: 'validation_failed', paths });
      if (message) expect(JSON.stringify(errorOf(res).details)).toMatch(message);
    }
    const afterInvalid = await state(calm, patient, reference);
    expect(afterInvalid.questionnaire).toEqual(before.questionnaire);
    expect(afterInvalid.checklist).toEqual(before.checklist);
    expect(afterInvalid.timeline).toEqual(before.timeline);

    // First go: part of the answers (values are trimmed); the answer is the state after the step.
    const first = await call(calm, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: '  Casablanca ', postalAddress: QUESTIONNAIRE.postalAddress, reason: QUESTIONNAIRE.reason, pathologyName: 'Chordoma' });
    expect(first.status).toBe(200);
    const s1 = first.body as CaseState;
    expect(s1.questionnaire).toMatchObject({ placeOfBirth: 'Casablanca', postalAddress: QUESTIONNAIRE.postalAddress, reason: QUESTIONNAIRE.reason, pathologyName: 'Chordoma', firstName: 'Amina' });
    expect(statuses(s1)).toMatchObject({ administrative_data: 'provided', request_reason: 'provided', pathology: 'missing', referrer_contact: 'missing' });
    expect(s1.checklist.find((e) => e.id === 'pathology')?.missingFields).toEqual(['pathologyLocation']);

    // Second go: the rest; earlier answers are kept.
    const rest = { referrerName: QUESTIONNAIRE.referrerName, referrerInstitution: QUESTIONNAIRE.referrerInstitution, referrerPhone: QUESTIONNAIRE.referrerPhone, referrerEmail: QUESTIONNAIRE.referrerEmail, pathologyLocation: 'Skull base' };
    expect((await call(calm, patient, 'put', `/cases/${reference}/questionnaire`, rest)).status).toBe(200);
    const s2 = await state(calm, patient, reference);
    expect(s2.questionnaire).toMatchObject({ ...rest, placeOfBirth: 'Casablanca', pathologyName: 'Chordoma', reason: QUESTIONNAIRE.reason });
    for (const id of QUESTIONNAIRE_ITEMS) expect(itemStatus(s2, id)).toBe('provided');
    expect(missing(s2)).toEqual(['gp_letter', 'imaging_report', 'dicom_images', 'operation_reports', 'chemotherapy_reports', 'radiotherapy_reports']);
    expect(s2.timeline.filter((t) => t.type === 'questionnaire_answered')).toHaveLength(2);
    expect(s2.timeline.at(-1)?.actor).toBe(`patient:${patient.userId}`);
  });

  it('documents: one in French or English satisfies its item; one in Arabic needs a translation and does not, until the English version arrives', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);

    await upload(calm, patient, reference, 'gp_letter', 'fr');
    await upload(calm, patient, reference, 'imaging_report', 'en');
    let s = await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 2);
    expect(statuses(s)).toMatchObject({ gp_letter: 'provided', imaging_report: 'provided', operation_reports: 'missing' });

    await upload(calm, patient, reference, 'operation_report', 'ar');
    s = await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 3);
    expect(s.documents.find((d) => d.kind === 'operation_report')).toMatchObject({ language: 'ar', needsTranslation: true, uploadedBy: `patient:${patient.userId}` });
    expect(itemStatus(s, 'operation_reports')).toBe('needs_translation');
    expect(missing(s)).toContain('operation_reports');

    await upload(calm, patient, reference, 'operation_report', 'en');
    s = await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 4);
    expect(itemStatus(s, 'operation_reports')).toBe('provided');
    expect(missing(s)).not.toContain('operation_reports');
    expect(s.documents.filter((d) => d.kind === 'operation_report').map((d) => [d.language, d.needsTranslation])).toEqual([['ar', true], ['en', false]]);
  });

  it('declare none: operation_reports may be declared none and undone; gp_letter, a questionnaire item or an unknown item are refused (400)', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    const url = (item: string) => `/cases/${reference}/checklist/${item}/none`;

    const none = await call(calm, patient, 'put', url('operation_reports'), { none: true });
    expect(none.status).toBe(200);
    expect(itemStatus(none.body as CaseState, 'operation_reports')).toBe('declared_none');
    expect((none.body as CaseState).declaredNone).toEqual(['operation_reports']);
    expect(missing(none.body as CaseState)).not.toContain('operation_reports');

    const beforeRefusals = await state(calm, patient, reference);
    for (const item of ['gp_letter', 'administrative_data', 'no_such_item']) {
      const res = await call(calm, patient, 'put', url(item), { none: true });
      expect({ item, status: res.status, code: errorOf(res).code }).toEqual({ item, status: 400, code: 'refused' });
      expect(errorOf(res).details).toMatchObject({ allowed: ['operation_reports', 'chemotherapy_reports', 'radiotherapy_reports'] });
    }
    const badItem = await call(calm, patient, 'put', url('Bad-Item'), { none: true });
    expect([badItem.status, errorOf(badItem).code, fieldPaths(badItem)]).toEqual([400, 'validation_failed', ['itemId']]);
    const badBody = await call(calm, patient, 'put', url('chemotherapy_reports'), { none: 'yes' });
    expect([badBody.status, errorOf(badBody).code, fieldPaths(badBody)]).toEqual([400, 'validation_failed', ['none']]);
    const afterRefusals = await state(calm, patient, reference);
    expect(afterRefusals.checklist).toEqual(beforeRefusals.checklist);
    expect(afterRefusals.declaredNone).toEqual(['operation_reports']);
    expect(itemStatus(afterRefusals, 'gp_letter')).toBe('missing');

    const undo = await call(calm, patient, 'put', url('operation_reports'), { none: false });
    expect(undo.status).toBe(200);
    expect(itemStatus(undo.body as CaseState, 'operation_reports')).toBe('missing');
    expect((undo.body as CaseState).declaredNone).toEqual([]);
    expect((undo.body as CaseState).timeline.map((t) => t.type).filter((t) => t.startsWith('item_'))).toEqual(['item_declared_none', 'item_none_withdrawn']);
  });

  it("validator: `complete` on a submitted file with items missing is 409 missing_items naming exactly those items; the case stays in completeness_review", async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    await answerAll(calm, patient, reference);
    await upload(calm, patient, reference, 'gp_letter', 'fr');
    await upload(calm, patient, reference, 'chemotherapy_report', 'ar'); // needs translation: still missing
    expect((await call(calm, patient, 'put', `/cases/${reference}/checklist/operation_reports/none`, { none: true })).status).toBe(200);
    const filled = await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 2);
    const expectedMissing = ['imaging_report', 'dicom_images', 'chemotherapy_reports', 'radiotherapy_reports'];
    expect(missing(filled)).toEqual(expectedMissing);

    const inReview = await submitAndWaitForReview(calm, patient, reference);
    expect(inReview.awaitingRole).toBe('admission_coordinator');
    expect(inReview.timeline.find((t) => t.type === 'file_submitted')?.summary).toBe('File submitted, 4 items still missing');

    const res = await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'complete' });
    expect(res.status).toBe(409);
    expect(errorOf(res).code).toBe('missing_items');
    expect((errorOf(res).details as { missingItems: string[] }).missingItems).toEqual(expectedMissing);
    // The message names them in words (their labels); the details keep their ids.
    for (const e of filled.checklist.filter((x) => expectedMissing.includes(x.id))) expect(errorOf(res).message).toContain(e.label.en);
    for (const id of expectedMissing) expect(errorOf(res).message).not.toContain(id);

    // An `incomplete` naming an item this request type does not have is refused too.
    const unknown = await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'incomplete', missingItems: ['pathology_report'], message: 'Pathology report?' });
    expect([unknown.status, errorOf(unknown).code]).toEqual([400, 'refused']);
    expect(errorOf(unknown).details).toMatchObject({ unknown: ['pathology_report'] });
    const empty = await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'incomplete', missingItems: [], message: 'x' });
    expect([empty.status, errorOf(empty).code]).toEqual([400, 'validation_failed']);

    // The patient cannot change the file under review.
    const again = await call(calm, patient, 'post', `/cases/${reference}/submit`);
    expect([again.status, errorOf(again).code]).toEqual([409, 'wrong_phase']);
    const answer = await call(calm, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' });
    expect([answer.status, errorOf(answer).code]).toEqual([409, 'wrong_phase']);

    await sleep(300); // a wrongly accepted review would have moved the case by now
    const after = await state(calm, patient, reference);
    expect(after).toMatchObject({ phase: 'completeness_review', awaitingRole: 'admission_coordinator', lastRequest: null, coordinatorId: null });
    expect(after.questionnaire.placeOfBirth).toBe(QUESTIONNAIRE.placeOfBirth);
    await eventually(async () => expect(await calm.db.case.findUniqueOrThrow({ where: { reference } })).toMatchObject({ phase: 'completeness_review', awaitingRole: 'admission_coordinator' }));
    expect(await eventTypes(calm, reference)).not.toContain('file_complete');
  });

  it('incomplete → fixed → complete: one email in French with the missing items and the note, back to the patient with lastRequest, then on to coordinator assignment', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient, 'proton_therapy', { language: 'fr' });
    await answerAll(calm, patient, reference);
    for (const kind of ['gp_letter', 'imaging_report', 'operation_report', 'chemotherapy_report']) await upload(calm, patient, reference, kind, 'fr');
    await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 4);
    await submitAndWaitForReview(calm, patient, reference);

    const missingItems = ['dicom_images', 'radiotherapy_reports'];
    const message = 'Merci de joindre les images DICOM du dernier scanner.';
    const review = await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'incomplete', missingItems, message });
    expect(review.status).toBe(200);

    const back = await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'file_collection');
    expect(back).toMatchObject({ awaitingRole: 'patient', lastRequest: { by: 'admission_coordinator', message, missingItems } });
    const mail = await calm.smtp.waitFor((m) => m.subject.includes(reference) && INCOMPLETE_FR.test(m.subject));
    expect(mail.to).toEqual([PATIENT_EMAIL]);
    expect(mail.subject).toBe(`Votre dossier ${reference} : éléments manquants`);
    expect(mail.text).toContain('Bonjour Amina Benali');
    expect(mail.text).toContain(`Il manque :\n- ${frLabel('dicom_images')}\n- ${frLabel('radiotherapy_reports')}\n`);
    expect(mail.text).toContain(`Son message : ${message}`);
    expect(mail.text).not.toMatch(/items are missing|Images in DICOM format/);
    expect(mailsAbout(calm, reference, /manquants|missing/i)).toHaveLength(1);

    // The patient fixes the file and submits again; this time the file is complete.
    await upload(calm, patient, reference, 'dicom_images', 'fr');
    expect((await call(calm, patient, 'put', `/cases/${reference}/checklist/radiotherapy_reports/none`, { none: true })).status).toBe(200);
    const fixed = await waitForState(calm.app, patient.auth, reference, (x) => x.documents.length === 5);
    expect(missing(fixed)).toEqual([]);
    await submitAndWaitForReview(calm, patient, reference);
    expect((await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'complete' })).status).toBe(200);
    const done = await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'coordinator_assignment');
    expect(done).toMatchObject({ awaitingRole: 'care_coordinator', lastRequest: null });

    await eventually(async () => {
      const types = await eventTypes(calm, reference);
      const step1 = types.filter((t) => ['review_requested', 'file_incomplete', 'file_complete'].includes(t));
      expect(step1).toEqual(['review_requested', 'file_incomplete', 'review_requested', 'file_complete']);
    });
    const incompleteEvent = await calm.db.caseEvent.findFirstOrThrow({ where: { case: { reference }, type: 'file_incomplete' } });
    expect(incompleteEvent.actor).toBe('admission_coordinator');
    expect(incompleteEvent.payload).toMatchObject({ missingItems: 'dicom_images,radiotherapy_reports' });
    expect(await calm.db.case.findUniqueOrThrow({ where: { reference } })).toMatchObject({ phase: 'coordinator_assignment', awaitingRole: 'care_coordinator' });
    expect(mailsAbout(calm, reference, /manquants|missing/i)).toHaveLength(1);
  });

  it('refuses a second review sent while the first "incomplete" is being applied, so the next submission waits for a real review', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    await answerAll(calm, patient, reference);
    await submitAndWaitForReview(calm, patient, reference);
    slowIncompleteEmail.add(reference); // the mail server takes its time, as it may

    // The admission coordinator clicks twice (or two coordinators act at once).
    const review = { decision: 'incomplete', missingItems: ['gp_letter'], message: 'The letter from your doctor, please.' };
    const first = await call(calm, team.admission, 'post', `/cases/${reference}/review`, review);
    expect(first.status).toBe(200);
    const second = await call(calm, team.admission, 'post', `/cases/${reference}/review`, review);
    await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'file_collection');
    slowIncompleteEmail.delete(reference);

    // The patient adds the letter and submits again: the admission team must now check the file.
    await upload(calm, patient, reference, 'gp_letter', 'en');
    await waitForState(calm.app, patient.auth, reference, (x) => itemStatus(x, 'gp_letter') === 'provided');
    expect((await call(calm, patient, 'post', `/cases/${reference}/submit`)).status).toBe(200);
    // Given 3 s, a stale review would send the case straight back to the patient.
    await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'file_collection' && x.timeline.filter((t) => t.type === 'file_submitted').length === 2, 3_000).catch(() => undefined);
    const after = await state(calm, patient, reference);
    expect({ second: second.status, phase: after.phase, awaitingRole: after.awaitingRole, incompleteEmails: mailsAbout(calm, reference, INCOMPLETE_FR).length }).toEqual({
      second: 409, // the file is no longer under review once the first decision is taken
      phase: 'completeness_review',
      awaitingRole: 'admission_coordinator',
      incompleteEmails: 1,
    });
  });

  it('step 2 cannot start before the file is complete: approve, request changes and coordinator assignment are 409 wrong_phase; so is a review of a file not submitted', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    const step2 = async (phase: string) => {
      const attempts = [
        ['approve', await call(calm, team.care, 'post', `/cases/${reference}/approve`)],
        ['request changes', await call(calm, team.care, 'post', `/cases/${reference}/request-changes`, { message: 'Please add the scans.' })],
        ['assign coordinator', await call(calm, team.admission, 'put', `/cases/${reference}/coordinator`, { coordinatorId: team.care.userId })],
      ] as const;
      for (const [what, res] of attempts) expect({ phase, what, status: res.status, code: errorOf(res).code }).toEqual({ phase, what, status: 409, code: 'wrong_phase' });
    };

    await step2('file_collection');
    for (const body of [{ decision: 'complete' }, { decision: 'incomplete', missingItems: ['gp_letter'], message: 'Letter?' }]) {
      const res = await call(calm, team.admission, 'post', `/cases/${reference}/review`, body);
      expect({ decision: body.decision, status: res.status, code: errorOf(res).code }).toEqual({ decision: body.decision, status: 409, code: 'wrong_phase' });
      expect(errorOf(res).details).toMatchObject({ phase: 'file_collection', allowed: ['completeness_review'] });
    }
    const s = await state(calm, patient, reference);
    expect(s).toMatchObject({ phase: 'file_collection', awaitingRole: 'patient', coordinatorId: null, lastRequest: null });

    // Submitted but not yet found complete: still no step 2.
    await submitAndWaitForReview(calm, patient, reference);
    await step2('completeness_review');
    expect(await state(calm, patient, reference)).toMatchObject({ phase: 'completeness_review', coordinatorId: null });
    expect(await eventTypes(calm, reference)).not.toContain('coordinator_assigned');
  });

  it('roles: the patient, an MDT member and a care coordinator may not review (403); another patient gets 404; the admission coordinator may not edit the file (403)', async () => {
    const patient = await signUp(calm);
    const stranger = await signUp(calm);
    const reference = await openCase(calm, patient);

    // In file collection, where the edits themselves would be allowed: the refusal is about the role.
    const edits: [string, 'put' | 'post', string, unknown][] = [
      ['questionnaire', 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' }],
      ['declare none', 'put', `/cases/${reference}/checklist/operation_reports/none`, { none: true }],
      ['submit', 'post', `/cases/${reference}/submit`, undefined],
    ];
    for (const [what, method, url, body] of edits) {
      const byAdmission = await call(calm, team.admission, method, url, body);
      expect({ what, status: byAdmission.status, code: errorOf(byAdmission).code }).toEqual({ what, status: 403, code: 'forbidden' });
      const byStranger = await call(calm, stranger, method, url, body);
      expect({ what, status: byStranger.status, code: errorOf(byStranger).code }).toEqual({ what, status: 404, code: 'not_found' });
    }
    expect((await request(calm.app).get(`/cases/${reference}`).set(stranger.auth)).status).toBe(404);
    const untouched = await state(calm, patient, reference);
    expect(untouched).toMatchObject({ phase: 'file_collection', declaredNone: [] });
    expect(untouched.questionnaire.placeOfBirth).toBeUndefined();

    await submitAndWaitForReview(calm, patient, reference);
    const review = { decision: 'incomplete', missingItems: ['gp_letter'], message: 'Letter?' };
    for (const [who, actor, status, code] of [
      ['patient', patient, 403, 'forbidden'],
      ['mdt', team.mdt, 403, 'forbidden'],
      ['care coordinator', team.care, 403, 'forbidden'],
      ['another patient', stranger, 404, 'not_found'],
    ] as const) {
      const res = await call(calm, actor, 'post', `/cases/${reference}/review`, review);
      expect({ who, status: res.status, code: errorOf(res).code }).toEqual({ who, status, code });
    }
    await sleep(300);
    expect(await state(calm, patient, reference)).toMatchObject({ phase: 'completeness_review', lastRequest: null });
    expect(mailsAbout(calm, reference, INCOMPLETE_FR)).toHaveLength(0);
  });

  it('nextDeadline is a future ISO instant while waiting on the patient and on the admission team; the admission worklist holds the case only in completeness_review', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    const HOUR = 3_600_000;
    const isFutureIso = (iso: string | null, fromNow: number) => {
      expect(iso).not.toBeNull();
      expect(new Date(iso!).toISOString()).toBe(iso);
      const delta = Date.parse(iso!) - Date.now();
      expect(delta).toBeGreaterThan(fromNow - 5 * 60_000); // CALM: the patient is reminded after 1 h,
      expect(delta).toBeLessThanOrEqual(fromNow); //         the admission team has 1 day
    };

    const waiting = await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'file_collection' && x.nextDeadline !== null);
    expect(waiting.awaitingRole).toBe('patient');
    isFutureIso(waiting.nextDeadline, HOUR);
    expect((await worklistRefs(team.admission)).map((i) => i.reference)).not.toContain(reference);

    const inReview = await submitAndWaitForReview(calm, patient, reference);
    expect(inReview.awaitingRole).toBe('admission_coordinator');
    isFutureIso(inReview.nextDeadline, 24 * HOUR);
    const item = await eventually(async () => {
      const found = (await worklistRefs(team.admission)).find((i) => i.reference === reference);
      expect(found).toBeDefined();
      return found!;
    });
    expect(item).toMatchObject({ phase: 'completeness_review', awaitingRole: 'admission_coordinator', nextDeadline: inReview.nextDeadline, overdue: false });
    // Nobody else's worklist: the patient waits on the admission team only.
    expect((await worklistRefs(team.care)).map((i) => i.reference)).not.toContain(reference);

    // Sent back to the patient: off the admission worklist, a patient deadline again.
    expect((await call(calm, team.admission, 'post', `/cases/${reference}/review`, { decision: 'incomplete', missingItems: ['gp_letter'], message: 'The letter, please.' })).status).toBe(200);
    const back = await waitForState(calm.app, patient.auth, reference, (x) => x.phase === 'file_collection' && x.awaitingRole === 'patient' && x.nextDeadline !== inReview.nextDeadline && x.nextDeadline !== null);
    isFutureIso(back.nextDeadline, HOUR);
    await eventually(async () => expect((await worklistRefs(team.admission)).map((i) => i.reference)).not.toContain(reference));
  });
  it('keeps the reminder timer while the patient works on the file: each action moves the deadline people see, none cancels or restarts the timer, NextDeadline stays the timer\'s', async () => {
    const patient = await signUp(calm);
    const reference = await openCase(calm, patient);
    const handle = calm.client.workflow.getHandle(`case-${reference}`);
    const timerEvents = async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const { EventType } = temporal.api.enums.v1;
      const count = (t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t).length;
      return { started: count(EventType.EVENT_TYPE_TIMER_STARTED), cancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED), fired: count(EventType.EVENT_TYPE_TIMER_FIRED) };
    };
    const before = await timerEvents();
    expect(before).toEqual({ started: 1, cancelled: 0, fired: 0 }); // the file's reminder, one hour away

    const deadlines: number[] = [Date.parse((await state(calm, patient, reference)).nextDeadline!)];
    const attribute = async () => (await handle.describe()).typedSearchAttributes.get(searchAttributes.NextDeadline)?.getTime();
    expect(await attribute()).toBe(deadlines[0]);
    const acts = [
      () => call(calm, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' }),
      () => upload(calm, patient, reference, 'gp_letter', 'fr'),
      () => upload(calm, patient, reference, 'imaging_report', 'fr'),
    ];
    for (const act of acts) {
      await sleep(50); // the deadline is kept to the millisecond: each action lands later than the one before
      const at = Date.now();
      expect([200, 201]).toContain((await act()).status);
      const s = await state(calm, patient, reference);
      const deadline = Date.parse(s.nextDeadline!);
      // An hour after the action, as the reminder will go (the workflow's clock is the task's start).
      expect(deadline).toBeGreaterThan(deadlines.at(-1)!);
      expect(Math.abs(deadline - (at + 3_600_000))).toBeLessThan(5_000);
      expect(s).toMatchObject({ phase: 'file_collection', remindersSent: 0 });
      deadlines.push(deadline);
    }
    expect(await timerEvents()).toEqual(before);
    // The ops column says when the case wakes by itself: the timer's end, where it checks for a reminder.
    expect(await attribute()).toBe(deadlines[0]);

    expect((await call(calm, patient, 'post', `/cases/${reference}/withdraw`, { reason: 'Test over' })).status).toBe(200);
    await handle.result();
  }, 30_000);
});

describe('step 1 timers (fast timings: a reminder after 2 s, 2 reminders)', () => {
  it('with no activity: 2 reminders listing the missing items, then the case is abandoned with an email; the workflow completes and the read model says abandoned', async () => {
    const patient = await signUp(fast);
    const started = Date.now();
    const reference = await openCase(fast, patient);

    const firstReminder = await fast.smtp.waitFor((m) => m.subject.includes(reference) && REMINDER_FR.test(m.subject), 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000); // not before the reminder delay
    const abandoned = await fast.smtp.waitFor((m) => m.subject.includes(reference) && ABANDONED_FR.test(m.subject), 20_000);
    expect(abandoned.to).toEqual([PATIENT_EMAIL]);
    expect(abandoned.text).toContain('nous avons clôturé la demande');

    const result = await fast.client.workflow.getHandle(`case-${reference}`).result();
    expect(result).toMatchObject({ reference, phase: 'abandoned' });
    expect(result.reason).toMatch(/2 reminder/);

    const reminders = mailsAbout(fast, reference, REMINDER_FR);
    expect(reminders).toHaveLength(2);
    expect(reminders[0]).toBe(firstReminder);
    const expectedMissing = ['administrative_data', 'referrer_contact', 'pathology', 'gp_letter', 'imaging_report', 'dicom_images', 'operation_reports', 'chemotherapy_reports', 'radiotherapy_reports'];
    for (const mail of reminders) {
      expect(mail.to).toEqual([PATIENT_EMAIL]);
      expect(mail.text).toContain(`Il manque encore :\n${expectedMissing.map((id) => `- ${frLabel(id)}`).join('\n')}\n`);
      expect(mail.text).not.toContain(frLabel('request_reason')); // given when the case was opened
    }
    // The order the patient got them in: reminder, reminder, closure.
    const order = fast.smtp.messages.filter((m) => m.subject.includes(reference)).map((m) => (REMINDER_FR.test(m.subject) ? 'reminder' : ABANDONED_FR.test(m.subject) ? 'abandoned' : 'other'));
    expect(order.filter((o) => o !== 'other')).toEqual(['reminder', 'reminder', 'abandoned']);

    const row = await fast.db.case.findUniqueOrThrow({ where: { reference } });
    expect(row).toMatchObject({ phase: 'abandoned', awaitingRole: 'none' });
    const types = await eventTypes(fast, reference);
    expect(types.filter((t) => t === 'file_reminder_sent')).toHaveLength(2);
    expect(types.filter((t) => t === 'case_abandoned')).toHaveLength(1);
    expect(types.at(-1)).toBe('case_abandoned');

    // A closed case takes nothing more.
    const late = await call(fast, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' });
    expect([late.status, errorOf(late).code]).toEqual([409, 'case_closed']);
  }, 45_000);

  it('patient activity resets the clock: answering every second for 5 s sends no reminder; once the patient stops, the reminder comes', async () => {
    const patient = await signUp(fast);
    const reference = await openCase(fast, patient);

    let lastActivity = Date.now();
    for (let i = 1; i <= 5; i++) {
      await sleep(1_000);
      const res = await call(fast, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: `Rabat ${i}` });
      expect(res.status).toBe(200);
      lastActivity = Date.now();
      expect(mailsAbout(fast, reference, REMINDER_FR)).toHaveLength(0);
    }
    const active = await state(fast, patient, reference);
    expect(active).toMatchObject({ phase: 'file_collection', remindersSent: 0 });
    expect(active.timeline.map((t) => t.type)).not.toContain('file_reminder_sent');
    expect(active.questionnaire.placeOfBirth).toBe('Rabat 5');

    const reminder = await fast.smtp.waitFor((m) => m.subject.includes(reference) && REMINDER_FR.test(m.subject), 10_000);
    expect(Date.now() - lastActivity).toBeGreaterThanOrEqual(1_900);
    expect(reminder.text).toContain(`- ${frLabel('gp_letter')}`);
    expect(mailsAbout(fast, reference, REMINDER_FR)).toHaveLength(1);
    const reminded = await waitForState(fast.app, patient.auth, reference, (x) => x.remindersSent === 1);
    // The timers that ended while the patient answered moved NextDeadline on: it is the next reminder's again.
    const described = await fast.client.workflow.getHandle(`case-${reference}`).describe();
    expect(described.typedSearchAttributes.get(searchAttributes.NextDeadline)?.toISOString()).toBe(reminded.nextDeadline);

    // Done with it: the patient withdraws, so nothing runs on after the test.
    expect((await call(fast, patient, 'post', `/cases/${reference}/withdraw`, { reason: 'Test over' })).status).toBe(200);
    await fast.client.workflow.getHandle(`case-${reference}`).result();
  }, 45_000);

  it('counts patient activity that happens while a reminder is being sent: the reminder count starts again', async () => {
    const patient = await signUp(fast);
    const reference = await openCase(fast, patient);
    slowReminderEmail.add(reference); // the mail server takes its time with the first reminder

    await fast.smtp.waitFor((m) => m.subject.includes(reference) && REMINDER_FR.test(m.subject), 10_000);
    slowReminderEmail.delete(reference);
    // The patient answers while the reminder is still being sent: they are active again.
    const answer = await call(fast, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' });
    expect(answer.status).toBe(200);
    // The answer comes back once its event is in the audit trail; the count may already have restarted.
    expect((answer.body as CaseState).remindersSent).toBeLessThanOrEqual(1);

    // Their activity restarts the count: the next reminder is again the first of two, not the last.
    await fast.smtp.waitFor((m) => m.subject.includes(reference) && REMINDER_FR.test(m.subject) && mailsAbout(fast, reference, REMINDER_FR).length >= 2, 10_000);
    const s = await waitForState(fast.app, patient.auth, reference, (x) => x.timeline.filter((t) => t.type === 'file_reminder_sent').length === 2);
    expect({ remindersSent: s.remindersSent, last: s.timeline.filter((t) => t.type === 'file_reminder_sent').at(-1)?.summary }).toEqual({ remindersSent: 1, last: 'Reminder 1 of 2 sent to the patient: file not submitted yet' });

    expect((await call(fast, patient, 'post', `/cases/${reference}/withdraw`, { reason: 'Test over' })).status).toBe(200);
    await fast.client.workflow.getHandle(`case-${reference}`).result();
  }, 45_000);
});
