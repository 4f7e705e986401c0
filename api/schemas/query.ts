// Building blocks of query-string schemas (worklist, audit): query values arrive as strings, and an
// unknown parameter is refused rather than silently ignored (a typo would otherwise widen the answer).
import { ApiError, fieldErrors } from '../errors';
import { z } from './common';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

const wholeNumber = z.string().regex(/^\d{1,9}$/, 'Use a whole number, e.g. 25.').transform(Number);

export const limitParam = wholeNumber
  .pipe(z.number().int().min(1, 'At least 1.').max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} items per page: page through the rest with offset.`))
  .optional()
  .default(DEFAULT_PAGE_SIZE)
  .openapi({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Items per page (1 to ${MAX_PAGE_SIZE}).` });

export const offsetParam = wholeNumber
  .optional()
  .default(0)
  .openapi({ type: 'integer', minimum: 0, default: 0, description: 'Items to skip (for the next page: offset + limit).' });

/** A strict object for a query string: an unknown parameter is a 400 naming the accepted ones. */
export function strictQuery<T extends z.ZodRawShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown query parameter(s): ${issue.keys.join(', ')}. Accepted: ${accepted}.` : undefined),
  });
}

/** Parses a query string, or throws a 400 listing every problem (whole-query problems under `(query)`). */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query);
  if (!result.success) {
    const details = fieldErrors(result.error).map((e) => (e.path === '(body)' ? { ...e, path: '(query)' } : e));
    throw new ApiError(400, 'validation_failed', 'The query string is invalid: see details for each parameter.', details);
  }
  return result.data;
}
