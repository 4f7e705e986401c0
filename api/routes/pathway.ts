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

function parseJson<T>(req: Request, schema: z.ZodType<T>, what: string): T {
  requireJson(req);
  return parseOr400(schema, req.body, what);
}

export function registerPathwayRoutes(api: ApiRoutes, deps: PathwayRouteDeps): void {
  const tag = 'Pathway';
  const stateResponse = { 200: json(caseState, 'The case after the step'), 409: json(z.unknown(), 'Not possible in the current phase, or the case has ended') };

  /**
   * Authorizes `action` on the case first (a caller who may not act learns nothing from validation),
   * refuses a closed case, then runs `send` (which parses the body) against its workflow.
   */
  async function step(req: Request, res: Response, action: Action, send: (h: WorkflowHandle, by: string) => Promise<CaseState>): Promise<void> {
    const c = await deps.access.load(req, String(req.params.reference), action);
    if (TERMINAL_PHASES.includes(c.phase as Phase)) throw new ApiError(409, 'case_closed', `Case ${c.reference} has ended (${c.phase}): nothing more can be done on it.`);
    try {
      res.json(await send(deps.client.workflow.getHandle(c.workflowId), actorOf(requirePrincipal(req))));
    } catch (err) {
      // The workflow has already closed (the read model may lag by a moment): the case has ended.
      if (err instanceof WorkflowNotFoundError) throw new ApiError(409, 'case_closed', `Case ${c.reference} has ended: nothing more can be done on it.`);
      throw toApiError(err, `Case ${c.reference} has no workflow.`);
    }
  }

  api.add({
    method: 'put', path: '/cases/:reference/questionnaire', tag, access: 'signed_in', action: 'file.edit',
    summary: 'Answer the questionnaire (patient side; any subset of fields, several times)',
    request: { params: referenceParam, ...jsonBody(questionnaireBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'file.edit', (h, by) => {
        const answers = parseJson(req, questionnaireBody, 'questionnaire');
        return h.executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: answers, by }] });
      });
    },
  });

  api.add({
    method: 'put', path: '/cases/:reference/checklist/:itemId/none', tag, access: 'signed_in', action: 'file.edit',
    summary: 'Declare that there is no document for an item that allows it (e.g. never operated: no operation report)',
    request: { params: itemParams, ...jsonBody(declareNoneBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'file.edit', (h, by) => {
        const { itemId } = parseOr400(itemParams, req.params, 'checklist item');
        const { none } = parseJson(req, declareNoneBody, 'declaration');
        return h.executeUpdate(declareNoneUpdate, { args: [{ itemId, none, by }] });
      });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/submit', tag, access: 'signed_in', action: 'file.submit',
    summary: 'Submit the file to the admission team for the completeness check',
    request: { params: referenceParam },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'file.submit', (h, by) => h.executeUpdate(submitFileUpdate, { args: [{ by }] }));
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/review', tag, access: 'signed_in', action: 'file.review',
    summary: 'Completeness check (admission coordinator): complete, or incomplete with the missing items and a message to the patient',
    request: { params: referenceParam, ...jsonBody(reviewBody) },
    responses: { ...stateResponse, 409: json(z.unknown(), '`complete` while items are missing (details.missingItems), or not in review') },
    handler: async (req, res) => {
      await step(req, res, 'file.review', (h, by) => {
        const review = parseJson(req, reviewBody, 'review');
        return h.executeUpdate(reviewCompletenessUpdate, { args: [{ ...review, by }] });
      });
    },
  });

  api.add({
    method: 'put', path: '/cases/:reference/coordinator', tag, access: 'signed_in', action: 'case.assign_coordinator',
    summary: "Assign (or reassign) the case's care coordinator, who becomes the patient's point of contact",
    request: { params: referenceParam, ...jsonBody(assignCoordinatorBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'case.assign_coordinator', async (h, by) => {
        const { coordinatorId } = parseJson(req, assignCoordinatorBody, 'assignment');
        const coordinator = await deps.db.user.findUnique({ where: { id: coordinatorId } });
        if (!coordinator || coordinator.role !== 'care_coordinator' || coordinator.disabledAt) {
          throw new ApiError(400, 'validation_failed', 'coordinatorId must be the account ID of an active care coordinator.', [{ path: 'coordinatorId', message: 'Not an active care coordinator.' }]);
        }
        return h.executeUpdate(assignCoordinatorUpdate, { args: [{ coordinatorId, by }] });
      });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/approve', tag, access: 'signed_in', action: 'contents.review',
    summary: "Approve the file's contents (the case's care coordinator): the service fee is then requested",
    request: { params: referenceParam },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'contents.review', (h, by) => h.executeUpdate(approveContentsUpdate, { args: [{ by }] }));
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/request-changes', tag, access: 'signed_in', action: 'contents.review',
    summary: 'Send the file back to the patient with a message (the case’s care coordinator)',
    request: { params: referenceParam, ...jsonBody(requestChangesBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'contents.review', (h, by) => {
        const { message } = parseJson(req, requestChangesBody, 'request');
        return h.executeUpdate(requestChangesUpdate, { args: [{ message, by }] });
      });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/report', tag, access: 'signed_in', action: 'report.submit',
    summary: 'Submit the MDT report (strategy) or, for a sample analysis, the analysis report (diagnosis)',
    request: { params: referenceParam, ...jsonBody(reportBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'report.submit', (h, by) => {
        const report = parseJson(req, reportBody, 'report');
        return h.executeUpdate(submitReportUpdate, { args: [{ ...report, by }] });
      });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/withdraw', tag, access: 'signed_in', action: 'case.withdraw',
    summary: 'Withdraw the request (patient side): pending steps stop; a fee paid for a study not yet started is refunded',
    request: { params: referenceParam, ...jsonBody(reasonBody) },
    responses: stateResponse,
    handler: async (req, res) => {
      await step(req, res, 'case.withdraw', (h, by) => {
        const { reason } = parseJson(req, reasonBody, 'withdrawal');
        return h.executeUpdate(withdrawUpdate, { args: [{ reason, by }] });
      });
    },
  });
}
