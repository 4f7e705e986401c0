// Accounts: registration with email verification, sign-in sessions with refresh-token rotation,
// password (re)set by one-time link, staff creation. Emails go through the outbox.
import crypto from 'node:crypto';
import type { SendEmailInput, SendEmailResult } from '../../activities/email';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import type { Language } from '../../workflows/definitions';
import type { AuditLog } from '../audit';
import { errorMessages } from '../errorMessages';
import { ApiError } from '../errors';
import type { AccountKind, StaffRole } from '../policy';
import { hashPassword, verifyPassword } from './passwords';
import { hashToken, newRefreshToken, type LinkPurpose, type TokenService } from './tokens';

export type SendEmail = (input: SendEmailInput) => Promise<SendEmailResult>;

export interface AccountDeps {
  db: Db;
  tokens: TokenService;
  sendEmail: SendEmail;
  audit: AuditLog;
  publicBaseUrl: string;
  refreshTokenTtlDays: number;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; email: string; name: string; kind: AccountKind; role: StaffRole | null; language: Language };
}

const VERIFY_TTL_HOURS = 24;
const PASSWORD_LINK_TTL_HOURS = 72;
const invalidLink = () => new ApiError(400, 'invalid_link', errorMessages.invalid_link());

export class Accounts {
  constructor(private readonly deps: AccountDeps) {}

  /** Records a one-time token and emails its link; `emailed` is false when the email could not be queued (the mail relay sends it). */
  private async sendLink(user: { id: string; email: string; name: string; language: string }, purpose: LinkPurpose): Promise<{ link: string; emailed: boolean }> {
    const ttlHours = purpose === 'verify_email' ? VERIFY_TTL_HOURS : PASSWORD_LINK_TTL_HOURS;
    const row = await this.deps.db.authToken.create({
      data: { userId: user.id, purpose, expiresAt: new Date(Date.now() + ttlHours * 3600_000) },
    });
    const token = await this.deps.tokens.signLink(user.id, purpose, row.id, ttlHours * 3600);
    const link = purpose === 'verify_email' ? `${this.deps.publicBaseUrl}/auth/verify-email?token=${token}` : `${this.deps.publicBaseUrl}/set-password?token=${token}`;
    try {
      await this.deps.sendEmail({
        idempotencyKey: `auth-token:${row.id}`,
        to: user.email,
        template: purpose,
        language: user.language === 'fr' ? 'fr' : 'en',
        vars: { name: user.name, link, hours: String(ttlHours) },
      });
    } catch {
      return { link, emailed: false };
    }
    return { link, emailed: true };
  }

  /** For people waiting on the link: an email that could not go is a 503 they can retry. */
  private async mustSendLink(user: { id: string; email: string; name: string; language: string }, purpose: LinkPurpose): Promise<void> {
    const { emailed } = await this.sendLink(user, purpose);
    if (!emailed) throw new ApiError(503, 'email_unavailable', errorMessages.email_unavailable());
  }

