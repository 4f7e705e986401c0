// The sign-in session cookie's format: the console and portal write it (web/), the API's codec routes
// read it (the Temporal UI sends it cross-origin). Below both layers so neither imports the other.
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'parcours_session';

export interface PortalSession {
  accessToken: string;
  refreshToken: string;
  userId: string;
  name: string;
  kind: string;
  role: string | null;
}

export interface CookieSettings {
  /** Secure cookies: true when the public base URL is https. */
  secure: boolean;
  /** How long a session cookie lives: the refresh token's lifetime. */
  maxAgeMs: number;
}

/** The request's parsed cookies (cookie-parser), or none. */
export const cookies = (req: Request): Record<string, unknown> => (req.cookies as Record<string, unknown> | undefined) ?? {};

export function readSession(req: Request): PortalSession | null {
  const value = cookies(req)[SESSION_COOKIE];
  if (typeof value !== 'string' || value.length > 8192) return null;
  try {
    const s = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PortalSession>;
    if (typeof s.accessToken !== 'string' || typeof s.refreshToken !== 'string' || typeof s.userId !== 'string') return null;
    return { accessToken: s.accessToken, refreshToken: s.refreshToken, userId: s.userId, name: String(s.name ?? ''), kind: String(s.kind ?? ''), role: typeof s.role === 'string' ? s.role : null };
  } catch {
    return null;
  }
}

export function writeSession(res: Response, session: PortalSession, settings: CookieSettings): void {
  res.cookie(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), { httpOnly: true, sameSite: 'lax', secure: settings.secure, path: '/', maxAge: settings.maxAgeMs });
}

export function clearSession(res: Response, settings: CookieSettings): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: settings.secure, path: '/' });
}
