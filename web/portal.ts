// The web front end, mounted on the API's Express app. Pages are server-rendered HTML; every form works
// without JavaScript; /assets/portal.js only adds the upload progress bar.
//
// Paths: the portal answers GET requests whose Accept header prefers text/html (a browser), so the
// links in emails (`/cases/{reference}`, `/auth/verify-email?token=…`, `/set-password?token=…`,
// `/pay/{reference}?…`) open pages, while API clients (Accept: application/json, */* or none) still get
// JSON at the same paths. Form POSTs go to `/portal/…` paths the API never uses.
import crypto from 'node:crypto';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { requestId as requestIdOf } from '../api/errors';
import type { CaseRules } from '../config/rules/types';
import type { AppConfig } from '../lib/config';
import { RULES_BEFORE_VERSIONING } from '../workflows/rules';
import { projectRoot } from '../lib/databaseUrl';
import type { Logger } from '../lib/logger';
import type { ApiCall, ApiDispatch, ApiResponse } from './apiClient';
import type { SafeHtml } from './html';
import { pickLanguage, translator, type Lang, type MessageKey, type T } from './i18n';
import { notice, page, type PageContext } from './layout';
import { clearSession, readSession, writeSession, type CookieSettings, type PortalSession } from '../lib/sessionCookie';
import { createCsrf, secondsLeft, type Csrf } from './session';

export interface PortalDeps {
  config: AppConfig;
  /** How pages call the JSON API (web/apiClient.ts inProcessApi). */
  dispatch: ApiDispatch;
  logger: Logger;
}

/** The session ended (no cookie, or the refresh token no longer works): the page sends the user to sign in. */
export class SignedOut extends Error {}

/** A page that cannot be shown: rendered as an error page with this status and message. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly key: MessageKey,
  ) {
    super(key);
  }
}

/** Everything a page handler needs: the language, the session, the API with the user's token, rendering. */
export interface Ctx {
  req: Request;
  res: Response;
  lang: Lang;
  t: T;
  session: PortalSession | null;
  /** Calls the API as the signed-in user (renewing the access token when it expires). */
  api: <R = unknown>(call: Omit<ApiCall, 'token' | 'clientIp' | 'requestId'>) => Promise<ApiResponse<R>>;
  /** Calls the API and throws the matching PageError/SignedOut unless it answered 2xx. */
  apiOk: <R = unknown>(call: Omit<ApiCall, 'token' | 'clientIp' | 'requestId'>) => Promise<R>;
  /** Sends a full page with this title and status. */
  render: (title: string, main: SafeHtml, status?: number) => void;
  pageContext: () => PageContext;
  /** The rules a case runs under (its version, as published), for the texts and lists its pages show. */
  rulesOf: (state: { rulesVersion?: string }) => CaseRules;
  /** Signs in: keeps the API's tokens in the session cookie. */
  startSession: (s: PortalSession) => void;
  endSession: () => void;
}

export type PageHandler = (ctx: Ctx) => void | Promise<void>;

/** Only a path on this site (no scheme, no host, no `//`): the target of redirects taken from a query. */
export function safeLocalPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}

/** Does this request want a page (a browser), rather than the JSON API at the same path? */
export const wantsHtml = (req: Request): boolean => req.accepts(['application/json', 'text/html']) === 'text/html';

/** The shared machinery: CSP headers, cookies, CSRF, sessions, API calls, rendering, error pages. */
export class Portal {
  readonly router = express.Router();
  readonly cookies: CookieSettings;
  private readonly csrf: Csrf;
  private readonly pageMiddleware: RequestHandler[];
  private readonly formMiddleware: RequestHandler[];

