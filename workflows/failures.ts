// How workflow code refuses an update or fails a step: a non-retryable failure whose type the API maps
// to an answer (FAILURE_TYPES) and whose message says what to do.
import { ApplicationFailure } from '@temporalio/workflow';

export const fail = (type: string, message: string, details?: unknown): ApplicationFailure =>
  ApplicationFailure.create({ type, message, details: details === undefined ? [] : [details], nonRetryable: true });
