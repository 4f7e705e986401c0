// Rate limits on the endpoints worth guessing at (sign-in, registration, password reset) and on
// uploads. In memory: one API process; a cluster would need a shared store.
import { rateLimit } from 'express-rate-limit';
import { errorMessages, type RateLimited } from './errorMessages';
import { ApiError } from './errors';

export function limiter(what: RateLimited, windowMs: number, limit: number, key?: (req: import('express').Request) => string) {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(key ? { keyGenerator: key } : {}),
    handler: (_req, _res, next) => next(new ApiError(429, 'rate_limited', errorMessages.rate_limited({ what }))),
  });
}
