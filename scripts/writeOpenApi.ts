// `npm run openapi`: writes docs/openapi.json from the routes' declarations. A test fails when the
// committed file and the routes disagree, so the published contract never drifts.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { buildOpenApiDocument } from '../api/openapi';
import { loadConfig } from '../lib/config';
import { projectRoot } from '../lib/databaseUrl';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { dataConverterFor } from '../lib/payloadCrypto';

const OPENAPI_FILE = path.join(projectRoot(), 'docs', 'openapi.json');

async function main(): Promise<void> {
  // Nothing connects: the lazy connection and database are only needed to build the routes.
  const config = loadConfig({ ...process.env, AUTH_SECRET: 'x'.repeat(32), PAYMENT_WEBHOOK_SECRET: 'x'.repeat(32) });
  const connection = Connection.lazy({ address: config.temporal.address });
  const db = createDb(config.databaseUrl);
  const { routes } = createApp({ db, client: new Client({ connection, dataConverter: dataConverterFor(config, db) }), config, logger: createLogger('silent', 'openapi') });
  fs.writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApiDocument(routes), null, 2)}\n`);
  await db.$disconnect();
  console.log(`Wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}

void main();