  constructor(readonly deps: PortalDeps) {
    this.cookies = { secure: deps.config.api.publicBaseUrl.startsWith('https:'), maxAgeMs: deps.config.auth.refreshTokenTtlDays * 86_400_000 };
    // A key of its own for CSRF tokens, derived from the auth secret (nothing new to configure).
    const csrfSecret = crypto.createHmac('sha256', deps.config.auth.secret).update('parcours-portal-csrf').digest('base64url');
    this.csrf = createCsrf(csrfSecret, this.cookies);
    const headers = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    });
    const noStore: RequestHandler = (_req, res, next) => {
      // Pages show health and payment data: never kept by a shared cache, and they differ by Accept.
      res.set('Cache-Control', 'no-store');
      res.vary('Accept');
      next();
    };
    this.pageMiddleware = [headers, noStore, cookieParser(), this.csrf.visitor];
    this.formMiddleware = [...this.pageMiddleware, express.urlencoded({ extended: false, limit: '100kb' }), this.csrf.protect];
  }

  /** A page: answered only for requests that want HTML; others go on to the JSON API. */
  page(path: string, handler: PageHandler): void {
    this.router.get(path, (req, res, next) => (wantsHtml(req) ? next() : next('route')), ...this.pageMiddleware, this.wrap(handler));
  }

  /** A form target (under /portal/): CSRF-checked; its body is parsed as a URL-encoded form. */
  form(path: string, handler: PageHandler): void {
    this.router.post(path, ...this.formMiddleware, this.wrap(handler));
  }

  /** A form target whose body the handler streams on (multipart uploads): CSRF token in the query or header. */
  streamForm(path: string, handler: PageHandler): void {
    this.router.post(path, ...this.pageMiddleware, this.csrf.protect, this.wrap(handler));
  }

  /** Serves web/static at /assets (one CSS and one JS file). */
  assets(): void {
    this.router.use('/assets', helmet(), express.static(path.join(projectRoot(), 'web', 'static'), { index: false, maxAge: '1h', fallthrough: false }));
  }

  /**
   * Last in the router: a refused CSRF token (or an unreadable form) on a portal path becomes a page
   * in the user's language instead of the API's JSON error.
   */
  errorPages(): void {
    this.router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent || !(req.path.startsWith('/portal/') || wantsHtml(req))) return next(err);
      const ctx = this.context(req, res);
      const status = Number((err as { status?: unknown } | null)?.status);
      if ((err as { code?: unknown } | null)?.code === 'csrf_invalid') return ctx.render(ctx.t('error.title'), notice('error', ctx.t('error.csrf')), 403);
      if (status >= 400 && status < 500) return ctx.render(ctx.t('error.title'), notice('error', ctx.t('error.generic', { requestId: requestIdOf(req) })), status);
      this.fail(ctx, err, next);
    });
  }

  private wrap(handler: PageHandler): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      const ctx = this.context(req, res);
      try {
        await handler(ctx);
      } catch (err) {
        this.fail(ctx, err, next);
      }
    };
  }

  private fail(ctx: Ctx, err: unknown, next: NextFunction): void {
    const { req, res, t } = ctx;
    if (res.headersSent) return next(err);
    if (err instanceof SignedOut) {
      // After a form's expired session, back to the signed-out user's home (staff work from the console).
      const back = req.method === 'GET' ? req.originalUrl : ctx.session?.kind === 'staff' ? '/console' : '/cases';
      ctx.endSession();
      return res.redirect(303, `/login?next=${encodeURIComponent(back)}&expired=1`);
    }
    if (err instanceof PageError) {
      return ctx.render(t('error.title'), notice('error', t(err.key, { requestId: requestIdOf(req) })), err.status);
    }
    if ((err as { code?: unknown } | null)?.code === 'csrf_invalid' || (err as { status?: unknown } | null)?.status === 403) {
      return ctx.render(t('error.title'), notice('error', t('error.csrf')), 403);
    }
    this.deps.logger.error({ err, reqId: requestIdOf(req) }, 'portal page failed');
    ctx.render(t('error.title'), notice('error', t('error.generic', { requestId: requestIdOf(req) })), 500);
  }

  /** The context of one page request. */
  context(req: Request, res: Response): Ctx {
    const lang = pickLanguage(req);
    const t = translator(lang);
    let session = readSession(req);
    const dispatch = this.deps.dispatch;
    const base = { clientIp: req.ip, requestId: requestIdOf(req), language: lang };
    let csrfToken: string | undefined;

    const refresh = async (): Promise<PortalSession> => {
      if (!session) throw new SignedOut();
      const r = await dispatch<{ accessToken: string; refreshToken: string }>({ method: 'POST', path: '/auth/refresh', json: { refreshToken: session.refreshToken }, ...base });
      if (r.status !== 200) throw new SignedOut();
      session = { ...session, accessToken: r.body.accessToken, refreshToken: r.body.refreshToken };
      writeSession(res, session, this.cookies);
      return session;
    };

    const api: Ctx['api'] = async (call) => {
      if (!session) throw new SignedOut();
      // Renew a token about to expire first: a streamed upload cannot be sent twice.
      if (secondsLeft(session.accessToken) < 30) await refresh();
      const first = await dispatch({ ...call, ...base, token: session.accessToken });
      if (first.status !== 401 || call.stream) return first as never;
      await refresh();
      return (await dispatch({ ...call, ...base, token: session.accessToken })) as never;
    };

    const ctx: Ctx = {
      req, res, lang, t,
      get session() {
        return session;
      },
      api,
      apiOk: async <R>(call: Omit<ApiCall, 'token' | 'clientIp' | 'requestId'>) => {
        const r = await api<R>(call);
        throwUnlessOk(r);
        return r.body;
      },
      // A view written before cases carried a version runs under the first, as its workflow does.
      rulesOf: (state) => (state.rulesVersion ? this.deps.config.rules.byId(state.rulesVersion) : undefined) ?? RULES_BEFORE_VERSIONING,
      pageContext: () => {
        // One token per response: the cookie and every form of the page must carry the same one.
        csrfToken ??= this.csrf.token(req, res);
        return { lang, csrfToken, user: session ? { name: session.name, staff: session.kind === 'staff' } : null, path: req.originalUrl };
      },
      render: (title, main, status = 200) => {
        res.status(status).type('html').send(page(ctx.pageContext(), title, main).toString());
      },
      startSession: (s) => {
        session = s;
        writeSession(res, s, this.cookies);
      },
      endSession: () => {
        session = null;
        clearSession(res, this.cookies);
      },
    };
    return ctx;
  }
}