  /** Registers a patient or referring doctor. An address already registered gets no second account. */
  async register(input: { email: string; password: string; name: string; kind: 'patient' | 'referrer'; language: Language }): Promise<void> {
    const email = input.email.toLowerCase();
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await this.deps.db.user.create({ data: { email, name: input.name, kind: input.kind, language: input.language, passwordHash } });
      await this.mustSendLink(user, 'verify_email');
    } catch (err) {
      // Same answer either way, so registration does not reveal which addresses have accounts.
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async resendVerification(emailAddress: string): Promise<void> {
    const user = await this.deps.db.user.findUnique({ where: { email: emailAddress.toLowerCase() } });
    if (user && !user.emailVerifiedAt && user.kind !== 'staff') await this.mustSendLink(user, 'verify_email');
  }

  private async consumeLink(token: string, purpose: LinkPurpose): Promise<string> {
    let claims: { userId: string; tokenId: string };
    try {
      claims = await this.deps.tokens.verifyLink(token, purpose);
    } catch {
      throw invalidLink();
    }
    // Single use: only the first request flips usedAt.
    const used = await this.deps.db.authToken.updateMany({
      where: { id: claims.tokenId, userId: claims.userId, purpose, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (used.count !== 1) throw invalidLink();
    return claims.userId;
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.consumeLink(token, 'verify_email');
    await this.deps.db.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() } });
  }

  /** Sends a set-password link when the account exists; says nothing either way. */
  async forgotPassword(emailAddress: string): Promise<void> {
    const user = await this.deps.db.user.findUnique({ where: { email: emailAddress.toLowerCase() } });
    if (user && !user.disabledAt) await this.mustSendLink(user, 'set_password');
  }

  /** Sets the password from a link; ends every open session. The link proves the address, too. */
  async setPassword(token: string, password: string): Promise<void> {
    const userId = await this.consumeLink(token, 'set_password');
    const passwordHash = await hashPassword(password);
    const now = new Date();
    await this.deps.db.$transaction([
      this.deps.db.user.update({ where: { id: userId }, data: { passwordHash } }),
      this.deps.db.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: now } }),
      this.deps.db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } }),
    ]);
  }

  private async issue(user: { id: string; email: string; name: string; kind: string; role: string | null; language: string }, sessionId?: string): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.deps.refreshTokenTtlDays * 86_400_000);
    const session = sessionId
      ? await this.deps.db.session.update({ where: { id: sessionId }, data: { refreshTokenHash: hashToken(refreshToken), expiresAt } })
      : await this.deps.db.session.create({ data: { userId: user.id, refreshTokenHash: hashToken(refreshToken), expiresAt } });
    const kind = user.kind as AccountKind;
    const role = (user.role as StaffRole | null) ?? null;
    return {
      accessToken: await this.deps.tokens.signAccess({ userId: user.id, sessionId: session.id, kind, role }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.deps.tokens.accessTtlSeconds,
      user: { id: user.id, email: user.email, name: user.name, kind, role, language: user.language === 'fr' ? 'fr' : 'en' },
    };
  }

  async login(emailAddress: string, password: string, requestId: string): Promise<SessionTokens> {
    const user = await this.deps.db.user.findUnique({ where: { email: emailAddress.toLowerCase() } });
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok || user.disabledAt) throw new ApiError(401, 'invalid_credentials', errorMessages.invalid_credentials());
    if (!user.emailVerifiedAt) throw new ApiError(403, 'email_not_verified', errorMessages.email_not_verified_sign_in());
    const tokens = await this.issue(user);
    await this.deps.audit.record({ actorId: user.id, actorRole: user.role ?? user.kind, action: 'auth.login', requestId });
    return tokens;
  }

  /** Rotates the refresh token: the old one stops working at once. */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const session = await this.deps.db.session.findUnique({ where: { refreshTokenHash: hashToken(refreshToken) }, include: { user: true } });
    if (!session || session.revokedAt || session.expiresAt < new Date() || session.user.disabledAt) {
      throw new ApiError(401, 'invalid_refresh_token', errorMessages.invalid_refresh_token());
    }
    return this.issue(session.user, session.id);
  }

  async logout(p: { userId: string; sessionId: string; role: string | null; kind: string }, requestId: string): Promise<void> {
    await this.deps.db.session.update({ where: { id: p.sessionId }, data: { revokedAt: new Date() } });
    await this.deps.audit.record({ actorId: p.userId, actorRole: p.role ?? p.kind, action: 'auth.logout', requestId });
  }

  async me(userId: string): Promise<SessionTokens['user']> {
    const u = await this.deps.db.user.findUniqueOrThrow({ where: { id: userId } });
    return { id: u.id, email: u.email, name: u.name, kind: u.kind as AccountKind, role: (u.role as StaffRole | null) ?? null, language: u.language === 'fr' ? 'fr' : 'en' };
  }

  /** Creates a staff account without a password and emails a set-password link (returned too, for the CLI to show). */
  async addStaff(input: { email: string; name: string; role: StaffRole; language: Language }): Promise<{ id: string; link: string; emailed: boolean }> {
    const email = input.email.toLowerCase();
    const existing = await this.deps.db.user.findUnique({ where: { email } });
    if (existing) throw new ApiError(409, 'account_exists', errorMessages.account_exists({ email }));
    const user = await this.deps.db.user.create({ data: { id: crypto.randomUUID(), email, name: input.name, kind: 'staff', role: input.role, language: input.language } });
    return { id: user.id, ...(await this.sendLink(user, 'set_password')) };
  }
}
