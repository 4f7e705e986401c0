// Temporal client failures become answers a caller can act on, never a 500.
import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from '../api/errors';
import { toApiError } from '../api/temporalErrors';
import { FAILURE_TYPES } from '../workflows/definitions';
import { fail } from '../workflows/failures';
import { refusals } from '../workflows/refusals';

const asApiError = (err: unknown) => {
  const mapped = toApiError(err, { en: 'No such case.', fr: 'Aucun dossier de ce nom.' });
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
  const notFound = asApiError(new WorkflowNotFoundError('not found', 'case-X', undefined));
  expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
  expect([notFound.messageIn('en'), notFound.messageIn('fr')]).toEqual(['No such case.', 'Aucun dossier de ce nom.']);
  const other = new TypeError('a bug');
  expect(toApiError(other, { en: 'x', fr: 'x' })).toBe(other);
});

it("a workflow's refusal is answered in the caller's language, with its details; an older one without French words gets a French sentence", () => {
  const refused = asApiError(new WorkflowUpdateFailedError('Workflow Update failed', fail(FAILURE_TYPES.wrongPhase, refusals.alreadyArrived(), { phase: 'in_stay' })));
  expect(refused).toMatchObject({ status: 409, code: 'wrong_phase', details: { phase: 'in_stay' } });
  expect([refused.messageIn('en'), refused.messageIn('fr')]).toEqual(['The patient has already arrived.', 'Le patient est déjà arrivé.']);
  const old = asApiError(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: FAILURE_TYPES.invalid, message: 'Bad input.', details: [{ field: 'x' }], nonRetryable: true })));
  expect(old).toMatchObject({ status: 400, code: 'refused', details: { field: 'x' } });
  expect(old.messageIn('en')).toBe('Bad input.');
  expect(old.messageIn('fr')).toMatch(/^Le dossier refuse cette action/);
});
