// Temporal client failures mapped to API errors: an unknown workflow is a 404, an unreachable
// server a 503 the client may retry, never a 500.
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApiError } from './errors';

const UNAVAILABLE = 14; // gRPC status UNAVAILABLE
const DEADLINE_EXCEEDED = 4;

export function isTemporalUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === UNAVAILABLE || code === DEADLINE_EXCEEDED || (err instanceof Error && /UNAVAILABLE|ECONNREFUSED/.test(err.message));
}

export function toApiError(err: unknown, notFoundMessage: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new ApiError(404, 'not_found', notFoundMessage);
  if (isTemporalUnavailable(err)) return new ApiError(503, 'workflow_service_unavailable', 'The workflow service is unavailable; nothing was changed. Retry in a moment.');
  return err;
}
