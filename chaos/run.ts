// A chaos run: cases in flight through the HTTP API while the harness kills the worker (SIGKILL,
// including while it sends an email and right after a payment), restarts the Temporal dev server
// (its state is on a file), stops the SMTP server for a while, and replays every payment webhook
// several times out of order. Then checks/prints what must hold (chaos/checks.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Http } from '../harness/http';
import { makeTeam, registerPatient } from '../harness/people';
import { startSystem, stopOnSignal } from '../harness/system';
import { deliverPayment, driveToClosure, openTreatmentCase, SCRIPT_TIMINGS, type PaymentPayload } from '../harness/treatmentCase';
import { pool } from '../bench/stats';
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
  log?: (line: string) => void;
}

export interface ChaosResult {
  violations: string[];
  evidence: Evidence;
  faults: string[];
  /** HTTP requests the scripted people retried because a service was down. */
  httpRetries: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => crypto.randomInt(min, max);

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-chaos-'));
  let killOnMail: (() => void) | undefined;
  const sys = await startSystem({ dir, env: SCRIPT_TIMINGS, onMailFrom: () => killOnMail?.() });
  stopOnSignal(() => sys.stop().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  const faults: string[] = [];
  const fault = (what: string) => {
    faults.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);
    log(`fault: ${what}`);
  };
  try {
    // People and cases first: the faults hit cases in flight.
    const http = new Http(sys.baseUrl, 180_000);
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
        driveToClosure({ http, team, patient: patients[i], webhookSecret: sys.webhookSecret, onPayment, timeoutMs: 900_000 }, reference).catch((err: unknown) => {
          log(`${reference}: the script stopped: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
          throw err;
        }),
      ),
    );
    void drivers.then(() => (driving = false));

    const killWorker = async (how: string) => {
      fault(`SIGKILL worker (${how})`);
      await sys.worker.kill();
      await sleep(between(500, 3000));
      await sys.worker.start();
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
          await killWorker('while it sends an email');
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
    const replayResults = await Promise.allSettled(replays);

    const violations: string[] = [];
    const planned = opts.kills + opts.restarts + 1;
    if (faults.length < planned) violations.push(`Only ${faults.length} of ${planned} faults were injected before the cases finished: run more cases.`);
    results.forEach((r, i) => r.status === 'rejected' && violations.push(`${references[i]}: the script failed: ${String(r.reason)}`));
    replayResults.forEach((r) => r.status === 'rejected' && violations.push(String(r.reason)));
    log('checking…');
    const checked = await checkRun(sys, references, payments, deliveries, path.join(dir, 'care-bundle.js'));
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
    if (apiErrors.size) log(`API errors:\n${[...apiErrors].map(([k, n]) => `  ${n}× ${k}`).join('\n')}`);
    return { violations: [...violations, ...checked.violations], evidence: checked.evidence, faults, httpRetries: http.retries, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await sys.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The verdict and the evidence, as printed by `npm run chaos`. */
export function describe(opts: ChaosOptions, r: ChaosResult): string {
  const e = r.evidence;
  return [
    `Chaos run: ${opts.cases} cases, ${opts.kills} worker kills, ${opts.restarts} dev-server restarts, SMTP down ${Math.round(opts.smtpOutageMs / 1000)} s, every payment webhook replayed ${opts.webhookReplays}× out of order (${r.seconds} s)`,
    '',
    'Faults injected:',
    ...r.faults.map((f) => `  ${f}`),
    `  (the scripted people retried ${r.httpRetries} requests while services were down)`,
    '',
    'Evidence:',
    `  cases closed:               ${e.closed}/${e.cases}`,
    `  emails per case:            ${e.emails.expectedPerCase}; delivered ${e.emails.delivered}, missing ${e.emails.missing}, duplicates ${e.emails.duplicates}, unexpected ${e.emails.unexpected}`,
    `  payments:                   ${e.payments.sent} made, ${e.payments.deliveries} webhook deliveries, ${e.payments.countedInWorkflows} counted by workflows, ${e.payments.rowsInDatabase} rows in the database`,
    `  read model vs workflow:     ${e.readModelMismatches} mismatches`,
    `  nondeterminism:             ${e.nondeterminism} (task failures or failed replays; ${e.replayed} histories replayed)`,
    '',
    r.violations.length ? `VERDICT: FAILED (${r.violations.length} violations)\n${r.violations.slice(0, 50).map((v) => `  - ${v}`).join('\n')}` : 'VERDICT: PASSED (no violation)',
  ].join('\n');
}
