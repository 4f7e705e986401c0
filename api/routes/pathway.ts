// The pathway's steps 1–2 as thin routes: each checks who may act, validates the body, and sends
// the workflow an update. The workflow decides whether the step is possible now (its validators).
// `addStep` is shared with the later steps (routes/treatment.ts), so every step refuses the same way.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Request, Response } from 'express';
import { sha256 } from '../../lib/caseIdentity';
import { isCaseAck, isCaseState, storedViewAt, withTimeline, writeCaseState } from '../../lib/caseView';
import { forReader } from '../caseResponse';
import { answerLanguage } from '../language';
import type { Db } from '../../lib/db';
import { initialsOf } from '../../lib/staffInitials';
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
  openStudyUpdate,
  type CaseState,
  type Phase,
} from '../../workflows/definitions';
import { requirePrincipal, type Principal } from '../auth/principal';
import type { CaseAccess } from '../caseAccess';
import { errorMessages, fieldMessages } from '../errorMessages';
import { ApiError, fieldsSaid, invalidFields, parseOr400 } from '../errors';
import type { Action } from '../policy';
import { json, type ApiRoutes } from '../routing';
import { caseState, idempotencyKeyHeader, referenceParam } from '../schemas/cases';
import { z } from '../schemas/common';
import { assignCoordinatorBody, declareNoneBody, itemParams, questionnaireBody, reasonBody, reportBody, requestChangesBody, reviewBody } from '../schemas/pathway';
import { temporalMessages, toApiError } from '../temporalErrors';
import { requireJson } from './cases';

export interface PathwayRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
}

/** The handle, with every update it sends carrying `updateId` (a repeated request attaches to the first). */
function withUpdateId(handle: WorkflowHandle, updateId: string): WorkflowHandle {
  const executeUpdate = (def: UpdateDefinition<unknown, unknown[]>, options?: object) => handle.executeUpdate(def as UpdateDefinition<unknown, []>, { ...options, updateId });
  return Object.assign(Object.create(handle) as WorkflowHandle, { executeUpdate });
}

/** The outcome of an update already sent with this ID, or undefined when there is none (or it was refused). */
async function outcomeOf(handle: WorkflowHandle, updateId: string): Promise<{ result: unknown } | undefined> {
  try {
    return { result: await handle.getUpdateHandle<unknown>(updateId).result() };
  } catch {
    return undefined;
  }
}

/** How the workflow names who acted: the patient side by kind, staff by account ID. */
export const actorOf = (p: Principal): string => (p.kind === 'staff' ? p.userId : `${p.kind}:${p.userId}`);

/** What a step's `send` gets besides the workflow handle, the actor and the body. */
export interface StepContext<P> {
  req: Request;
  principal: Principal;
  /** The path parameters, parsed by the step's `params` schema. */
  params: P;
}

/** One case-bound step sent to the workflow as an update (see addStep). */
export interface Step<B, S extends z.ZodObject, R> {
  method: 'post' | 'put';
  path: string;
  action: Action;
  summary: string;
  /** OpenAPI tag (default `Pathway`). */
  tag?: string;
  body?: z.ZodType<B>;
  /**
   * Every field of the body is optional: a request without a body counts as `{}`, so a client need not
   * send an empty JSON object to take the defaults (a body that is sent must still be JSON).
   */
  bodyOptional?: boolean;
  /** Path parameters beyond the reference, checked after authorization (a bad one is a 400 naming it). */
  params?: S;
  /** The success answer (default 200 with the case's state). */
  status?: 200 | 201;
  response?: { schema: z.ZodType; description: string };
  conflict?: string;
  send: (h: WorkflowHandle, by: string, body: B, ctx: StepContext<z.infer<S>>) => Promise<R>;
}

/**
 * One pathway step: authorizes `action` on the case first (a caller who may not act learns nothing
 * from validation), refuses a closed case, parses the path parameters and the JSON body when the step
 * takes them, then sends the workflow its update. The workflow decides whether the step is possible now.
 */
