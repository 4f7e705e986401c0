// One JSON error shape everywhere: { error: { code, message, details } }. Bad input is a 4xx with
// what was wrong; a 500 is kept for real faults and never carries a stack trace. Every message is
// written in French and English (the caller's Accept-Language picks one); `Error.message` is the
// English one, for logs.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Language, Localized } from '../workflows/definitions';
import { errorMessages, invalidInput, type InvalidInput } from './errorMessages';
import { answerLanguage } from './language';
import { frenchFieldMessage } from './schemas/fieldMessages';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly said: Localized,
    readonly details?: unknown,
    /** Details whose words depend on the language (field errors); they replace `details` in that language. */
    readonly detailsIn?: Readonly<Record<Language, unknown>>,
  ) {
    super(said.en);
  }

  messageIn(lang: Language): string {
    return this.said[lang];
  }

  detailsFor(lang: Language): unknown {
    return this.detailsIn ? this.detailsIn[lang] : this.details;
  }
}

/** The request ID pino-http gave this request (echoed in X-Request-Id, logs and audit). */
export const requestId = (req: { id?: unknown }): string => (typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '');

export interface FieldError {
  path: string;
  message: string;
}

/** A value per language. */
export const inEachLanguage = <T>(f: (lang: Language) => T): Record<Language, T> => ({ en: f('en'), fr: f('fr') });

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

const frenchLocale = z.locales.fr().localeError;

/** Words an issue the way a caller wants (`parseQuery`: unknown parameters); undefined leaves it to zod. */
export type IssueWords = (lang: Language) => z.core.$ZodErrorMap;

/**
 * The field errors of a failed parse (`english`, from parsing `value` with `schema`) in each language.
 * The French parses again with zod's French locale; a schema's own message is English (it wins over
 * the locale) and is replaced by its French (api/schemas/fieldMessages.ts).
 */
export function fieldErrorsIn(schema: z.ZodType, value: unknown, english: z.ZodError, words?: IssueWords): Record<Language, FieldError[]> {
  const own = words?.('fr');
  const french = schema.safeParse(value, { error: (issue) => own?.(issue) ?? frenchLocale(issue) });
  // Parsed again a moment later, a value checked against the clock may pass: the English issues, then.
  const issues = french.success ? english : french.error;
  return { en: fieldErrors(english), fr: fieldErrors(issues).map((e) => ({ ...e, message: frenchFieldMessage(e.message) ?? e.message })) };
}

/** A 400 `validation_failed`: `said` sums it up, `fields` says what is wrong with each field. */
export function invalidFields(said: Localized, fields: Record<Language, FieldError[]>): ApiError {
  return new ApiError(400, 'validation_failed', said, fields.en, fields);
}

/** Field errors found outside a schema (against the database…), each said in both languages. */
export function fieldsSaid(fields: readonly { path: string; said: Localized }[]): Record<Language, FieldError[]> {
  return inEachLanguage((lang) => fields.map((f) => ({ path: f.path, message: f.said[lang] })));
}

/** Parses with a zod schema, or throws a 400 listing every field error. `what` was invalid, in the message. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: InvalidInput): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidFields(invalidInput[what], fieldErrorsIn(schema, value, result.error));
  return result.data;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', errorMessages.no_route({ method: req.method, path: req.path })));
};

// Errors thrown by express's own body parser, mapped to what the client did wrong.
const bodyParserErrors: Record<string, [number, 'malformed_json' | 'payload_too_large' | 'unsupported_encoding' | 'unsupported_charset' | 'request_aborted']> = {
  'entity.parse.failed': [400, 'malformed_json'],
  'entity.too.large': [413, 'payload_too_large'],
  'encoding.unsupported': [415, 'unsupported_encoding'],
  'charset.unsupported': [415, 'unsupported_charset'],
  'request.aborted': [400, 'request_aborted'],
};

export function errorHandler(onUnexpected: (err: unknown, reqId: unknown) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    const parserError = bodyParserErrors[String((err as { type?: unknown } | null)?.type)];
    if (err instanceof ApiError) apiError = err;
    else if (parserError) {
      const [status, code] = parserError;
      apiError = new ApiError(status, code, errorMessages[code]());
    } else {
      onUnexpected(err, req.id);
      apiError = new ApiError(500, 'internal_error', errorMessages.internal_error());
    }
    if (res.headersSent) return;
    const lang = answerLanguage(req, res);
    res.status(apiError.status).json({ error: { code: apiError.code, message: apiError.messageIn(lang), details: apiError.detailsFor(lang) ?? null, requestId: req.id } });
  };
}
