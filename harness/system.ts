// The whole Parcours system as separate processes, for benchmarks, chaos runs and the cluster profile
// test: the Temporal dev server on a database file (or the real Temporal server on PostgreSQL,
// `temporal: 'cluster'`), a real SMTP capture, the care workers and the mail relay (forked, so they can
// be killed and measured) and the API instances (`dist/api/main.js`) on free ports, with a fresh SQLite
// file (or a given PostgreSQL database). Needs the TypeScript build (`npm run build`), which
// `./temporal-dev.sh setup` makes.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot } from '../lib/databaseUrl';
import { createDb, type Db } from '../lib/db';
import { migrate } from '../lib/migrations';
import { dataConverterFor, FAILURE_CONVERTER_PATH, keksEnv, randomKeyConfig } from '../lib/payloadCrypto';
import { bundleCareWorkflows } from '../lib/workflowBundle';
import { startDevServer, type TemporalServer } from './devServer';
import { freePort } from './ports';
import { dieWithThisProcess, stopChild } from './processes';
import { startSmtpCapture, type SmtpCapture } from './smtpCapture';
import { startTemporalCluster } from './temporalCluster';
import type { MemoryReport } from './workerProcess';

export interface ApiHandle {
  /** `http://127.0.0.1:<port>`, the same after a restart. */
  readonly baseUrl: string;
  readonly pid: number;
  /** SIGKILL: requests in flight are cut, new connections are refused until start(). */
  kill(): Promise<void>;
  /** Starts the process again on the same port (after a kill); resolves once /health answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerHandle {
  readonly pid: number;
  /** SIGKILL: no shutdown, in-flight tasks are lost and retried by the server. */
  kill(): Promise<void>;
  /** Starts a fresh worker process (after a kill). */
  start(): Promise<void>;
  memory(): Promise<MemoryReport>;
  stop(): Promise<void>;
}

export interface System {
  /** The first API instance's URL (also PUBLIC_BASE_URL: emailed links point there). */
  baseUrl: string;
  /** Every API instance's URL, in the order of `apis`. */
  baseUrls: string[];
  temporalAddress: string;
  taskQueue: string;
  webhookSecret: string;
  /** The Temporal server: the dev server, or the real server with `temporal: 'cluster'` (the name is kept for the bench and chaos runs). */
  devServer: TemporalServer;
  smtp: SmtpCapture;
  /** The first care worker (`workers[0]`). */
  worker: WorkerHandle;
  /** Every care worker, all on the same task queue. */
  workers: WorkerHandle[];
  /** The mail relay's process (workers/mailRelay.ts). */
  relay: WorkerHandle;
  /** The first API process's PID (`apis[0].pid`). */
  readonly apiPid: number;
  apis: ApiHandle[];
  /** The API instances' log file (errors only). */
  apiLog: string;
  db: Db;
  client: Client;
  /** The environment the worker and API run with (e.g. for `dist/scripts/staffAdd.js`). */
  env: Record<string, string>;
  /** Starts another worker on its own task queue: the benchmark's baseline. */
  startBareWorker(taskQueue: string): Promise<WorkerHandle>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Working directory (databases, documents, bundles); created if missing. */
  dir: string;
  /** Extra environment for the worker and API, e.g. `PATHWAY_*` durations. */
  env?: Record<string, string>;
  /** Called when the SMTP server gets a MAIL FROM (an email activity is mid-send). */
  onMailFrom?: () => void;
  /** Called when the mail relay has recorded an email as sent: its outbox key, when the mail server's acceptance reached it and when it was recorded (ms). */
  onEmailMarked?: (key: string, acceptedAt: number, at: number) => void;
  /** Called when the care worker's event loop was held up over 100 ms (in the second before `at`). */
  onWorkerStall?: (at: number, ms: number) => void;
  /** Encrypt Temporal payloads (default). Off only to measure what encryption costs (the bench's `--encryption off`). */
  encryption?: boolean;
  /** `dev` (default): the CLI's dev server on a file; `cluster`: the real Temporal server on fresh PostgreSQL databases (dropped on stop). */
  temporal?: 'dev' | 'cluster';
  /** Parcours' database: a `postgresql://` URL of an empty database, migrated here (default: a fresh SQLite file in `dir`). */
  databaseUrl?: string;
  /** Care worker processes (default 1). */
  careWorkers?: number;
  /** API processes, each on its own port (default 1). */
  apiInstances?: number;
}

