// `npm run bench -- [--cases 200] [--at-rest 10000] [--probe 20] [--out bench/results/latest.json] [--outline FILE]`
//
// One run, one machine, one dev server, so the ratios hold on a noisy machine:
// 1. throughput: N full treatment cases through the HTTP API, then a bare baseline driven by the raw
//    Temporal client: the minimum the business needs, i.e. the same people's actions (updates and
//    signals) and the same business side effects (emails, issued documents, one activity each) per
//    case, and no bookkeeping (audit trail, read model); its plan is printed;
// 2. latency: API call → new state visible in GET /cases/:ref, against the raw client's update;
// 3. cost per case: history events and bytes, state transitions;
// 4. scale at rest: cases waiting on the patient, with worker and dev-server memory, and latency
//    of a probe of full cases before and after they were opened;
// 5. replay: time to replay the longest history.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { temporal } from '@temporalio/proto';
import { Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { projectRoot } from '../lib/databaseUrl';
import { findTemporalCli } from '../lib/temporalCli';
import { Http } from '../harness/http';
import { makeTeam, registerPatient, type Person, type Team } from '../harness/people';
import { cpuSecondsOf, machineCpuSeconds, rssOf, startSystem, stopOnSignal, type System } from '../harness/system';
import { driveToClosure, openTreatmentCase, SCRIPT_TIMINGS, type StepTiming } from '../harness/treatmentCase';
import { workflowIdFor } from '../workflows/definitions';
import { bareCase, bareStepSignal, bareStepUpdate, type BarePlan } from './bareWorkflow';
import { percentiles, pool, progress, round, table, type Percentiles } from './stats';
import { dataConverterOf } from '../lib/payloadCrypto';

const EventType = temporal.api.enums.v1.EventType;
const TEMPORAL_EVENT_WARNING = 10_240;
const TARGETS = { throughputRatio: 0.7, p99Ratio: 1.3, eventsPerCase: 300, bytesPerCase: 60 * 1024, cpuSecondsPerCase: 2.5, workerRssBytes: 1024 ** 3 };

export interface HistoryCost {
  workflowId: string;
  events: number;
  bytes: number;
  stateTransitions: number;
  updates: number;
  signals: number;
  /** Activities scheduled on the task queue, and local activities (one marker each). */
  activities: number;
  localActivities: number;
  /** Business side effects, from the database: emails queued in the outbox, documents Parcours issued. */
  emails: number;
  documents: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '200' }, 'at-rest': { type: 'string', default: '10000' }, probe: { type: 'string', default: '20' }, encryption: { type: 'string', default: 'on' }, out: { type: 'string' }, outline: { type: 'string' } } });
  if (!['on', 'off'].includes(values.encryption)) throw new Error(`--encryption must be on or off (got ${values.encryption}).`);
  const encryption = values.encryption === 'on';
  const cases = positive('--cases', values.cases);
  const atRest = positive('--at-rest', values['at-rest'], true);
  const probeSize = positive('--probe', values.probe);
  const out = path.resolve(values.out ?? path.join(projectRoot(), 'bench', 'results', 'latest.json'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-bench-'));
  console.error(`Starting the system (dev server, SMTP capture, worker, API) in ${dir} …`);
  const sys = await startSystem({ dir, env: SCRIPT_TIMINGS, encryption });
  stopOnSignal(() => sys.stop().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  try {
    // Like a person in the portal, the scripted people retry when the API answers 503 (under this
    // load a state read can outlast the query deadline); the retries are counted and reported.
    const http = new Http(sys.baseUrl, 120_000);
    const team = await makeTeam(http, sys.smtp, sys.env);

    // 1–2. The pathway under load.
    const patients = await registerMany(http, sys, cases);
    const pathwayCpu = cpuMeter(sys);
    const pathway = await runPathway(http, sys, team, patients, 'Pathway: full treatment cases');
    const pathwayCpuUse = pathwayCpu();
    const retries = { pathwayPhase: http.retries };
    const costs = await historyCosts(sys, pathway.references);
    const plan = barePlanOf(costs);
    console.error(`Bare plan per case: ${plan.updates} updates, ${plan.signals} signals, ${plan.activities} activities (the pathway's ${round(avg(costs.map((c) => c.emails)))} emails and ${round(avg(costs.map((c) => c.documents)))} issued documents), no bookkeeping.`);
    const bareQueue = `bench-bare-${crypto.randomUUID().slice(0, 6)}`;
    const bareWorker = await sys.startBareWorker(bareQueue);
    const bareCpu = cpuMeter(sys, { 'bare worker': bareWorker.pid });
    const bare = await runBare(sys, bareQueue, cases, plan);
    const bareCpuUse = bareCpu();

    // 5. Replay the longest history.
    const longest = costs.reduce((a, b) => (b.events > a.events ? b : a));
    const replayMs = await replayTime(sys, dir, longest.workflowId);
    const anatomy = await historyAnatomy(sys, longest.workflowId, values.outline);
    console.error(`Where the longest history's bytes are (${longest.workflowId}):\n${table([['Event type', 'events', 'bytes'], ...anatomy.map((a) => [a.eventType, String(a.events), String(a.bytes)])])}`);

    // 4. At rest. The first measures are printed before it: it is the longest phase.
    if (atRest > 0) {
      const soFar = { ...buildResult({ cases, atRest, probeSize, encryption, pathway, bare, plan, costs, rest: undefined, longest, replayMs, pathwayCpu: pathwayCpuUse }), cpu: { pathway: pathwayCpuUse, bare: bareCpuUse }, apiRetries: { ...retries, total: http.retries } };
      console.log(`Before the at-rest phase:\n${report(soFar)}\n`);
    }
    const rest = atRest > 0 ? await scaleAtRest(http, sys, team, atRest, probeSize) : undefined;

    const result = { ...buildResult({ cases, atRest, probeSize, encryption, pathway, bare, plan, costs, rest, longest, replayMs, pathwayCpu: pathwayCpuUse }), longestHistoryByEventType: anatomy, cpu: { pathway: pathwayCpuUse, bare: bareCpuUse }, apiRetries: { ...retries, total: http.retries } };
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(report(result));
    console.log(`\nWritten to ${path.relative(process.cwd(), out)}`);
  } finally {
    await sys.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function buildResult(m: { cases: number; atRest: number; probeSize: number; encryption: boolean; pathway: PathwayRun; bare: { perMinute: number; latency: Percentiles }; plan: BarePlan; costs: HistoryCost[]; rest: RestResult | undefined; longest: HistoryCost; replayMs: number; pathwayCpu: CpuUse }) {
  const { cases, atRest, probeSize, encryption, pathway, bare, plan, costs, rest, longest, replayMs, pathwayCpu } = m;
  const ratio = pathway.perMinute / bare.perMinute;
  const p99Ratio = pathway.latency.p99 / bare.latency.p99;
  const maxEvents = Math.max(...costs.map((c) => c.events));
  const maxBytes = Math.max(...costs.map((c) => c.bytes));
  const cpuSecondsPerCase = round(Object.entries(pathwayCpu.processSeconds).filter(([k]) => !k.startsWith('bench')).reduce((sum, [, v]) => sum + v, 0) / cases, 2);
  return {
    when: new Date().toISOString(),
    command: `npm run bench -- --cases ${cases} --at-rest ${atRest} --probe ${probeSize}${encryption ? '' : ' --encryption off'}`,
    encryption,
    // Every process of the system (dev server, worker, API) over the pathway phase, per case; the bench's own people and SMTP apart.
    cpuSecondsPerCase,
    cpuTarget: { secondsPerCase: TARGETS.cpuSecondsPerCase, met: cpuSecondsPerCase <= TARGETS.cpuSecondsPerCase },
    machine: machine(),
    throughput: { cases, pathwayPerMinute: round(pathway.perMinute), barePerMinute: round(bare.perMinute), ratio: round(ratio, 3), target: TARGETS.throughputRatio, met: ratio >= TARGETS.throughputRatio, barePlan: plan, failures: pathway.failures },
    latencyMs: { pathway: pathway.latency, bareUpdate: bare.latency, p99Ratio: round(p99Ratio, 2), target: TARGETS.p99Ratio, met: p99Ratio <= TARGETS.p99Ratio, byStep: pathway.byStep },
    costPerCase: {
      events: summary(costs.map((c) => c.events)), bytes: summary(costs.map((c) => c.bytes)), stateTransitions: summary(costs.map((c) => c.stateTransitions)),
      activities: summary(costs.map((c) => c.activities)), localActivities: summary(costs.map((c) => c.localActivities)), emails: summary(costs.map((c) => c.emails)), documents: summary(costs.map((c) => c.documents)),
      // Every case of the run: its workflow ID (a reference, nothing personal), events and bytes.
      perCase: costs.map((c) => ({ workflowId: c.workflowId, events: c.events, bytes: c.bytes })),
      target: TARGETS.eventsPerCase, met: maxEvents <= TARGETS.eventsPerCase, bytesTarget: TARGETS.bytesPerCase, bytesMet: maxBytes <= TARGETS.bytesPerCase, nearTemporalWarning: costs.filter((c) => c.events > TEMPORAL_EVENT_WARNING * 0.8).map((c) => c.workflowId),
    },
    atRest: rest && { ...rest, target: { workerRssBytes: TARGETS.workerRssBytes }, met: rest.workerRssBytes <= TARGETS.workerRssBytes },
    replay: { workflowId: longest.workflowId, events: longest.events, ms: round(replayMs) },
  };
}
type BenchResult = ReturnType<typeof buildResult>;
type CpuUse = ReturnType<ReturnType<typeof cpuMeter>>;
type RestResult = Awaited<ReturnType<typeof scaleAtRest>>;

function positive(flag: string, raw: string | undefined, zeroOk = false): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) throw new Error(`${flag} must be a whole number${zeroOk ? '' : ' above 0'} (got ${raw}).`);
  return n;
}

/** The bare baseline: per case, the pathway's updates and signals, one activity per business side effect. */
function barePlanOf(costs: HistoryCost[]): BarePlan {
  const mean = (f: (c: HistoryCost) => number) => Math.round(avg(costs.map(f)));
  return { updates: mean((c) => c.updates), signals: mean((c) => c.signals), activities: mean((c) => c.emails + c.documents) };
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const summary = (xs: number[]) => ({ min: Math.min(...xs), mean: round(avg(xs)), max: Math.max(...xs) });

export async function registerMany(http: Http, sys: System, n: number): Promise<Person[]> {
  const bar = progress('Registering patients', n);
  const tag = crypto.randomUUID().slice(0, 6);
  const people = await pool(Array.from({ length: n }, (_, i) => i), 8, async (i) => {
    const p = await registerPatient(http, sys.smtp, `patient.${tag}.${i}@bench.test`);
    bar.tick();
    return p;
  });
  bar.done();
  return people;
}

/** Where the CPU went during a phase: seconds per process, and the machine's busy / I/O-wait / idle split. */
function cpuMeter(sys: System, extra: Record<string, number> = {}) {
  const pids = { 'dev server': () => sys.devServer.pid, 'care worker': () => sys.worker.pid, api: () => sys.apiPid, 'bench (people, SMTP)': () => process.pid, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, () => v])) };
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSecondsOf(pid())]));
  const machineStart = machineCpuSeconds();
  return () => {
    const m = machineCpuSeconds();
    const total = m.busy + m.iowait + m.idle - (machineStart.busy + machineStart.iowait + machineStart.idle);
    return {
      processSeconds: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, round(cpuSecondsOf(pid()) - start[k])])),
      machine: { busyShare: round((m.busy - machineStart.busy) / total, 2), ioWaitShare: round((m.iowait - machineStart.iowait) / total, 2), idleShare: round((m.idle - machineStart.idle) / total, 2) },
    };
  };
}

