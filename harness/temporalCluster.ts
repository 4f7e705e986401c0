// The real Temporal server (the cluster profile of `./temporal-dev.sh cluster`: go.temporal.io/server
// built from its Go module, deploy/temporal/config/cluster.yaml) on two fresh PostgreSQL databases,
// for tests and benchmarks. Its ports, the databases' names and the history shards come from the
// environment the config reads; the databases are created, migrated with temporal-sql-tool, and
// dropped on stop. It restarts on the same ports and databases, keeping its state, as a DevServer does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { Client as PgClient } from 'pg';
import { projectRoot } from '../lib/databaseUrl';
import { searchAttributes } from '../workflows/definitions';
import type { TemporalServer } from './devServer';
import { lowFreePort } from './ports';
import { dieWithThisProcess, stopChild } from './processes';

/** `address` is the frontend's (gRPC); stop() also drops the databases; restart() keeps the same ports and databases. */
export interface TemporalCluster extends TemporalServer {
  /** The two databases it runs on (dropped by stop()). */
  databases: { store: string; visibility: string };
}

export interface TemporalClusterOptions {
  /** A maintenance database of the PostgreSQL server the databases are created from (default: the machine's, postgres@127.0.0.1:5432). */
  pgAdminUrl?: string;
  /** The server's own log (stdout and stderr) is appended here when set. */
  logFile?: string;
  /** Default 4, as `./temporal-dev.sh cluster`. */
  historyShards?: number;
}

const DEFAULT_ADMIN_URL = process.env.PARCOURS_TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const READY_WITHIN_MS = 90_000;
const CALL_DEADLINE_MS = 5_000;
const SQL_TOOL_TIMEOUT_MS = 120_000;
const run = promisify(execFile);

/** The binaries `./temporal-dev.sh setup` builds into .temporal/bin, or a clear error. */
export function clusterBinaries(): { server: string; sqlTool: string } {
  const bin = path.join(projectRoot(), '.temporal', 'bin');
  const found = { server: path.join(bin, 'temporal-server'), sqlTool: path.join(bin, 'temporal-sql-tool') };
  const missing = Object.values(found).filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`The Temporal server binaries are missing (${missing.join(', ')}): run ./temporal-dev.sh setup, which builds them from their Go module.`);
  return found;
}

/** The server's version, read from temporal-dev.sh (the one place it is set). */
export function temporalServerVersion(): string {
  const script = fs.readFileSync(path.join(projectRoot(), 'temporal-dev.sh'), 'utf8');
  const version = /^TEMPORAL_SERVER_VERSION="(v[\d.]+)"/m.exec(script)?.[1];
  if (!version) throw new Error('temporal-dev.sh no longer sets TEMPORAL_SERVER_VERSION="vX.Y.Z": harness/temporalCluster.ts reads the server version from it.');
  return version;
}

/** The PostgreSQL schema files of the server's Go module (fetched by `go install` of the server). */
async function schemaDir(): Promise<string> {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  let modCache: string;
  try {
    modCache = (await run('go', ['env', 'GOMODCACHE'], { env, timeout: 30_000 })).stdout.trim();
  } catch (err) {
    throw new Error(`Cannot ask Go where its module cache is (go env GOMODCACHE: ${(err as Error).message}): install Go at /usr/local/go and run ./temporal-dev.sh setup.`, { cause: err });
  }
  const dir = path.join(modCache, `go.temporal.io/server@${temporalServerVersion()}`, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(dir)) throw new Error(`The Temporal schema files are missing at ${dir}: run ./temporal-dev.sh setup (building the server fetches them).`);
  return dir;
}

