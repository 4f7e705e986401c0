// Driving a case through the pathway in tests, with the same API calls a person makes.
import crypto from 'node:crypto';
import request from 'supertest';
import { signPayload } from '../../api/payments/signature';
import type { CaseRules } from '../../config/rules/types';
import type { CaseState, EstimateState, RequestType } from '../../workflows/definitions';
import { RULES_BEFORE_VERSIONING } from '../../workflows/rules';
import { signUp, staff, type Actor } from './actors';
import { validCase, waitForState } from './cases';
import type { Stack } from './stack';

/** Short durations so reminders, expiry and SLA escalation happen within a test. */
export const FAST_TIMINGS = {
  PATHWAY_REMINDER_AFTER: '2s',
  PATHWAY_MAX_REMINDERS: '2',
  PATHWAY_FEE_REMINDER_AFTER: '2s',
  PATHWAY_REPORT_SLA: '3s',
  PATHWAY_REVIEW_WITHIN: '1 day',
};
/** Long enough that no timer fires during a test that does not want it to. */
export const CALM_TIMINGS = { ...FAST_TIMINGS, PATHWAY_REMINDER_AFTER: '1h', PATHWAY_FEE_REMINDER_AFTER: '1h', PATHWAY_REPORT_SLA: '1h' };

export interface Team {
  admission: Actor;
  care: Actor;
  care2: Actor;
  mdt: Actor;
  ops: Actor;
  finance: Actor;
  support: Actor;
  assistant: Actor;
}

export async function makeTeam(stack: Stack): Promise<Team> {
  return {
    admission: await staff(stack, 'admission_coordinator'), care: await staff(stack, 'care_coordinator'), care2: await staff(stack, 'care_coordinator'), mdt: await staff(stack, 'mdt'), ops: await staff(stack, 'ops'),
    finance: await staff(stack, 'finance'), support: await staff(stack, 'support'), assistant: await staff(stack, 'medical_assistant'),
  };
}

export const pdf = (seed: string) => Buffer.from(`%PDF-1.4\n% ${seed}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`, 'latin1');
/** A minimal DICOM file: the empty 128-byte preamble, the DICM marker, then the seed. */
export const dicom = (seed: string) => Buffer.concat([Buffer.alloc(128), Buffer.from(`DICM${seed}`, 'latin1')]);

export const QUESTIONNAIRE = {
  firstName: 'Amina', lastName: 'Benali', sex: 'female', dateOfBirth: '1978-03-14', placeOfBirth: 'Casablanca', nationality: 'MA',
  phone: '+212 6 12 34 56 78', email: 'amina.benali@example.ma', postalAddress: '12 rue des Orangers, Casablanca',
  referrerName: 'Dr Youssef Alaoui', referrerInstitution: 'CHU Ibn Rochd', referrerPhone: '+212 5 22 00 00 00', referrerEmail: 'y.alaoui@chu.example.ma',
  reason: 'Second opinion before surgery', pathologyName: 'Chordoma', pathologyLocation: 'Skull base',
};