export interface PathwayRun {
  references: string[];
  perMinute: number;
  latency: Percentiles;
  byStep: Record<string, Percentiles>;
  failures: string[];
}

/** Opens one case per patient and drives them all to closure at once. */
export async function runPathway(http: Http, sys: System, team: Team, patients: Person[], label: string): Promise<PathwayRun> {
  const bar = progress(label, patients.length);
  const timings: StepTiming[] = [];
  const failures: string[] = [];
  const references: string[] = [];
  const started = performance.now();
  await Promise.all(
    patients.map(async (patient) => {
      try {
        const reference = await openTreatmentCase(http, patient);
        references.push(reference);
        timings.push(...(await driveToClosure({ http, team, patient, webhookSecret: sys.webhookSecret }, reference)));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures.push(message);
        process.stderr.write(`\n${message}\n`);
      } finally {
        bar.tick();
      }
    }),
  );
  const minutes = (performance.now() - started) / 60_000;
  bar.done();
  const byStep: Record<string, number[]> = {};
  for (const t of timings) (byStep[t.step] ??= []).push(t.ms);
  return {
    references,
    perMinute: (patients.length - failures.length) / minutes,
    latency: percentiles(timings.map((t) => t.ms)),
    byStep: Object.fromEntries(Object.entries(byStep).map(([k, v]) => [k, percentiles(v)])),
    failures,
  };
}

