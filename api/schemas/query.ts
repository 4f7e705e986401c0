// Building blocks of query-string schemas (worklist, audit): query values arrive as strings, and an
// unknown parameter is refused rather than silently ignored (a typo would otherwise widen the answer).
import type { Language } from '../../workflows/definitions';
import { fieldErrorsIn, inEachLanguage, invalidFields, type FieldError } from '../errors';
import { invalidInput } from '../errorMessages';
import { z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

const wholeNumber = z.string().regex(/^\d{1,9}$/, schemaMessage(fieldMessages.wholeNumberExample())).transform(Number);

export const limitParam = wholeNumber
  .pipe(z.number().int().min(1, schemaMessage(fieldMessages.atLeastOne())).max(MAX_PAGE_SIZE, schemaMessage(fieldMessages.pageSizeMax({ max: MAX_PAGE_SIZE }))))
  .optional()
  .default(DEFAULT_PAGE_SIZE)
  .openapi({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Items per page (1 to ${MAX_PAGE_SIZE}).` });

export const offsetParam = wholeNumber
  .optional()
  .default(0)
  .openapi({ type: 'integer', minimum: 0, default: 0, description: 'Items to skip (for the next page: offset + limit).' });

/** A strict object for a query string: an unknown parameter is a 400 naming the accepted ones (worded by `parseQuery`). */
export function strictQuery<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape);
}

/** Unknown parameters, named with the accepted ones (the strict object's keys), in each language. */
const unknownParameters = (lang: Language): z.core.$ZodErrorMap => (issue) =>
  issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject ? fieldMessages.unknownQueryParameters({ keys: issue.keys, accepted: Object.keys(issue.inst.shape) })[lang] : undefined;

/** Parses a query string, or throws a 400 listing every problem (whole-query problems under `(query)`). */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query, { error: unknownParameters('en') });
  if (!result.success) {
    const inQuery = (errors: FieldError[]) => errors.map((e) => (e.path === '(body)' ? { ...e, path: '(query)' } : e));
    const fields = fieldErrorsIn(schema, query, result.error, unknownParameters);
    throw invalidFields(invalidInput['query string'], inEachLanguage((lang) => inQuery(fields[lang])));
  }
  return result.data;
}