const dist = (...parts: string[]) => {
  const file = path.join(projectRoot(), 'dist', ...parts);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build (or ./temporal-dev.sh setup) first.`);
  return file;
};

export async function startSystem(opts: SystemOptions): Promise<System> {
  const root = projectRoot();
  fs.mkdirSync(opts.dir, { recursive: true });
  const databaseUrl = opts.databaseUrl ?? `file:${path.join(opts.dir, 'parcours.db')}`;
  if (opts.databaseUrl) await migrate(databaseUrl);
  else execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: 'pipe' });
  const careBundle = path.join(opts.dir, 'care-bundle.js');
  const bareBundle = path.join(opts.dir, 'bare-bundle.js');
  const failureConverterPath = FAILURE_CONVERTER_PATH;
  fs.writeFileSync(careBundle, await bundleCareWorkflows({ workflowsPath: path.join(root, 'workflows', 'index.ts') }));
  fs.writeFileSync(bareBundle, (await bundleWorkflowCode({ workflowsPath: path.join(root, 'bench', 'bareWorkflow.ts'), failureConverterPath, logger: quietLogger })).code);
  // The system's own key-encryption key, handed to every process it starts.
  const payloadKeys = randomKeyConfig();

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const devServer: TemporalServer = opts.temporal === 'cluster'
      ? await startTemporalCluster({ logFile: path.join(opts.dir, 'temporal-server.log') })
      : await startDevServer({ dbFilename: path.join(opts.dir, 'temporal.db') });
    stoppers.push(() => devServer.stop());
    // Acknowledges at once, as a mail server does: the runs under load measure the sender's window.
    const smtp = await startSmtpCapture({ onMailFrom: opts.onMailFrom, acknowledgeAtOnce: true });
    stoppers.push(() => smtp.close());
    const apiPorts: number[] = [];
    for (let i = 0; i < (opts.apiInstances ?? 1); i++) apiPorts.push(await freePort());
    const baseUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    const baseUrl = baseUrls[0];
    const taskQueue = `parcours-${crypto.randomUUID().slice(0, 8)}`;
    const webhookSecret = crypto.randomBytes(32).toString('hex');
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...keksEnv(payloadKeys),
      PAYLOAD_ENCRYPTION: opts.encryption === false ? 'off' : 'on',
      DATABASE_URL: databaseUrl,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: 'Parcours <international@parcours.test>',
      AUTH_SECRET: crypto.randomBytes(32).toString('hex'),
      PAYMENT_WEBHOOK_SECRET: webhookSecret,
      DOCUMENTS_DIR: path.join(opts.dir, 'documents'),
      PUBLIC_BASE_URL: baseUrl,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPorts[0]),
      LOG_LEVEL: 'error',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      RATE_LIMIT_AUTH_PER_15_MIN: '1000000',
      RATE_LIMIT_UPLOADS_PER_MIN: '1000000',
      ...opts.env,
    };
    const workers: WorkerHandle[] = [];
    for (let i = 0; i < (opts.careWorkers ?? 1); i++) {
      const worker = workerHandle('care', careBundle, env, { onWorkerStall: opts.onWorkerStall });
      await worker.start();
      stoppers.push(() => worker.stop());
      workers.push(worker);
    }
    const relay = workerHandle('relay', '', env, { onEmailMarked: opts.onEmailMarked });
    await relay.start();
    stoppers.push(() => relay.stop());

    // The APIs' log (errors only) is kept in the directory: a run's evidence when a request failed.
    const apiLog = path.join(opts.dir, 'api.log');
    const apis = apiPorts.map((port) => apiHandle({ ...env, API_PORT: String(port) }, apiLog));
    for (const api of apis) {
      await api.start();
      stoppers.push(() => api.stop());
    }

    const db = createDb(databaseUrl);
    stoppers.push(() => db.$disconnect());
    const connection = await Connection.connect({ address: devServer.address });
    stoppers.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor({ payloadKeys, payloadEncryption: opts.encryption !== false }, db) });

    return {
      baseUrl, baseUrls, temporalAddress: devServer.address, taskQueue, webhookSecret, devServer, smtp, worker: workers[0], workers, relay, apis, apiLog, db, client, env,
      get apiPid() {
        return apis[0].pid;
      },
      async startBareWorker(queue) {
        const bare = workerHandle('bare', bareBundle, { ...env, TEMPORAL_TASK_QUEUE: queue });
        await bare.start();
        stoppers.push(() => bare.stop());
        return bare;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The care worker's Node flags, as `./temporal-dev.sh` and `npm run start:worker` give them. */
const workerNodeFlags = (): string[] => fs.readFileSync(path.join(projectRoot(), 'workers', 'node-flags'), 'utf8').trim().split(/\s+/);

function workerHandle(mode: 'care' | 'bare' | 'relay', bundle: string, env: Record<string, string>, watch: Pick<SystemOptions, 'onEmailMarked' | 'onWorkerStall'> = {}): WorkerHandle {
  let child: ChildProcess | undefined;
  return {
    get pid() {
      return child?.pid ?? 0;
    },
    async start() {
      // The care worker runs with the Node flags it is deployed with (workers/node-flags).
      const execArgv = mode === 'care' ? [...process.execArgv, ...workerNodeFlags()] : process.execArgv;
      const started = fork(dist('harness', 'workerProcess.js'), [mode], { execArgv, env: { ...process.env, ...env, ...(bundle ? { PARCOURS_WORKFLOW_BUNDLE: bundle } : {}) }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      child = started;
      dieWithThisProcess(started);
      let stderr = '';
      started.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      started.on('message', (m) => {
        const { emailMarked, loopStall } = m as { emailMarked?: { key: string; acceptedAt: number; at: number }; loopStall?: { at: number; ms: number } };
        if (emailMarked) watch.onEmailMarked?.(emailMarked.key, emailMarked.acceptedAt, emailMarked.at);
        if (loopStall) watch.onWorkerStall?.(loopStall.at, loopStall.ms);
      });
      await new Promise<void>((resolve, reject) => {
        started.on('message', (m) => (m as { ready?: boolean }).ready && resolve());
        started.once('exit', (code) => reject(new Error(`The ${mode} worker exited (${code}) before it was ready: ${stderr}`)));
      });
    },
    async kill() {
      if (child) await stopChild(child, 'SIGKILL');
    },
    memory() {
      const c = child;
      if (!c?.connected) return Promise.reject(new Error(`The ${mode} worker is not running.`));
      return new Promise((resolve) => {
        const onMessage = (m: unknown) => {
          const report = (m as { memory?: MemoryReport }).memory;
          if (!report) return;
          c.off('message', onMessage);
          resolve(report);
        };
        c.on('message', onMessage);
        c.send('memory');
      });
    },
    async stop() {
      if (child) await stopChild(child);
    },
  };
}

function apiHandle(env: Record<string, string>, log: string): ApiHandle {
  const baseUrl = `http://127.0.0.1:${env.API_PORT}`;
  let child: ChildProcess | undefined;
  return {
    baseUrl,
    get pid() {
      return child?.pid ?? 0;
    },
    async start() {
      const api = spawn(process.execPath, [dist('api', 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', fs.openSync(log, 'a'), 'pipe'] });
      child = api;
      let stderr = '';
      api.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
        fs.appendFileSync(log, d);
      });
      dieWithThisProcess(api);
      await waitUntil(async () => {
        if (api.exitCode !== null || api.signalCode !== null) throw new ExitedError(`The API on ${baseUrl} exited (${api.exitCode ?? api.signalCode}) before it answered: ${stderr}`);
        return (await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) })).ok;
      }, 60_000, () => `The API did not answer on ${baseUrl}/health within 60 s: ${stderr}`);
    },
    async kill() {
      if (child) await stopChild(child, 'SIGKILL');
    },
    async stop() {
      if (child) await stopChild(child);
    },
  };
}

/** The process being waited for is gone: waiting longer is pointless. */
class ExitedError extends Error {}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      if (err instanceof ExitedError) throw err;
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ctrl-C (or SIGTERM) stops the system it started before exiting: nothing is left running. */
export function stopOnSignal(stop: () => Promise<unknown>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the system…\n`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** CPU time (user + system) a process used so far, in seconds (Linux /proc); 0 if it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The machine's cumulative CPU time by state, in seconds (Linux /proc/stat). */
export function machineCpuSeconds(): { busy: number; iowait: number; idle: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / 100, iowait: iowait / 100, idle: idle / 100 };
}

/** Resident set size of a process (Linux /proc), in bytes; 0 if it is gone. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m) };
