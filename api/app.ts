// The Express application: thin by design. It authenticates, validates and authorizes, then starts
// workflows, signals or updates them and answers from their queries; pathway rules live in the workflow.
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { createEmailActivities } from '../activities/email';
import type { AppConfig } from '../lib/config';
import type { Db } from '../lib/db';
import { errorForLog, type Logger } from '../lib/logger';
import { createPortal } from '../web';
import { AuditLog } from './audit';
import { Accounts } from './auth/accounts';
import { authenticate } from './auth/principal';
import { TokenService } from './auth/tokens';
import { CaseAccess } from './caseAccess';
import { errorMessages } from './errorMessages';
import { ApiError, errorHandler, notFoundHandler } from './errors';
import { buildOpenApiDocument } from './openapi';
import { limiter } from './rateLimits';
import { ApiRoutes } from './routing';
import { registerAuditRoutes } from './routes/audit';
import { registerExportRoutes } from './routes/export';
import { registerAuthRoutes } from './routes/auth';
import { registerCaseRoutes } from './routes/cases';
import { registerDocumentRoutes } from './routes/documents';
import { registerPathwayRoutes } from './routes/pathway';
import { registerPaymentRoutes } from './routes/payments';
import { registerRefundRoutes } from './routes/refunds';
import { registerRulesRoutes } from './routes/rules';
import { registerStaffRoutes } from './routes/staff';
import { registerTreatmentRoutes } from './routes/treatment';
import { registerWorklistRoutes } from './routes/worklist';
import { registerMessageRoutes } from './routes/messages';
import { IDENTITY_CODEC, registerCodecRoutes, sessionCookieAsBearer } from './routes/codec';
import cookieParser from 'cookie-parser';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { z } from './schemas/common';

export interface AppDeps {
  db: Db;
  client: Client;
  logger: Logger;
  /** Called when the API queued an email (e.g. a sign-in link): wakes a mail relay in the same process. */
  onEmailQueued?: () => void;
  config: AppConfig;
}

export interface App {
  app: express.Express;
  routes: ApiRoutes;
  accounts: Accounts;
  /** Prometheus metrics of this app (api/metrics.ts): api/main.ts serves them on METRICS_ADDRESS. */
  metrics: ApiMetrics;
}

export function createApp(deps: AppDeps): App {
  const { db, client, config } = deps;
  const sendEmail = createEmailActivities({ db, from: config.smtp.from, publicBaseUrl: config.api.publicBaseUrl, onQueued: deps.onEmailQueued }).sendEmail;
  const audit = new AuditLog(db);
  const tokens = new TokenService(config.auth.secret, config.auth.accessTokenTtlSeconds);
  const accounts = new Accounts({ db, tokens, sendEmail, audit, publicBaseUrl: config.api.publicBaseUrl, refreshTokenTtlDays: config.auth.refreshTokenTtlDays });
  const access = new CaseAccess(db, audit, client, deps.logger);
  const metrics = createApiMetrics(db);
  const authLimit = limiter(db, 'sign-in or account', 15 * 60_000, config.auth.rateLimitPer15Min);

  // Every Temporal call a request makes shares one deadline (updates poll until it, then answer 503).
  const routes = new ApiRoutes({ around: (fn) => client.withDeadline(Date.now() + config.temporal.callTimeoutMs, fn) });
  routes.add({
    method: 'get', path: '/health', tag: 'Service', access: 'public',
    summary: 'Liveness: database and workflow service reachable',
    responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
    handler: async (_req, res) => {
      try {
        await db.$queryRaw`SELECT 1`;
        await client.workflowService.getSystemInfo({});
      } catch {
        throw new ApiError(503, 'dependency_unavailable', errorMessages.dependency_unavailable());
      }
      res.json({ status: 'ok' });
    },
  });
  registerAuthRoutes(routes, accounts, authLimit);
  registerCaseRoutes(routes, { db, client, access, taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, temporalUiUrl: config.temporal.uiUrl, publicBaseUrl: config.api.publicBaseUrl, timings: config.pathwayTimings, rules: config.rules });
  registerDocumentRoutes(routes, { db, client, access, uploads: config.uploads });
  registerPathwayRoutes(routes, { db, client, access });
  registerTreatmentRoutes(routes, { db, client, access });
  registerPaymentRoutes(routes, { db, client, access, logger: deps.logger, webhookSecret: config.payments.webhookSecret });
  registerWorklistRoutes(routes, { db, audit });
  registerRefundRoutes(routes, { db, client, access, audit });
  registerAuditRoutes(routes, { db, audit });
  registerExportRoutes(routes, { db, audit, documentsDir: config.uploads.documentsDir });
  registerStaffRoutes(routes, { db });
  registerRulesRoutes(routes, { rules: config.rules });
  registerMessageRoutes(routes, { db, client, access });
  registerCodecRoutes(routes, { db, audit, codec: client.options.loadedDataConverter.payloadCodecs[0] ?? IDENTITY_CODEC });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Method, path and status only: headers, query strings and bodies may hold tokens or health data.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: errorForLog,
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  // Browsers may call the API only from configured origins (none by default: same origin only).
  // The codec server answers the Temporal UI only, with its credentials (api/routes/codec.ts).
  app.use('/codec', cors({ origin: config.codecOrigins, credentials: true, methods: ['POST'], allowedHeaders: ['Content-Type', 'Authorization', 'X-Namespace'], maxAge: 600 }));
  app.use(cors({ origin: config.corsOrigins, credentials: false, exposedHeaders: ['X-Request-Id', 'Location'] }));
  const openApi = buildOpenApiDocument(routes);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  // The docs page needs swagger-ui's own scripts and styles; the rest of the API keeps helmet's strict defaults.
  app.use('/docs', helmet({ contentSecurityPolicy: false }), swaggerUi.serve, swaggerUi.setup(openApi));
  app.use(helmet());
  // The raw bytes are kept for signature checks (payment webhook): the signature covers them exactly.
  app.use(
    express.json({
      limit: config.api.jsonBodyLimit,
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buf;
      },
    }),
  );
  // The Temporal UI calls the codec server with the console's session cookie, not a bearer token.
  app.use('/codec', cookieParser(), sessionCookieAsBearer);
  app.use(authenticate(db, tokens));
  // The web portal (web/): pages for browsers (Accept: text/html) and its /portal/ form targets; the JSON API answers everything else.
  app.use(createPortal(app, { config, logger: deps.logger }));
  app.use(routes.router);
  app.use(notFoundHandler);
  app.use(errorHandler((err, reqId) => deps.logger.error({ err, reqId }, 'unhandled error')));
  return { app, routes, accounts, metrics };
}
