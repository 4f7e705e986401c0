// The whole Parcours stack in the test process against real parts: the dev server from global
// setup, a worker on its own task queue, a fresh SQLite file, a real SMTP capture and the API app.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Transporter } from 'nodemailer';
import { createTransport } from '../../activities/email';
import type { ActivityDeps } from '../../activities';
import { createApp } from '../../api/app';
import { createDb, type Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { createCareWorker } from '../../workers/careWorker';
import { startSmtpCapture, type SmtpCapture } from './smtpCapture';

let runtimeInstalled = false;

export interface Stack {
  app: Express;
  client: Client;
  db: Db;
  smtp: SmtpCapture;
  taskQueue: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  afterEmailSent?: ActivityDeps['afterEmailSent'];
}

/** Claims the next free block number for this test run (atomic: `wx` fails if another file took it). */
function claimReferenceBlock(): number {
  for (let n = 1; ; n++) {
    try {
      fs.closeSync(fs.openSync(path.join(env('PARCOURS_TEST_DIR'), `reference-block-${n}`), 'wx'));
      return n;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (npm test), whose global setup starts the Temporal server.`);
  return value;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (!runtimeInstalled) {
    // Only errors: the tests fail activities on purpose, and their warnings would drown the output.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const address = env('PARCOURS_TEST_TEMPORAL_ADDRESS');
  const id = crypto.randomUUID().slice(0, 8);
  const dbFile = path.join(env('PARCOURS_TEST_DIR'), `test-${id}.db`);
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), dbFile);
  const db = createDb(`file:${dbFile}`);
  // Test files share one Temporal server but each has its own database: give each its own block of
  // references so workflow IDs (case-<reference>) never collide across files.
  await db.referenceCounter.create({ data: { year: new Date().getUTCFullYear(), last: claimReferenceBlock() * 1000 } });
  const smtp = await startSmtpCapture();
  const transport: Transporter = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'Parcours Test <international@parcours.test>' });
  const taskQueue = `test-${id}`;

  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createCareWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE'),
    activityDeps: { db, transport, mailFrom: 'Parcours Test <international@parcours.test>', publicBaseUrl: 'http://parcours.test', afterEmailSent: opts.afterEmailSent },
  });
  const running = worker.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const app = createApp({
    db,
    client,
    logger: createLogger('silent', 'api'),
    taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://temporal-ui.test',
    jsonBodyLimit: '100kb',
  });

  return {
    app,
    client,
    db,
    smtp,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      transport.close();
      await smtp.close();
      await db.$disconnect();
    },
  };
}