export async function historyCosts(sys: System, references: string[]): Promise<HistoryCost[]> {
  const bar = progress('Reading histories', references.length);
  const costs = await pool(references, 8, async (reference) => {
    const handle = sys.client.workflow.getHandle(workflowIdFor(reference));
    // Read after the run, on a machine still busy: a read that outlasts its deadline is tried again.
    const [d, history] = await withRetries(() => sys.client.withDeadline(Date.now() + 30_000, () => Promise.all([handle.describe(), handle.fetchHistory()])));
    const events = history.events ?? [];
    const [emails, documents] = await Promise.all([
      sys.db.outboundEmail.count({ where: { caseReference: reference } }),
      sys.db.document.count({ where: { case: { reference }, uploadedById: { startsWith: 'system:' } } }),
    ]);
    const count = (t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t).length;
    bar.tick();
    return {
      workflowId: handle.workflowId,
      events: d.historyLength,
      bytes: d.historySize ?? 0,
      stateTransitions: Number(d.raw.workflowExecutionInfo?.stateTransitionCount ?? 0),
      updates: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
      signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      localActivities: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
      emails,
      documents,
    };
  });
  bar.done();
  return costs;
}

async function withRetries<T>(read: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 2000 * i));
    }
  }
}

/** The baseline: the same number of cases, each with the pathway's updates, signals and business side effects. */
async function runBare(sys: System, taskQueue: string, n: number, plan: BarePlan): Promise<{ perMinute: number; latency: Percentiles }> {
  const bar = progress('Baseline: bare workflows', n);
  const samples: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const handle = await sys.client.workflow.start(bareCase, { taskQueue, workflowId: `bench-bare-${taskQueue}-${i}`, args: [plan] });
      for (let step = 0; step < plan.updates; step++) {
        const t0 = performance.now();
        await handle.executeUpdate(bareStepUpdate, { args: [step] });
        samples.push(performance.now() - t0);
      }
      for (let step = 0; step < plan.signals; step++) await handle.signal(bareStepSignal, step);
      await handle.result();
      bar.tick();
    }),
  );
  const minutes = (performance.now() - started) / 60_000;
  bar.done();
  return { perMinute: n / minutes, latency: percentiles(samples) };
}

