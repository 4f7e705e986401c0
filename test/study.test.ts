// Step 2 of the pathway (study of the file), every branch, against the real stack: coordinator
// assignment, contents approval or requested changes, the service fee (duplicates, partial payments,
// reminders, expiry), the MDT / radiotherapy notification and its SLA escalation, the report and
// its outcome, withdrawal (with or without a refund) and cancellation.
//
// Two stacks: CALM (no timer fires during a test) and FAST (fee reminder after 2 s, 2 reminders,
// report SLA 3 s) for the tests that are about timers.
import crypto from 'node:crypto';
import request from 'supertest';
import { studyFees } from '../config/fees';
import { searchAttributes, type CaseState, type RequestType } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, FAST_TIMINGS, call, fillFile, makeTeam, pay, state, type Team } from './support/pathway';
import type { CapturedMail } from '../harness/smtpCapture';
import { startStack, type Stack } from './support/stack';

let calm: Stack;
let fast: Stack;
let calmTeam: Team;
let fastTeam: Team;

beforeAll(async () => {
  [calm, fast] = await Promise.all([startStack({ env: CALM_TIMINGS }), startStack({ env: FAST_TIMINGS })]);
  [calmTeam, fastTeam] = await Promise.all([makeTeam(calm), makeTeam(fast)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([calm?.stop(), fast?.stop()]);
});

// ---- helpers -------------------------------------------------------------------------------------

/** The address every case's patient data carries (test/support/cases.ts): patient emails go there. */
const PATIENT_EMAIL = validCase().patient.email;
const fee = (t: RequestType) => studyFees[t].amountCents;
const eur = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} EUR`;

interface Case {
  s: Stack;
  team: Team;
  patient: Actor;
  ref: string;
  type: RequestType;
}

interface ApiAnswer {
  status: number;
  body: { error?: { code?: string; message?: string; details?: unknown } } & Partial<CaseState>;
}

/** Status and error code together, so a failure shows both. */
function expectRefusal(res: ApiAnswer, status: number, code: string): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
}
function expectOk(res: ApiAnswer, status = 200): void {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error: undefined });
}


const wait = (c: Case, done: (s: CaseState) => boolean, timeoutMs?: number) => waitForState(c.s.app, c.patient.auth, c.ref, done, timeoutMs);

/** A fresh case (patient emails in English) with its whole file provided, still in `file_collection`. */
async function filled(s: Stack, team: Team, type: RequestType, patient?: Actor): Promise<Case> {
  const owner = patient ?? (await signUp(s));
  const res = await request(s.app).post('/cases').set(owner.auth).send(validCase({ requestType: type, language: 'en' }));
  expectOk(res, 201);
  const c: Case = { s, team, patient: owner, ref: String(res.body.reference), type };
  await wait(c, (st) => st.phase === 'file_collection');
  await fillFile(s, owner, c.ref, type);
  return c;
}

/** Submitted and found complete by the admission team: waiting for a care coordinator. */
async function atAssignment(s: Stack, team: Team, type: RequestType, patient?: Actor): Promise<Case> {
  const c = await filled(s, team, type, patient);
  expectOk(await call(s, c.patient, 'post', `/cases/${c.ref}/submit`));
  await wait(c, (st) => st.phase === 'completeness_review');
  expectOk(await call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' }));
  await wait(c, (st) => st.phase === 'coordinator_assignment');
  return c;
}

/** `team.care` assigned: waiting for the contents approval. */
async function atContentsReview(s: Stack, team: Team, type: RequestType, patient?: Actor): Promise<Case> {
  const c = await atAssignment(s, team, type, patient);
  expectOk(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId }));
  await wait(c, (st) => st.phase === 'contents_review');
  return c;
}

/** Contents approved: the fee is due. */
async function atFeePayment(s: Stack, team: Team, type: RequestType, patient?: Actor): Promise<Case> {
  const c = await atContentsReview(s, team, type, patient);
  expectOk(await call(s, team.care, 'post', `/cases/${c.ref}/approve`));
  await wait(c, (st) => st.phase === 'fee_payment');
  return c;
}

/** Fee paid in full: the physicians study the file. */
async function atReportPending(s: Stack, team: Team, type: RequestType, patient?: Actor): Promise<Case> {
  const c = await atFeePayment(s, team, type, patient);
  expectOk(await pay(s, c.ref, fee(type), `pay-${c.ref}-full`));
  await wait(c, (st) => st.phase === 'report_pending');
  return c;
}

async function attributes(c: Case) {
  return (await c.s.client.workflow.getHandle(`case-${c.ref}`).describe()).typedSearchAttributes;
}
async function workflowStatus(c: Case): Promise<string> {
  return (await c.s.client.workflow.getHandle(`case-${c.ref}`).describe()).status.name;
}

async function caseRow(c: Case) {
  return c.s.db.case.findUniqueOrThrow({ where: { reference: c.ref }, include: { events: { orderBy: { id: 'asc' } } } });
}
async function eventTypes(c: Case): Promise<string[]> {
  return (await caseRow(c)).events.map((e) => e.type);
}

/** Emails about the case (its reference is in every subject) to `to`, in arrival order. */
function mailsAbout(c: Case, to: string, subject?: RegExp): CapturedMail[] {
  return c.s.smtp.messages.filter((m) => m.to.includes(to) && m.subject.includes(c.ref) && (!subject || subject.test(m.subject)));
}
const mailTo = (c: Case, to: string, subject: RegExp) => c.s.smtp.waitFor((m) => m.to.includes(to) && m.subject.includes(c.ref) && subject.test(m.subject));

async function worklistRefs(s: Stack, actor: Actor): Promise<string[]> {
  const res = await request(s.app).get('/worklist').query({ limit: '100' }).set(actor.auth);
  expectOk(res);
  return (res.body as { items: { reference: string }[] }).items.map((i) => i.reference);
}

function timelineAt(st: CaseState, type: string): number[] {
  return st.timeline.filter((e) => e.type === type).map((e) => Date.parse(e.at));
}

const MDT_REPORT = { kind: 'mdt', strategy: 'confirm_home_treatment', summary: 'The treatment proposed at home is appropriate.' };
const ANALYSIS_REPORT = { kind: 'analysis', diagnosis: 'Chordoma, conventional type', diagnosisStatus: 'confirmed', summary: 'Diagnosis confirmed.' };
const FEE_REQUEST = /service fees to pay/;
/** Staff emails to the MDT secretariat and the radiotherapy team are in French. */
const MDT_REQUEST = /à étudier/;
const FEE_REMINDER = /^Reminder: service fees/;
const WITHDRAWN_STAFF = /the patient withdrew|retrait du patient/;
const WITHDRAWAL_CONFIRMED = /withdrawal confirmed/;

// ---- the tests -----------------------------------------------------------------------------------

describe('step 2 — study of the file', () => {
  it('assignment: an admission coordinator assigns then reassigns a care coordinator; only care coordinators can be assigned, an mdt user may not assign; worklists follow', async () => {
    const s = calm;
    const team = calmTeam;
    const c = await filled(s, team, 'medical_opinion');
    // Too early: the file is still with the patient.
    expectRefusal(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId }), 409, 'wrong_phase');
    expectOk(await call(s, c.patient, 'post', `/cases/${c.ref}/submit`));
    await wait(c, (st) => st.phase === 'completeness_review');
    expectOk(await call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' }));
    await wait(c, (st) => st.phase === 'coordinator_assignment' && st.awaitingRole === 'care_coordinator');

    // Unassigned: every care coordinator may take it.
    await eventually(async () => {
      expect(await worklistRefs(s, team.care)).toContain(c.ref);
      expect(await worklistRefs(s, team.care2)).toContain(c.ref);
    });
    // Nobody may approve before a coordinator is assigned.
    expectRefusal(await call(s, team.care, 'post', `/cases/${c.ref}/approve`), 409, 'wrong_phase');

    // The mdt may not assign; a non-care-coordinator account (or an unknown one) cannot be assigned.
    expectRefusal(await call(s, team.mdt, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId }), 403, 'forbidden');
    const notCare = await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.mdt.userId });
    expectRefusal(notCare, 400, 'validation_failed');
    expect(JSON.stringify(notCare.body.error?.details)).toContain('coordinatorId');
    expectRefusal(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.admission.userId }), 400, 'validation_failed');
    expectRefusal(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: crypto.randomUUID() }), 400, 'validation_failed');
    expect(await state(s, c.patient, c.ref)).toMatchObject({ phase: 'coordinator_assignment', coordinatorId: null });

    // Assignment to A.
    const assigned = await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId });
    expectOk(assigned);
    expect(assigned.body.coordinatorId).toBe(team.care.userId);
    await wait(c, (st) => st.phase === 'contents_review' && st.coordinatorId === team.care.userId && st.awaitingRole === 'care_coordinator');
    await eventually(async () => {
      expect((await attributes(c)).get(searchAttributes.CoordinatorId)).toBe(team.care.userId);
      const row = await caseRow(c);
      // (The read model's phase is checked by the race test below.)
      expect(row).toMatchObject({ coordinatorId: team.care.userId, awaitingRole: 'care_coordinator' });
      expect(row.events.filter((e) => e.type === 'coordinator_assigned')).toEqual([expect.objectContaining({ actor: team.admission.userId, payload: expect.objectContaining({ coordinatorId: team.care.userId, previous: null }) })]);
      // Only A sees the case now.
      expect(await worklistRefs(s, team.care)).toContain(c.ref);
      expect(await worklistRefs(s, team.care2)).not.toContain(c.ref);
    });

    // Reassignment to B (the care coordinator A hands over).
    const reassigned = await call(s, team.care, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care2.userId });
    expectOk(reassigned);
    expect(reassigned.body).toMatchObject({ coordinatorId: team.care2.userId, phase: 'contents_review' });
    await eventually(async () => {
      expect((await attributes(c)).get(searchAttributes.CoordinatorId)).toBe(team.care2.userId);
      const row = await caseRow(c);
      expect(row).toMatchObject({ coordinatorId: team.care2.userId, phase: 'contents_review' });
      expect(row.events.filter((e) => e.type === 'coordinator_reassigned')).toEqual([
        expect.objectContaining({ actor: team.care.userId, payload: expect.objectContaining({ coordinatorId: team.care2.userId, previous: team.care.userId }) }),
      ]);
      expect(await worklistRefs(s, team.care2)).toContain(c.ref);
      expect(await worklistRefs(s, team.care)).not.toContain(c.ref);
    });
    expect((await state(s, c.patient, c.ref)).timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['coordinator_assigned', 'coordinator_reassigned']));
  });

  it('after an assignment the read model says contents_review, like the workflow, whichever event is written last', async () => {
    // The race is between two activities scheduled in the same workflow task, so one case shows it
    // only sometimes: assign several at once, every read model must end in contents_review.
    const s = calm;
    const team = calmTeam;
    const patient = await signUp(s);
    const cases = await Promise.all(Array.from({ length: 8 }, () => atAssignment(s, team, 'sample_analysis', patient)));
    await Promise.all(cases.map((c) => call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId }).then((r) => expectOk(r))));
    await Promise.all(cases.map((c) => wait(c, (st) => st.phase === 'contents_review')));
    // Both events recorded: nothing more will move the read model until the coordinator acts.
    const rows = await eventually(async () => {
      const all = await Promise.all(cases.map((c) => caseRow(c)));
      for (const row of all) expect(row.events.map((e) => e.type)).toEqual(expect.arrayContaining(['coordinator_assigned', 'contents_review_requested']));
      return all;
    });
    const stale = rows.filter((r) => r.phase !== 'contents_review').map((r) => `${r.reference}: ${r.events.slice(-2).map((e) => e.type).join(' then ')} → read model ${r.phase}`);
    expect(stale).toEqual([]);
  });

  it('approval: the care coordinator who is not assigned gets 403 not_your_case; the assigned one approves and the fee is requested by email with its amount', async () => {
    const s = calm;
    const team = calmTeam;
    const c = await atContentsReview(s, team, 'sample_analysis');

    expectRefusal(await call(s, team.care2, 'post', `/cases/${c.ref}/approve`), 403, 'not_your_case');
    expectRefusal(await call(s, team.care2, 'post', `/cases/${c.ref}/request-changes`, { message: 'Not mine to ask.' }), 403, 'not_your_case');
    expectRefusal(await call(s, team.admission, 'post', `/cases/${c.ref}/approve`), 403, 'forbidden');
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${c.ref}/approve`), 403, 'forbidden');
    expect(await state(s, c.patient, c.ref)).toMatchObject({ phase: 'contents_review', paymentStatus: 'none', amountDueCents: 0 });

    expectOk(await call(s, team.care, 'post', `/cases/${c.ref}/approve`));
    const st = await wait(c, (x) => x.phase === 'fee_payment');
    expect(st).toMatchObject({ awaitingRole: 'patient', paymentStatus: 'due', amountDueCents: fee('sample_analysis'), amountPaidCents: 0 });
    const mail = await mailTo(c, PATIENT_EMAIL, FEE_REQUEST);
    expect(mail.text).toContain(eur(fee('sample_analysis'))); // 450.00 EUR
    expect(mail.text).toContain(c.ref);
    await eventually(async () => {
      const sa = await attributes(c);
      expect(sa.get(searchAttributes.PaymentStatus)).toBe('due');
      expect(sa.get(searchAttributes.CasePhase)).toBe('fee_payment');
      expect(sa.get(searchAttributes.AwaitingRole)).toBe('patient');
      expect(await eventTypes(c)).toEqual(expect.arrayContaining(['contents_review_requested', 'fee_requested']));
    });
    // A second approval is no longer possible.
    expectRefusal(await call(s, team.care, 'post', `/cases/${c.ref}/approve`), 409, 'wrong_phase');
  });

  it('accepts a decision sent as soon as the case shows completeness_review / contents_review', async () => {
    const s = calm;
    const team = calmTeam;
    const patient = await signUp(s);
    const cases = await Promise.all(Array.from({ length: 8 }, () => filled(s, team, 'sample_analysis', patient)));
    /** Sends `send` until the case has left `before`; the first answer after must be a 200. */
    async function firstAnswerAfter(before: string, send: () => PromiseLike<ApiAnswer>): Promise<ApiAnswer> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const res = await send();
        const stillBefore = res.status === 409 && (res.body.error?.details as { phase?: string } | null)?.phase === before;
        if (!stillBefore || Date.now() > deadline) return res;
      }
    }
    const refusals: string[] = [];
    const refusal = (what: string, c: Case, res: ApiAnswer) => `${c.ref} ${what}: ${res.status} ${res.body.error?.message ?? ''}`;
    await Promise.all(
      cases.map(async (c) => {
        expectOk(await call(s, c.patient, 'post', `/cases/${c.ref}/submit`));
        const review = await firstAnswerAfter('file_collection', () => call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' }));
        if (review.status !== 200) {
          refusals.push(refusal('review', c, review));
          expectOk(await call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' })); // on to the next step
        }
        await wait(c, (st) => st.phase === 'coordinator_assignment');
        expectOk(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId }));
        const approve = await firstAnswerAfter('coordinator_assignment', () => call(s, team.care, 'post', `/cases/${c.ref}/approve`));
        if (approve.status !== 200) refusals.push(refusal('approve', c, approve));
      }),
    );
    expect(refusals).toEqual([]);
  });

  it('gives the patient an absolute payment link in the fee request email', async () => {
    const c = await atFeePayment(calm, calmTeam, 'treatment');
    const mail = await mailTo(c, PATIENT_EMAIL, FEE_REQUEST);
    const link = /Pay securely here:\n(\S+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    // Like {caseUrl}, the link must be clickable from a mail client: an absolute http(s) URL.
    expect(link).toMatch(/^https?:\/\//);
  });

  it('request changes: the patient is emailed the message, the case returns to file_collection, a new submission goes straight back to contents review, then approval', async () => {
    const s = calm;
    const team = calmTeam;
    const c = await atContentsReview(s, team, 'medical_opinion');
    const message = 'Please add the English translation of the 2024 operation report.';

    expectOk(await call(s, team.care, 'post', `/cases/${c.ref}/request-changes`, { message }));
    const back = await wait(c, (st) => st.phase === 'file_collection');
    expect(back).toMatchObject({ awaitingRole: 'patient', coordinatorId: team.care.userId, lastRequest: { by: 'care_coordinator', message, missingItems: [] } });
    const mail = await mailTo(c, PATIENT_EMAIL, /changes requested/);
    expect(mail.text).toContain(message);
    // The coordinator cannot approve while the file is back with the patient.
    expectRefusal(await call(s, team.care, 'post', `/cases/${c.ref}/approve`), 409, 'wrong_phase');

    expectOk(await call(s, c.patient, 'post', `/cases/${c.ref}/submit`));
    const again = await wait(c, (st) => st.phase === 'contents_review');
    expect(again).toMatchObject({ awaitingRole: 'care_coordinator', coordinatorId: team.care.userId });
    await eventually(async () => {
      const types = await eventTypes(c);
      expect(types.filter((t) => t === 'review_requested')).toHaveLength(1); // no second completeness check
      expect(types.filter((t) => t === 'changes_requested')).toHaveLength(1);
      expect(types.filter((t) => t === 'contents_review_requested')).toHaveLength(2);
      expect(types.lastIndexOf('contents_review_requested')).toBeGreaterThan(types.indexOf('changes_requested'));
    });
    // The admission team has nothing to review.
    expectRefusal(await call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' }), 409, 'wrong_phase');

    expectOk(await call(s, team.care, 'post', `/cases/${c.ref}/approve`));
    const approved = await wait(c, (st) => st.phase === 'fee_payment');
    expect(approved).toMatchObject({ paymentStatus: 'due', lastRequest: null });
  });

  it('fee: a repeated webhook counts once; 30 % then 70 % → partially_paid in between, then paid and the study starts; nothing reaches the MDT before', async () => {
    const s = calm;
    const team = calmTeam;
    const c = await atFeePayment(s, team, 'medical_opinion');
    const total = fee('medical_opinion');
    const first = Math.round(total * 0.3);
    const mdt = s.config.mdtSecretariatEmail;

    const deliveries = [];
    for (let i = 0; i < 3; i++) deliveries.push(await pay(s, c.ref, first, `pay-${c.ref}-a`));
    deliveries.forEach((d) => expectOk(d));
    expect(deliveries.map((d): unknown => d.body)).toEqual([
      expect.objectContaining({ duplicate: false, amountPaidCents: first }),
      expect.objectContaining({ duplicate: true, amountPaidCents: first }),
      expect.objectContaining({ duplicate: true, amountPaidCents: first }),
    ]);
    const partial = await state(s, c.patient, c.ref);
    expect(partial).toMatchObject({ phase: 'fee_payment', awaitingRole: 'patient', paymentStatus: 'partially_paid', amountPaidCents: first, amountDueCents: total });
    expect(partial.payments).toHaveLength(1);
    expect((await attributes(c)).get(searchAttributes.PaymentStatus)).toBe('partially_paid');
    expect(await s.db.payment.count({ where: { case: { reference: c.ref } } })).toBe(1);
    // The study has not started: the physicians were not asked.
    expect(mailsAbout(c, mdt)).toEqual([]);
    expect(await eventTypes(c)).not.toContain('study_started');

    expectOk(await pay(s, c.ref, total - first, `pay-${c.ref}-b`));
    const paid = await wait(c, (st) => st.phase === 'report_pending');
    expect(paid).toMatchObject({ awaitingRole: 'mdt', paymentStatus: 'paid', amountPaidCents: total });
    expect(paid.payments.map((p) => p.paymentId)).toEqual([`pay-${c.ref}-a`, `pay-${c.ref}-b`]);
    await mailTo(c, mdt, MDT_REQUEST);
    await eventually(async () => {
      expect((await attributes(c)).get(searchAttributes.PaymentStatus)).toBe('paid');
      const types = await eventTypes(c);
      expect(types.indexOf('study_started')).toBeGreaterThan(types.indexOf('fee_requested'));
    });
    expect(mailsAbout(c, mdt)).toHaveLength(1);
    expect(await s.db.payment.count({ where: { case: { reference: c.ref } } })).toBe(2);
  });

  it('[FAST] an unpaid fee: 2 reminders, then the request expires with an email and the workflow completes', async () => {
    const c = await atFeePayment(fast, fastTeam, 'sample_analysis');
    const st = await wait(c, (x) => x.phase === 'expired', 25_000);
    expect(st).toMatchObject({ awaitingRole: 'none', amountPaidCents: 0 });
    await mailTo(c, PATIENT_EMAIL, /has expired/);
    const reminders = mailsAbout(c, PATIENT_EMAIL, FEE_REMINDER);
    expect(reminders).toHaveLength(2);
    expect(reminders[0].text).toContain(eur(fee('sample_analysis')));
    // Each reminder waited the configured 2 s (workflow time, from the fee request).
    const [requested] = timelineAt(st, 'fee_requested');
    const sent = timelineAt(st, 'fee_reminder_sent');
    expect(sent).toHaveLength(2);
    expect(sent[0] - requested).toBeGreaterThanOrEqual(1_900);
    expect(sent[1] - sent[0]).toBeGreaterThanOrEqual(1_900);
    await eventually(async () => {
      expect(await workflowStatus(c)).toBe('COMPLETED');
      expect((await attributes(c)).get(searchAttributes.CasePhase)).toBe('expired');
      const row = await caseRow(c);
      expect(row.phase).toBe('expired');
      expect(row.events.map((e) => e.type).filter((t) => t === 'fee_reminder_sent')).toHaveLength(2);
      expect(row.events.map((e) => e.type)).not.toContain('study_started');
    });
    await expect(fast.client.workflow.getHandle(`case-${c.ref}`).result()).resolves.toMatchObject({ phase: 'expired' });
    expect(mailsAbout(c, fast.config.mdtSecretariatEmail)).toEqual([]);
  });

  it('[FAST] report SLA: no report for more than 3 s → the assigned coordinator is emailed "report overdue" and report_overdue is recorded; the report still completes the case', async () => {
    const c = await atReportPending(fast, fastTeam, 'medical_opinion');
    const overdue = await mailTo(c, fastTeam.care.email, /^Overdue: no report yet/);
    expect(overdue.text).toContain(c.ref);
    await eventually(async () => {
      const row = await caseRow(c);
      expect(row.events.find((e) => e.type === 'report_overdue')).toMatchObject({ actor: 'system' });
    });
    const st = await state(fast, c.patient, c.ref);
    expect(st.phase).toBe('report_pending');
    const [started] = timelineAt(st, 'study_started');
    const [firstOverdue] = timelineAt(st, 'report_overdue');
    expect(firstOverdue - started).toBeGreaterThanOrEqual(2_900);
    // Only the coordinator is alerted: not the patient, not the other coordinator.
    expect(mailsAbout(c, PATIENT_EMAIL, /Overdue/)).toEqual([]);
    expect(mailsAbout(c, fastTeam.care2.email)).toEqual([]);

    expectOk(await call(fast, fastTeam.mdt, 'post', `/cases/${c.ref}/report`, MDT_REPORT));
    const closed = await wait(c, (x) => x.phase === 'closed');
    expect(closed.report).toMatchObject({ kind: 'mdt', strategy: 'confirm_home_treatment', by: fastTeam.mdt.userId });
    await eventually(async () => expect(await workflowStatus(c)).toBe('COMPLETED'));
  });

  it('report kinds: analysis report on an MDT case and MDT report on a sample analysis → 400 refused; outside report_pending → 409; proton_therapy goes to the radiotherapy team, the rest to the MDT secretariat', async () => {
    const s = calm;
    const team = calmTeam;
    const patient = await signUp(s);
    const early = await atFeePayment(s, team, 'sample_analysis', patient);
    // Before the fee is paid the physicians cannot report.
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${early.ref}/report`, ANALYSIS_REPORT), 409, 'wrong_phase');
    expectOk(await pay(s, early.ref, fee('sample_analysis'), `pay-${early.ref}`));
    await wait(early, (st) => st.phase === 'report_pending');
    const [opinion, treatment, proton] = await Promise.all((['medical_opinion', 'treatment', 'proton_therapy'] as const).map((t) => atReportPending(s, team, t, patient)));
    const sample = early;

    expectRefusal(await call(s, team.mdt, 'post', `/cases/${opinion.ref}/report`, ANALYSIS_REPORT), 400, 'refused');
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${proton.ref}/report`, ANALYSIS_REPORT), 400, 'refused');
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${sample.ref}/report`, MDT_REPORT), 400, 'refused');
    for (const c of [opinion, proton, sample]) expect(await state(s, patient, c.ref)).toMatchObject({ phase: 'report_pending', report: null });
    // Only the physicians report.
    expectRefusal(await call(s, team.care, 'post', `/cases/${opinion.ref}/report`, MDT_REPORT), 403, 'forbidden');

    // Who was asked to study each file.
    const { mdtSecretariatEmail: secretariat, radiotherapyTeamEmail: radiotherapy } = s.config;
    expect(secretariat).not.toBe(radiotherapy);
    await mailTo(proton, radiotherapy, MDT_REQUEST);
    for (const c of [opinion, treatment, sample]) await mailTo(c, secretariat, MDT_REQUEST);
    expect(mailsAbout(proton, secretariat)).toEqual([]);
    for (const c of [opinion, treatment, sample]) expect(mailsAbout(c, radiotherapy)).toEqual([]);

    // The right kind is accepted; once in, the case is past report_pending.
    expectOk(await call(s, team.mdt, 'post', `/cases/${sample.ref}/report`, ANALYSIS_REPORT));
    const done = await wait(sample, (st) => st.phase === 'closed');
    expect(done.report).toMatchObject({ kind: 'analysis', diagnosis: ANALYSIS_REPORT.diagnosis, diagnosisStatus: 'confirmed' });
    await eventually(async () => expect((await caseRow(sample)).phase).toBe('closed'));
    const late = await call(s, team.mdt, 'post', `/cases/${sample.ref}/report`, ANALYSIS_REPORT);
    expect(late.status).toBe(409);
  });

  it('strategies: confirm_home_treatment closes the case with a follow-up offer; treatment_here moves to treatment_planning awaiting the care coordinator', async () => {
    const s = calm;
    const team = calmTeam;
    const patient = await signUp(s);
    const [home, here] = await Promise.all([atReportPending(s, team, 'medical_opinion', patient), atReportPending(s, team, 'treatment', patient)]);

    expectOk(await call(s, team.mdt, 'post', `/cases/${home.ref}/report`, MDT_REPORT));
    expectOk(await call(s, team.mdt, 'post', `/cases/${here.ref}/report`, { kind: 'mdt', strategy: 'treatment_here', summary: 'Surgery here, then radiotherapy.' }));

    const closed = await wait(home, (st) => st.phase === 'closed');
    expect(closed).toMatchObject({ awaitingRole: 'none', report: { kind: 'mdt', strategy: 'confirm_home_treatment' } });
    await mailTo(home, PATIENT_EMAIL, /report is available/);
    const offer = await mailTo(home, PATIENT_EMAIL, /follow-up/);
    expect(offer.text).not.toContain(MDT_REPORT.summary);
    await eventually(async () => {
      expect(await workflowStatus(home)).toBe('COMPLETED');
      const sa = await attributes(home);
      expect([sa.get(searchAttributes.CasePhase), sa.get(searchAttributes.AwaitingRole)]).toEqual(['closed', 'none']);
      expect(await eventTypes(home)).toEqual(expect.arrayContaining(['report_delivered', 'case_closed']));
    });

    const planning = await wait(here, (st) => st.phase === 'treatment_planning');
    expect(planning).toMatchObject({ awaitingRole: 'care_coordinator', coordinatorId: team.care.userId, report: { kind: 'mdt', strategy: 'treatment_here' } });
    await mailTo(here, PATIENT_EMAIL, /report is available/);
    await eventually(async () => {
      const sa = await attributes(here);
      expect([sa.get(searchAttributes.CasePhase), sa.get(searchAttributes.AwaitingRole)]).toEqual(['treatment_planning', 'care_coordinator']);
      expect(await worklistRefs(s, team.care)).toContain(here.ref);
      expect(await eventTypes(here)).toContain('treatment_proposed');
    });
    expect(await workflowStatus(here)).toBe('RUNNING');
    expect(mailsAbout(here, PATIENT_EMAIL, /follow-up/)).toEqual([]);
  });

  it('withdrawal before the fee is paid: withdrawn, no refund, the coordinator (or the admission team when none) is emailed, the patient gets a confirmation; a second withdrawal → 409', async () => {
    const s = calm;
    const team = calmTeam;
    const patient = await signUp(s);
    const [unassigned, assigned] = await Promise.all([atAssignment(s, team, 'medical_opinion', patient), atFeePayment(s, team, 'proton_therapy', patient)]);

    // Staff cannot withdraw for the patient.
    expectRefusal(await call(s, team.care, 'post', `/cases/${assigned.ref}/withdraw`, { reason: 'On behalf of the patient' }), 403, 'forbidden');

    const first = await call(s, patient, 'post', `/cases/${assigned.ref}/withdraw`, { reason: 'Treated at home after all' });
    expectOk(first);
    expect(first.body).toMatchObject({ refundDueCents: 0, paymentStatus: 'due' });
    // At once (the workflow is still finishing) and after it has ended: refused either way.
    expect((await call(s, patient, 'post', `/cases/${assigned.ref}/withdraw`, { reason: 'Again' })).status).toBe(409);
    expectOk(await call(s, patient, 'post', `/cases/${unassigned.ref}/withdraw`, { reason: 'Changed my mind' }));

    for (const c of [assigned, unassigned]) {
      const st = await wait(c, (x) => x.phase === 'withdrawn');
      expect(st).toMatchObject({ awaitingRole: 'none', refundDueCents: 0, amountPaidCents: 0 });
      expect(st.paymentStatus).not.toBe('refund_due');
      const confirmation = await mailTo(c, PATIENT_EMAIL, WITHDRAWAL_CONFIRMED);
      expect(confirmation.text).not.toMatch(/\d+\.\d\d EUR/);
      await eventually(async () => {
        expect(await workflowStatus(c)).toBe('COMPLETED');
        const row = await caseRow(c);
        expect(row.phase).toBe('withdrawn');
        expect(row.events.find((e) => e.type === 'case_withdrawn')?.payload).toMatchObject({ refundDueCents: 0 });
      });
      expectRefusal(await call(s, patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Again' }), 409, 'case_closed');
    }
    // The assigned coordinator hears of it, not the admission team; without a coordinator, the admission team.
    await mailTo(assigned, team.care.email, WITHDRAWN_STAFF);
    expect(mailsAbout(assigned, s.config.admissionTeamEmail, WITHDRAWN_STAFF)).toEqual([]);
    await mailTo(unassigned, s.config.admissionTeamEmail, WITHDRAWN_STAFF);
    expect(mailsAbout(unassigned, team.care.email)).toEqual([]);
    expect((await attributes(assigned)).get(searchAttributes.PaymentStatus)).toBe('none'); // the case ended: nothing is due any more, and nothing was paid
  });

  it('withdrawal after a partial payment, before the study started: the amount paid is due back (refund_due)', async () => {
    const s = calm;
    const c = await atFeePayment(s, calmTeam, 'treatment');
    const part = Math.round(fee('treatment') * 0.3);
    expectOk(await pay(s, c.ref, part, `pay-${c.ref}-part`));
    await wait(c, (st) => st.paymentStatus === 'partially_paid');

    const res = await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Found a centre closer to home' });
    expectOk(res);
    expect(res.body).toMatchObject({ refundDueCents: part, paymentStatus: 'refund_due' });
    const st = await wait(c, (x) => x.phase === 'withdrawn');
    expect(st).toMatchObject({ refundDueCents: part, amountPaidCents: part, paymentStatus: 'refund_due' });
    const confirmation = await mailTo(c, PATIENT_EMAIL, WITHDRAWAL_CONFIRMED);
    expect(confirmation.text).toContain(eur(part));
    await mailTo(c, calmTeam.care.email, WITHDRAWN_STAFF);
    await eventually(async () => {
      expect((await attributes(c)).get(searchAttributes.PaymentStatus)).toBe('refund_due');
      const row = await caseRow(c);
      expect(row.phase).toBe('withdrawn');
      expect(row.events.find((e) => e.type === 'case_withdrawn')?.payload).toMatchObject({ refundDueCents: part });
    });
    expect(mailsAbout(c, s.config.mdtSecretariatEmail)).toEqual([]);
  });

  it('tells the withdrawing patient that the amount paid will be refunded', async () => {
    const s = calm;
    const c = await atFeePayment(s, calmTeam, 'sample_analysis');
    const part = 10_000;
    expectOk(await pay(s, c.ref, part, `pay-${c.ref}-part`));
    await wait(c, (st) => st.paymentStatus === 'partially_paid');
    expectOk(await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Changed my mind' }));
    const confirmation = await mailTo(c, PATIENT_EMAIL, WITHDRAWAL_CONFIRMED);
    // The amount alone ("...of your request INT-…. 100.00 EUR") does not say what it is.
    const sentence = confirmation.text.split('\n').find((l) => l.includes(eur(part)));
    expect(sentence).toMatch(/refund/i);
  });

  it('withdrawal once the physicians opened the file (study started): no refund; a second withdrawal → 409', async () => {
    const s = calm;
    const c = await atReportPending(s, calmTeam, 'medical_opinion');
    // Paying the fee sends the file; the study starts when the physicians open it (test/moneyBack.test.ts: before it, the fee is refunded).
    expectOk(await call(s, calmTeam.mdt, 'post', `/cases/${c.ref}/study/open`));
    const res = await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'No longer needed' });
    expectOk(res);
    expect(res.body).toMatchObject({ refundDueCents: 0, paymentStatus: 'paid' });
    const again = await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Again' });
    expect(again.status).toBe(409);
    expect(['wrong_phase', 'case_closed']).toContain(again.body.error?.code);

    const st = await wait(c, (x) => x.phase === 'withdrawn');
    expect(st).toMatchObject({ refundDueCents: 0, amountPaidCents: fee('medical_opinion'), paymentStatus: 'paid' });
    const confirmation = await mailTo(c, PATIENT_EMAIL, WITHDRAWAL_CONFIRMED);
    expect(confirmation.text).not.toMatch(/\d+\.\d\d EUR/);
    await mailTo(c, calmTeam.care.email, WITHDRAWN_STAFF);
    await eventually(async () => {
      expect((await attributes(c)).get(searchAttributes.PaymentStatus)).toBe('paid');
      expect((await caseRow(c)).phase).toBe('withdrawn');
    });
    expectRefusal(await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Again' }), 409, 'case_closed');
    // The physicians can no longer report.
    expectRefusal(await call(s, calmTeam.mdt, 'post', `/cases/${c.ref}/report`, MDT_REPORT), 409, 'case_closed');
  });

  it('cancel: a patient may not; a care coordinator cancels with a reason → cancelled, the patient is emailed the reason, later steps → 409 case_closed', async () => {
    const s = calm;
    const team = calmTeam;
    const c = await atContentsReview(s, team, 'proton_therapy');
    const reason = 'Duplicate of an earlier request for the same patient';

    expectRefusal(await call(s, c.patient, 'post', `/cases/${c.ref}/cancel`, { reason: 'I want out' }), 403, 'forbidden');
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${c.ref}/cancel`, { reason }), 403, 'forbidden');
    expect((await state(s, c.patient, c.ref)).phase).toBe('contents_review');

    const res = await call(s, team.care2, 'post', `/cases/${c.ref}/cancel`, { reason });
    expectOk(res, 202);
    expect(res.body).toEqual({ reference: c.ref, cancelling: true });
    const st = await wait(c, (x) => x.phase === 'cancelled');
    expect(st.awaitingRole).toBe('none');
    const mail = await mailTo(c, PATIENT_EMAIL, /has been cancelled/);
    expect(mail.text).toContain(reason);
    expect(mail.text).not.toContain(team.care2.userId); // who cancelled stays internal
    await eventually(async () => {
      expect(await workflowStatus(c)).toBe('COMPLETED');
      expect((await attributes(c)).get(searchAttributes.CasePhase)).toBe('cancelled');
      const row = await caseRow(c);
      expect(row.phase).toBe('cancelled');
      expect(String((row.events.find((e) => e.type === 'case_cancelled')?.payload as { reason?: string } | undefined)?.reason)).toContain(team.care2.userId);
    });

    expectRefusal(await call(s, team.care, 'post', `/cases/${c.ref}/approve`), 409, 'case_closed');
    expectRefusal(await call(s, team.care, 'post', `/cases/${c.ref}/request-changes`, { message: 'Too late' }), 409, 'case_closed');
    expectRefusal(await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care2.userId }), 409, 'case_closed');
    expectRefusal(await call(s, team.mdt, 'post', `/cases/${c.ref}/report`, MDT_REPORT), 409, 'case_closed');
    expectRefusal(await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Too late' }), 409, 'case_closed');
    expect(mailsAbout(c, s.config.radiotherapyTeamEmail)).toEqual([]);
  });

  it('answers 409 case_closed when cancelling a case that has already ended', async () => {
    const s = calm;
    const c = await atAssignment(s, calmTeam, 'sample_analysis');
    expectOk(await call(s, calmTeam.admission, 'post', `/cases/${c.ref}/cancel`, { reason: 'Opened by mistake' }), 202);
    await wait(c, (x) => x.phase === 'cancelled');
    await eventually(async () => {
      expect(await workflowStatus(c)).toBe('COMPLETED');
      expect((await caseRow(c)).phase).toBe('cancelled');
    });
    // README: 404 is for an unknown case (or one that is not yours), 409 for a case that is closed.
    expectRefusal(await call(s, calmTeam.ops, 'post', `/cases/${c.ref}/cancel`, { reason: 'Again' }), 409, 'case_closed');
  });
});
