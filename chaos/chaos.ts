// `npm run chaos -- [--cases 200] [--kills 5] [--restarts 2] [--smtp-outage 60] [--replays 3]`:
// prints the faults, the evidence and a verdict; exits 1 on any violation.
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { describe, runChaos, type ChaosOptions } from './run';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { cases: { type: 'string', default: '200' }, kills: { type: 'string', default: '5' }, restarts: { type: 'string', default: '2' }, 'smtp-outage': { type: 'string', default: '60' }, replays: { type: 'string', default: '3' } },
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
    log: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  // The worker runs in its own process; this one only queries and replays, quietly.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const result = await runChaos(opts);
  console.log(describe(opts, result));
  return result.violations.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(2);
  },
);
