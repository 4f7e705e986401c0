// The portal's sign-in session and CSRF protection.
//
// Session: the API's own tokens (short-lived access token, rotating refresh token) kept in one
// HttpOnly, SameSite=Lax cookie, so page scripts can never read them and other sites' forms never send
// them on a cross-site POST. The tokens are verified by the API on every call, so the cookie needs no
// signature of its own; an expired access token is renewed with the refresh token (see PortalApi).
// The cookie's format is in lib/sessionCookie.ts: the API's codec routes read it too.
//
// CSRF: csrf-csrf's double-submit pattern. Each visitor gets a random HttpOnly `visitor` cookie the
// CSRF token is bound to (it survives sign-in and token refresh, so an open form stays valid); every
// POST must carry the token in the `_csrf` form field, the `X-CSRF-Token` header (scripts), or for
// multipart uploads the `_csrf` query parameter (the API refuses unknown multipart fields).
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { cookies, type CookieSettings } from '../lib/sessionCookie';

export const VISITOR_COOKIE = 'parcours_visitor';

/** Seconds until a JWT expires, read without verifying (the API verifies; this only decides when to refresh). */
export function secondsLeft(jwt: string): number {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp - Date.now() / 1000 : 0;
  } catch {
    return 0;
  }
}

export interface Csrf {
  /** Gives every visitor the random identifier their CSRF tokens are bound to. */
  visitor: (req: Request, res: Response, next: NextFunction) => void;
  /** Refuses (403) a POST without a valid token. */
  protect: (req: Request, res: Response, next: NextFunction) => void;
  /** The token to put in this page's forms. */
  token: (req: Request, res: Response) => string;
}

export function createCsrf(secret: string, settings: CookieSettings): Csrf {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => {
      const visitor = cookies(req)[VISITOR_COOKIE];
      return typeof visitor === 'string' ? visitor : '';
    },
    // The __Host- prefix is only allowed (and only meaningful) on a secure cookie.
    cookieName: settings.secure ? '__Host-parcours.csrf' : 'parcours.csrf',
    cookieOptions: { sameSite: 'lax', secure: settings.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const header = req.get('X-CSRF-Token');
      if (header) return header;
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof field === 'string') return field;
      const query = req.query._csrf;
      return typeof query === 'string' ? query : undefined;
    },
    errorConfig: { statusCode: 403, code: 'csrf_invalid', message: 'The form token is missing or invalid: reload the page and send the form again.' },
  });
  return {
    visitor: (req, res, next) => {
      const jar = cookies(req);
      if (typeof jar[VISITOR_COOKIE] !== 'string' || !/^[A-Za-z0-9_-]{20,64}$/.test(jar[VISITOR_COOKIE])) {
        const id = crypto.randomBytes(24).toString('base64url');
        res.cookie(VISITOR_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: settings.secure, path: '/', maxAge: settings.maxAgeMs });
        req.cookies = { ...jar, [VISITOR_COOKIE]: id };
      }
      next();
    },
    protect: doubleCsrfProtection,
    token: (req, res) => generateCsrfToken(req, res),
  };
}
