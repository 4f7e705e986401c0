// `npm run bench:profiles -- [--profiles dev,cluster] [--cases 50] [--out bench/results/profiles.json]`
//
// The same full treatment cases on each deployment profile, one after the other on this machine:
// - dev: the Temporal CLI's dev server on a SQLite file, one care worker, one API, Parcours on SQLite
//   (what `./temporal-dev.sh` runs);
// - cluster: the Temporal server on PostgreSQL (harness/temporalCluster.ts), two care workers, two API
//   instances, Parcours on PostgreSQL (what `./temporal-dev.sh cluster` runs).
// For each: throughput, latency (API call → state visible), CPU seconds per case by process, and
// history events and bytes per case. The phases are bench/bench.ts's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Http } from '../harness/http';
import { makeTeam } from '../harness/people';
import { cpuSecondsOf, machineCpuSeconds, startSystem, stopOnSignal, type System } from '../harness/system';
import { SCRIPT_TIMINGS } from '../harness/treatmentCase';
import { projectRoot } from '../lib/databaseUrl';
import { historyCosts, machine, registerMany, runPathway } from './bench';
import { round, table } from './stats';

const PROFILES = ['dev', 'cluster'] as const;
type Profile = (typeof PROFILES)[number];
const PG_ADMIN_URL = process.env.PARCOURS_TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
/** The target of issue #16: the cluster carries at least this many times the dev server's throughput. */
const TARGET_RATIO = 3;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { profiles: { type: 'string', default: PROFILES.join(',') }, cases: { type: 'string', default: '50' }, out: { type: 'string' } } });
  const profiles = (values.profiles ?? '').split(',').map((p) => p.trim());
  const unknown = profiles.filter((p) => !(PROFILES as readonly string[]).includes(p));
  if (unknown.length || profiles.length === 0) throw new Error(`--profiles takes a comma-separated list of ${PROFILES.join(', ')} (got ${values.profiles}).`);
  const cases = Number(values.cases);
  if (!Number.isInteger(cases) || cases < 1) throw new Error(`--cases must be a whole number above 0 (got ${values.cases}).`);
  const out = path.resolve(values.out ?? path.join(projectRoot(), 'bench', 'results', 'profiles.json'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const results: Record<string, ProfileResult> = {};
  for (const profile of profiles as Profile[]) {
    results[profile] = await runProfile(profile, cases);
    console.log(`\n${profile}: ${results[profile].throughputPerMinute} cases/min\n`);
  }
  const ratio = results.dev && results.cluster ? round(results.cluster.throughputPerMinute / results.dev.throughputPerMinute, 2) : undefined;
  const result = {
    when: new Date().toISOString(),
    command: `npm run bench:profiles -- --profiles ${profiles.join(',')} --cases ${cases}`,
    machine: machine(),
    profiles: results,
    ...(ratio === undefined ? {} : { clusterOverDev: { ratio, target: TARGET_RATIO, met: ratio >= TARGET_RATIO } }),
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(report(result.profiles, result.clusterOverDev));
  console.log(`\nWritten to ${path.relative(process.cwd(), out)}`);
}

type ProfileResult = Awaited<ReturnType<typeof runProfile>>;

async function runProfile(profile: Profile, cases: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `parcours-bench-${profile}-`));
  let database: string | undefined;
  if (profile === 'cluster') {
    database = `parcours_bench_${Date.now().toString(36)}`;
    await withPg((c) => c.query(`CREATE DATABASE "${database}"`));
  }
  const dropDatabase = async () => {
    if (database) await withPg((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  };
  console.error(`Starting the ${profile} profile in ${dir} …`);
  const databaseUrl = database ? Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${database}` }).toString() : undefined;
  const sys = await startSystem({
    dir, env: SCRIPT_TIMINGS,
    ...(profile === 'cluster' ? { temporal: 'cluster', databaseUrl, careWorkers: 2, apiInstances: 2 } as const : {}),
  }).catch(async (err: unknown) => {
    await dropDatabase();
    throw err;
  });
  const cleanUp = async () => {
    await sys.stop();
    await dropDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  stopOnSignal(cleanUp);
  try {
    const http = new Http(sys.baseUrls, 120_000);
    const team = await makeTeam(http, sys.smtp, sys.env);
    const patients = await registerMany(http, sys, cases);
    const meter = cpuMeter(sys);
    const run = await runPathway(http, sys, team, patients, `${profile}: full treatment cases`);
    const cpu = meter();
    const costs = await historyCosts(sys, run.references);
    const done = cases - run.failures.length;
    const perCase = (seconds: number) => round(seconds / Math.max(done, 1), 2);
    const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1));
    return {
      setup: profile === 'dev'
        ? 'Temporal dev server (CLI, SQLite file), 1 care worker, 1 API, Parcours on SQLite'
        : 'Temporal server 1.29.1 on PostgreSQL (4 history shards, SQL visibility), 2 care workers, 2 APIs, Parcours on PostgreSQL',
      cases, failures: run.failures,
      throughputPerMinute: round(run.perMinute),
      latencyMs: run.latency,
      byStep: run.byStep,
      cpuSecondsPerCase: Object.fromEntries(Object.entries(cpu.processSeconds).map(([k, v]) => [k, perCase(v)])),
      cpuSeconds: cpu.processSeconds,
      machine: cpu.machine,
      historyPerCase: { events: mean(costs.map((c) => c.events)), bytes: mean(costs.map((c) => c.bytes)), eventsMax: Math.max(...costs.map((c) => c.events)) },
      apiRetries: http.retries,
    };
  } finally {
    await cleanUp();
  }
}

async function withPg<T>(fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** PIDs of the machine's PostgreSQL processes (server and backends), from /proc. */
function postgresPids(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim().startsWith('postgres');
    } catch {
      return false;
    }
  }).map(Number);
}

/**
 * CPU seconds per process group over the phase, and the machine's whole busy time: `other` is what the
 * machine spent beyond the groups (other work on the machine, PostgreSQL backends that exited).
 */
function cpuMeter(sys: System) {
  const groups: Record<string, () => number[]> = {
    'Temporal server': () => [sys.devServer.pid],
    'care workers': () => sys.workers.map((w) => w.pid),
    APIs: () => sys.apis.map((a) => a.pid),
    'mail relay': () => [sys.relay.pid],
    'bench (people, SMTP)': () => [process.pid],
    postgres: postgresPids,
  };
  const sample = () => Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, new Map(pids().map((pid) => [pid, cpuSecondsOf(pid)]))]));
  const start = sample();
  const machineStart = machineCpuSeconds();
  return () => {
    const end = sample();
    const m = machineCpuSeconds();
    const processSeconds: Record<string, number> = {};
    for (const k of Object.keys(groups)) {
      let sum = 0;
      for (const [pid, secs] of end[k]) sum += secs - (start[k].get(pid) ?? 0); // a process started since counts from 0
      processSeconds[k] = round(sum);
    }
    const busy = m.busy - machineStart.busy;
    const total = busy + m.iowait - machineStart.iowait + m.idle - machineStart.idle;
    processSeconds.other = round(busy - Object.values(processSeconds).reduce((a, b) => a + b, 0));
    return {
      processSeconds,
      machine: { busySeconds: round(busy), busyShare: round(busy / total, 2), ioWaitShare: round((m.iowait - machineStart.iowait) / total, 2), idleShare: round((m.idle - machineStart.idle) / total, 2) },
    };
  };
}

function report(results: Record<string, ProfileResult>, ratio?: { ratio: number; target: number; met: boolean }): string {
  const names = Object.keys(results);
  const rows: string[][] = [['Measure', ...names]];
  const row = (label: string, f: (r: ProfileResult) => string) => rows.push([label, ...names.map((n) => f(results[n]))]);
  row('Throughput (cases/min)', (r) => String(r.throughputPerMinute));
  row('Latency p50/p95/p99 (ms)', (r) => `${r.latencyMs.p50}/${r.latencyMs.p95}/${r.latencyMs.p99}`);
  row('History per case (events, bytes)', (r) => `${r.historyPerCase.events}, ${r.historyPerCase.bytes}`);
  for (const k of Object.keys(results[names[0]].cpuSecondsPerCase)) row(`CPU s/case: ${k}`, (r) => String(r.cpuSecondsPerCase[k] ?? '–'));
  row('Machine busy / I/O wait / idle', (r) => `${r.machine.busyShare} / ${r.machine.ioWaitShare} / ${r.machine.idleShare}`);
  row('Failed cases, API retries', (r) => `${r.failures.length}, ${r.apiRetries}`);
  return [table(rows), ratio ? `\nCluster / dev throughput: ${ratio.ratio} (target ≥ ${ratio.target}: ${ratio.met ? 'met' : 'MISSED'})` : ''].join('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