/**
 * The history of one case by event type: how many events, how many bytes (as stored, payloads encrypted).
 * With `outline`, also writes the history there one event a line: its ID, type, and the activity, update
 * or timer (seconds) it names. Payloads and summaries stay out (they are encrypted anyway).
 */
async function historyAnatomy(sys: System, workflowId: string, outline?: string): Promise<{ eventType: string; events: number; bytes: number }[]> {
  const history = await withRetries(() => sys.client.withDeadline(Date.now() + 30_000, () => sys.client.workflow.getHandle(workflowId).fetchHistory()));
  const by = new Map<string, { events: number; bytes: number }>();
  for (const e of history.events ?? []) {
    const type = (EventType[e.eventType ?? 0] ?? 'unknown').replace('EVENT_TYPE_', '');
    const row = by.get(type) ?? { events: 0, bytes: 0 };
    row.events++;
    row.bytes += temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    by.set(type, row);
  }
  if (outline) fs.writeFileSync(outline, `${(history.events ?? []).map(outlineOf).join('\n')}\n`);
  return [...by.entries()].map(([eventType, r]) => ({ eventType, ...r })).sort((a, b) => b.bytes - a.bytes);
}

function outlineOf(e: temporal.api.history.v1.IHistoryEvent): string {
  const type = (EventType[e.eventType ?? 0] ?? 'unknown').replace('EVENT_TYPE_', '');
  const timer = e.timerStartedEventAttributes?.startToFireTimeout?.seconds;
  const names = e.activityTaskScheduledEventAttributes?.activityType?.name ?? e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? (timer != null ? `${String(timer)} s` : '');
  return `${String(e.eventId)} ${type}${names ? ` ${names}` : ''}`;
}

