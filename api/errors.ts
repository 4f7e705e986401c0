// One JSON error shape everywhere: { error: { code, message, details } }. Bad input is a 4xx with
// what was wrong; a 500 is kept for real faults and never carries a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The request ID pino-http gave this request (echoed in X-Request-Id, logs and audit). */
export const requestId = (req: { id?: unknown }): string => (typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '');

export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** Parses with a zod schema, or throws a 400 listing every field error. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'validation_failed', `The ${what} is invalid: see details for each field.`, fieldErrors(result.error));
  return result.data;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}.`));
};

// Errors thrown by express's own body parser, mapped to what the client did wrong.
const bodyParserErrors: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'The request body is not valid JSON.'],
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large.'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'The request body encoding is not supported.'],
  'charset.unsupported': [415, 'unsupported_charset', 'The request body charset is not supported; use UTF-8.'],
  'request.aborted': [400, 'request_aborted', 'The request was aborted by the client.'],
};

export function errorHandler(onUnexpected: (err: unknown, reqId: unknown) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    const parserError = bodyParserErrors[String((err as { type?: unknown } | null)?.type)];
    if (err instanceof ApiError) apiError = err;
    else if (parserError) {
      const [status, code, message] = parserError;
      apiError = new ApiError(status, code, message);
    } else {
      onUnexpected(err, req.id);
      apiError = new ApiError(500, 'internal_error', 'Something went wrong on our side; the request ID identifies it in our logs.');
    }
    if (res.headersSent) return;
    res.status(apiError.status).json({ error: { code: apiError.code, message: apiError.message, details: apiError.details ?? null, requestId: req.id } });
  };
}
