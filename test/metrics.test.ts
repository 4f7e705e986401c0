// Metrics for ops (api/metrics.ts, workers/telemetry.ts): the API's requests, latency and errors by route
// pattern (never a reference in a label), the pathway's gauges from the read model, the count of
// failing workflow tasks, the /metrics endpoint on its own address, and the worker runtime's own
// Prometheus endpoint, scraped from a real worker process.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { serveMetrics } from '../api/metrics';
import { freePort } from '../harness/ports';
import { projectRoot } from '../lib/databaseUrl';
import { signUp, type Actor } from './support/actors';
import { openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
beforeAll(async () => {
  stack = await startStack();
  patient = await signUp(stack);
});
afterAll(async () => {
  await stack?.stop();
});

/** The value of one sample line of the exposition text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the API metrics', () => {
  it('count and time requests by route pattern and status, and count errors, never naming a case', async () => {
    const reference = await openCase(stack, patient, 'medical_opinion');
    const base = await stack.metrics.registry.metrics();
    const before = (name: string, labels: Record<string, string>) => sample(base, name, labels) ?? 0;
    const ok = { method: 'GET', route: '/cases/:reference', status: '200' };
    const notFound = { ...ok, status: '404' };
    const timed = { method: 'GET', route: '/cases/:reference' };
    expect((await request(stack.app).get(`/cases/${reference}`).set(patient.auth)).status).toBe(200);
    expect((await request(stack.app).get(`/cases/${reference}`).set(patient.auth)).status).toBe(200);
    expect((await request(stack.app).get('/cases/INT-2026-999999').set(patient.auth)).status).toBe(404);
    expect((await request(stack.app).get(`/no/such/path/${reference}`)).status).toBe(404);

    const text = await stack.metrics.registry.metrics();
    expect(sample(text, 'parcours_http_requests_total', ok)).toBe(before('parcours_http_requests_total', ok) + 2);
    expect(sample(text, 'parcours_http_requests_total', notFound)).toBe(before('parcours_http_requests_total', notFound) + 1);
    expect(sample(text, 'parcours_http_errors_total', notFound)).toBe(before('parcours_http_errors_total', notFound) + 1);
    expect(sample(text, 'parcours_http_errors_total', ok)).toBeUndefined();
    expect(sample(text, 'parcours_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(before('parcours_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) + 1);
    expect(sample(text, 'parcours_http_request_duration_seconds_count', timed)).toBe(before('parcours_http_request_duration_seconds_count', timed) + 3);
    expect(sample(text, 'parcours_http_request_duration_seconds_bucket', { ...timed, le: '+Inf' })).toBe(before('parcours_http_request_duration_seconds_bucket', { ...timed, le: '+Inf' }) + 3);
    // Labels carry patterns only: no reference, no email, no path as sent.
    expect(text).not.toContain(reference);
    expect(text).not.toContain('INT-2026-999999');
    expect(text).not.toContain(patient.email);
  });

  it('give open cases by phase and awaiting role, and the overdue ones per role, from the read model', async () => {
    const before = await stack.metrics.registry.metrics();
    const waitingOnPatient = sample(before, 'parcours_cases', { phase: 'file_collection', awaiting_role: 'patient' }) ?? 0;
    const overdueBefore = sample(before, 'parcours_cases_overdue', { awaiting_role: 'patient' }) ?? 0;

    const reference = await openCase(stack, patient, 'sample_analysis');
    const after = await stack.metrics.registry.metrics();
    expect(sample(after, 'parcours_cases', { phase: 'file_collection', awaiting_role: 'patient' })).toBe(waitingOnPatient + 1);

    // A deadline passed: the read model says so (as the workflow would write it), the gauge counts it.
    await stack.db.case.update({ where: { reference }, data: { nextDeadline: new Date(Date.now() - 60_000) } });
    const overdue = await stack.metrics.registry.metrics();
    expect(sample(overdue, 'parcours_cases_overdue', { awaiting_role: 'patient' })).toBe(overdueBefore + 1);

    // A case that has ended is no one's work: it leaves both gauges.
    await stack.db.case.update({ where: { reference }, data: { phase: 'cancelled' } });
    const ended = await stack.metrics.registry.metrics();
    expect(sample(ended, 'parcours_cases', { phase: 'file_collection', awaiting_role: 'patient' })).toBe(waitingOnPatient);
    expect(sample(ended, 'parcours_cases_overdue', { awaiting_role: 'patient' }) ?? 0).toBe(overdueBefore);
  });

  it('count the running cases whose workflow task keeps failing, and when they were counted', async () => {
    const scan = stack.metrics.scanFailingTasks(stack.client, { taskQueue: stack.taskQueue, everyMs: 60_000, callTimeoutMs: 10_000 });
    try {
      await scan.scanned;
      const text = await stack.metrics.registry.metrics();
      // Every case of this file's task queue runs normally (other files' cases, some failing on purpose, are not counted).
      expect(text).toMatch(/^parcours_workflow_tasks_failing 0$/m);
      const at = Number(/^parcours_workflow_tasks_failing_scanned_at_seconds (\S+)$/m.exec(text)?.[1]);
      expect(Math.abs(at - Date.now() / 1000)).toBeLessThan(60);
    } finally {
      scan.stop();
    }
  });

  it('are served on their own address at GET /metrics, and nothing else is', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const server = await serveMetrics(stack.metrics.registry, address);
    try {
      const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('parcours_api_process_cpu_seconds_total');
      expect((await fetch(`http://${address}/cases`, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
      await expect(serveMetrics(stack.metrics.registry, address)).rejects.toThrow(`METRICS_ADDRESS ${address} is already in use`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the worker runtime's Prometheus endpoint", () => {
  let worker: ChildProcess | undefined;
  afterEach(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('serves Temporal worker metrics on METRICS_ADDRESS', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    let stderr = '';
    worker = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js')], {
      env: {
        ...process.env,
        METRICS_ADDRESS: address,
        TEMPORAL_ADDRESS: stack.config.temporal.address,
        TEMPORAL_TASK_QUEUE: `${stack.taskQueue}-metrics`,
        DATABASE_URL: stack.config.databaseUrl,
        PARCOURS_KEKS: process.env.PARCOURS_TEST_KEKS!,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    let text = '';
    while (Date.now() < deadline && worker.exitCode === null) {
      text = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), () => '');
      if (/^temporal_num_pollers\{/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (worker.exitCode !== null) throw new Error(`the worker stopped: ${stderr}`);
    expect(text).toMatch(/^temporal_num_pollers\{.*poller_type="workflow_task".*\} \d+/m);
    expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);
  }, 90_000);
});
