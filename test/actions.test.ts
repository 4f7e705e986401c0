// One table of phases to actions (workflows/actions.ts): the validators take their phases from it, the
// API answers each reader with the actions it allows them now, and the pages show a form only for those.
// Validators are not in history, so a row that changed would change running cases: the rows are pinned
// here to the lists the validators had before the table.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import { ApplicationFailure } from '@temporalio/common';
import { asStartInput, createCaseBody } from '../api/schemas/cases';
import { STAFF_ROLES, type StaffRole } from '../api/policy';
import { allowedActionsFor } from '../lib/caseView';
import { PHASE_RULES, requireActionPhase } from '../workflows/actions';
import { initialCaseState } from '../workflows/caseState';
import { FAILURE_TYPES, PHASES, TERMINAL_PHASES, type CaseState, type Phase, type RequestType } from '../workflows/definitions';
import type { ActionName } from '../workflows/refusals';
import { RULES_BEFORE_VERSIONING } from '../workflows/rules';
import { STAY_PARTS } from '../workflows/stayParts';
import { caseView, type ReadCase } from '../web/views/case';
import { staffCaseView } from '../web/views/staffCase';
import { translator } from '../web/i18n';
import { signUp, staff } from './support/actors';
import { validCase } from './support/cases';
import { call, openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

const OPEN = PHASES.filter((p) => !TERMINAL_PHASES.includes(p));
/** The inline lists of the validators before the table (commit f4eac43), in their order. */
const BEFORE: Partial<Record<ActionName, readonly Phase[]>> = {
  answerQuestionnaire: ['file_collection'],
  changeChecklist: ['file_collection'],
  submitFile: ['file_collection'],
  reviewCompleteness: ['completeness_review'],
  assignCoordinator: ['coordinator_assignment', 'contents_review', 'fee_payment', 'report_pending', 'treatment_planning'],
  approveContents: ['contents_review'],
  requestChanges: ['contents_review'],
  submitReport: ['report_pending'],
  openFile: ['report_pending'],
  declareInsurance: ['report_pending', 'treatment_planning', 'estimate_review', 'guarantee_pending', 'stay_preparation'],
  issueEstimate: ['treatment_planning', 'in_stay'],
  acceptEstimate: ['estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay'],
  declineEstimate: ['estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay'],
  recordInsurerLetter: ['estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay'],
  setArrival: ['stay_preparation', 'awaiting_arrival'],
  addCompanion: ['stay_preparation', 'awaiting_arrival', 'in_stay', 'treatment_planning', 'estimate_review', 'guarantee_pending'],
  recordArrival: ['awaiting_arrival'],
  startTreatment: ['in_stay'],
  recordDischarge: ['in_stay'],
  scheduleFollowUp: ['in_stay', 'follow_up'],
  // Checks other than a list: requireNotEnded (withdraw, completeTask), the stay's parts (makeRequest), none (refunds).
  withdraw: OPEN,
  completeTask: OPEN,
  makeRequest: PHASES.filter((p) => STAY_PARTS[p] !== undefined),
  recordRefund: PHASES,
  cancelCase: OPEN,
};
const patientSide = { kind: 'patient', role: null } as const;
const staffRole = (role: StaffRole) => ({ kind: 'staff', role }) as const;

describe('the table', () => {
  it.each(Object.entries(BEFORE))("%s: the phases its validator accepted before the table, in the refusal's order", (action, phases) => {
    expect(PHASE_RULES[action as ActionName].phases).toEqual(phases);
  });

  it('every requirePhase in the workflows names an action of the table and no phases of its own', () => {
    const named = new Set<string>();
    for (const file of fs.readdirSync(path.join(__dirname, '..', 'workflows')).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(__dirname, '..', 'workflows', file), 'utf8');
      for (const m of source.matchAll(/requirePhase\(([^)]*)\)/g)) {
        expect(m[1]).not.toContain('[');
        for (const a of m[1].matchAll(/(?<!=== )'(\w+)'/g)) named.add(a[1]); // not `verb === 'accept'`
      }
    }
    for (const a of named) expect(Object.keys(PHASE_RULES)).toContain(a);
    expect(named.size).toBeGreaterThanOrEqual(17);
  });

  // The validators' phase check, driven from the table: for each action and phase, accepted exactly in the table's phases.
  it.each(Object.keys(PHASE_RULES))('%s: the phase check accepts the table phases and refuses every other (and a case ending)', (name) => {
    const action = name as ActionName;
    for (const phase of PHASES) {
      const refusal = (ending: boolean) => {
        try {
          requireActionPhase(action, phase, ending);
          return null;
        } catch (e) {
          return e as ApplicationFailure;
        }
      };
      const allowed = PHASE_RULES[action].phases.includes(phase);
      expect({ phase, accepted: refusal(false) === null }).toEqual({ phase, accepted: allowed });
      const refused = refusal(allowed)!; // outside the phases, or inside them while the case is ending
      expect(refused.type).toBe(FAILURE_TYPES.wrongPhase);
      expect((refused.details?.[0] as { allowed: Phase[] }).allowed).toEqual(PHASE_RULES[action].phases);
    }
  });

  it("allowedActions: the phase's actions the reader's side or role may do", () => {
    expect(allowedActionsFor('file_collection', patientSide)).toEqual(['answerQuestionnaire', 'changeChecklist', 'submitFile', 'withdraw']);
    expect(allowedActionsFor('report_pending', patientSide)).toEqual(['declareInsurance', 'withdraw']);
    expect(allowedActionsFor('report_pending', staffRole('mdt'))).toEqual(['submitReport', 'openFile']);
    // A task is completed while the case runs (the page checks one is open).
    expect(allowedActionsFor('report_pending', staffRole('finance'))).toEqual(['completeTask', 'recordRefund', 'recordPayment']);
    expect(allowedActionsFor('closed', staffRole('finance'))).toEqual(['recordRefund']);
    for (const role of STAFF_ROLES) expect(allowedActionsFor('closed', staffRole(role)).filter((a) => a !== 'recordRefund')).toEqual([]);
    expect(allowedActionsFor('closed', patientSide)).toEqual([]);
  });
});

