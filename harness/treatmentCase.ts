// A full `treatment_here` case driven through the HTTP API by scripted people, from opening to
// closure: file, completeness, coordinator, approval, study fee, MDT report, estimate, payment,
// arrival (visa certificate), stay with a patient request, discharge (final invoice), follow-up
// (30 s ahead: it must still be in the future when a loaded system handles it). The other request
// types (medical opinion, sample analysis, treatment at home) follow the same script to their report,
// which closes them.
//
// The script reads the case's state and does what the phase asks, so it survives outages: after a
// failed or lost call it reads the state again and carries on (a 409 means the step was already
// taken). It times each action from the call to the new state being visible in GET /cases/:ref.
import crypto from 'node:crypto';
import { signPayload } from '../api/payments/signature';
import { checklists } from '../config/checklists';
import { studyFees } from '../config/fees';
import { TERMINAL_PHASES, type CaseState, type RequestType } from '../workflows/definitions';
import { expectStatus, type Http, type Reply } from './http';
import type { Person, Team } from './people';

export const TREATMENT_REQUEST_TYPE = 'proton_therapy' as const;

/** Durations for scripted cases: no reminder fires while the script runs; the follow-up closes the case in seconds. */
export const SCRIPT_TIMINGS = {
  PATHWAY_REMINDER_AFTER: '1h', PATHWAY_FEE_REMINDER_AFTER: '1h', PATHWAY_REPORT_SLA: '1h', PATHWAY_GUARANTEE_REMINDER_AFTER: '1h',
  PATHWAY_TASK_REMINDER_AFTER: '1h', PATHWAY_ARRIVAL_REMINDER_BEFORE: '1 day', PATHWAY_FOLLOW_UP_WINDOW: '3s',
};

export interface PaymentPayload {
  paymentId: string;
  caseReference: string;
  amountCents: number;
  currency: 'EUR';
  purpose: string;
  paidAt: string;
}

export interface CaseScript {
  http: Http;
  team: Team;
  patient: Person;
  webhookSecret: string;
  /** Each payment the provider confirmed, once (for the chaos run to replay). */
  onPayment?: (payment: PaymentPayload) => void;
  /** Called before each action (e.g. to kill the worker right after a payment). */
  afterAction?: (step: string) => void;
  /** Give up after this long (default 10 min). */
  timeoutMs?: number;
  /** Longest pause between two reads of the state while waiting (default 800 ms; the first reads come after 50, 100, 200 ms…). */
  maxPollMs?: number;
  /** The case's request type (default proton therapy, the full treatment case). */
  requestType?: RequestType;
}

/** Each request type's report on its happy path: only proton therapy goes on to a stay (treatment here). */
export const HAPPY_REPORTS: Record<RequestType, Record<string, string>> = {
  medical_opinion: { kind: 'mdt', strategy: 'alternative_proposed', summary: 'Chemoradiation rather than surgery.' },
  sample_analysis: { kind: 'analysis', diagnosis: 'Chordoma, conventional type', diagnosisStatus: 'confirmed', summary: 'Diagnosis confirmed.' },
  treatment: { kind: 'mdt', strategy: 'confirm_home_treatment', summary: 'The treatment proposed at home is appropriate.' },
  proton_therapy: { kind: 'mdt', strategy: 'treatment_here', summary: 'Proton therapy here: 10 fractions.' },
};

export interface StepTiming {
  step: string;
  /** From the API call to the new state visible in GET /cases/:ref. */
  ms: number;
}

export const QUESTIONNAIRE = {
  firstName: 'Amina', lastName: 'Benali', sex: 'female', dateOfBirth: '1978-03-14', placeOfBirth: 'Casablanca', nationality: 'MA',
  phone: '+212 6 12 34 56 78', email: 'amina.benali@example.ma', postalAddress: '12 rue des Orangers, Casablanca',
  referrerName: 'Dr Youssef Alaoui', referrerInstitution: 'CHU Ibn Rochd', referrerPhone: '+212 5 22 00 00 00', referrerEmail: 'y.alaoui@chu.example.ma',
  reason: 'Proton therapy for a skull base chordoma', pathologyName: 'Chordoma', pathologyLocation: 'Skull base',
};

/** Opens the case as the patient; `key` makes a resent request open no second case. */
export async function openTreatmentCase(http: Http, patient: Person, key = crypto.randomUUID()): Promise<string> {
  return openCase(http, patient, TREATMENT_REQUEST_TYPE, key);
}

export async function openCase(http: Http, patient: Person, requestType: RequestType, key = crypto.randomUUID()): Promise<string> {
  const res = await http.send<{ reference: string }>('post', '/cases', {
    token: patient.token,
    headers: { 'Idempotency-Key': key },
    json: {
      requestType, language: 'en', reason: 'Proton therapy for a skull base chordoma.',
      patient: { firstName: 'Amina', lastName: 'Benali', email: patient.email, nationality: 'MA', countryOfResidence: 'MA', sex: 'female', dateOfBirth: '1978-03-14', phone: '+212 6 12 34 56 78' },
    },
  });
  return expectStatus('open case', res, 201).body.reference;
}

