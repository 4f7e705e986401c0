// The short chaos run (`npm run chaos` is the long one): 20 cases in flight through the HTTP API
// while the worker is SIGKILLed as the mail relay sends, the relay is restarted mid-send, the dev
// server restarts, SMTP is down and every payment webhook is replayed three times out of order, with an operator querying cases throughout. Nothing
// may be lost, doubled, blocked at the end or nondeterministic.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { projectRoot } from '../lib/databaseUrl';
import { describe as describeRun, runChaos, type ChaosOptions } from '../chaos/run';

beforeAll(() => {
  // Replaying the histories here would log every replay worker's state changes: errors only.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
});

it('20 cases survive a worker kill, a mail relay restart, a dev-server restart, an SMTP outage and replayed webhooks', async () => {
  // The worker and API run as processes from the build: make it match the sources under test.
  execFileSync(path.join(projectRoot(), 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: projectRoot(), stdio: 'pipe' });
  // The kill lands with a person's read and an operator's query in flight; the operator queries throughout.
  const opts: ChaosOptions = { cases: 20, kills: 1, restarts: 1, smtpOutageMs: 5000, webhookReplays: 3, seed: 20261129 };
  const result = await runChaos(opts);
  const report = describeRun(opts, result);
  expect({ violations: result.violations, report }).toEqual({ violations: [], report: expect.stringContaining('VERDICT: PASSED') });
  expect(result.faults.filter((f) => !f.includes('ops:repair'))).toHaveLength(4);
  expect(result.faults.some((f) => f.includes('restart the mail relay (SIGTERM) while it sends an email'))).toBe(true);
  expect(result.faults.some((f) => /SIGKILL worker .* with a person's read and an operator's query in flight/.test(f))).toBe(true);
  expect(result.operatorQueries).toBeGreaterThan(0);
  expect(result.evidence.blocked).toBe(0);
  expect(result.evidence.closed).toBe(20);
  expect(result.evidence.emails.expectedPerCase).toBeGreaterThan(10);
  expect(result.evidence.payments.sent).toBe(40); // study fee and estimate, per case
  expect(result.evidence.payments.deliveries).toBe(160); // each once, then three replays
  expect(result.evidence.replayed).toBe(20);
}, 900_000);
