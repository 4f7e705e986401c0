// Worker process entry: `npm run start:worker` (started by ./temporal-dev.sh).
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createDb, useWriteAheadLog } from '../lib/db';
import { createLogger } from '../lib/logger';
import { dataConverterFor } from '../lib/payloadCrypto';
import { missingSearchAttributes } from '../lib/searchAttributes';
import { createCareWorker } from './careWorker';
import { installWorkerRuntime } from './telemetry';
import { activityDepsFrom } from '../activities';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'worker');
  installWorkerRuntime(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address }).catch((err: unknown) => {
    throw new Error(`Cannot reach the Temporal server at ${config.temporal.address} (${String(err)}). Start it with ./temporal-dev.sh server, or set TEMPORAL_ADDRESS.`);
  });
  // Refuse to start on a namespace without the search attributes the workflow sets (its tasks would fail).
  const client = await Connection.connect({ address: config.temporal.address });
  const missing = await missingSearchAttributes(client, config.temporal.namespace).finally(() => client.close());
  if (missing.length) {
    await connection.close();
    throw new Error(`The namespace "${config.temporal.namespace}" lacks search attributes the workflow sets. Register them, then start the worker again:\n${missing.join('\n')}`);
  }
  const db = createDb(config.databaseUrl);
  await useWriteAheadLog(db);
  try {
    const worker = await createCareWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      maxCachedWorkflows: config.temporal.maxCachedWorkflows,
      workflowHeapMb: config.temporal.workflowHeapMb,
      activityDeps: activityDepsFrom(config, db),
      dataConverter: dataConverterFor(config, db),
    });
    log.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await db.$disconnect();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
