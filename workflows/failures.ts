// How workflow code refuses an update or fails a step: a non-retryable failure whose type the API maps
// to an answer (FAILURE_TYPES) and whose message says what to do, in French and English (the words
// are in workflows/refusals.ts). The English is the failure's message (ops read it in the Temporal UI);
// both travel in the details, after the structured details the API answers with.
import { ApplicationFailure } from '@temporalio/common';
import type { Localized } from './definitions';

export const fail = (type: string, said: Localized, details?: unknown): ApplicationFailure =>
  ApplicationFailure.create({ type, message: said.en, details: [details ?? null, { said }], nonRetryable: true });

/** The words of a failure made by `fail` (none from a workflow older than them). */
export function saidBy(failure: ApplicationFailure): Localized | undefined {
  const said = (failure.details?.[1] as { said?: Partial<Localized> } | undefined)?.said;
  return typeof said?.en === 'string' && typeof said.fr === 'string' ? { en: said.en, fr: said.fr } : undefined;
}