export async function openCase(stack: Stack, patient: Actor, requestType: RequestType = 'proton_therapy', overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await request(stack.app).post('/cases').set(patient.auth).send(validCase({ requestType, ...overrides }));
  if (res.status !== 201) throw new Error(`open case: ${res.status} ${JSON.stringify(res.body)}`);
  const reference: string = res.body.reference;
  // The case collects its file at once; tests start from a settled case (acknowledged, deadline set).
  await waitForState(stack.app, patient.auth, reference, (s) => s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  return reference;
}

export async function state(stack: Stack, actor: Actor, reference: string): Promise<CaseState> {
  const res = await request(stack.app).get(`/cases/${reference}`).set(actor.auth);
  if (res.status !== 200) throw new Error(`state: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CaseState;
}

export async function upload(stack: Stack, actor: Actor, reference: string, kind: string, language = 'fr') {
  // Images are DICOM files (the only type that kind takes); every other kind, a PDF.
  const seed = `${kind}-${language}-${crypto.randomUUID()}`;
  const file = kind === 'dicom_images' ? { bytes: dicom(seed), name: `${kind}.dcm` } : { bytes: pdf(seed), name: `${kind}.pdf` };
  const res = await request(stack.app).post(`/cases/${reference}/documents`).set(actor.auth).field('kind', kind).field('language', language).attach('files', file.bytes, file.name);
  if (res.status !== 201) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Answers the whole questionnaire and provides every document item of the request type's checklist (under the case's rules). */
export async function fillFile(stack: Stack, patient: Actor, reference: string, requestType: RequestType, answers: Record<string, string> = {}, rules: CaseRules = RULES_BEFORE_VERSIONING): Promise<void> {
  const q = await request(stack.app).put(`/cases/${reference}/questionnaire`).set(patient.auth).send({ ...QUESTIONNAIRE, ...answers });
  if (q.status !== 200) throw new Error(`questionnaire: ${q.status} ${JSON.stringify(q.body)}`);
  for (const item of rules.checklists[requestType]) if (item.source === 'document') await upload(stack, patient, reference, item.documentKind);
  await waitForState(stack.app, patient.auth, reference, (s) => s.checklist.every((e) => e.status === 'provided'));
}

export async function call(stack: Stack, actor: Actor, method: 'post' | 'put', url: string, body?: unknown) {
  const req = request(stack.app)[method](url).set(actor.auth);
  return body === undefined ? req : req.send(body as object);
}

/** Signs and delivers a payment as the provider does. */
export function pay(stack: Stack, reference: string, amountCents: number, paymentId: string, purpose = 'study_fee') {
  const raw = JSON.stringify({ paymentId, caseReference: reference, amountCents, currency: 'EUR', purpose, paidAt: new Date().toISOString() });
  const ts = Math.floor(Date.now() / 1000);
  return request(stack.app).post('/webhooks/payments').set('Content-Type', 'application/json').set('Parcours-Timestamp', String(ts)).set('Parcours-Signature', signPayload(stack.config.payments.webhookSecret, ts, raw)).send(raw);
}

/** From a fresh case to `report_pending`: file, completeness, coordinator, approval, fee. */
export async function toReportPending(stack: Stack, patient: Actor, team: Team, reference: string, requestType: RequestType, fee: number, answers: Record<string, string> = {}, rules: CaseRules = RULES_BEFORE_VERSIONING): Promise<void> {
  await fillFile(stack, patient, reference, requestType, answers, rules);
  expect((await call(stack, patient, 'post', `/cases/${reference}/submit`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'completeness_review');
  expect((await call(stack, team.admission, 'post', `/cases/${reference}/review`, { decision: 'complete' })).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'coordinator_assignment');
  expect((await call(stack, team.admission, 'put', `/cases/${reference}/coordinator`, { coordinatorId: team.care.userId })).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'contents_review');
  expect((await call(stack, team.care, 'post', `/cases/${reference}/approve`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'fee_payment');
  expect((await pay(stack, reference, fee, `pay-${reference}`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'report_pending');
}


/** A patient whose case (proton therapy unless said otherwise) reached treatment planning: the MDT proposed treatment here. */
export async function toTreatmentPlanning(stack: Stack, team: Team, opts: { requestType?: RequestType; nationality?: string; countryOfResidence?: string; language?: 'fr' | 'en'; rules?: CaseRules } = {}): Promise<{ patient: Actor; reference: string }> {
  const requestType = opts.requestType ?? 'proton_therapy';
  const patient = await signUp(stack);
  const nationality = opts.nationality ?? 'MA';
  const reference = await openCase(stack, patient, requestType, {
    language: opts.language ?? 'en',
    patient: { ...validCase().patient, nationality, countryOfResidence: opts.countryOfResidence ?? nationality },
  });
  const rules = opts.rules ?? RULES_BEFORE_VERSIONING; // the version the case runs under
  await toReportPending(stack, patient, team, reference, requestType, rules.studyFees[requestType].amountCents, { nationality }, rules);
  const res = await call(stack, team.mdt, 'post', `/cases/${reference}/report`, { kind: 'mdt', strategy: 'treatment_here', summary: 'Treatment here proposed.' });
  if (res.status !== 200) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'treatment_planning');
  return { patient, reference };
}

/** The care coordinator issues the estimate; resolves once the patient can answer it. */
export async function issueEstimate(stack: Stack, team: Team, patient: Actor, reference: string, lines?: { code: string; quantity: number }[]): Promise<EstimateState> {
  const res = await call(stack, team.care, 'post', `/cases/${reference}/estimates`, lines ? { lines } : {});
  if (res.status !== 201) throw new Error(`estimate: ${res.status} ${JSON.stringify(res.body)}`);
  const estimate = res.body as EstimateState;
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'estimate_review' || estimate.additional);
  return estimate;
}

/** From treatment planning to a guaranteed estimate paid in full: the arrival date can then be set. */
export async function toGuaranteed(stack: Stack, team: Team, opts: Parameters<typeof toTreatmentPlanning>[2] = {}): Promise<{ patient: Actor; reference: string; estimate: EstimateState }> {
  const { patient, reference } = await toTreatmentPlanning(stack, team, opts);
  const estimate = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
  expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${estimate.number}/accept`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'guarantee_pending');
  expect((await pay(stack, reference, estimate.totalCents, `pay-${estimate.number}`, `Estimate ${estimate.number}`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'stay_preparation');
  return { patient, reference, estimate };
}

/** A calendar date `days` from today (UTC), as the API takes it. */
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