export function signedPayment(secret: string, payment: PaymentPayload): { raw: string; headers: Record<string, string> } {
  const raw = JSON.stringify(payment);
  const ts = Math.floor(Date.now() / 1000);
  return { raw, headers: { 'Parcours-Timestamp': String(ts), 'Parcours-Signature': signPayload(secret, ts, raw) } };
}

export async function deliverPayment(http: Http, secret: string, payment: PaymentPayload): Promise<Reply> {
  const { raw, headers } = signedPayment(secret, payment);
  return http.send('post', '/webhooks/payments', { raw, headers });
}

const TERMINAL_OK = 'closed';
const FOLLOW_UP_AHEAD_MS = 30_000;
const pdf = (seed: string) => new Blob([`%PDF-1.4\n% ${seed}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`], { type: 'application/pdf' });
/** A minimal DICOM file (empty preamble, DICM marker): the only type DICOM images are taken as. */
const dicom = (seed: string) => new Blob([new Uint8Array(128), `DICM${seed}`], { type: 'application/dicom' });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

interface Action {
  step: string;
  run(): Promise<Reply>;
  /** The new state is visible. */
  done(s: CaseState): boolean;
  /** An answer that asks for the step again with fresh values, as a person would (e.g. a time now past). */
  again?(res: Reply): boolean;
}