async function withPg<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function startTemporalCluster(opts: TemporalClusterOptions = {}): Promise<TemporalCluster> {
  const { server, sqlTool } = clusterBinaries();
  const schemas = await schemaDir();
  const adminUrl = opts.pgAdminUrl ?? DEFAULT_ADMIN_URL;
  const admin = new URL(adminUrl);
  const suffix = crypto.randomBytes(5).toString('hex');
  const databases = { store: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` };
  const drop = () => withPg(adminUrl, async (c) => {
    for (const db of Object.values(databases)) await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });

  try {
    await withPg(adminUrl, async (c) => {
      for (const db of Object.values(databases)) await c.query(`CREATE DATABASE "${db}"`);
    });
  } catch (err) {
    throw new Error(`Cannot create the Temporal databases on ${admin.host} (PostgreSQL at 127.0.0.1:5432 with user postgres, or PARCOURS_TEST_POSTGRES_URL, must let this user create databases): ${(err as Error).message}`, { cause: err });
  }
  try {
    const pg = ['--plugin', 'postgres12', '--ep', admin.hostname, '-p', admin.port || '5432', '-u', decodeURIComponent(admin.username || 'postgres'), ...(admin.password ? ['--pw', decodeURIComponent(admin.password)] : [])];
    for (const [db, dir] of [[databases.store, 'temporal'], [databases.visibility, 'visibility']] as const) {
      for (const args of [['setup-schema', '-v', '0.0'], ['update-schema', '-d', path.join(schemas, dir, 'versioned')]]) {
        try {
          await run(sqlTool, [...pg, '--db', db, ...args], { timeout: SQL_TOOL_TIMEOUT_MS });
        } catch (err) {
          const e = err as Error & { stderr?: string };
          throw new Error(`temporal-sql-tool ${args[0]} of ${db} failed: ${(e.stderr || e.message).slice(-1500)}`, { cause: err });
        }
      }
    }

    const taken = new Set<number>();
    const port = async () => lowFreePort(taken);
    const ports = {
      TEMPORAL_PORT: await port(), TEMPORAL_HTTP_PORT: await port(), TEMPORAL_HISTORY_PORT: await port(), TEMPORAL_MATCHING_PORT: await port(), TEMPORAL_WORKER_PORT: await port(),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: await port(), TEMPORAL_HISTORY_MEMBERSHIP_PORT: await port(), TEMPORAL_MATCHING_MEMBERSHIP_PORT: await port(), TEMPORAL_WORKER_MEMBERSHIP_PORT: await port(),
    };
    const address = `127.0.0.1:${ports.TEMPORAL_PORT}`;
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await port()}`,
      TEMPORAL_DB: databases.store, TEMPORAL_VISIBILITY_DB: databases.visibility,
      TEMPORAL_PG_ADDRESS: `${admin.hostname}:${admin.port || '5432'}`, TEMPORAL_PG_USER: decodeURIComponent(admin.username || 'postgres'), TEMPORAL_PG_PASSWORD: decodeURIComponent(admin.password),
      TEMPORAL_NUM_HISTORY_SHARDS: String(opts.historyShards ?? 4), TEMPORAL_LOG_LEVEL: 'error',
    };
    const args = ['--root', '.', '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'];
    let current = await launch(server, args, env, address, opts.logFile);
    await setUpNamespace(address);
    return {
      address, databases,
      get pid() {
        return current.pid;
      },
      async stop() {
        await current.stop();
        await drop();
      },
      async restart() {
        await current.stop();
        current = await launch(server, args, env, address, opts.logFile);
      },
    };
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
}

interface Running {
  pid: number;
  stop(): Promise<void>;
}

async function launch(server: string, args: string[], env: Record<string, string>, address: string, logFile?: string): Promise<Running> {
  // The dynamic config's path is resolved from the working directory, as temporal-dev.sh starts it.
  const child: ChildProcess = spawn(server, args, { cwd: path.join(projectRoot(), 'deploy', 'temporal'), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  dieWithThisProcess(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
    if (logFile) fs.appendFileSync(logFile, d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () => stopChild(child, 'SIGTERM', 20_000);
  try {
    await until(READY_WITHIN_MS, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Fatal(`The Temporal server exited (${child.exitCode ?? child.signalCode}): ${output}`);
      await withConnection(address, (c) => c.workflowService.getSystemInfo({}));
    }, () => `The Temporal server did not answer on ${address} within ${READY_WITHIN_MS / 1000} s: ${output}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid!, stop };
}

const INDEXED: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** The `default` namespace and Parcours' search attributes; ready once a namespaced call succeeds (the server's namespace cache refreshes every 10 s). */
async function setUpNamespace(address: string): Promise<void> {
  const wanted = Object.values(searchAttributes);
  await until(READY_WITHIN_MS, () => withConnection(address, async (c) => {
    try {
      await c.workflowService.registerNamespace({ namespace: 'default', workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(7 * 86_400) } });
    } catch (err) {
      if ((err as { code?: number }).code !== 6) throw err; // 6: ALREADY_EXISTS (a retry after a lost answer)
    }
  }), () => `The Temporal server on ${address} did not create the namespace default within ${READY_WITHIN_MS / 1000} s.`);
  await until(READY_WITHIN_MS, () => withConnection(address, async (c) => {
    const have = (await c.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {};
    const missing = wanted.filter((k) => !(k.name in have));
    if (missing.length) {
      await c.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]!])) });
      throw new Error(`search attributes just added: ${missing.map((k) => k.name).join(', ')}`);
    }
    // A call through the namespace cache: workers and clients can use the namespace.
    await c.workflowService.countWorkflowExecutions({ namespace: 'default', query: '' });
  }), () => `The Temporal server on ${address} did not register Parcours' search attributes within ${READY_WITHIN_MS / 1000} s.`);
}

async function withConnection<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    return await connection.withDeadline(Date.now() + CALL_DEADLINE_MS, () => fn(connection));
  } finally {
    await connection.close();
  }
}

/** An error `until` does not retry. */
class Fatal extends Error {}

async function until(timeoutMs: number, attempt: () => Promise<unknown>, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (err instanceof Fatal) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${failure()} (last error: ${last instanceof Error ? last.message : String(last)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