// ---- the pages: a form only for an allowed action ------------------------------------------------------

const t = translator('en');
const ctx = { lang: 'en' as const, csrfToken: 'csrf', user: { name: 'A', staff: false }, path: '/' };
function crafted(phase: Phase, requestType: RequestType, allowedActions: readonly ActionName[]): ReadCase {
  const input = asStartInput(createCaseBody.parse(validCase({ requestType })), 'INT-2026-000001', crypto.randomUUID());
  const s: CaseState = { ...initialCaseState(input), phase };
  return { ...s, allowedActions };
}
/** What the patient's page offers, by action. */
function portalForms(s: ReadCase): Partial<Record<ActionName, boolean>> {
  const page = String(caseView(ctx, t, s, RULES_BEFORE_VERSIONING));
  return {
    submitFile: page.includes(`action="/portal/cases/${s.reference}/submit"`),
    declareInsurance: page.includes('id="coverage"'),
    addCompanion: page.includes('id="companion-form"'),
    makeRequest: page.includes('id="request-form"'),
    withdraw: page.includes(`href="/cases/${s.reference}/withdraw"`),
  };
}

describe('the portal', () => {
  it.each(['file_collection', 'report_pending', 'treatment_planning', 'stay_preparation', 'in_stay', 'follow_up', 'closed'] as const)('in %s, shows the forms of the allowed actions only', (phase) => {
    const s = crafted(phase, 'treatment', allowedActionsFor(phase, patientSide));
    for (const [action, shown] of Object.entries(portalForms(s))) expect({ action, shown }).toEqual({ action, shown: s.allowedActions.includes(action as ActionName) });
    // The same phase with nothing allowed: no form at all.
    expect(Object.values(portalForms({ ...s, allowedActions: [] })).some(Boolean)).toBe(false);
  });

  it('offers the coverage declaration while the report is pending, as the workflow takes it (the pages used to wait for the report on some paths)', () => {
    for (const requestType of ['treatment', 'proton_therapy', 'medical_opinion'] as const) {
      expect(portalForms(crafted('report_pending', requestType, allowedActionsFor('report_pending', patientSide))).declareInsurance).toBe(true);
    }
    // A sample analysis ends with its report: there is no treatment here to declare insurance for.
    expect(portalForms(crafted('report_pending', 'sample_analysis', allowedActionsFor('report_pending', patientSide))).declareInsurance).toBe(false);
  });
});