/** Drives the case to `closed`; returns the timing of every action. Throws if it ends otherwise. */
export async function driveToClosure(script: CaseScript, reference: string): Promise<StepTiming[]> {
  const { http, team, patient } = script;
  const requestType = script.requestType ?? TREATMENT_REQUEST_TYPE;
  const maxPollMs = script.maxPollMs ?? 800;
  // Backing off: a state that shows at once costs one read, a slow one does not flood the API.
  const pause = (attempt: number) => sleep(Math.min(50 * 2 ** attempt, maxPollMs));
  const deadline = Date.now() + (script.timeoutMs ?? 600_000);
  const timings: StepTiming[] = [];
  const url = `/cases/${reference}`;
  // One Idempotency-Key per action: the client's retries after a 503 resend it, so the step applies once.
  const as = (who: Person, method: string, path: string, json?: unknown) => () =>
    http.send(method, `${url}${path}`, { token: who.token, headers: { 'Idempotency-Key': crypto.randomUUID() }, ...(json === undefined ? {} : { json }) });
  const read = async (): Promise<CaseState> => expectStatus(`read ${reference}`, await http.send<CaseState>('get', url, { token: patient.token }), 200).body;
  const pay = (paymentId: string, amountCents: number, purpose: string) => async () => {
    const payment: PaymentPayload = { paymentId, caseReference: reference, amountCents, currency: 'EUR', purpose, paidAt: new Date().toISOString() };
    const res = await deliverPayment(http, script.webhookSecret, payment);
    if (res.status === 200) script.onPayment?.(payment);
    return res;
  };
  const phaseLeft = (phase: string) => (s: CaseState) => s.phase !== phase;

  const next = (s: CaseState): Action | undefined => {
    const t = s.treatment;
    switch (s.phase) {
      case 'file_collection': {
        const q = s.checklist.find((e) => e.source === 'questionnaire' && e.status !== 'provided');
        if (q) return { step: 'answer questionnaire', run: as(patient, 'put', '/questionnaire', QUESTIONNAIRE), done: (x) => x.checklist.filter((e) => e.source === 'questionnaire').every((e) => e.status === 'provided') };
        const missing = s.checklist.find((e) => e.source === 'document' && e.status !== 'provided');
        if (missing) {
          const item = checklists[requestType].find((i) => i.id === missing.id);
          if (item?.source !== 'document') throw new Error(`Unknown checklist item ${missing.id}`);
          return {
            step: 'upload document',
            run: () => {
              const form = new FormData();
              form.set('kind', item.documentKind);
              form.set('language', 'fr');
              const seed = `${reference}-${item.id}`;
              if (item.documentKind === 'dicom_images') form.append('files', dicom(seed), `${item.documentKind}.dcm`);
              else form.append('files', pdf(seed), `${item.documentKind}.pdf`);
              return http.send('post', `${url}/documents`, { token: patient.token, form });
            },
            done: (x) => x.checklist.find((e) => e.id === missing.id)?.status === 'provided',
          };
        }
        return { step: 'submit file', run: as(patient, 'post', '/submit'), done: phaseLeft('file_collection') };
      }
      case 'completeness_review':
        return { step: 'review completeness', run: as(team.admission, 'post', '/review', { decision: 'complete' }), done: phaseLeft(s.phase) };
      case 'coordinator_assignment':
        return { step: 'assign coordinator', run: as(team.admission, 'put', '/coordinator', { coordinatorId: team.care.userId }), done: phaseLeft(s.phase) };
      case 'contents_review':
        return { step: 'approve contents', run: as(team.care, 'post', '/approve'), done: phaseLeft(s.phase) };
      case 'fee_payment':
        return { step: 'pay study fee', run: pay(`fee-${reference}`, studyFees[requestType].amountCents, 'study_fee'), done: phaseLeft(s.phase) };
      case 'report_pending':
        return { step: 'MDT report', run: as(team.mdt, 'post', '/report', HAPPY_REPORTS[requestType]), done: phaseLeft(s.phase) };
      case 'treatment_planning':
        return { step: 'issue estimate', run: as(team.care, 'post', '/estimates'), done: phaseLeft(s.phase) };
      case 'estimate_review': {
        const e = t.estimates[0];
        return { step: 'accept estimate', run: as(patient, 'post', `/estimates/${e.number}/accept`), done: phaseLeft(s.phase) };
      }
      case 'guarantee_pending': {
        const e = t.estimates[0];
        return { step: 'pay estimate', run: pay(`est-${e.number}`, e.totalCents, e.number), done: phaseLeft(s.phase) };
      }
      case 'stay_preparation':
        if (t.arrival) return undefined; // visa and practical pack under way
        // Five days ahead: outside the arrival reminder's window (SCRIPT_TIMINGS: 1 day), so whether a
        // case gets the reminder does not depend on how fast the team records the arrival (with 30 days
        // it was due at once, and only the workflow's own latency kept it from going out first).
        return { step: 'set arrival date', run: as(patient, 'put', '/arrival', { date: inDays(5), plannedStayDays: 14 }), done: (x) => !!x.treatment.arrival };
      case 'awaiting_arrival':
        return { step: 'record arrival', run: as(team.care, 'post', '/arrived'), done: phaseLeft(s.phase) };
      case 'in_stay': {
        if (t.tasks.length === 0) return { step: 'raise request', run: as(patient, 'post', '/requests', { kind: 'interpreter', details: 'Arabic, for the consultations' }), done: (x) => x.treatment.tasks.length > 0 };
        const open = t.tasks.find((x) => x.status === 'open');
        if (open) return { step: 'complete task', run: as(team.support, 'post', `/tasks/${open.id}/complete`, { outcome: 'Interpreter booked' }), done: (x) => x.treatment.tasks.find((y) => y.id === open.id)?.status === 'done' };
        // The follow-up is booked before the discharge: with the 3 s follow-up window a case with none
        // closes 3 s after its discharge, sooner than a saturated system lets the coordinator act (chaos:
        // a follow-up accepted while the case was closing was announced and never reminded).
        if (t.followUps.length === 0) return scheduleFollowUp();
        return { step: 'record discharge', run: as(team.care, 'post', '/discharge'), done: phaseLeft(s.phase) };
      }
      case 'follow_up':
        if (t.followUps.length > 0) return undefined; // closes on its own once the follow-up is past
        return scheduleFollowUp();
      default:
        return undefined;
    }
  };
  function scheduleFollowUp(): Action {
    return {
      step: 'schedule follow-up',
      run: as(team.care, 'post', '/follow-ups', { at: new Date(Date.now() + FOLLOW_UP_AHEAD_MS).toISOString(), description: 'MRI and consultation' }),
      done: (x) => x.treatment.followUps.length > 0 || x.phase === TERMINAL_OK,
      // On a saturated system the 503 retries can outlast the 30 s: the coordinator picks a new time.
      // Recognised by the field, not the message: the API answers in the person's language (French without Accept-Language).
      again: (res) => res.status === 400 && ((res.body as { error?: { details?: { path?: string }[] } } | undefined)?.error?.details ?? []).some((d) => d.path === 'at'),
    };
  }

  for (let idle = 0; ; ) {
    if (Date.now() > deadline) throw new Error(`Case ${reference} did not close in time; last phase: ${(await read()).phase}`);
    const s = await read();
    if (s.phase === TERMINAL_OK) return timings;
    if (TERMINAL_PHASES.includes(s.phase)) throw new Error(`Case ${reference} ended in ${s.phase}, not closed.`);
    const action = next(s);
    if (!action) {
      await pause(idle++);
      continue;
    }
    idle = 0;
    const started = performance.now();
    const res = await action.run();
    script.afterAction?.(action.step);
    // 409: the step was taken already (a retried call whose first answer was lost) or the case moved on.
    if (res.status === 409 || action.again?.(res)) continue;
    if (res.status >= 400) throw new Error(`${reference} ${action.step}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    for (let attempt = 0; ; attempt++) {
      const after = await read();
      if (action.done(after)) break;
      if (Date.now() > deadline) throw new Error(`${reference} ${action.step}: the new state never became visible (phase ${after.phase}).`);
      await pause(attempt);
    }
    timings.push({ step: action.step, ms: performance.now() - started });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
