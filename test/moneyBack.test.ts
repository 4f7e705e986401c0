// When the study starts and money owed back (issue #14 items 4, 5 and 6a), on the real stack: the
// Temporal dev server, the worker, the API on SQLite and the SMTP capture.
// - The study starts when the physicians open the file: a withdrawal before it refunds the fee in full.
// - Money owed back reaches finance: an email, the money-owed worklist, the case waiting on finance
//   (reminded) until the refunds are recorded; then `refunded` and the case closes.
// - Overpayments are flagged and owed back; payments after the end are owed back too.
import request from 'supertest';
import { studyFees } from '../config/fees';
import type { CaseState } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, fillFile, makeTeam, pay, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let s: Stack;
let team: Team;

beforeAll(async () => {
  // Finance is reminded of money to return after 3 s, so a reminder happens within a test.
  s = await startStack({ env: { ...CALM_TIMINGS, PATHWAY_TASK_REMINDER_AFTER: '3s' } });
  team = await makeTeam(s);
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

const FEE = studyFees.medical_opinion.amountCents;
const eur = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} EUR`;

interface Case {
  ref: string;
  patient: Actor;
}

const wait = (c: Case, done: (st: CaseState) => boolean) => waitForState(s.app, c.patient.auth, c.ref, done);

/** A medical-opinion case (emails in English) whose fee is due. */
async function atFeePayment(): Promise<Case> {
  const patient = await signUp(s);
  const res = await request(s.app).post('/cases').set(patient.auth).send(validCase({ requestType: 'medical_opinion', language: 'en' }));
  expect(res.status).toBe(201);
  const c = { ref: String(res.body.reference), patient };
  await wait(c, (st) => st.phase === 'file_collection');
  await fillFile(s, patient, c.ref, 'medical_opinion');
  expect((await call(s, patient, 'post', `/cases/${c.ref}/submit`)).status).toBe(200);
  await wait(c, (st) => st.phase === 'completeness_review');
  expect((await call(s, team.admission, 'post', `/cases/${c.ref}/review`, { decision: 'complete' })).status).toBe(200);
  await wait(c, (st) => st.phase === 'coordinator_assignment');
  expect((await call(s, team.admission, 'put', `/cases/${c.ref}/coordinator`, { coordinatorId: team.care.userId })).status).toBe(200);
  await wait(c, (st) => st.phase === 'contents_review');
  expect((await call(s, team.care, 'post', `/cases/${c.ref}/approve`)).status).toBe(200);
  await wait(c, (st) => st.phase === 'fee_payment');
  return c;
}

async function workflowStatus(c: Case): Promise<string> {
  return (await s.client.workflow.getHandle(`case-${c.ref}`).describe()).status.name;
}
async function eventTypes(c: Case): Promise<string[]> {
  const row = await s.db.case.findUniqueOrThrow({ where: { reference: c.ref }, include: { events: { orderBy: { id: 'asc' } } } });
  return row.events.map((e) => e.type);
}
const mailsAbout = (c: Case, to: string, subject: RegExp) => s.smtp.messages.filter((m) => m.to.includes(to) && m.subject.includes(c.ref) && subject.test(m.subject));
const mailTo = (c: Case, to: string, subject: RegExp) => s.smtp.waitFor((m) => m.to.includes(to) && m.subject.includes(c.ref) && subject.test(m.subject));

type Owed = { reference: string; owedCents: number; reasons: string[]; caseEnded: boolean };
async function moneyOwed(actor: Actor = team.finance): Promise<Owed[]> {
  const res = await request(s.app).get('/worklist/money-owed').query({ limit: '100' }).set(actor.auth);
  expect(res.status).toBe(200);
  return (res.body as { items: Owed[] }).items;
}
async function financeWorklist(): Promise<string[]> {
  const res = await request(s.app).get('/worklist').query({ limit: '100' }).set(team.finance.auth);
  expect(res.status).toBe(200);
  return (res.body as { items: { reference: string }[] }).items.map((i) => i.reference);
}
const refund = (c: Case, body: Record<string, unknown>, actor: Actor = team.finance, key?: string) => {
  const req = request(s.app).post(`/cases/${c.ref}/refunds`).set(actor.auth);
  return (key ? req.set('Idempotency-Key', key) : req).send(body);
};

describe('the study starts when the physicians open the file', () => {
  it('a withdrawal after the fee is paid but before the file is opened owes the fee back: the patient is told the amount, finance is told and the case waits on them until the refund is recorded', async () => {
    const c = await atFeePayment();
    expect((await pay(s, c.ref, FEE, `pay-${c.ref}`)).status).toBe(200);
    await wait(c, (st) => st.phase === 'report_pending');

    const res = await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Treated at home after all' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ refundDueCents: FEE, paymentStatus: 'refund_due' });

    const st = await wait(c, (x) => x.phase === 'withdrawn' && x.awaitingRole === 'finance');
    expect(st.moneyBack).toMatchObject({ owedCents: FEE, refunds: [] });
    const confirmation = await mailTo(c, validCase().patient.email, /withdrawal confirmed/);
    expect(confirmation.text.split('\n').find((l) => l.includes(eur(FEE)))).toMatch(/refund/i);
    // Staff emails are in French (the hospital's language).
    const toFinance = await mailTo(c, s.config.financeTeamEmail, /à rembourser/);
    expect(toFinance.subject).toContain(eur(FEE));
    expect(await moneyOwed()).toContainEqual(expect.objectContaining({ reference: c.ref, owedCents: FEE, reasons: ['refund_due'], caseEnded: true }));
    expect(await financeWorklist()).toContain(c.ref);
    // Not refunded yet: finance is reminded, and the case stays open.
    await mailTo(c, s.config.financeTeamEmail, /^Rappel : dossier .* encore à rembourser/);
    expect(await workflowStatus(c)).toBe('RUNNING');

    // Only finance records refunds, and never more than what is owed.
    expect((await refund(c, { amountCents: 1000, method: 'bank_transfer', reference: 'VIR-1' }, c.patient)).status).toBe(403);
    expect((await refund(c, { amountCents: 1000, method: 'bank_transfer', reference: 'VIR-1' }, team.care)).status).toBe(403);
    const tooMuch = await refund(c, { amountCents: FEE + 1, method: 'bank_transfer', reference: 'VIR-X' });
    expect({ status: tooMuch.status, code: tooMuch.body.error?.code }).toEqual({ status: 400, code: 'refused' });
    expect((await refund(c, { amountCents: 0, method: 'bank_transfer', reference: 'VIR-0' })).status).toBe(400);
    expect((await refund(c, { amountCents: 100, method: 'paypal', reference: 'VIR-0' })).status).toBe(400);

    // Part, then the same refund again (once), then the rest.
    const part = await refund(c, { amountCents: 10_000, method: 'bank_transfer', reference: 'VIR-2026-0001' });
    expect(part.status).toBe(201);
    expect(part.body).toMatchObject({ amountCents: 10_000, duplicate: false, afterEnd: false, owedCents: FEE - 10_000 });
    const again = await refund(c, { amountCents: 10_000, method: 'bank_transfer', reference: 'VIR-2026-0001' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, refundId: part.body.refundId });
    const conflict = await refund(c, { amountCents: 20_000, method: 'bank_transfer', reference: 'VIR-2026-0001' });
    expect({ status: conflict.status, code: conflict.body.error?.code }).toEqual({ status: 409, code: 'refund_id_conflict' });
    expect(await moneyOwed()).toContainEqual(expect.objectContaining({ reference: c.ref, owedCents: FEE - 10_000 }));

    const rest = await refund(c, { amountCents: FEE - 10_000, method: 'card', reference: 'CB-77' }, team.finance, 'refund-rest-0001');
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ owedCents: 0 });
    const done = await wait(c, (x) => x.awaitingRole === 'none' && x.paymentStatus === 'refunded');
    expect(done.moneyBack?.refunds.map((r) => r.amountCents)).toEqual([10_000, FEE - 10_000]);
    await eventually(async () => expect(await workflowStatus(c)).toBe('COMPLETED'));
    expect((await moneyOwed()).map((x) => x.reference)).not.toContain(c.ref);
    expect(await financeWorklist()).not.toContain(c.ref);
    const events = await eventTypes(c);
    expect(events.filter((t) => t === 'refund_recorded')).toHaveLength(2);
    expect(events).toEqual(expect.arrayContaining(['refund_awaited', 'refund_reminder_sent', 'money_returned']));
    expect(await s.db.refund.count({ where: { case: { reference: c.ref } } })).toBe(2);
    // Nothing is owed any more: a new refund is refused.
    const extra = await refund(c, { amountCents: 100, method: 'cash', reference: 'CASH-1' });
    expect({ status: extra.status, code: extra.body.error?.code }).toEqual({ status: 409, code: 'nothing_owed' });
  });

  it('once the physicians open the file (MDT only, once), a withdrawal owes nothing and finance is not involved', async () => {
    const c = await atFeePayment();
    // Not before the fee is paid (the file has not gone to them).
    expect((await call(s, team.mdt, 'post', `/cases/${c.ref}/study/open`)).status).toBe(409);
    expect((await pay(s, c.ref, FEE, `pay-${c.ref}`)).status).toBe(200);
    await wait(c, (st) => st.phase === 'report_pending');
    expect((await call(s, team.care, 'post', `/cases/${c.ref}/study/open`)).status).toBe(403);
    expect((await call(s, c.patient, 'post', `/cases/${c.ref}/study/open`)).status).toBe(403);

    const opened = await call(s, team.mdt, 'post', `/cases/${c.ref}/study/open`);
    expect(opened.status).toBe(200);
    expect(typeof opened.body.studyOpenedAt).toBe('string');
    const twice = await call(s, team.mdt, 'post', `/cases/${c.ref}/study/open`);
    expect(twice.body.studyOpenedAt).toBe(opened.body.studyOpenedAt);
    expect((await eventTypes(c)).filter((t) => t === 'study_opened')).toHaveLength(1);

    const res = await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'No longer needed' });
    expect(res.body).toMatchObject({ refundDueCents: 0, paymentStatus: 'paid' });
    await wait(c, (x) => x.phase === 'withdrawn');
    await eventually(async () => expect(await workflowStatus(c)).toBe('COMPLETED'));
    const confirmation = await mailTo(c, validCase().patient.email, /withdrawal confirmed/);
    expect(confirmation.text).not.toMatch(/\d+\.\d\d EUR/);
    expect(mailsAbout(c, s.config.financeTeamEmail, /rembourser/)).toEqual([]);
    expect((await moneyOwed()).map((x) => x.reference)).not.toContain(c.ref);

    // A payment arriving after the case ended is owed back in full, and refunded against the Payment table.
    const late = await pay(s, c.ref, 5_000, `pay-${c.ref}-late`);
    expect(late.body).toMatchObject({ forwarded: false });
    expect(await moneyOwed()).toContainEqual(expect.objectContaining({ reference: c.ref, owedCents: 5_000, reasons: ['payment_after_end'], caseEnded: true }));
    expect((await moneyOwed(team.ops)).map((x) => x.reference)).toContain(c.ref);
    expect((await request(s.app).get('/worklist/money-owed').set(team.care.auth)).status).toBe(403);
    const over = await refund(c, { amountCents: 5_001, method: 'bank_transfer', reference: 'VIR-LATE' });
    expect({ status: over.status, code: over.body.error?.code }).toEqual({ status: 400, code: 'refused' });
    const back = await refund(c, { amountCents: 5_000, method: 'bank_transfer', reference: 'VIR-LATE' });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ afterEnd: true, owedCents: 0 });
    expect((await refund(c, { amountCents: 5_000, method: 'bank_transfer', reference: 'VIR-LATE' })).body).toMatchObject({ duplicate: true, afterEnd: true });
    expect((await moneyOwed()).map((x) => x.reference)).not.toContain(c.ref);
    expect(await eventTypes(c)).toContain('refund_recorded');
  });
});

describe('overpayments', () => {
  it('a payment beyond the fee is flagged, finance is emailed, and the excess is owed back while the case goes on', async () => {
    const c = await atFeePayment();
    const excess = 50_000;
    expect((await pay(s, c.ref, FEE + excess, `pay-${c.ref}-over`)).status).toBe(200);
    const st = await wait(c, (x) => x.phase === 'report_pending' && (x.moneyBack?.owedCents ?? 0) > 0);
    expect(st.moneyBack?.overpayments).toEqual([expect.objectContaining({ paymentId: `pay-${c.ref}-over`, cents: excess, towards: 'study_fee' })]);
    expect(st).toMatchObject({ refundDueCents: 0, paymentStatus: 'paid', amountPaidCents: FEE + excess });
    const mail = await mailTo(c, s.config.financeTeamEmail, /trop-perçu/);
    expect(mail.subject).toContain(eur(excess));
    expect(await moneyOwed()).toContainEqual(expect.objectContaining({ reference: c.ref, owedCents: excess, reasons: ['overpayment'], caseEnded: false }));
    expect(await eventTypes(c)).toContain('overpayment_received');

    expect((await refund(c, { amountCents: excess, method: 'bank_transfer', reference: 'VIR-OVER' })).status).toBe(201);
    await wait(c, (x) => x.moneyBack?.owedCents === 0);
    expect((await moneyOwed()).map((x) => x.reference)).not.toContain(c.ref);

    // Withdrawing now (file not opened): the fee is owed back, not the excess again.
    expect((await call(s, c.patient, 'post', `/cases/${c.ref}/withdraw`, { reason: 'Changed my mind' })).body).toMatchObject({ refundDueCents: FEE });
    const ended = await wait(c, (x) => x.phase === 'withdrawn' && x.awaitingRole === 'finance');
    expect(ended.moneyBack?.owedCents).toBe(FEE);
    expect(await moneyOwed()).toContainEqual(expect.objectContaining({ reference: c.ref, owedCents: FEE, reasons: ['refund_due', 'overpayment'] }));
    expect((await refund(c, { amountCents: FEE, method: 'bank_transfer', reference: 'VIR-FEE' })).status).toBe(201);
    await eventually(async () => expect(await workflowStatus(c)).toBe('COMPLETED'));
  });
});
