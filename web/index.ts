// Builds the web front end for the API's Express app (mounted in api/app.ts).
import type express from 'express';
import type { AppConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import { inProcessApi } from './apiClient';
import { Portal } from './portal';
import { registerPatientRoutes } from './routes/patient';
import { registerStaffRoutes } from './routes/staff';

export function createPortal(app: express.Express, deps: { config: AppConfig; logger: Logger }): express.Router {
  // The pages call the API through the very app they are mounted on (see web/apiClient.ts).
  const portal = new Portal({ config: deps.config, logger: deps.logger, dispatch: inProcessApi(app) });
  portal.assets();
  registerPatientRoutes(portal, { fakePaymentProvider: deps.config.payments.fakeProvider, webhookSecret: deps.config.payments.webhookSecret });
  registerStaffRoutes(portal, { temporalUiUrl: deps.config.temporal.uiUrl, namespace: deps.config.temporal.namespace, rules: deps.config.rules });
  portal.errorPages();
  return portal.router;
}