/** Maps an API failure the page does not handle itself to what the user should see. */
export function throwUnlessOk(r: ApiResponse): void {
  if (r.status < 400) return;
  if (r.status === 401) throw new SignedOut();
  if (r.status === 404 || r.status === 403) throw new PageError(404, 'error.notFound');
  if (r.status === 429) throw new PageError(429, 'error.rateLimited');
  if (r.status === 503) throw new PageError(503, 'error.unavailable');
  throw new PageError(r.status >= 500 ? 500 : r.status, 'error.generic');
}

/** Field errors from an API 400 (`details: [{ path, message }]`), by field name. */
export function fieldErrorsOf(r: ApiResponse): Record<string, string> {
  const out: Record<string, string> = {};
  const details = r.error?.details;
  if (Array.isArray(details)) {
    for (const d of details as { path?: unknown; message?: unknown }[]) {
      if (typeof d.path === 'string' && typeof d.message === 'string' && !(d.path in out)) out[d.path] = d.message;
    }
  }
  return out;
}

/** Thrown by a page once it has answered itself (a redirect, a re-rendered form): nothing more to do. */
export class Handled extends Error {}

/** Wraps a page or form handler so that `Handled` ends it quietly. */
export const handled = (fn: (ctx: Ctx) => void | Promise<void>) => async (ctx: Ctx) => {
  try {
    await fn(ctx);
  } catch (err) {
    if (!(err instanceof Handled)) throw err;
  }
};
