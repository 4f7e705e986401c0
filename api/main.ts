// API process entry: `npm run start:api` (started by ./temporal-dev.sh).
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { createDb, useWriteAheadLog } from '../lib/db';
import { createLogger } from '../lib/logger';
import { dataConverterFor } from '../lib/payloadCrypto';
import { createApp } from './app';
import { serveMetrics } from './metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const connection = await Connection.connect({ address: config.temporal.address }).catch((err: unknown) => {
    throw new Error(`Cannot reach the Temporal server at ${config.temporal.address} (${String(err)}). Start it with ./temporal-dev.sh server, or set TEMPORAL_ADDRESS.`);
  });
  const db = createDb(config.databaseUrl);
  await useWriteAheadLog(db);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config, db) });
  const { app, metrics } = createApp({ db, client, logger, config });
  // Metrics on their own address (never the public port); the failing-task count only where scraped.
  const metricsServer = config.metrics.address ? await serveMetrics(metrics.registry, config.metrics.address, logger) : undefined;
  const scan = metricsServer ? metrics.scanFailingTasks(client, { taskQueue: config.temporal.taskQueue, everyMs: config.metrics.blockedScanEveryMs, callTimeoutMs: config.temporal.callTimeoutMs, logger }) : undefined;
  if (config.metrics.address) logger.info({ url: `http://${config.metrics.address}/metrics` }, 'metrics served');
  const server = app.listen(config.api.port, config.api.host);
  server.on('error', (err: NodeJS.ErrnoException) => {
    const reason = err.code === 'EADDRINUSE' ? `port ${config.api.port} is already in use: stop the other process or set API_PORT` : err.message;
    console.error(`The API cannot listen on ${config.api.host}:${config.api.port}: ${reason}.`);
    process.exit(1);
  });
  server.on('listening', () => logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'API listening'));
  const stop = () => {
    scan?.stop();
    metricsServer?.close();
    server.close(() => {
      void Promise.all([db.$disconnect(), connection.close()]).then(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
