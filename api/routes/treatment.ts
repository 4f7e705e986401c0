// Step 3 to the end of the case as thin routes: estimates and their guarantee, the stay (arrival,
// companions, patient requests and the tasks they become), discharge and follow-up. Each checks who may
// act and the shape of the body, then sends the workflow its update; the workflow decides the rest
// (phase, tariff codes, whether an estimate is guaranteed, which team a task belongs to).
import {
  acceptEstimateUpdate,
  completeTaskUpdate,
  declareCoverageUpdate,
  declineEstimateUpdate,
  issueEstimateUpdate,
  patientArrivedUpdate,
  raiseRequestUpdate,
  recordDischargeUpdate,
  recordInsurerLetterUpdate,
  scheduleFollowUpUpdate,
  setArrivalDateUpdate,
  setCompanionUpdate,
  startTreatmentUpdate,
} from '../../workflows/definitions';
import type { ApiRoutes } from '../routing';
import {
  arrivalBody,
  caseTask,
  companionBody,
  completeTaskBody,
  coverageBody,
  declineEstimateBody,
  dischargeBody,
  estimateParams,
  estimateState,
  followUpBody,
  insurerLetterBody,
  issueEstimateBody,
  patientRequestBody,
  taskParams,
} from '../schemas/treatment';
import { addStep, type PathwayRouteDeps } from './pathway';

export type TreatmentRouteDeps = Pick<PathwayRouteDeps, 'client' | 'access' | 'db'>;

export function registerTreatmentRoutes(api: ApiRoutes, deps: TreatmentRouteDeps): void {
  const tag = 'Treatment';
  const notGuaranteed = 'Not possible in the current phase (wrong_phase), or the estimate is neither paid in full nor covered by an insurer letter (not_guaranteed)';

  // ---- step 3: the estimate and its guarantee ----
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/estimates', tag, action: 'estimate.issue', body: issueEstimateBody, bodyOptional: true,
    status: 201, response: { schema: estimateState, description: 'The estimate issued (its PDF is a document of the case)' },
    summary: "Issue an estimate (the case's care coordinator): the first one in treatment planning, or an additional one during the stay when treatment changes",
    send: (h, by, { lines }) => h.executeUpdate(issueEstimateUpdate, { args: [{ ...(lines ? { lines } : {}), by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/estimates/:number/accept', tag, action: 'estimate.respond', params: estimateParams,
    summary: 'Accept an estimate (patient side): it must then be paid in full or guaranteed by an insurer letter',
    send: (h, by, _body, { params }) => h.executeUpdate(acceptEstimateUpdate, { args: [{ number: params.number, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/estimates/:number/decline', tag, action: 'estimate.respond', params: estimateParams, body: declineEstimateBody, bodyOptional: true,
    summary: 'Decline an estimate (patient side), optionally saying why',
    send: (h, by, { reason }, { params }) => h.executeUpdate(declineEstimateUpdate, { args: [{ number: params.number, ...(reason ? { reason } : {}), by }] }),
  });
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/coverage', tag, action: 'coverage.declare', body: coverageBody,
    summary: 'Declare how the patient is insured (patient side; until the estimate is guaranteed): decides whether the estimate must be prepaid',
    send: (h, by, declaration) => h.executeUpdate(declareCoverageUpdate, { args: [{ ...declaration, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/estimates/:number/insurer-letters', tag, action: 'guarantee.record', params: estimateParams, body: insurerLetterBody,
    summary: "Record an insurer's approval (guarantee) letter for an estimate (finance); upload the letter as a document of the case first. On EU planned care, the S2 document is the home insurer's acceptance",
    send: (h, by, letter, { params }) => h.executeUpdate(recordInsurerLetterUpdate, { args: [{ estimateNumber: params.number, ...letter, by }] }),
  });

  // ---- step 3: preparing the stay ----
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/arrival', tag, action: 'stay.arrival', body: arrivalBody,
    summary: 'Set (or move) the arrival date (patient side or care coordinator): only once the estimate is guaranteed',
    conflict: notGuaranteed,
    send: (h, by, arrival) => h.executeUpdate(setArrivalDateUpdate, { args: [{ ...arrival, by }] }),
  });
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/companions', tag, action: 'stay.companion', body: companionBody,
    summary: 'Add or update a companion travelling with the patient (for the visa certificates)',
    send: (h, by, companion) => h.executeUpdate(setCompanionUpdate, { args: [{ ...companion, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/arrived', tag, action: 'stay.record_arrival',
    summary: 'Record that the patient has arrived (care coordinator or support): the stay begins',
    send: (h, by) => h.executeUpdate(patientArrivedUpdate, { args: [{ by }] }),
  });

  // ---- before, during and after the stay: patient requests become tasks for a team ----
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/requests', tag, action: 'request.raise', body: patientRequestBody,
    status: 201, response: { schema: caseTask, description: 'The task the request became, for the team that handles it' },
    summary: 'Ask for an interpreter, accommodation advice, an appointment change, a medical or billing question… (patient side or care coordinator)',
    send: (h, by, request) => h.executeUpdate(raiseRequestUpdate, { args: [{ ...request, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/tasks/:taskId/complete', tag, action: 'task.complete', params: taskParams, body: completeTaskBody,
    summary: "Complete a task with its outcome (a member of the task's team; a care coordinator may close any task)",
    // The staff member's role, so the workflow can check it is the task's team; the policy admits only
    // staff here, so a role is always set.
    send: (h, by, { outcome }, { params, principal }) => h.executeUpdate(completeTaskUpdate, { args: [{ taskId: params.taskId, outcome, by, byRole: principal.role ?? principal.kind }] }),
  });

  // ---- during and after the stay ----
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/estimates/:number/start', tag, action: 'treatment.start', params: estimateParams,
    summary: 'Start the treatment of an additional estimate (care coordinator): refused until that estimate is guaranteed',
    conflict: notGuaranteed,
    send: (h, by, _body, { params }) => h.executeUpdate(startTreatmentUpdate, { args: [{ estimateNumber: params.number, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/discharge', tag, action: 'stay.discharge', body: dischargeBody, bodyOptional: true,
    summary: 'Record the discharge and the care given (care coordinator): the final invoice and the reconciliation follow',
    send: (h, by, { performed }) => h.executeUpdate(recordDischargeUpdate, { args: [{ ...(performed ? { performed } : {}), by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/follow-ups', tag, action: 'follow_up.schedule', body: followUpBody,
    summary: 'Schedule a follow-up appointment after the stay (care coordinator): the patient is reminded before it',
    send: (h, by, followUp) => h.executeUpdate(scheduleFollowUpUpdate, { args: [{ ...followUp, by }] }),
  });
}
