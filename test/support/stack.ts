// The whole Parcours stack in the test process against real parts: the dev server from global
// setup, a worker on its own task queue, a fresh SQLite file (or a given database), a real SMTP capture
// and the API app.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Transporter } from 'nodemailer';
import { activityDepsFrom, type ActivityDeps } from '../../activities';
import { createTransport } from '../../activities/email';
import type { ApiMetrics } from '../../api/metrics';
import { createApp } from '../../api/app';
import type { Accounts } from '../../api/auth/accounts';
import type { ApiRoutes } from '../../api/routing';
import { loadConfig, type AppConfig } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { createLogger, type Logger } from '../../lib/logger';
import type { RulesRegistry } from '../../lib/rules';
import { createCareWorker } from '../../workers/careWorker';
import { dataConverterFor } from '../../lib/payloadCrypto';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtpCapture';
import { relayDepsFrom, startMailRelay } from '../../workers/mailRelay';

let runtimeInstalled = false;

export interface Stack {
  app: Express;
  routes: ApiRoutes;
  metrics: ApiMetrics;
  accounts: Accounts;
  client: Client;
  db: Db;
  smtp: SmtpCapture;
  config: AppConfig;
  taskQueue: string;
  stop(): Promise<void>;
}

/** A stack whose app also listens on a real port (for browser tests), closed by stop(). */
export interface ListeningStack extends Stack {
  /** `http://127.0.0.1:<port>`, without a trailing slash; also PUBLIC_BASE_URL, so emailed links point here. */
  baseUrl: string;
  server: http.Server;
}

export interface StackOptions {
  afterEmailQueued?: ActivityDeps['afterEmailQueued'];
  /** Extra environment for loadConfig (e.g. a low rate limit). */
  env?: Record<string, string>;
  logger?: Logger;
  /**
   * Also serve the app over HTTP on a free 127.0.0.1 port (for browser tests): the stack gets
   * `baseUrl`, and PUBLIC_BASE_URL (links in emails) is that URL unless `env` sets it.
   */
  listen?: boolean;
  /**
   * Run on an existing database file instead of a fresh one (e.g. a restored backup), with the task
   * queue of the workflows started before, so they go on; the reference counter is left as the file has it.
   */
  reuse?: { databaseFile: string; taskQueue: string };
  /**
   * Run on this database instead of a fresh SQLite file: e.g. a PostgreSQL database the test created
   * and migrated (test/support/postgres.ts). It must be empty: the stack sets its reference counter.
   */
  databaseUrl?: string;
  /** The published rules versions this deployment knows (default: config/rules/): e.g. one published since. */
  rules?: RulesRegistry;
  /**
   * Another Temporal server than the one global setup started (headless), e.g. a dev server a browser
   * test started with its Web UI (harness/devServer.ts `ui`); the test stops it after the stack.
   */
  temporal?: { address: string; uiUrl?: string };
}

/** Binds an HTTP server (no handler yet) on a free loopback port the OS picks: no race for the port. */
async function listenOnFreePort(): Promise<{ server: http.Server; baseUrl: string }> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections(); // a browser keeps connections alive; close() alone would wait for them
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
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

export async function startStack(opts: StackOptions & { listen: true }): Promise<ListeningStack>;
export async function startStack(opts?: StackOptions): Promise<Stack>;
export async function startStack(opts: StackOptions = {}): Promise<Stack | ListeningStack> {
  if (!runtimeInstalled) {
    // Only errors: the tests fail activities on purpose, and their warnings would drown the output.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const address = opts.temporal?.address ?? env('PARCOURS_TEST_TEMPORAL_ADDRESS');
  const id = crypto.randomUUID().slice(0, 8);
  const dir = path.join(env('PARCOURS_TEST_DIR'), `stack-${id}`);
  fs.mkdirSync(dir);
  if (opts.reuse && opts.databaseUrl) throw new Error('startStack: reuse and databaseUrl exclude each other.');
  const dbFile = opts.reuse?.databaseFile ?? path.join(dir, 'parcours.db');
  if (!opts.reuse && !opts.databaseUrl) fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), dbFile);
  const smtp = await startSmtpCapture();
  const listening = opts.listen ? await listenOnFreePort() : undefined;
  const taskQueue = opts.reuse?.taskQueue ?? `test-${id}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_UI_URL: opts.temporal?.uiUrl ?? 'http://temporal-ui.test',
    PUBLIC_BASE_URL: listening?.baseUrl ?? 'http://parcours.test',
    DATABASE_URL: opts.databaseUrl ?? `file:${dbFile}`,
    SMTP_PORT: String(smtp.port),
    MAIL_FROM: 'Parcours Test <international@parcours.test>',
    AUTH_SECRET: crypto.randomBytes(32).toString('hex'),
    PAYMENT_WEBHOOK_SECRET: crypto.randomBytes(32).toString('hex'),
    DOCUMENTS_DIR: path.join(dir, 'documents'),
    ADMISSION_TEAM_EMAIL: 'admissions@parcours.test',
    RATE_LIMIT_AUTH_PER_15_MIN: '1000',
    RATE_LIMIT_UPLOADS_PER_MIN: '1000',
    PARCOURS_KEKS: env('PARCOURS_TEST_KEKS'),
    ...opts.env,
  });
  if (opts.rules) config.rules = opts.rules;
  const db = createDb(config.databaseUrl);
  // Test files share one Temporal server but each has its own database: give each its own block of
  // references so workflow IDs (case-<reference>) never collide across files.
  if (!opts.reuse) await db.referenceCounter.create({ data: { year: new Date().getUTCFullYear(), last: claimReferenceBlock() * 1000 } });
  const transport: Transporter = createTransport(config.smtp);
  // The mail relay runs in the test process, woken whenever an email is queued, so mail goes out at once.
  // A short lease: a database restored from a backup holds the lease of the relay that ran then, and
  // the new relay waits for it to expire (60 s in production, 2 s here).
  const relay = startMailRelay({ ...relayDepsFrom(config, db, transport), pollMs: 100, leaseMs: 2_000 });

  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createCareWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundlePath: env('PARCOURS_TEST_WORKFLOW_BUNDLE'),
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
    workflowHeapMb: config.temporal.workflowHeapMb,
    activityDeps: { ...activityDepsFrom(config, db), onEmailQueued: relay.wake, afterEmailQueued: opts.afterEmailQueued },
    dataConverter: dataConverterFor(config, db),
  });
  const running = worker.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(config, db) });
  const { app, routes, accounts, metrics } = createApp({ db, client, onEmailQueued: relay.wake, config, logger: opts.logger ?? createLogger('silent', 'api') });
  listening?.server.on('request', app);

  return {
    ...listening,
    app,
    routes,
    accounts,
    metrics,
    client,
    db,
    smtp,
    config,
    taskQueue,
    async stop() {
      if (listening) await closeServer(listening.server);
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await relay.stop();
      transport.close();
      await smtp.close();
      await db.$disconnect();
    },
  };
}
