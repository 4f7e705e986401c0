// The care worker sizes the heap of the thread that runs its cached cases (workers/careWorker.ts):
// with Node's default (about 4 GB) that thread kept garbage, and the worker passed 1 GB at rest.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { loadConfig } from '../lib/config';
import { workflowHeapMbFor } from '../workers/careWorker';
import { signUp } from './support/actors';
import { waitForState } from './support/cases';
import { openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

/** The heap limit, in MB, of a thread started now: the SDK starts its workflow thread the same way. */
function threadHeapLimitMb(): Promise<number> {
  const code = "require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)";
  return new Promise((resolve, reject) => {
    const thread = new Thread(code, { eval: true });
    thread.once('message', (mb: number) => void thread.terminate().then(() => resolve(mb)));
    thread.once('error', reject);
  });
}

it('gives the cached cases a quarter of a megabyte each over 256 MB, never under 512 MB', () => {
  expect(workflowHeapMbFor(1000)).toBe(512);
  expect(workflowHeapMbFor(100)).toBe(512);
  expect(workflowHeapMbFor(4000)).toBe(1256);
  expect(workflowHeapMbFor(4001)).toBe(1257);
});

it('refuses a heap too small to run a case, naming the variable', () => {
  expect(() => loadConfig({ WORKER_WORKFLOW_HEAP_MB: '64' })).toThrow(/WORKER_WORKFLOW_HEAP_MB: Too small: expected number to be >=128/);
  expect(loadConfig({}).temporal.workflowHeapMb).toBeUndefined();
});

describe('a worker started with WORKER_WORKFLOW_HEAP_MB', () => {
  let stack: Stack;
  afterAll(async () => {
    await stack?.stop();
  });

  it('caps the heap of the workflow threads started with it, and a case still runs', async () => {
    const before = await threadHeapLimitMb();
    stack = await startStack({ env: { WORKER_WORKFLOW_HEAP_MB: '300' } });
    const limit = await threadHeapLimitMb();
    // The old generation's 300 MB plus the young generation's few tens.
    expect(limit).toBeGreaterThanOrEqual(300);
    expect(limit).toBeLessThan(Math.min(before, 400));
    const patient = await signUp(stack);
    const reference = await openCase(stack, patient, 'treatment');
    const waiting = await waitForState(stack.app, patient.auth, reference, (s) => s.timeline.some((t) => t.type === 'acknowledgement_sent'));
    expect(waiting.phase).toBe('file_collection');
  }, 60_000);
});

it('starts the deployed worker with a main heap capped by workers/node-flags', () => {
  const flags = fs.readFileSync(path.join(__dirname, '..', 'workers', 'node-flags'), 'utf8').trim().split(/\s+/);
  const limitMb = Number(execFileSync(process.execPath, [...flags, '-p', "require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20"], { encoding: 'utf8' }));
  expect(limitMb).toBeGreaterThanOrEqual(512);
  expect(limitMb).toBeLessThan(600);
});
