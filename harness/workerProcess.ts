// A worker in its own process for benchmarks and chaos runs, so it can be measured (RSS, heap) and
// killed with SIGKILL. `care` runs the Parcours worker exactly as workers/main.ts does; `bare` runs
// the benchmark's baseline workflow (bench/bareWorkflow.ts); `relay` runs the mail relay as
// workers/relayMain.ts does. The parent talks over the IPC channel: it gets `{ ready: true }` once
// the worker polls (or the relay runs), answers `memory` requests, and gets
// `{ emailMarked: { key, acceptedAt, at } }` the moment the relay records an email as sent (the chaos
// run measures how long a delivered email stays unrecorded: a relay killed in that window sends it
// again), and `{ loopStall: { at, ms } }` whenever its event loop was held up over 100 ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activityDepsFrom } from '../activities';
import { createTransport } from '../activities/email';
import { loadConfig } from '../lib/config';
import { createDb, useWriteAheadLog } from '../lib/db';
import { dataConverterFor } from '../lib/payloadCrypto';
import { createCareWorker } from '../workers/careWorker';
import { installWorkerRuntime } from '../workers/telemetry';
import { relayDepsFrom, startMailRelay } from '../workers/mailRelay';

export interface MemoryReport {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const bundlePath = process.env.PARCOURS_WORKFLOW_BUNDLE;
  if (!process.send || (mode !== 'care' && mode !== 'bare' && mode !== 'relay') || (mode !== 'relay' && !bundlePath)) {
    throw new Error('Usage: fork harness/workerProcess.js with an IPC channel, mode care|bare|relay and (but for relay) PARCOURS_WORKFLOW_BUNDLE set.');
  }
  process.on('message', (m) => {
    if (m !== 'memory') return;
    const u = process.memoryUsage();
    process.send!({ memory: { rssBytes: u.rss, heapUsedBytes: u.heapUsed, heapTotalBytes: u.heapTotal } satisfies MemoryReport });
  });
  // Stalls of this process's event loop (a synchronous SQLite wait, a long GC): reported each second.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  setInterval(() => {
    const ms = Math.round(loop.max / 1e6);
    loop.reset();
    if (ms > 100) process.send?.({ loopStall: { at: Date.now(), ms } });
  }, 1000).unref();
  const config = loadConfig();
  if (mode === 'relay') {
    const transport = createTransport(config.smtp);
    const db = createDb(config.databaseUrl);
    await useWriteAheadLog(db);
    const relay = startMailRelay({
      ...relayDepsFrom(config, db, transport),
      onSent: ({ idempotencyKey, acceptedAt }) => void process.send?.({ emailMarked: { key: idempotencyKey, acceptedAt, at: Date.now() } }),
    });
    process.send({ ready: true });
    await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
    await relay.stop();
    process.exit(0);
  }
  installWorkerRuntime(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  let worker: Worker;
  const db = createDb(config.databaseUrl);
  await useWriteAheadLog(db);
  // The baseline encrypts too: the benchmark compares workflow code, not the codec.
  const dataConverter = dataConverterFor(config, db);
  if (mode === 'care') {
    worker = await createCareWorker({
      connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, maxCachedWorkflows: config.temporal.maxCachedWorkflows, workflowHeapMb: config.temporal.workflowHeapMb, workflowBundlePath: bundlePath!, activityDeps: activityDepsFrom(config, db), dataConverter,
    });
  } else {
    const { bareActivities } = await import('../bench/bareActivities');
    worker = await Worker.create({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, workflowBundle: { codePath: bundlePath! }, activities: bareActivities, dataConverter });
  }
  const running = worker.run();
  process.send({ ready: true });
  await running;
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
