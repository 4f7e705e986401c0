// Signed tokens (jose, HS256): short-lived access tokens, and the one-time links sent by email.
// Refresh tokens are random strings stored only as hashes.
import crypto from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { AccountKind, StaffRole } from '../policy';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  kind: AccountKind;
  role: StaffRole | null;
}

export type LinkPurpose = 'verify_email' | 'set_password';

const ISSUER = 'parcours';

/** A key per use, derived from the one secret: a link token can never pass as an access token. */
function keyFor(secret: string, use: string): Uint8Array {
  return new Uint8Array(crypto.createHmac('sha256', secret).update(`parcours:${use}`).digest());
}

export const newRefreshToken = (): string => crypto.randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

export class TokenService {
  private readonly accessKey: Uint8Array;
  private readonly linkKey: Uint8Array;

  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
  ) {
    this.accessKey = keyFor(secret, 'access');
    this.linkKey = keyFor(secret, 'link');
  }

  signAccess(c: AccessClaims): Promise<string> {
    return new SignJWT({ sid: c.sessionId, kind: c.kind, role: c.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(c.userId)
      .setIssuer(ISSUER)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.accessKey);
  }

  /** The claims of a valid access token; throws on a bad signature, wrong audience or expiry. */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.accessKey, { issuer: ISSUER, audience: 'api', algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.kind !== 'string') throw new Error('malformed access token');
    return { userId: payload.sub, sessionId: payload.sid, kind: payload.kind as AccountKind, role: (payload.role as StaffRole | null) ?? null };
  }

  signLink(userId: string, purpose: LinkPurpose, tokenId: string, ttlSeconds: number): Promise<string> {
    return new SignJWT({ purpose })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setJti(tokenId)
      .setIssuer(ISSUER)
      .setAudience('link')
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.linkKey);
  }

  async verifyLink(token: string, purpose: LinkPurpose): Promise<{ userId: string; tokenId: string }> {
    const { payload } = await jwtVerify(token, this.linkKey, { issuer: ISSUER, audience: 'link', algorithms: ['HS256'] });
    if (payload.purpose !== purpose || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') throw new Error('wrong link token');
    return { userId: payload.sub, tokenId: payload.jti };
  }
}
