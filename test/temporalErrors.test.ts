// Temporal client failures become answers a caller can act on, never a 500.
import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApiError } from '../api/errors';
import { toApiError } from '../api/temporalErrors';

const asApiError = (err: unknown) => {
  const mapped = toApiError(err, 'No such case.');
  expect(mapped).toBeInstanceOf(ApiError);
  return mapped as ApiError;
};

it('an update no worker took within its deadline is a 503 case_unavailable telling to read the case before retrying', () => {
  const e = asApiError(new WorkflowUpdateRPCTimeoutOrCancelledError('Timed out or cancelled waiting for Update', { cause: new Error('deadline') }));
  expect(e).toMatchObject({ status: 503, code: 'case_unavailable' });
  expect(e.message).toMatch(/Read the case again/);
  const deadline = asApiError(Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 }));
  expect(deadline).toMatchObject({ status: 503, code: 'case_unavailable' });
  expect(e.message).toMatch(/Read the case again/);
});

it('a workflow that fails its query (its task is failing) is a 503, not a 500', () => {
  const e = asApiError(new QueryNotRegisteredError('[TMPRL1100] Nondeterminism error: Update machine does not handle this event', 3));
  expect(e).toMatchObject({ status: 503, code: 'case_unavailable' });
  expect(e.message).toMatch(/needs an engineer/);
});

it('an update refused because the workflow task is failing is a 503 case_unavailable, not a 500', () => {
  const err = new Error('Workflow Update failed', { cause: Object.assign(new Error('9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.'), { code: 9 }) });
  expect(asApiError(err)).toMatchObject({ status: 503, code: 'case_unavailable' });
});

it('an unreachable server is a 503; an unknown workflow a 404; anything else is passed on', () => {
  expect(asApiError(Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 }))).toMatchObject({ status: 503, code: 'workflow_service_unavailable' });
  expect(asApiError(new WorkflowNotFoundError('not found', 'case-X', undefined))).toMatchObject({ status: 404, code: 'not_found' });
  const other = new TypeError('a bug');
  expect(toApiError(other, 'x')).toBe(other);
});