describe('the console', () => {
  const render = (role: StaffRole, s: ReadCase) =>
    String(staffCaseView({ ...ctx, user: { name: 'S', staff: true } }, t, { state: s, documents: [], messages: null, coordinators: [], role, userId: 'u1', temporalUrl: null, paymentKey: 'k', tariffs: { estimate: [], discharge: [] }, rules: RULES_BEFORE_VERSIONING }));
  const FORMS: [StaffRole, ActionName, string][] = [
    ['mdt', 'submitReport', 'id="action-report"'],
    ['mdt', 'openFile', 'id="action-study"'],
    ['admission_coordinator', 'reviewCompleteness', 'id="action-review-complete"'],
    ['finance', 'recordPayment', 'id="action-payment"'],
    ['care_coordinator', 'cancelCase', 'id="action-cancel"'],
    ['care_coordinator', 'recordDischarge', 'id="action-discharge"'],
  ];
  it.each(['completeness_review', 'report_pending', 'in_stay', 'closed'] as const)('in %s, shows the forms of the allowed actions only', (phase) => {
    for (const [role, action, marker] of FORMS) {
      const s = crafted(phase, 'medical_opinion', allowedActionsFor(phase, staffRole(role)));
      expect({ role, action, shown: render(role, s).includes(marker) }).toEqual({ role, action, shown: s.allowedActions.includes(action) });
      expect(render(role, { ...s, allowedActions: [] })).not.toContain(marker);
    }
  });
});

// ---- through the running system ------------------------------------------------------------------------

describe('the API', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers each reader with their allowed actions, and the workflow refuses an action out of the table's phases (409 wrong_phase, naming them)", async () => {
    const patient = await signUp(stack);
    const admission = await staff(stack, 'admission_coordinator');
    const reference = await openCase(stack, patient, 'treatment');
    const read = async (auth: Record<string, string>) => (await request(stack.app).get(`/cases/${reference}`).set(auth)).body as ReadCase;
    let s = await read(patient.auth);
    for (let i = 0; s.phase !== 'file_collection' && i < 50; i++) s = (await new Promise((r) => setTimeout(r, 100)), await read(patient.auth));
    expect(s.allowedActions).toEqual(allowedActionsFor('file_collection', patientSide));
    expect((await read(admission.auth)).allowedActions).toEqual(allowedActionsFor('file_collection', staffRole('admission_coordinator')));

    // Not in the table's phases for coverage: the validator's refusal, its phases the table's.
    const coverage = await call(stack, patient, 'put', `/cases/${reference}/coverage`, { hasEhic: true });
    expect([coverage.status, (coverage.body as { error: { code: string } }).error.code]).toEqual([409, 'wrong_phase']);
    expect((coverage.body as { error: { details: { allowed: Phase[] } } }).error.details.allowed).toEqual(PHASE_RULES.declareInsurance.phases);
    // In them: the step answers with the case and what the reader may do next.
    const answered = await call(stack, patient, 'put', `/cases/${reference}/questionnaire`, { placeOfBirth: 'Rabat' });
    expect(answered.status).toBe(200);
    expect((answered.body as ReadCase).allowedActions).toEqual(allowedActionsFor('file_collection', patientSide));
  });
});
