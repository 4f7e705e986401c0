// Temporal client failures mapped to API errors: an unknown workflow is a 404, an unreachable
// server a 503 the client may retry, never a 500.
import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, type Localized } from '../workflows/definitions';
import { saidBy } from '../workflows/failures';
import { ApiError } from './errors';

/** What the API says when Temporal cannot answer, in French and English (walked by test/languages.test.ts). */
export const temporalMessages = {
  serviceUnavailableNothingRecorded: (p: { retry: Localized }) => ({
    en: `The workflow service is unavailable; nothing was recorded. ${p.retry.en}`,
    fr: `Le service des workflows est indisponible ; rien n'a été enregistré. ${p.retry.fr}`,
  }),
  caseNotStarted: (p: { reference: string; retry: Localized }) => ({
    en: `Case ${p.reference} is not running yet; nothing was recorded. ${p.retry.en}`,
    fr: `Le dossier ${p.reference} n'a pas encore démarré ; rien n'a été enregistré. ${p.retry.fr}`,
  }),
  noWorkflow: (p: { reference: string }) => ({ en: `Case ${p.reference} has no workflow.`, fr: `Le dossier ${p.reference} n'a pas de workflow.` }),
  didNotAnswer: () => ({
    en: 'The case did not answer in time (its worker is busy or restarting, or the case needs an engineer). Read the case again: if the step is not done, retry it later.',
    fr: "Le dossier n'a pas répondu à temps (son worker est occupé ou redémarre, ou le dossier a besoin d'un ingénieur). Relisez le dossier : si l'étape n'est pas faite, réessayez plus tard.",
  }),
  blockedStep: () => ({
    en: 'This case cannot take this step right now: its workflow is blocked and needs an engineer (ops:repair). Nothing was changed and nothing is lost; try again later.',
    fr: "Ce dossier ne peut pas franchir cette étape pour l'instant : son workflow est bloqué et attend un ingénieur (ops:repair). Rien n'a été modifié et rien n'est perdu ; réessayez plus tard.",
  }),
  serviceUnavailableNothingChanged: () => ({
    en: 'The workflow service is unavailable; nothing was changed. Retry in a moment.',
    fr: "Le service des workflows est indisponible ; rien n'a été modifié. Réessayez dans un instant.",
  }),
  blockedRead: () => ({
    en: 'This case cannot be read right now: its workflow is blocked and needs an engineer. Nothing was lost; try again later.',
    fr: "Ce dossier ne peut pas être lu pour l'instant : son workflow est bloqué et attend un ingénieur. Rien n'est perdu ; réessayez plus tard.",
  }),
  /** A refusal from a workflow too old to say it in French. */
  refusedUntranslated: (p: { message: string }) => ({
    en: p.message,
    fr: "Le dossier refuse cette action dans son état actuel : relisez-le, puis réessayez ou demandez à votre coordinateur.",
  }),
} satisfies Record<string, (p: never) => Localized>;

const UNAVAILABLE = 14; // gRPC status codes
const DEADLINE_EXCEEDED = 4;
const FAILED_PRECONDITION = 9;

/** The error and the errors it wraps (`cause`), outermost first: clients wrap gRPC failures. */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** True when the error, or any error it wraps, says the server could not be reached. */
export function isTemporalUnavailable(err: unknown): boolean {
  return causeChain(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    return code === UNAVAILABLE || (e instanceof Error && /\b(UNAVAILABLE|ECONNREFUSED)\b/.test(e.message));
  });
}

/** Statuses of a workflow run that has ended: it takes no update any more. */
export const CLOSED_WORKFLOW_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT']);

/**
 * After an update found no workflow for the case: returns when its run has ended (it takes no update
 * any more); otherwise throws 503, `case_not_started` (the row exists before the workflow starts: a retry
 * finds it running) or `workflow_service_unavailable`. `retry` tells the caller when to try again.
 */
export async function ensureWorkflowEnded(handle: WorkflowHandle, reference: string, retry: Localized): Promise<void> {
  try {
    const description = await handle.describe();
    if (CLOSED_WORKFLOW_STATUSES.has(description.status.name)) return;
  } catch (err) {
    if (isTemporalUnavailable(err) || isDeadlineExceeded(err)) throw new ApiError(503, 'workflow_service_unavailable', temporalMessages.serviceUnavailableNothingRecorded({ retry }));
    if (!(err instanceof WorkflowNotFoundError)) throw toApiError(err, temporalMessages.noWorkflow({ reference }));
  }
  throw new ApiError(503, 'case_not_started', temporalMessages.caseNotStarted({ reference, retry }));
}

/** An update the workflow refused (its validator), as the answer the caller needs. */
function refusal(err: WorkflowUpdateFailedError): ApiError | undefined {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] ?? null;
  const said = saidBy(cause) ?? temporalMessages.refusedUntranslated({ message: cause.message });
  switch (cause.type) {
    case FAILURE_TYPES.wrongPhase:
      return new ApiError(409, 'wrong_phase', said, details);
    case FAILURE_TYPES.missingItems:
      return new ApiError(409, 'missing_items', said, details);
    case FAILURE_TYPES.notAllowed:
      return new ApiError(403, 'not_your_case', said, details);
    case FAILURE_TYPES.notGuaranteed:
      // Nothing wrong with the request: the estimate must first be paid in full or covered by an insurer letter.
      return new ApiError(409, 'not_guaranteed', said, details);
    case FAILURE_TYPES.nothingOwed:
      return new ApiError(409, 'nothing_owed', said, details);
    default: // FAILURE_TYPES.invalid, and any refusal without a type of its own
      return new ApiError(400, 'refused', said, details);
  }
}

/** True when the call ran out of its deadline (the case did not answer in time), not when the server was unreachable. */
export function isDeadlineExceeded(err: unknown): boolean {
  return err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || causeChain(err).some((e) => (e as { code?: unknown }).code === DEADLINE_EXCEEDED);
}

export function toApiError(err: unknown, notFoundMessage: Localized): unknown {
  if (err instanceof WorkflowUpdateFailedError) return refusal(err) ?? err;
  if (err instanceof WorkflowNotFoundError) return new ApiError(404, 'not_found', notFoundMessage);
  // The case did not answer within the call's deadline (its worker restarting or saturated, or its
  // workflow blocked): an update may still be applied later.
  if (isDeadlineExceeded(err)) {
    return new ApiError(503, 'case_unavailable', temporalMessages.didNotAnswer());
  }
  // The server refuses updates while the case's workflow task fails (e.g. nondeterminism): the case is
  // blocked until ops repair it (docs/operations.md); nothing was changed.
  if (causeChain(err).some((e) => (e as { code?: unknown }).code === FAILED_PRECONDITION && e instanceof Error && /workflow task in failed state/i.test(e.message))) {
    return new ApiError(503, 'case_unavailable', temporalMessages.blockedStep());
  }
  if (isTemporalUnavailable(err)) return new ApiError(503, 'workflow_service_unavailable', temporalMessages.serviceUnavailableNothingChanged());
  // Our queries are always registered: this is the worker failing the query because the workflow's
  // task fails (e.g. a nondeterminism error, shown in the Temporal UI). The case is safe in its
  // history; it cannot be read until an engineer fixes or resets it.
  if (err instanceof QueryNotRegisteredError) {
    return new ApiError(503, 'case_unavailable', temporalMessages.blockedRead());
  }
  return err;
}
