// Activity failures the tests expect.
import { ApplicationFailure } from '@temporalio/common';

/** Awaits `promise`, expects it to reject with a non-retryable ApplicationFailure, and returns that failure. */
export async function nonRetryableFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  return err as ApplicationFailure;
}
