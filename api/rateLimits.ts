// Rate limits on the endpoints worth guessing at (sign-in, registration, password reset) and on
// uploads. Counted in the database, so several API instances share one count.
import { rateLimit } from 'express-rate-limit';
import type { Db } from '../lib/db';
import { errorMessages, type RateLimited } from './errorMessages';
import { ApiError } from './errors';
import { DatabaseRateLimitStore } from './rateLimitStore';

export function limiter(db: Db, what: RateLimited, windowMs: number, limit: number, key?: (req: import('express').Request) => string) {
  return rateLimit({
    windowMs,
    limit,
    store: new DatabaseRateLimitStore(db, what === 'upload' ? 'upload' : 'auth'),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(key ? { keyGenerator: key } : {}),
    handler: (_req, _res, next) => next(new ApiError(429, 'rate_limited', errorMessages.rate_limited({ what }))),
  });
}