async function replayTime(sys: System, dir: string, workflowId: string): Promise<number> {
  const history = await sys.client.workflow.getHandle(workflowId).fetchHistory();
  const started = performance.now();
  await Worker.runReplayHistory({ workflowBundle: { codePath: path.join(dir, 'care-bundle.js') }, dataConverter: dataConverterOf(sys.client) }, history, workflowId);
  return performance.now() - started;
}

/** Opens `n` cases that wait on the patient (reminder timers armed) and measures what they cost at rest. */
async function scaleAtRest(http: Http, sys: System, team: Team, n: number, probeSize: number) {
  const probe = async (label: string, patients: Person[]) => (await runPathway(http, sys, team, patients, label)).latency;
  const before = await probe('Latency probe (before)', await registerMany(http, sys, probeSize));
  // Registered now: once the cases at rest are open, the outbox holds their acknowledgements, which the
  // mail relay delivers in order, and a new account's confirmation email waits behind them.
  const probeAfter = await registerMany(http, sys, probeSize);
  const owners = await registerMany(http, sys, 10);
  // Waiting on the patient: the workflow records `acknowledgement_sent` as it arms the reminder and
  // starts waiting for the file. (The read model shows file collection from the moment the API opens a
  // case, before its workflow has run at all: counting that phase measured the API, not the worker.)
  const waitingNow = () => sys.db.caseEvent.count({ where: { type: 'acknowledgement_sent' } });
  const waitingBefore = await waitingNow();
  const bar = progress(`At rest: opening ${n} cases`, n);
  const started = performance.now();
  await pool(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    await openTreatmentCase(http, owners[i % owners.length]);
    bar.tick();
  });
  const openSeconds = (performance.now() - started) / 1000;
  bar.done();
  const settling = progress('At rest: waiting on the patient', n);
  for (let shown = 0; ; ) {
    const waiting = Math.min(n, (await waitingNow()) - waitingBefore);
    settling.tick(Math.max(0, waiting - shown));
    shown = Math.max(shown, waiting);
    if (waiting >= n) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const settledSeconds = (performance.now() - started) / 1000;
  settling.done();
  await new Promise((r) => setTimeout(r, 5000)); // let the worker settle before reading memory
  const mem = await sys.worker.memory();
  const devServerRssBytes = rssOf(sys.devServer.pid);
  const after = await probe(`Latency probe (${n.toLocaleString('en')} at rest)`, probeAfter);
  return {
    cases: n, openedPerSecond: round(n / openSeconds), waitingPerSecond: round(n / settledSeconds),
    workerRssBytes: mem.rssBytes, workerHeapUsedBytes: mem.heapUsedBytes, devServerRssBytes, apiRssBytes: rssOf(sys.apiPid),
    latencyBefore: before, latencyAfter: after, p99Degradation: round(after.p99 / before.p99, 2),
  };
}