export function addStep<B = undefined, S extends z.ZodObject = typeof referenceParam, R = CaseState>(api: ApiRoutes, deps: Pick<PathwayRouteDeps, 'client' | 'access' | 'db'>, step: Step<B, S, R>): void {
  const response = step.response ?? { schema: caseState, description: 'The case after the step' };
  const status = step.status ?? 200;
  api.add({
    method: step.method, path: step.path, tag: step.tag ?? 'Pathway', access: 'signed_in', action: step.action, summary: step.summary,
    request: {
      params: step.params ?? referenceParam,
      headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ description: 'Resending the step with the same key (e.g. after a 503) applies it once and answers as the first time.' }) }),
      ...(step.body ? { body: { content: { 'application/json': { schema: step.body } }, required: !step.bodyOptional } } : {}),
    },
    responses: {
      [status]: json(response.schema, response.description),
      409: json(z.unknown(), step.conflict ?? 'Not possible in the current phase, or the case has ended'),
    },
    handler: async (req: Request, res: Response) => {
      const c = await deps.access.loadForWrite(req, String(req.params.reference), step.action);
      // Only an ended case is refused before Temporal (an end is final). The read model may lag the
      // workflow (a phase it has just left), so the phases of the table (workflows/actions.ts) are the
      // workflow's validator to check: it answers 409 wrong_phase from the same table.
      if (TERMINAL_PHASES.includes(c.phase as Phase)) throw new ApiError(409, 'case_closed', errorMessages.case_closed_ended({ reference: c.reference, phase: c.phase }));
      const paramsSchema: z.ZodType = step.params ?? referenceParam;
      const params = parseOr400(paramsSchema, req.params, 'path') as z.infer<S>;
      const principal = requirePrincipal(req);
      const key = req.get('Idempotency-Key');
      // The key, scoped to the caller and the step, is the update's ID: Temporal applies an update ID once.
      const updateId = key === undefined ? undefined : sha256(`${step.action}:${principal.userId}:${parseOr400(idempotencyKeyHeader, key, 'Idempotency-Key header')}`);
      const handle = deps.client.workflow.getHandle(c.workflowId);
      /**
       * Read-your-writes. Newer cases answer the version of the view they stored: the case is answered
       * from the read model at that version. Older cases answer the whole view (recorded in history),
       * stored here before answering. Either way the answer has its timeline, as GET does.
       */
      const answer = async (result: unknown) => {
        if (isCaseAck(result)) {
          const view = await storedViewAt(deps.db, result);
          if (!view) throw new ApiError(503, 'case_unavailable', errorMessages.case_unavailable_no_state({ reference: c.reference }));
          const lang = answerLanguage(req, res);
          res.status(status).json(forReader(await withTimeline(deps.db, c.id, view, lang), lang, principal));
          return;
        }
        if (isCaseState(result)) {
          await writeCaseState(deps.db, result);
          const lang = answerLanguage(req, res);
          res.status(status).json(forReader(await withTimeline(deps.db, c.id, result, lang), lang, principal));
          return;
        }
        // An update answering with a part of the state (an estimate, a task) recorded it itself.
        res.status(status).json(result);
      };
      let body = undefined as B;
      if (step.body) {
        // No body at all (no type, nothing to read), as opposed to a body of another type (still a 415).
        const absent = step.bodyOptional && !req.get('Content-Type') && !req.get('Transfer-Encoding') && !(Number(req.get('Content-Length')) > 0);
        try {
          if (!absent) requireJson(req);
          body = parseOr400(step.body, absent ? {} : req.body, 'request');
        } catch (err) {
          // A repeat of a step already applied answers as the first time, though its body may no longer
          // pass (a follow-up time that was ahead when first sent, resent after 503s).
          const first = updateId !== undefined && err instanceof ApiError && err.status === 400 ? await outcomeOf(handle, updateId) : undefined;
          if (!first) throw err;
          await answer(first.result);
          return;
        }
      }
      try {
        const h = updateId === undefined ? handle : withUpdateId(handle, updateId);
        await answer(await step.send(h, actorOf(principal), body, { req, principal, params }));
      } catch (err) {
        // The workflow has already closed (the read model may lag by a moment): the case has ended.
        if (err instanceof WorkflowNotFoundError) throw new ApiError(409, 'case_closed', errorMessages.case_closed_just_ended({ reference: c.reference }));
        throw toApiError(err, temporalMessages.noWorkflow({ reference: c.reference }));
      }
    },
  });
}

