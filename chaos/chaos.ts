// `npm run chaos -- [--cases 200] [--kills 5] [--restarts 2] [--smtp-outage 60] [--replays 3] [--case-minutes 40] [--seed N]`:
// prints the faults, the evidence and a verdict, writes chaos/results/<timestamp>.json and
// chaos/results/latest.json; exits 1 on any violation.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { projectRoot } from '../lib/databaseUrl';
import { describe, runChaos, type ChaosOptions, type ChaosResult } from './run';

/** The figures a run is judged on, as committed in chaos/results/. */
export function resultRecord(opts: ChaosOptions, r: ChaosResult, commit: string) {
  const e = r.evidence;
  return {
    cases: e.cases,
    closed: e.closed,
    blocked: e.blocked,
    repaired: r.repaired.filter((x) => x.outcome === 'repaired').length,
    replayFailures: e.nondeterminism,
    duplicateEmails: e.emails.duplicates,
    missingEmails: e.emails.missing,
    paymentsDoubleCounted: e.payments.countedInWorkflows - e.payments.sent + Math.max(0, e.payments.rowsInDatabase - e.payments.sent),
    readModelMismatches: e.readModelMismatches,
    faults: r.faults,
    seed: opts.seed,
    commit,
    verdict: r.violations.length ? 'FAILED' : 'PASSED',
    options: { cases: opts.cases, kills: opts.kills, restarts: opts.restarts, smtpOutageSeconds: opts.smtpOutageMs / 1000, webhookReplays: opts.webhookReplays, caseMinutes: (opts.caseTimeoutMs ?? 900_000) / 60_000 },
    seconds: r.seconds,
    operatorQueries: r.operatorQueries,
    httpRetries: r.httpRetries,
    workerStalls: r.workerStalls,
    repairs: r.repaired,
    evidence: e,
    violations: r.violations.slice(0, 200),
  };
}

function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '200' }, kills: { type: 'string', default: '5' }, restarts: { type: 'string', default: '2' },
      'smtp-outage': { type: 'string', default: '60' }, replays: { type: 'string', default: '3' }, 'case-minutes': { type: 'string', default: '40' }, seed: { type: 'string' },
    },
  });
  const whole = (flag: string, raw: string | undefined, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${min} (got ${raw}).`);
    return n;
  };
  const opts: ChaosOptions = {
    cases: whole('cases', values.cases, 1),
    kills: whole('kills', values.kills, 0),
    restarts: whole('restarts', values.restarts, 0),
    smtpOutageMs: whole('smtp-outage', values['smtp-outage'], 1) * 1000,
    webhookReplays: whole('replays', values.replays, 0),
    caseTimeoutMs: whole('case-minutes', values['case-minutes'], 1) * 60_000,
    seed: values.seed === undefined ? crypto.randomInt(1, 2 ** 31) : whole('seed', values.seed, 0),
    log: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  // The worker runs in its own process; this one only queries and replays, quietly.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const commit = commitOf();
  const result = await runChaos(opts);
  console.log(describe(opts, result));
  const dir = path.join(projectRoot(), 'chaos', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(resultRecord(opts, result, commit), null, 2)}\n`;
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, json);
  fs.writeFileSync(path.join(dir, 'latest.json'), json);
  console.log(`\nResults: ${path.relative(projectRoot(), file)} (and chaos/results/latest.json)`);
  return result.violations.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(2);
    },
  );
}
