// The pathway's steps 1–2 as thin routes: each checks who may act, validates the body, and sends
// the workflow an update. The workflow decides whether the step is possible now (its validators).
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Request, Response } from 'express';
import type { Db } from '../../lib/db';
import {
  answerQuestionnaireUpdate,
  approveContentsUpdate,
  assignCoordinatorUpdate,
  declareNoneUpdate,
  requestChangesUpdate,
  reviewCompletenessUpdate,
  submitFileUpdate,
  submitReportUpdate,
  TERMINAL_PHASES,
  withdrawUpdate,
  type CaseState,
  type Phase,
} from '../../workflows/definitions';
import { requirePrincipal, type Principal } from '../auth/principal';
import type { CaseAccess } from '../caseAccess';
import { ApiError, parseOr400 } from '../errors';
import type { Action } from '../policy';
import { json, jsonBody, type ApiRoutes } from '../routing';
import { caseState, referenceParam } from '../schemas/cases';
import { z } from '../schemas/common';
import { assignCoordinatorBody, declareNoneBody, itemParams, questionnaireBody, reasonBody, reportBody, requestChangesBody, reviewBody } from '../schemas/pathway';
import { toApiError } from '../temporalErrors';
import { requireJson } from './cases';

export interface PathwayRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
}

/** How the workflow names who acted: the patient side by kind, staff by account ID. */
export const actorOf = (p: Principal): string => (p.kind === 'staff' ? p.userId : `${p.kind}:${p.userId}`);

export function registerPathwayRoutes(api: ApiRoutes, deps: PathwayRouteDeps): void {
  const stateResponse = { 200: json(caseState, 'The case after the step'), 409: json(z.unknown(), 'Not possible in the current phase, or the case has ended') };

  /**
   * One pathway step: authorizes `action` on the case first (a caller who may not act learns nothing
   * from validation), refuses a closed case, parses the JSON body when the step takes one, then sends
   * the workflow its update. The workflow decides whether the step is possible now.
   */
  function addStep<B = undefined>(step: {
    method: 'post' | 'put';
    path: string;
    action: Action;
    summary: string;
    body?: z.ZodType<B>;
    params?: z.ZodObject;
    conflict?: string;
    send: (h: WorkflowHandle, by: string, body: B, req: Request) => Promise<CaseState>;
  }): void {
    api.add({
      method: step.method, path: step.path, tag: 'Pathway', access: 'signed_in', action: step.action, summary: step.summary,
      request: { params: step.params ?? referenceParam, ...(step.body ? jsonBody(step.body) : {}) },
      responses: { ...stateResponse, ...(step.conflict ? { 409: json(z.unknown(), step.conflict) } : {}) },
      handler: async (req: Request, res: Response) => {
        const c = await deps.access.load(req, String(req.params.reference), step.action);
        if (TERMINAL_PHASES.includes(c.phase as Phase)) throw new ApiError(409, 'case_closed', `Case ${c.reference} has ended (${c.phase}): nothing more can be done on it.`);
        let body = undefined as B;
        if (step.body) {
          requireJson(req);
          body = parseOr400(step.body, req.body, 'request');
        }
        try {
          res.json(await step.send(deps.client.workflow.getHandle(c.workflowId), actorOf(requirePrincipal(req)), body, req));
        } catch (err) {
          // The workflow has already closed (the read model may lag by a moment): the case has ended.
          if (err instanceof WorkflowNotFoundError) throw new ApiError(409, 'case_closed', `Case ${c.reference} has ended: nothing more can be done on it.`);
          throw toApiError(err, `Case ${c.reference} has no workflow.`);
        }
      },
    });
  }

  addStep({
    method: 'put', path: '/cases/:reference/questionnaire', action: 'file.edit', body: questionnaireBody,
    summary: 'Answer the questionnaire (patient side; any subset of fields, several times)',
    send: (h, by, answers) => h.executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: answers, by }] }),
  });
  addStep({
    method: 'put', path: '/cases/:reference/checklist/:itemId/none', action: 'file.edit', body: declareNoneBody, params: itemParams,
    summary: 'Declare that there is no document for an item that allows it (e.g. never operated: no operation report)',
    send: (h, by, { none }, req) => h.executeUpdate(declareNoneUpdate, { args: [{ itemId: parseOr400(itemParams, req.params, 'checklist item').itemId, none, by }] }),
  });
  addStep({
    method: 'post', path: '/cases/:reference/submit', action: 'file.submit',
    summary: 'Submit the file to the admission team for the completeness check',
    send: (h, by) => h.executeUpdate(submitFileUpdate, { args: [{ by }] }),
  });
  addStep({
    method: 'post', path: '/cases/:reference/review', action: 'file.review', body: reviewBody,
    summary: 'Completeness check (admission coordinator): complete, or incomplete with the missing items and a message to the patient',
    conflict: '`complete` while items are missing (details.missingItems), or not in review',
    send: (h, by, review) => h.executeUpdate(reviewCompletenessUpdate, { args: [{ ...review, by }] }),
  });
  addStep({
    method: 'put', path: '/cases/:reference/coordinator', action: 'case.assign_coordinator', body: assignCoordinatorBody,
    summary: "Assign (or reassign) the case's care coordinator, who becomes the patient's point of contact",
    send: async (h, by, { coordinatorId }) => {
      const coordinator = await deps.db.user.findUnique({ where: { id: coordinatorId } });
      if (!coordinator || coordinator.role !== 'care_coordinator' || coordinator.disabledAt) {
        throw new ApiError(400, 'validation_failed', 'coordinatorId must be the account ID of an active care coordinator.', [{ path: 'coordinatorId', message: 'Not an active care coordinator.' }]);
      }
      return h.executeUpdate(assignCoordinatorUpdate, { args: [{ coordinatorId, by }] });
    },
  });
  addStep({
    method: 'post', path: '/cases/:reference/approve', action: 'contents.review',
    summary: "Approve the file's contents (the case's care coordinator): the service fee is then requested",
    send: (h, by) => h.executeUpdate(approveContentsUpdate, { args: [{ by }] }),
  });
  addStep({
    method: 'post', path: '/cases/:reference/request-changes', action: 'contents.review', body: requestChangesBody,
    summary: 'Send the file back to the patient with a message (the case’s care coordinator)',
    send: (h, by, { message }) => h.executeUpdate(requestChangesUpdate, { args: [{ message, by }] }),
  });
  addStep({
    method: 'post', path: '/cases/:reference/report', action: 'report.submit', body: reportBody,
    summary: 'Submit the MDT report (strategy) or, for a sample analysis, the analysis report (diagnosis)',
    send: (h, by, report) => h.executeUpdate(submitReportUpdate, { args: [{ ...report, by }] }),
  });
  addStep({
    method: 'post', path: '/cases/:reference/withdraw', action: 'case.withdraw', body: reasonBody,
    summary: 'Withdraw the request (patient side): pending steps stop; a fee paid for a study not yet started is refunded',
    send: (h, by, { reason }) => h.executeUpdate(withdrawUpdate, { args: [{ reason, by }] }),
  });
}