export function registerPathwayRoutes(api: ApiRoutes, deps: PathwayRouteDeps): void {
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/questionnaire', action: 'file.edit', body: questionnaireBody,
    summary: 'Answer the questionnaire (patient side; any subset of fields, several times)',
    send: (h, by, answers) => h.executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: answers, by }] }),
  });
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/checklist/:itemId/none', action: 'file.edit', body: declareNoneBody, params: itemParams,
    summary: 'Declare that there is no document for an item that allows it (e.g. never operated: no operation report)',
    send: (h, by, { none }, { params }) => h.executeUpdate(declareNoneUpdate, { args: [{ itemId: params.itemId, none, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/submit', action: 'file.submit',
    summary: 'Submit the file to the admission team for the completeness check',
    send: (h, by) => h.executeUpdate(submitFileUpdate, { args: [{ by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/review', action: 'file.review', body: reviewBody,
    summary: 'Completeness check (admission coordinator): complete, or incomplete with the missing items and a message to the patient',
    conflict: '`complete` while items are missing (details.missingItems), or not in review',
    send: (h, by, review) => h.executeUpdate(reviewCompletenessUpdate, { args: [{ ...review, by }] }),
  });
  addStep(api, deps, {
    method: 'put', path: '/cases/:reference/coordinator', action: 'case.assign_coordinator', body: assignCoordinatorBody,
    summary: "Assign (or reassign) the case's care coordinator, who becomes the patient's point of contact",
    send: async (h, by, { coordinatorId }) => {
      const coordinator = await deps.db.user.findUnique({ where: { id: coordinatorId } });
      if (!coordinator || coordinator.role !== 'care_coordinator' || coordinator.disabledAt) {
        throw invalidFields(errorMessages.coordinator_not_active(), fieldsSaid([{ path: 'coordinatorId', said: fieldMessages.notActiveCoordinator() }]));
      }
      // Their initials go with the ID: ops read them in the Temporal UI's current details (no UUID there).
      return h.executeUpdate(assignCoordinatorUpdate, { args: [{ coordinatorId, coordinatorInitials: initialsOf(coordinator.name), by }] });
    },
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/approve', action: 'contents.review',
    summary: "Approve the file's contents (the case's care coordinator): the service fee is then requested",
    send: (h, by) => h.executeUpdate(approveContentsUpdate, { args: [{ by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/request-changes', action: 'contents.review', body: requestChangesBody,
    summary: 'Send the file back to the patient with a message (the case’s care coordinator)',
    send: (h, by, { message }) => h.executeUpdate(requestChangesUpdate, { args: [{ message, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/report', action: 'report.submit', body: reportBody,
    summary: 'Submit the MDT report (strategy) or, for a sample analysis, the analysis report (diagnosis)',
    send: (h, by, report) => h.executeUpdate(submitReportUpdate, { args: [{ ...report, by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/study/open', action: 'study.open',
    summary: 'The physicians open the file: the study starts (before it, a withdrawal refunds the fee in full). Opening it again changes nothing',
    send: (h, by) => h.executeUpdate(openStudyUpdate, { args: [{ by }] }),
  });
  addStep(api, deps, {
    method: 'post', path: '/cases/:reference/withdraw', action: 'case.withdraw', body: reasonBody,
    summary: 'Withdraw the request (patient side): pending steps stop; money paid for a study the physicians have not opened yet, or a treatment not started, is owed back (finance is told)',
    send: (h, by, { reason }) => h.executeUpdate(withdrawUpdate, { args: [{ reason, by }] }),
  });
}
