// The Express application: thin by design. It validates, starts workflows and answers queries;
// pathway rules live in the workflow.
import type { Client } from '@temporalio/client';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import crypto from 'node:crypto';
import swaggerUi from 'swagger-ui-express';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { ApiError, errorHandler, notFoundHandler } from './errors';
import { buildOpenApiDocument } from './openapi';
import { casesRouter } from './routes/cases';

export interface AppDeps {
  db: Db;
  client: Client;
  logger: Logger;
  taskQueue: string;
  namespace: string;
  temporalUiUrl: string;
  jsonBodyLimit: string;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Method, path and status only: headers, query strings and bodies may hold tokens or health data.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
    }),
  );
  const openApi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  // The docs page needs swagger-ui's own scripts and styles; the rest of the API keeps helmet's strict defaults.
  app.use('/docs', helmet({ contentSecurityPolicy: false }), swaggerUi.serve, swaggerUi.setup(openApi));
  app.use(helmet());
  app.use(express.json({ limit: deps.jsonBodyLimit }));

  app.get('/health', async (_req, res) => {
    try {
      await deps.db.$queryRaw`SELECT 1`;
      await deps.client.workflowService.getSystemInfo({});
    } catch {
      throw new ApiError(503, 'dependency_unavailable', 'The database or the workflow service is not reachable.');
    }
    res.json({ status: 'ok' });
  });
  app.use('/cases', casesRouter({ db: deps.db, client: deps.client, taskQueue: deps.taskQueue, namespace: deps.namespace, temporalUiUrl: deps.temporalUiUrl }));

  app.use(notFoundHandler);
  app.use(errorHandler((err, reqId) => deps.logger.error({ err, reqId }, 'unhandled error')));
  return app;
}