export function machine() {
  let temporalVersion = 'unknown';
  try {
    temporalVersion = execFileSync(findTemporalCli(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: round(os.totalmem() / 1024 ** 3), os: `${os.type()} ${os.release()}`, node: process.version, temporal: temporalVersion };
}

const mb = (bytes: number) => `${round(bytes / 1024 ** 2)} MB`;
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

function report(r: BenchResult & { cpu: Record<'pathway' | 'bare', ReturnType<ReturnType<typeof cpuMeter>>>; apiRetries: { pathwayPhase: number; total: number } }): string {
  const rows: string[][] = [['Measure', 'Pathway', 'Baseline / limit', 'Target', 'Verdict']];
  rows.push(['Throughput (cases/min)', String(r.throughput.pathwayPerMinute), `${r.throughput.barePerMinute} bare`, `ratio ≥ ${r.throughput.target} (got ${r.throughput.ratio})`, verdict(r.throughput.met)]);
  const l = r.latencyMs;
  rows.push(['Latency p50/p95/p99 (ms)', `${l.pathway.p50}/${l.pathway.p95}/${l.pathway.p99}`, `${l.bareUpdate.p50}/${l.bareUpdate.p95}/${l.bareUpdate.p99} raw update`, `p99 ratio ≤ ${l.target} (got ${l.p99Ratio})`, verdict(l.met)]);
  const c = r.costPerCase;
  rows.push(['History events per case', `${c.events.min}–${c.events.max} (mean ${c.events.mean})`, `${TEMPORAL_EVENT_WARNING} Temporal warning`, `≤ ${c.target}`, verdict(c.met)]);
  rows.push(['CPU seconds per case (dev server, worker, API)', String(r.cpuSecondsPerCase), `payload encryption ${r.encryption ? 'on' : 'off'}`, `≤ ${r.cpuTarget.secondsPerCase}`, verdict(r.cpuTarget.met)]);
  rows.push(['History bytes per case', `${c.bytes.min}–${c.bytes.max} (mean ${c.bytes.mean})`, '', `≤ ${c.bytesTarget}`, verdict(c.bytesMet)]);
  rows.push(['Activities per case (task queue / local)', `${c.activities.mean} / ${c.localActivities.mean}`, `${c.emails.mean} emails, ${c.documents.mean} documents`, '', '']);
  rows.push(['State transitions per case', `${c.stateTransitions.min}–${c.stateTransitions.max}`, '', '', '']);
  if (r.atRest) {
    const a = r.atRest;
    rows.push([`At rest: ${a.cases} waiting cases (${a.waitingPerSecond}/s)`, `worker RSS ${mb(a.workerRssBytes)}, heap ${mb(a.workerHeapUsedBytes)}`, `dev server RSS ${mb(a.devServerRssBytes)}`, `worker RSS ≤ ${mb(a.target.workerRssBytes)}`, verdict(a.met)]);
    rows.push(['At rest: latency p50/p95/p99 (ms)', `${a.latencyAfter.p50}/${a.latencyAfter.p95}/${a.latencyAfter.p99}`, `${a.latencyBefore.p50}/${a.latencyBefore.p95}/${a.latencyBefore.p99} before`, `p99 × ${a.p99Degradation}`, '']);
  }
  rows.push(['API answers 503, retried', `${r.apiRetries.pathwayPhase} in the pathway phase`, `${r.apiRetries.total} in all`, '', '']);
  rows.push(['Replay longest history', `${r.replay.ms} ms`, `${r.replay.events} events`, '', '']);
  const steps = Object.entries(l.byStep).map(([step, p]) => [step, String(p.count), String(p.p50), String(p.p95), String(p.p99)]);
  return [
    table(rows),
    '',
    table([['Step (API call → state visible)', 'n', 'p50 ms', 'p95 ms', 'p99 ms'], ...steps]),
    '',
    table([
      ['CPU seconds by process', ...Object.keys(r.cpu.bare.processSeconds), 'machine busy / I/O wait / idle'],
      ...(['pathway', 'bare'] as const).map((phase) => [`${phase} phase`, ...Object.keys(r.cpu.bare.processSeconds).map((k) => String(r.cpu[phase].processSeconds[k] ?? '–')), `${r.cpu[phase].machine.busyShare} / ${r.cpu[phase].machine.ioWaitShare} / ${r.cpu[phase].machine.idleShare}`]),
    ]),
    r.throughput.failures.length ? `\n${r.throughput.failures.length} case(s) failed:\n${r.throughput.failures.slice(0, 10).join('\n')}` : '',
  ].join('\n');
}

// Run as `npm run bench`; bench/profiles.ts imports the phases above.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
