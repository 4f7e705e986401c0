// The signed-in caller, resolved from the bearer token on every request.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../lib/db';
import { errorMessages } from '../errorMessages';
import { ApiError } from '../errors';
import { isAllowed, type AccountKind, type Action, type StaffRole } from '../policy';
import type { TokenService } from './tokens';

export interface Principal {
  userId: string;
  sessionId: string;
  kind: AccountKind;
  role: StaffRole | null;
  email: string;
  emailVerified: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Resolves `Authorization: Bearer …` into req.principal; a token that does not verify is a 401. */
export function authenticate(db: Db, tokens: TokenService) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('Authorization');
    if (!header) return next();
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(header);
    const invalid = new ApiError(401, 'invalid_token', errorMessages.invalid_token());
    if (!match) return next(invalid);
    try {
      const claims = await tokens.verifyAccess(match[1]);
      const session = await db.session.findUnique({ where: { id: claims.sessionId }, include: { user: true } });
      if (!session || session.revokedAt || session.expiresAt < new Date() || session.userId !== claims.userId || session.user.disabledAt) return next(invalid);
      req.principal = {
        userId: session.user.id,
        sessionId: session.id,
        kind: session.user.kind as AccountKind,
        role: (session.user.role as StaffRole | null) ?? null,
        email: session.user.email,
        emailVerified: session.user.emailVerifiedAt !== null,
      };
      next();
    } catch {
      next(invalid);
    }
  };
}

export function requirePrincipal(req: Request): Principal {
  if (!req.principal) throw new ApiError(401, 'unauthenticated', errorMessages.unauthenticated());
  return req.principal;
}

/** For actions not tied to one case (worklists, audit): the role must allow it. */
export function requireAllowed(req: Request, action: Action): Principal {
  const p = requirePrincipal(req);
  if (!isAllowed(action, p)) throw new ApiError(403, 'forbidden', errorMessages.forbidden_role({ role: p.role ?? p.kind, action }));
  return p;
}
