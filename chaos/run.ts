// A chaos run: cases in flight through the HTTP API while the harness kills the worker (SIGKILL,
// including while the mail relay sends an email and right after a payment), restarts the mail relay
// mid-send as a deploy would (SIGTERM), restarts the Temporal dev server (its state is on a file),
// stops the SMTP server for a while, and replays every payment webhook
// several times out of order, while an operator queries cases from the CLI throughout (a query can
// run workflow code ahead of history: the one way left to block a case, found and repaired by the
// harness with ops:repair, counted apart). Then checks/prints what must hold (chaos/checks.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Http } from '../harness/http';
import { makeTeam, registerPatient } from '../harness/people';
import { startSystem, stopOnSignal } from '../harness/system';
import { deliverPayment, driveToClosure, openTreatmentCase, SCRIPT_TIMINGS, type PaymentPayload } from '../harness/treatmentCase';
import { pool } from '../bench/stats';
import { findStuckCases } from '../lib/ops/stuck';
import { repairCase } from '../lib/ops/repair';
import { getStateQuery, workflowIdFor } from '../workflows/definitions';
import { checkRun, type Evidence } from './checks';

export interface ChaosOptions {
  cases: number;
  /** Worker SIGKILLs (the first while an email is being sent, the second right after a payment). */
  kills: number;
  /** Dev-server restarts. */
  restarts: number;
  smtpOutageMs: number;
  /** Extra deliveries of every payment webhook, at random later moments. */
  webhookReplays: number;
  /**
   * How long one case may take from opening to closure before its script gives up (15 min when
   * unset). A guard against a case that never moves, not a performance target (that is the bench):
   * on a loaded 2-core machine the full run's cases take over 15 minutes while still moving.
   */
  caseTimeoutMs?: number;
  /** Seeds the fault schedule (timings, which case the operator queries): a run can be repeated. */
  seed: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  violations: string[];
  evidence: Evidence;
  faults: string[];
  /** HTTP requests the scripted people retried because a service was down. */
  httpRetries: number;
  /** Operator queries made during the run (from the CLI's point of view: the client, no API). */
  operatorQueries: number;
  /** Cases found blocked (failing workflow task) during the run and repaired with ops:repair. */
  repaired: { reference: string; outcome: string; updates: number }[];
  /** The API's logged errors, by kind (IDs masked), with their counts: the evidence behind any 500. */
  apiErrors: string[];
  /** Seconds in which the care worker's event loop was held up over 100 ms, the longest first (seconds into the run, ms). */
  workerStalls: { count: number; longest: { atSecond: number; ms: number }[] };
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: a small seeded generator, so a run's fault schedule can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => undefined);
  const random = seeded(opts.seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min));
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-chaos-'));
  let killOnMail: (() => void) | undefined;
  let restartRelayOnMail: (() => void) | undefined;
  // When the worker recorded each email sent, by outbox key (once: a recorded email is never sent again).
  const emailMarkedAt = new Map<string, { acceptedAt: number; at: number }>();
  // The worker's event loop held up over 100 ms: when (ms since the epoch) and for how long.
  const stalls: { at: number; ms: number }[] = [];
  const sys = await startSystem({
    dir, env: SCRIPT_TIMINGS, onMailFrom: () => {
      killOnMail?.();
      restartRelayOnMail?.();
    },
    onEmailMarked: (key, acceptedAt, at) => emailMarkedAt.set(key, { acceptedAt, at }),
    onWorkerStall: (at, ms) => stalls.push({ at, ms }),
  });
  stopOnSignal(() => sys.stop().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  const faults: string[] = [];
  const fault = (what: string) => {
    faults.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);
    log(`fault: ${what}`);
  };
  try {
    // People and cases first: the faults hit cases in flight.
    // People retry a 503 for up to 10 minutes (the same Idempotency-Key each time: a step applies once).
    const http = new Http(sys.baseUrl, 600_000);
    const team = await makeTeam(http, sys.smtp, sys.env);
    const tag = crypto.randomUUID().slice(0, 6);
    const patients = await pool(Array.from({ length: opts.cases }, (_, i) => i), 8, (i) => registerPatient(http, sys.smtp, `patient.${tag}.${i}@chaos.test`));
    const references = await pool(patients, 8, (p) => openTreatmentCase(http, p));
    log(`${references.length} cases opened`);

    const payments: PaymentPayload[] = [];
    const replays: Promise<void>[] = [];
    let deliveries = 0;
    let killAfterPayment: (() => void) | undefined;
    const onPayment = (p: PaymentPayload) => {
      payments.push(p);
      deliveries++;
      killAfterPayment?.();
      // Replayed later, each at its own random moment: out of order with the other payments and steps.
      for (let i = 0; i < opts.webhookReplays; i++) {
        replays.push(
          sleep(between(200, 20_000)).then(async () => {
            const res = await deliverPayment(http, sys.webhookSecret, p);
            deliveries++;
            if (res.status !== 200) throw new Error(`replayed payment ${p.paymentId}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          }),
        );
      }
    };

    let driving = true;
    const drivers = Promise.allSettled(
      references.map((reference, i) =>
        driveToClosure({ http, team, patient: patients[i], webhookSecret: sys.webhookSecret, onPayment, timeoutMs: opts.caseTimeoutMs ?? 900_000 }, reference).catch((err: unknown) => {
          log(`${reference}: the script stopped: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
          throw err;
        }),
      ),
    );
    void drivers.then(() => (driving = false));

    // An operator reads cases from the CLI throughout (queries run on the worker: ops diagnosis). The
    // people never read through queries, but an operator's query can still open the window in which a
    // case blocks (docs/operations.md): the harness finds and repairs those like ops would.
    let operatorQueries = 0;
    const operatorQuery = async (reference: string) => {
      operatorQueries++;
      await sys.client.withDeadline(Date.now() + 5000, () => sys.client.workflow.getHandle(workflowIdFor(reference)).query(getStateQuery)).catch(() => undefined);
    };
    const operator = (async () => {
      while (driving) {
        await operatorQuery(references[between(0, references.length)]);
        await sleep(between(200, 1500));
      }
    })();
    const repaired: ChaosResult['repaired'] = [];
    const repairing = (async () => {
      const bundle = path.join(dir, 'care-bundle.js');
      while (driving) {
        await sleep(20_000);
        const stuck = await findStuckCases(sys.client, { workflowBundlePath: bundle }).catch((err: unknown) => {
          log(`ops:stuck failed: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        });
        for (const s of stuck) {
          log(`${s.reference}: blocked (${s.error.slice(0, 160)}; ${s.diagnosis}): ops:repair`);
          const r = await repairCase(sys.client, sys.db, s.reference, { by: 'chaos-harness', reason: 'chaos run: blocked workflow task', workflowBundlePath: bundle }).catch((err: unknown) => ({ outcome: `failed: ${err instanceof Error ? err.message : String(err)}`, updates: [] }));
          repaired.push({ reference: s.reference, outcome: r.outcome, updates: r.updates.length });
          if (r.outcome === 'repaired') fault(`ops:repair ${s.reference} (${r.updates.length} update(s) re-delivered)`);
        }
      }
    })();

    const killWorker = async (how: string) => {
      // A person's read and an operator's query in flight as the worker dies.
      const i = between(0, references.length);
      const inFlight = [http.send('get', `/cases/${references[i]}`, { token: patients[i].token }), operatorQuery(references[i])];
      fault(`SIGKILL worker (${how}) with a person's read and an operator's query in flight`);
      await sys.worker.kill();
      await sleep(between(500, 3000));
      await sys.worker.start();
      await Promise.allSettled(inFlight);
      log('worker restarted');
    };
    /** Resolves once `arm` has fired (or after `ms`, killing anyway). */
    const armed = (arm: (fire: () => void) => void, ms: number) => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      arm(() => {
        clearTimeout(timer);
        resolve();
      });
    });

    const schedule: (() => Promise<void>)[] = [];
    for (let k = 0; k < opts.kills; k++) {
      if (k === 0) {
        schedule.push(async () => {
          await armed((fire) => (killOnMail = () => { killOnMail = undefined; fire(); }), 30_000);
          await killWorker('while the mail relay sends an email');
        });
      } else if (k === 1) {
        schedule.push(async () => {
          await armed((fire) => (killAfterPayment = () => { killAfterPayment = undefined; fire(); }), 30_000);
          await killWorker('right after a payment was delivered');
        });
      } else {
        schedule.push(() => killWorker('at a random moment'));
      }
    }
    // A deploy of the mail relay: SIGTERM in the middle of a send; it finishes and records its sends first.
    schedule.splice(Math.min(schedule.length, 3), 0, async () => {
      await armed((fire) => (restartRelayOnMail = () => { restartRelayOnMail = undefined; fire(); }), 30_000);
      fault('restart the mail relay (SIGTERM) while it sends an email');
      await sys.relay.stop();
      await sleep(between(500, 3000));
      await sys.relay.start();
      log('mail relay restarted');
    });
    for (let r = 0; r < opts.restarts; r++) {
      schedule.splice(Math.min(schedule.length, 1 + 2 * r), 0, async () => {
        fault('restart the Temporal dev server');
        await sys.devServer.restart();
        log('dev server back');
      });
    }
    // The SMTP outage overlaps the other faults.
    const outage = (async () => {
      await sleep(between(1000, 4000));
      if (!driving) return;
      fault(`stop the SMTP server for ${Math.round(opts.smtpOutageMs / 1000)} s`);
      await sys.smtp.suspend();
      await sleep(opts.smtpOutageMs);
      await sys.smtp.resume();
      log('SMTP server back');
    })();
    // Spread over the run: more cases take longer, so the faults land further apart.
    for (const step of schedule) {
      await sleep(between(1000, 5000 + 100 * opts.cases));
      if (!driving) break;
      await step();
    }
    await outage;
    const results = await drivers;
    await operator;
    await repairing;
    const replayResults = await Promise.allSettled(replays);

    const violations: string[] = [];
    const planned = opts.kills + opts.restarts + 2;
    if (faults.length < planned) violations.push(`Only ${faults.length} of ${planned} faults were injected before the cases finished: run more cases.`);
    results.forEach((r, i) => r.status === 'rejected' && violations.push(`${references[i]}: the script failed: ${String(r.reason)}`));
    replayResults.forEach((r) => r.status === 'rejected' && violations.push(String(r.reason)));
    log('checking…');
    const checked = await checkRun(sys, references, payments, deliveries, path.join(dir, 'care-bundle.js'), emailMarkedAt, started);
    const stillStuck = await findStuckCases(sys.client, { workflowBundlePath: path.join(dir, 'care-bundle.js') });
    checked.evidence.blocked = stillStuck.length;
    for (const s of stillStuck) violations.push(`${s.reference}: blocked at the end (${s.error.slice(0, 200)})`);
    // The API's errors, by kind (message without IDs), as evidence for any 500.
    const apiErrors = new Map<string, number>();
    for (const line of fs.readFileSync(sys.apiLog, 'utf8').split('\n').filter(Boolean)) {
      let key = line.slice(0, 300);
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
        key = `${entry.err?.type ?? ''} ${entry.err?.message ?? entry.msg ?? ''}`.replace(/INT-\d{4}-\d{6}|[0-9a-f]{8}-[0-9a-f-]{27}/g, '…').slice(0, 300);
      } catch {
        // not JSON: kept as is
      }
      apiErrors.set(key, (apiErrors.get(key) ?? 0) + 1);
    }
    const apiErrorLines = [...apiErrors].map(([k, n]) => `${n}× ${k}`);
    if (apiErrorLines.length) log(`API errors:\n${apiErrorLines.map((l) => `  ${l}`).join('\n')}`);
    return { violations: [...violations, ...checked.violations], evidence: checked.evidence, faults, httpRetries: http.retries, operatorQueries, repaired, apiErrors: apiErrorLines,
      workerStalls: { count: stalls.length, longest: [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 10).map((x) => ({ atSecond: Math.round((x.at - started) / 100) / 10, ms: x.ms })) },
      seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await sys.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The verdict and the evidence, as printed by `npm run chaos`. */
export function describe(opts: ChaosOptions, r: ChaosResult): string {
  const e = r.evidence;
  return [
    `Chaos run (seed ${opts.seed}): ${opts.cases} cases, ${opts.kills} worker kills, ${opts.restarts} dev-server restarts, SMTP down ${Math.round(opts.smtpOutageMs / 1000)} s, every payment webhook replayed ${opts.webhookReplays}× out of order, an operator querying cases throughout (${r.seconds} s)`,
    '',
    'Faults injected:',
    ...r.faults.map((f) => `  ${f}`),
    `  (the scripted people retried ${r.httpRetries} requests while services were down; the operator made ${r.operatorQueries} queries)`,
    '',
    'Evidence:',
    `  cases closed:               ${e.closed}/${e.cases}`,
    `  emails per case:            ${e.emails.expectedPerCase}; delivered ${e.emails.delivered}, missing ${e.emails.missing}, duplicates ${e.emails.duplicates}, unexpected ${e.emails.unexpected}`,
    `  delivered, not yet recorded: p50 ${e.emails.unrecordedMs.p50} ms, p99 ${e.emails.unrecordedMs.p99} ms, max ${e.emails.unrecordedMs.max} ms, over 100 ms: ${e.emails.unrecordedMs.over100} of ${e.emails.unrecordedMs.measured} emails`,
    `  slowest to record:          ${e.emails.unrecordedMs.slowest.map((w) => `${w.ms} ms at ${w.atSecond}s (${w.toWorkerMs} ms to reach the worker)`).join(', ')}`,
    `  worker event loop:          held up over 100 ms in ${r.workerStalls.count} seconds; longest ${r.workerStalls.longest.map((x) => `${x.ms} ms at ${x.atSecond}s`).join(', ')}`,
    `  payments:                   ${e.payments.sent} made, ${e.payments.deliveries} webhook deliveries, ${e.payments.countedInWorkflows} counted by workflows, ${e.payments.rowsInDatabase} rows in the database`,
    `  read model vs workflow:     ${e.readModelMismatches} mismatches`,
    `  blocked cases:              ${e.blocked} at the end; ${r.repaired.filter((x) => x.outcome === 'repaired').length} repaired during the run with ops:repair`,
    `  nondeterminism:             ${e.nondeterminism} (task failures or failed replays; ${e.replayed} histories replayed)`,
    '',
    ...(r.violations.length && r.apiErrors.length ? ['API errors logged:', ...r.apiErrors.slice(0, 20).map((l) => `  ${l}`), ''] : []),
    r.violations.length ? `VERDICT: FAILED (${r.violations.length} violations)\n${r.violations.slice(0, 50).map((v) => `  - ${v}`).join('\n')}` : 'VERDICT: PASSED (no violation)',
  ].join('\n');
}
