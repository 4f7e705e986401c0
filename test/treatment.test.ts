// Step 3 to the end of the case, through the API against the real stack: estimate, guarantee (the
// central rule), arrival and visa, the stay (tasks, an additional estimate), reconciliation, follow-up
// and closure. All money in integer cents.
import crypto from 'node:crypto';
import request from 'supertest';
import { studyFees } from '../config/fees';
import { tariffs } from '../config/tariffs';
import { RulesRegistry } from '../lib/rules';
import { recordHistory } from './support/histories';
import { searchAttributes, type CaseState, type CaseTask, type EstimateState } from '../workflows/definitions';
import { eventually, validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, inDays, issueEstimate, makeTeam, pay, toGuaranteed, toTreatmentPlanning, upload, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let team: Team;
beforeAll(async () => {
  stack = await startStack({ env: { ...CALM_TIMINGS, PATHWAY_FOLLOW_UP_WINDOW: '3s', PATHWAY_ARRIVAL_REMINDER_BEFORE: '30 days', PATHWAY_TASK_REMINDER_AFTER: '1h' } });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const unit = (code: string) => tariffs.proton_therapy.find((i) => i.code === code)!.unitCents;
const mailFor = (reference: string, subject: RegExp) => stack.smtp.waitFor((m) => m.subject.includes(reference) && subject.test(m.subject));
const waitFor = (reference: string, actorAuth: { Authorization: string }, done: (s: CaseState) => boolean) => waitForState(stack.app, actorAuth, reference, done);

describe('a self-paying proton therapy patient, from the report to closure', () => {
  let patient: Awaited<ReturnType<typeof toTreatmentPlanning>>['patient'];
  let reference: string;
  let estimate: EstimateState;

  it('gets an estimate by email, priced from the catalogue, with its PDF attached', async () => {
    ({ patient, reference } = await toTreatmentPlanning(stack, team));
    // Only the case's care coordinator issues it; unknown catalogue items are refused before anything is issued.
    expect((await call(stack, team.care2, 'post', `/cases/${reference}/estimates`, {})).status).toBe(403);
    const bad = await call(stack, team.care, 'post', `/cases/${reference}/estimates`, { lines: [{ code: 'helicopter', quantity: 1 }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('helicopter');

    estimate = await issueEstimate(stack, team, patient, reference, [
      { code: 'consultation', quantity: 1 },
      { code: 'proton_fraction', quantity: 10 },
    ]);
    expect(estimate.number).toMatch(/^DEV-\d{4}-\d{6}$/);
    expect(estimate.totalCents).toBe(unit('consultation') + 10 * unit('proton_fraction'));
    const mail = await mailFor(reference, /estimate/i);
    expect(mail.text).toMatch(/transport, accommodation and meals are not included/);
    expect(mail.attachments.map((a) => a.filename)).toEqual([`${estimate.number}.pdf`]);
    expect(mail.attachments[0].content.subarray(0, 5).toString()).toBe('%PDF-');
    // The finance team is introduced to the estimate.
    await stack.smtp.waitFor((m) => m.to.includes(stack.config.financeTeamEmail) && m.subject.includes(estimate.number));
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'estimate_review');
    expect(s).toMatchObject({ awaitingRole: 'patient' });
    expect(s.treatment.coverage?.route).toBe('self_pay');
  }, 90_000);

  it('refuses the arrival date before the estimate is guaranteed', async () => {
    const early = await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: 40 });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'not_guaranteed' } });
  });

  it('accepts; partial payments accumulate; the estimate is guaranteed once paid in full', async () => {
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${estimate.number}/accept`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.phase === 'guarantee_pending' && x.paymentStatus === 'due');
    await mailFor(reference, /payment or insurer guarantee/i);

    const first = Math.floor(estimate.totalCents / 3);
    expect((await pay(stack, reference, first, `p1-${reference}`, `Deposit, estimate ${estimate.number}`)).status).toBe(200);
    const partial = await waitFor(reference, patient.auth, (x) => x.paymentStatus === 'partially_paid');
    expect(partial.treatment.estimates[0]).toMatchObject({ status: 'accepted', paidCents: first });
    expect(partial.phase).toBe('guarantee_pending');
    // Still refused: a third of the estimate is not a guarantee.
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: 40 })).status).toBe(409);

    expect((await pay(stack, reference, estimate.totalCents - first, `p2-${reference}`, estimate.number)).status).toBe(200);
    // Replayed webhook: counted once.
    expect((await pay(stack, reference, estimate.totalCents - first, `p2-${reference}`, estimate.number)).status).toBe(200);
    const ok = await waitFor(reference, patient.auth, (x) => x.phase === 'stay_preparation');
    expect(ok.treatment.estimates[0]).toMatchObject({ status: 'guaranteed', paidCents: estimate.totalCents });
    expect(ok.paymentStatus).toBe('paid');
    expect(ok.amountPaidCents).toBe(studyFees.proton_therapy.amountCents + estimate.totalCents);
    await mailFor(reference, /treatment is confirmed/i);
  }, 60_000);

  it('sets the arrival date: visa certificate (Moroccan national), practical pack, arrival reminder', async () => {
    const past = await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(0), plannedStayDays: 40 });
    expect(past.status).toBe(400);
    const arrival = inDays(20);
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: arrival, plannedStayDays: 40 })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'awaiting_arrival' && x.treatment.visa !== null);
    expect(s.treatment.visa).toMatchObject({ status: 'required', urgent: false, consulateCountry: 'MA' });
    expect(s.treatment.arrival).toMatchObject({ date: arrival, plannedStayDays: 40, site: 'orsay' });

    const visa = await mailFor(reference, /visa/i);
    expect(visa.text).toMatch(/You need a short-stay visa for medical reasons\. Apply at the French consulate of your country of residence; the answer usually takes 2 to 10 days\./);
    // The country in words, and no second, conditional version of the same advice ("If you need a visa…").
    expect(visa.text).toContain('Your country of residence on file: Morocco.');
    expect(visa.text).not.toMatch(/If you need a visa|\(MA\)/);
    expect(visa.attachments).toHaveLength(1);
    expect(visa.attachments[0].filename).toMatch(/^VIS-\d{4}-\d{6}\.pdf$/);
    const pack = await mailFor(reference, /practical information/i);
    expect(pack.text).toContain('Orsay');
    expect(pack.text).toMatch(/mandatory on arrival/);
    expect(pack.text).toMatch(/free of charge/);
    // The reminder comes `arrivalReminderBefore` ahead (30 days here, so at once).
    await mailFor(reference, new RegExp(`arrival on ${arrival}`));
  }, 60_000);

  it('issues a companion certificate only once the proof of relationship is on file', async () => {
    expect((await call(stack, patient, 'put', `/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA' })).status).toBe(200);
    let s = await waitFor(reference, patient.auth, (x) => x.treatment.companions.length === 1);
    expect(s.treatment.companions[0]).toMatchObject({ proofDocumentId: null, certificateDocumentId: null });

    // A justification letter is not what a family member needs.
    const letter = await upload(stack, patient, reference, 'companion_justification_letter');
    const wrong = await call(stack, patient, 'put', `/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA', proofDocumentId: (letter.body as { items: { documentId: string }[] }).items[0].documentId });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('proof_of_relationship');

    const proof = await upload(stack, patient, reference, 'proof_of_relationship');
    const proofId = (proof.body as { items: { documentId: string }[] }).items[0].documentId;
    await waitFor(reference, patient.auth, (x) => x.documents.some((d) => d.documentId === proofId));
    expect((await call(stack, patient, 'put', `/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA', proofDocumentId: proofId })).status).toBe(200);
    s = await waitFor(reference, patient.auth, (x) => x.treatment.companions[0].certificateDocumentId !== null);
    expect(s.treatment.companions).toHaveLength(1);
    const mail = await stack.smtp.waitFor((m) => m.subject.includes(reference) && /visa/i.test(m.subject) && m.attachments.length === 1 && m.text.includes('Dear'), 10_000);
    expect(mail.attachments[0].filename).toMatch(/^VIS-/);
  }, 60_000);

  it('during the stay: an interpreter request becomes a support task; an additional estimate must be guaranteed before its treatment', async () => {
    expect((await call(stack, team.care, 'post', `/cases/${reference}/arrived`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.phase === 'in_stay');

    // Sent twice at once with one Idempotency-Key (a double submit): one task, the same answer twice.
    const requestKey = crypto.randomUUID();
    const raise = () => request(stack.app).post(`/cases/${reference}/requests`).set(patient.auth).set('Idempotency-Key', requestKey).send({ kind: 'interpreter', details: 'Arabic, for the consultations' });
    const [req, again] = await Promise.all([raise(), raise()]);
    expect([req.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(req.body.id);
    expect((await state()).treatment.tasks).toHaveLength(1);
    const task = req.body as CaseTask;
    expect(task).toMatchObject({ team: 'support', status: 'open' });
    await stack.smtp.waitFor((m) => m.to.includes(stack.config.supportTeamEmail) && m.subject.includes(reference) && m.subject.includes('Interpreter'));
    // Finance cannot close a support task; support can.
    expect((await call(stack, team.finance, 'post', `/cases/${reference}/tasks/${task.id}/complete`, { outcome: 'no' })).status).toBe(403);
    expect((await call(stack, team.support, 'post', `/cases/${reference}/tasks/${task.id}/complete`, { outcome: 'Interpreter booked for 3 and 4 December' })).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.treatment.tasks[0].status === 'done');
    const answered = await stack.smtp.waitFor((m) => m.to.includes('amina.benali@example.ma') && m.subject.includes(reference) && m.text.includes('Interpreter booked'));
    expect(answered.text).toMatch(/Interpreter/);

    // The additional estimate, double-submitted the same way: one estimate (one number, one email).
    const estimateKey = crypto.randomUUID();
    const issue = () => request(stack.app).post(`/cases/${reference}/estimates`).set(team.care.auth).set('Idempotency-Key', estimateKey).send({ lines: [{ code: 'imaging_follow_up', quantity: 2 }] });
    const [issued, reissued] = await Promise.all([issue(), issue()]);
    expect([issued.status, reissued.status]).toEqual([201, 201]);
    const extra = issued.body as EstimateState;
    expect((reissued.body as EstimateState).number).toBe(extra.number);
    expect(extra.additional).toBe(true);
    expect((await state()).treatment.estimates).toHaveLength(2);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${extra.number}/accept`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.treatment.estimates[1]?.status === 'accepted');
    const refused = await call(stack, team.care, 'post', `/cases/${reference}/estimates/${extra.number}/start`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'not_guaranteed' } });
    // The rest of the stay goes on meanwhile.
    expect((await state()).phase).toBe('in_stay');
    expect((await pay(stack, reference, extra.totalCents, `p3-${reference}`, extra.number)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.treatment.estimates[1]?.status === 'guaranteed');
    expect((await call(stack, team.care, 'post', `/cases/${reference}/estimates/${extra.number}/start`)).status).toBe(200);
  }, 60_000);

  it('after the discharge, reconciles: fewer fractions than paid for → refund due, final invoice attached', async () => {
    const performed = [
      { code: 'consultation', quantity: 1 },
      { code: 'proton_fraction', quantity: 8 },
      { code: 'imaging_follow_up', quantity: 2 },
    ];
    expect((await call(stack, team.care, 'post', `/cases/${reference}/discharge`, { performed })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'follow_up');
    const invoiced = unit('consultation') + 8 * unit('proton_fraction') + 2 * unit('imaging_follow_up');
    const paidForTreatment = unit('consultation') + 10 * unit('proton_fraction') + 2 * unit('imaging_follow_up');
    expect(s.treatment.reconciliation).toMatchObject({ outcome: 'refund_due', invoicedCents: invoiced, paidCents: paidForTreatment, refundDueCents: paidForTreatment - invoiced, balanceDueCents: 0 });
    expect(s.paymentStatus).toBe('refund_due');
    expect(s.refundDueCents).toBe(2 * unit('proton_fraction'));
    const mail = await mailFor(reference, /final invoice .*refund/i);
    expect(mail.attachments[0].filename).toMatch(/^FAC-\d{4}-\d{6}\.pdf$/);
    await stack.smtp.waitFor((m) => m.to.includes(stack.config.financeTeamEmail) && m.subject.includes(reference) && /FAC-/.test(m.text + m.subject));
  }, 60_000);

  it('schedules a follow-up, reminds the patient, and closes once none remains', async () => {
    const at = new Date(Date.now() + 4000).toISOString();
    expect((await call(stack, team.care, 'post', `/cases/${reference}/follow-ups`, { at, description: 'MRI and consultation' })).status).toBe(200);
    await mailFor(reference, /follow-up on/i);
    await mailFor(reference, /Reminder: follow-up/i);
    // Closed, with the final account's refund still owed: the case waits on finance until it is returned.
    const closed = await waitFor(reference, patient.auth, (x) => x.phase === 'closed' && x.awaitingRole === 'finance');
    const owed = 2 * unit('proton_fraction');
    expect(closed.moneyBack?.owedCents).toBe(owed);
    await mailFor(reference, /is closed/);
    await stack.smtp.waitFor((m) => m.to.includes(stack.config.financeTeamEmail) && m.subject.includes(reference) && /à rembourser/.test(m.subject));
    let sa = (await stack.client.workflow.getHandle(`case-${reference}`).describe()).typedSearchAttributes;
    expect(sa.get(searchAttributes.CasePhase)).toBe('closed');
    expect(sa.get(searchAttributes.AwaitingRole)).toBe('finance');
    expect(sa.get(searchAttributes.PaymentStatus)).toBe('refund_due');
    const refunded = await request(stack.app).post(`/cases/${reference}/refunds`).set(team.finance.auth).send({ amountCents: owed, method: 'bank_transfer', reference: `VIR-${reference}` });
    expect(refunded.status).toBe(201);
    const settled = await waitFor(reference, patient.auth, (x) => x.awaitingRole === 'none');
    expect(settled).toMatchObject({ phase: 'closed', paymentStatus: 'refunded' });
    await eventually(async () => expect((await stack.client.workflow.getHandle(`case-${reference}`).describe()).status.name).toBe('COMPLETED'));
    sa = (await stack.client.workflow.getHandle(`case-${reference}`).describe()).typedSearchAttributes;
    expect([sa.get(searchAttributes.AwaitingRole), sa.get(searchAttributes.PaymentStatus)]).toEqual(['none', 'refunded']);

    // Every step is in the audit trail.
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: { orderBy: { id: 'asc' } } } });
      const types = row.events.map((e) => e.type);
      for (const t of ['estimate_issued', 'estimate_accepted', 'guarantee_requested', 'estimate_guaranteed', 'stay_preparation', 'arrival_date_set', 'arrival_scheduled', 'visa_assessed', 'companion_set', 'visa_certificate_issued', 'patient_arrived', 'stay_started', 'task_created', 'task_done', 'additional_estimate_issued', 'treatment_started', 'discharged', 'account_reconciled', 'follow_up_started', 'follow_up_scheduled', 'case_closed', 'refund_awaited', 'refund_recorded', 'money_returned']) {
        expect(types).toContain(t);
      }
      expect(row.phase).toBe('closed');
    });

    // `RECORD_HISTORIES=<label> npx jest test/treatment.test.ts` records this full treatment case for test/replay.test.ts.
    const label = process.env.RECORD_HISTORIES;
    if (label) await recordHistory(stack, `case-${reference}`, `carePathway-treatment_here-${label}`);
  }, 60_000);

  async function state(): Promise<CaseState> {
    return (await request(stack.app).get(`/cases/${reference}`).set(patient.auth)).body as CaseState;
  }
});

describe('guarantee by an insurer letter', () => {
  it('a letter covering the whole estimate guarantees it; finance records it, the patient pays nothing', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team);
    const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 2 }]);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.phase === 'guarantee_pending');
    const letter = await request(stack.app).post(`/cases/${reference}/documents`).set(team.finance.auth).field('kind', 'insurer_guarantee_letter').field('language', 'en').attach('files', Buffer.from(`%PDF-1.4\n% letter ${reference}\n%%EOF\n`), 'letter.pdf');
    expect(letter.status).toBe(201);
    const documentId = (letter.body as { items: { documentId: string }[] }).items[0].documentId;
    await waitFor(reference, patient.auth, (x) => x.documents.some((d) => d.documentId === documentId));
    // Only finance records it.
    const body = { insurer: 'Allianz Care', policyNumber: 'P-778812', coveredCents: est.totalCents, documentId };
    expect((await call(stack, team.care, 'post', `/cases/${reference}/estimates/${est.number}/insurer-letters`, body)).status).toBe(403);
    expect((await call(stack, team.finance, 'post', `/cases/${reference}/estimates/${est.number}/insurer-letters`, body)).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'stay_preparation');
    expect(s.paymentStatus).toBe('guaranteed');
    expect(s.treatment.estimates[0].insurerLetters[0]).toMatchObject({ insurer: 'Allianz Care', coveredCents: est.totalCents });
    expect(s.treatment.coverage?.route).toBe('insurer_guarantee');
  }, 90_000);

  it('a letter covering 80%: the remainder is due and paying it guarantees the estimate', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team);
    const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }, { code: 'treatment_planning', quantity: 1 }]);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.phase === 'guarantee_pending');
    const letter = await request(stack.app).post(`/cases/${reference}/documents`).set(team.finance.auth).field('kind', 'insurer_guarantee_letter').field('language', 'en').attach('files', Buffer.from(`%PDF-1.4\n% letter80 ${reference}\n%%EOF\n`), 'letter.pdf');
    const documentId = (letter.body as { items: { documentId: string }[] }).items[0].documentId;
    await waitFor(reference, patient.auth, (x) => x.documents.some((d) => d.documentId === documentId));
    const covered = (est.totalCents * 80) / 100;
    expect(Number.isInteger(covered)).toBe(true);
    expect((await call(stack, team.finance, 'post', `/cases/${reference}/estimates/${est.number}/insurer-letters`, { insurer: 'AXA', policyNumber: 'X-1', coveredCents: covered, documentId })).status).toBe(200);
    const partly = await waitFor(reference, patient.auth, (x) => x.treatment.estimates[0].insurerLetters.length === 1);
    expect(partly.phase).toBe('guarantee_pending');
    expect(partly.paymentStatus).toBe('partially_paid');
    const mail = await mailFor(reference, /remainder to pay/i);
    expect(mail.text).toContain(`amountCents=${est.totalCents - covered}`);
    expect((await pay(stack, reference, est.totalCents - covered, `rem-${reference}`, est.number)).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'stay_preparation');
    expect(s.paymentStatus).toBe('guaranteed');
  }, 90_000);
});

describe('payment checks', () => {
  it("refuses a payment whose purpose names another case's estimate, and records nothing", async () => {
    const first = await toTreatmentPlanning(stack, team);
    const theirs = await issueEstimate(stack, team, first.patient, first.reference, [{ code: 'consultation', quantity: 1 }]);
    const second = await toTreatmentPlanning(stack, team);
    await issueEstimate(stack, team, second.patient, second.reference, [{ code: 'consultation', quantity: 1 }]);
    const paymentId = `pay-${crypto.randomUUID()}`;
    const res = await pay(stack, second.reference, theirs.totalCents, paymentId, `Estimate ${theirs.number}`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'purpose_names_other_case', details: { number: theirs.number } });
    expect(await stack.db.payment.findUnique({ where: { paymentId } })).toBeNull();
    const after = await waitFor(second.reference, second.patient.auth, () => true);
    expect(after.payments.map((p) => p.paymentId)).not.toContain(paymentId);
    // The same payment for the case that issued the estimate is counted.
    expect((await pay(stack, first.reference, theirs.totalCents, paymentId, `Estimate ${theirs.number}`)).status).toBe(200);
    const paid = await waitFor(first.reference, first.patient.auth, (x) => x.payments.some((p) => p.paymentId === paymentId));
    expect(paid.payments.find((p) => p.paymentId === paymentId)?.allocatedTo).toBe(theirs.number);
  }, 120_000);
});

describe('coverage routes in the pathway', () => {
  it('french_insured: no prepayment; after the stay the co-payment is the balance due, with a payment link', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team, { nationality: 'FR', countryOfResidence: 'FR' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/coverage`, { frenchSocialSecurityNumber: '2 78 03 75 116 042 85', declaredTreatingPhysician: 'Dr Martin, Paris' })).status).toBe(200);
    const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'stay_preparation');
    expect(s.treatment.coverage?.route).toBe('french_insured');
    expect(s.paymentStatus).toBe('guaranteed');
    expect(s.treatment.visa).toBeNull();
    // Nothing to prepay: no payment request, and no link to pay €0 (it used to say "pay €0.00").
    await mailFor(reference, /treatment is confirmed/);
    const ofCase = stack.smtp.messages.filter((m) => m.subject.includes(reference));
    expect(ofCase.filter((m) => /payment or insurer guarantee/.test(m.subject))).toEqual([]);
    expect(ofCase.filter((m) => /amountCents=0\b|€0\.00|0,00 €/.test(m.text))).toEqual([]);
    // The audit trail says why no request went out.
    expect(s.timeline.filter((e) => e.type === 'payment_request_skipped')).toHaveLength(1);

    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(15), plannedStayDays: 5 })).status).toBe(200);
    const arriving = await waitFor(reference, patient.auth, (x) => x.phase === 'awaiting_arrival' && x.treatment.visa !== null);
    expect(arriving.treatment.visa?.status).toBe('not_required');
    expect((await call(stack, team.care, 'post', `/cases/${reference}/arrived`)).status).toBe(200);
    await waitFor(reference, patient.auth, (x) => x.phase === 'in_stay');
    expect((await call(stack, team.care, 'post', `/cases/${reference}/discharge`, {})).status).toBe(200);
    const after = await waitFor(reference, patient.auth, (x) => x.phase === 'follow_up');
    const copay = Math.round(est.totalCents * 0.2);
    expect(after.treatment.reconciliation).toMatchObject({ outcome: 'balance_due', invoicedCents: est.totalCents, patientShareCents: copay, balanceDueCents: copay });
    expect(after.paymentStatus).toBe('balance_due');
    const mail = await mailFor(reference, /balance to pay/i);
    expect(mail.text).toContain(`amountCents=${copay}`);
    const invoiceNumber = after.treatment.reconciliation!.invoiceNumber;
    expect((await pay(stack, reference, copay, `bal-${reference}`, `balance ${invoiceNumber}`)).status).toBe(200);
    const settled = await waitFor(reference, patient.auth, (x) => x.paymentStatus === 'paid');
    expect(settled.payments.at(-1)).toMatchObject({ allocatedTo: 'balance' });
  }, 90_000);

  it('eu_planned_care: with an S2 on file the patient is asked to prepay nothing; finance records the insurer\'s acceptance (the S2) and the case is guaranteed', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team, { nationality: 'DE', countryOfResidence: 'DE' });
    const s2 = (await upload(stack, patient, reference, 's2_form', 'en')).body as { items: { documentId: string }[] };
    await waitFor(reference, patient.auth, (x) => x.documents.some((d) => d.kind === 's2_form'));
    const est = await issueEstimate(stack, team, patient, reference);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'guarantee_pending');
    expect(s.treatment.coverage?.route).toBe('eu_planned_care');
    expect(s.awaitingRole).toBe('finance');
    // Nothing is due from the patient but the fee (paid): no payment link, finance asked to record the acceptance.
    expect(s.amountDueCents).toBe(studyFees.proton_therapy.amountCents);
    const told = await stack.smtp.waitFor((m) => m.to.includes(validCase().patient.email) && m.subject.includes(reference) && /S2/.test(m.subject));
    expect(told.text).toMatch(/nothing to prepay/);
    expect(told.text).not.toMatch(/\/pay\//);
    await stack.smtp.waitFor((m) => m.to.includes(stack.config.financeTeamEmail) && m.subject.includes(reference) && /accord S2/.test(m.subject));
    // No payment link for the estimate (the study fee was paid before: S2 patients pay it).
    expect(stack.smtp.messages.filter((m) => m.to.includes(validCase().patient.email) && m.subject.includes(reference) && m.text.includes(`purpose=${est.number}`))).toEqual([]);
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 45 })).status).toBe(409);

    // Finance records the home insurer's acceptance with the S2 document: guaranteed, the arrival date is taken.
    const accepted = await call(stack, team.finance, 'post', `/cases/${reference}/estimates/${est.number}/insurer-letters`, { insurer: 'AOK Bayern (S2)', policyNumber: 'S2-DE-0001', coveredCents: est.totalCents, documentId: s2.items[0].documentId });
    expect(accepted.status).toBe(200);
    const guaranteed = await waitFor(reference, patient.auth, (x) => x.phase === 'stay_preparation');
    expect(guaranteed.treatment.estimates[0]).toMatchObject({ status: 'guaranteed', paidCents: 0 });
    expect(guaranteed.paymentStatus).toBe('guaranteed');
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 45 })).status).toBe(200);
  }, 90_000);

  it('an S2 uploaded while the patient is asked to pay puts the case on EU planned care at once: finance takes over', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team, { nationality: 'AT', countryOfResidence: 'AT' });
    const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
    const selfPay = await waitFor(reference, patient.auth, (x) => x.phase === 'guarantee_pending');
    expect([selfPay.treatment.coverage?.route, selfPay.awaitingRole]).toEqual(['self_pay', 'patient']);
    await upload(stack, patient, reference, 's2_form', 'en');
    const s = await waitFor(reference, patient.auth, (x) => x.awaitingRole === 'finance');
    expect(s.treatment.coverage?.route).toBe('eu_planned_care');
    expect(s.phase).toBe('guarantee_pending');
    await stack.smtp.waitFor((m) => m.to.includes(validCase().patient.email) && m.subject.includes(reference) && /S2/.test(m.subject));
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: true } });
      expect(row.events.map((e) => e.type)).toContain('coverage_route_changed');
    });
  }, 90_000);

  it('an EHIC alone is not planned care: the patient is told, and pays like any self-paying patient', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team, { nationality: 'IT', countryOfResidence: 'IT' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/coverage`, { hasEhic: true })).status).toBe(200);
    const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'estimate_review');
    expect(s.treatment.coverage).toMatchObject({ route: 'self_pay', notices: expect.arrayContaining(['ehic_not_planned_care']) });
    // The patient's estimate email (finance's names the estimate too).
    const mail = await stack.smtp.waitFor((m) => m.to.includes(validCase().patient.email) && m.subject.includes(reference) && m.subject.includes(est.number));
    expect(mail.text).toMatch(/European Health Insurance Card \(EHIC\) covers care that becomes necessary during a stay, not planned treatment/);
  }, 90_000);
});

describe('visa rules when the arrival date is set', () => {
  it('EU national: no visa, no certificate', async () => {
    const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'ES', countryOfResidence: 'ES' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 120 })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.treatment.visa !== null);
    expect(s.treatment.visa).toMatchObject({ status: 'not_required', certificateDocumentId: null });
  }, 90_000);

  it('exempt nationality (US): no visa up to 90 days; a longer stay needs one', async () => {
    const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'US', countryOfResidence: 'US' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 90 })).status).toBe(200);
    let s = await waitFor(reference, patient.auth, (x) => x.treatment.visa !== null);
    expect(s.treatment.visa?.status).toBe('not_required');
    expect((await call(stack, team.care, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 120 })).status).toBe(200);
    s = await waitFor(reference, patient.auth, (x) => x.treatment.visa?.status === 'required' && x.treatment.visa.certificateDocumentId !== null);
    expect(s.treatment.arrival?.plannedStayDays).toBe(120);
  }, 90_000);

  it('a listed national living in France (rules 2026-12): no visa, no certificate, asked for the residence permit', async () => {
    const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'DZ', countryOfResidence: 'FR' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 30 })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.treatment.visa !== null);
    // 2026-12 or a later version (each keeps the residence rule unless one says otherwise).
    expect(new RulesRegistry().byId(s.rulesVersion)?.visa.residence).toBeDefined();
    expect(s.rulesVersion >= '2026-12').toBe(true);
    expect(s.treatment.visa).toMatchObject({ status: 'not_required', reason: 'resident_with_permit', certificateDocumentId: null });
    const visa = await mailFor(reference, /visa/i);
    expect(visa.text).toContain('upload your residence permit');
    expect(visa.text).toContain('Your country of residence on file: France.');
    expect(visa.text).not.toMatch(/consulate of your country of residence|You need a/);
    expect(visa.attachments).toHaveLength(0);
  }, 90_000);

  it('unknown nationality: check with the consulate, no certificate', async () => {
    const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'BR', countryOfResidence: 'BR' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(30), plannedStayDays: 30 })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.treatment.visa !== null);
    expect(s.treatment.visa).toMatchObject({ status: 'check_with_consulate', certificateDocumentId: null });
    const mail = await mailFor(reference, /visa/i);
    expect(mail.attachments).toHaveLength(0);
  }, 90_000);

  it('arrival in under 10 days with a visa needed: the case is urgent and the coordinator is alerted', async () => {
    const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'SN', countryOfResidence: 'SN' });
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(5), plannedStayDays: 20 })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.treatment.visa !== null);
    expect(s.treatment.visa).toMatchObject({ status: 'required', urgent: true });
    await stack.smtp.waitFor((m) => m.to.includes(team.care.email) && m.subject.includes(reference) && /Urgent/i.test(m.subject));
  }, 90_000);
});

describe('the estimate answered no', () => {
  it('declined: the case closes with a follow-up offer', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team);
    const est = await issueEstimate(stack, team, patient, reference);
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/decline`, { reason: 'Treatment at home after all' })).status).toBe(200);
    const s = await waitFor(reference, patient.auth, (x) => x.phase === 'closed');
    expect(s.treatment.estimates[0].status).toBe('declined');
    await mailFor(reference, /declined/);
    // Nothing more on a closed case.
    expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(409);
  }, 90_000);
});
