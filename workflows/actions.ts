// Who may do what, in which phase: one table. The workflow's update validators take their phase lists
// from it (so a refusal's "possible at" names exactly these phases, in this order), the API answers a
// case with the actions its reader may take now (`allowedActions`), and the portal and the console show
// a form only for those. Pure and deterministic: workflow code imports it.
//
// Validators are not recorded in history: a running case follows whatever this table says the next time
// an update arrives. So a row may only ever say what the validator accepted before (test/actions.test.ts
// drives every validator from this table), unless the change is meant for running cases too.
import type { Action as Permission } from '../api/policy';
import { FAILURE_TYPES, PHASES, TERMINAL_PHASES, type Phase } from './definitions';
import { fail } from './failures';
import { refusals, type ActionName } from './refusals';
import { STAY_PARTS } from './stayParts';

export interface PhaseRule {
  /** The phases in which the workflow takes it (the order is the one its refusal lists them in). */
  phases: readonly Phase[];
  /** The policy entry (api/policy.ts) that says which roles may do it. */
  permission: Permission;
}

/** Every phase in which the case still runs. */
const OPEN: readonly Phase[] = PHASES.filter((p) => !TERMINAL_PHASES.includes(p));
/** Before the guarantee: the treatment planned, estimated, accepted (setArrival refuses these with its own reason). */
export const BEFORE_GUARANTEE: readonly Phase[] = ['treatment_planning', 'estimate_review', 'guarantee_pending'];
/** From the estimate's answer to the discharge: estimates are answered and guaranteed. */
const ESTIMATE_OPEN: readonly Phase[] = ['estimate_review', 'guarantee_pending', 'stay_preparation', 'awaiting_arrival', 'in_stay'];

export const PHASE_RULES: Record<ActionName, PhaseRule> = {
  // Step 1: the file.
  answerQuestionnaire: { phases: ['file_collection'], permission: 'file.edit' },
  changeChecklist: { phases: ['file_collection'], permission: 'file.edit' },
  submitFile: { phases: ['file_collection'], permission: 'file.submit' },
  // Also: the decision is awaited (not being applied) — the validator checks it.
  reviewCompleteness: { phases: ['completeness_review'], permission: 'file.review' },
  // Step 2: the study.
  assignCoordinator: { phases: ['coordinator_assignment', 'contents_review', 'fee_payment', 'report_pending', 'treatment_planning'], permission: 'case.assign_coordinator' },
  // Also: awaited, and only by the case's coordinator (the validator checks both).
  approveContents: { phases: ['contents_review'], permission: 'contents.review' },
  requestChanges: { phases: ['contents_review'], permission: 'contents.review' },
  // Also: the report's kind follows the request type (the validator checks it).
  submitReport: { phases: ['report_pending'], permission: 'report.submit' },
  openFile: { phases: ['report_pending'], permission: 'study.open' },
  // Any request type: a medical opinion may lead to a treatment here (the MDT's strategy).
  declareInsurance: { phases: ['report_pending', ...BEFORE_GUARANTEE, 'stay_preparation'], permission: 'coverage.declare' },
  // Step 3: estimates and the guarantee. Also: one first estimate only in treatment_planning (validator).
  issueEstimate: { phases: ['treatment_planning', 'in_stay'], permission: 'estimate.issue' },
  acceptEstimate: { phases: ESTIMATE_OPEN, permission: 'estimate.respond' },
  declineEstimate: { phases: ESTIMATE_OPEN, permission: 'estimate.respond' },
  recordInsurerLetter: { phases: ESTIMATE_OPEN, permission: 'guarantee.record' },
  // Before the guarantee the validator refuses with its own reason (not guaranteed yet).
  setArrival: { phases: ['stay_preparation', 'awaiting_arrival'], permission: 'stay.arrival' },
  addCompanion: { phases: ['stay_preparation', 'awaiting_arrival', 'in_stay', ...BEFORE_GUARANTEE], permission: 'stay.companion' },
  recordArrival: { phases: ['awaiting_arrival'], permission: 'stay.record_arrival' },
  // The stay's parts (workflows/stayParts.ts); each request kind narrows them (the case's rules, the validator).
  makeRequest: { phases: PHASES.filter((p) => STAY_PARTS[p] !== undefined), permission: 'request.raise' },
  // Also: the task is open and the caller's team's (the validator).
  completeTask: { phases: OPEN, permission: 'task.complete' },
  startTreatment: { phases: ['in_stay'], permission: 'treatment.start' },
  recordDischarge: { phases: ['in_stay'], permission: 'stay.discharge' },
  scheduleFollowUp: { phases: ['in_stay', 'follow_up'], permission: 'follow_up.schedule' },
  withdraw: { phases: OPEN, permission: 'case.withdraw' },
  // Money owed back is returned whenever it is owed, after the end too (the validator checks it is owed).
  recordRefund: { phases: PHASES, permission: 'refund.record' },
  // A signal, not an update: the API refuses it on an ended case.
  cancelCase: { phases: OPEN, permission: 'case.cancel' },
  // Not a rule of the workflow, which counts a payment in any phase (money that arrives is money
  // received; after the end it is owed back): where finance is offered to record one, something can be due.
  recordPayment: { phases: ['fee_payment', 'report_pending', 'treatment_planning', ...ESTIMATE_OPEN, 'follow_up'], permission: 'payment.record' },
};

/**
 * A validator's phase check: refuses `action` outside its phases (409 `wrong_phase`, naming them), or
 * when the case is `ending` (its last phase not reached yet).
 */
export function requireActionPhase(action: ActionName, phase: Phase, ending = false): void {
  const allowed = PHASE_RULES[action].phases;
  if (!allowed.includes(phase) || ending) throw fail(FAILURE_TYPES.wrongPhase, refusals.wrongPhase({ action, phase, allowed }), { phase, allowed });
}

/**
 * The actions of the table possible in `phase` for a reader (`may` says whether the reader's role has a
 * permission: api/policy.ts `isAllowed`), in the table's order.
 */
export function allowedActions(phase: Phase, may: (permission: Permission) => boolean): ActionName[] {
  return (Object.keys(PHASE_RULES) as ActionName[]).filter((a) => PHASE_RULES[a].phases.includes(phase) && may(PHASE_RULES[a].permission));
}
