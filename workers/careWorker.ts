// The care-pathway worker: runs the workflow bundle and the activities on one task queue.
import v8 from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { CARE_WORKFLOWS_PATH, preloadedModules } from '../lib/workflowBundle';

export interface CareWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** The project's data converter (lib/payloadCrypto): payloads are encrypted per case. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  /**
   * Workflows kept in memory between their tasks (WORKER_MAX_CACHED_WORKFLOWS). Cases wait days on
   * people, so most are idle: a bounded cache bounds the worker's memory, and an evicted case is
   * replayed from its history when it wakes. Always given: the SDK's default grows with the heap
   * (thousands), and the workflow thread's heap is sized from it.
   */
  maxCachedWorkflows: number;
  /** The heap limit of the thread that runs the cached workflows (WORKER_WORKFLOW_HEAP_MB); default workflowHeapMbFor(cache). */
  workflowHeapMb?: number;
}

/**
 * Room for the cached cases (about 0.25 MB of live heap each, twice what one case measured after its
 * first task) over 256 MB for the code and the task in hand. Node's default, about 4 GB here, let the
 * thread keep garbage: after 10,000 cases opened its RSS was 300 MB above a 512 MB cap (bench/README.md).
 */
export const workflowHeapMbFor = (maxCachedWorkflows: number): number => Math.max(512, 256 + Math.ceil(maxCachedWorkflows / 4));

export async function createCareWorker(opts: CareWorkerOptions): Promise<Worker> {
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> = opts.workflowBundlePath
    ? { workflowBundle: { codePath: opts.workflowBundlePath } } // built by lib/workflowBundle
    // Bundled here with dataConverter.failureConverterPath and the same shared modules as lib/workflowBundle.
    : { workflowsPath: CARE_WORKFLOWS_PATH, bundlerOptions: { preloadModules: preloadedModules(CARE_WORKFLOWS_PATH) } };
  // The workflows run in a worker thread the SDK starts in Worker.create: a V8 flag set now sizes its
  // heap (isolates already running keep theirs).
  v8.setFlagsFromString(`--max-old-space-size=${opts.workflowHeapMb ?? workflowHeapMbFor(opts.maxCachedWorkflows)}`);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.activityDeps),
    dataConverter: opts.dataConverter,
    maxCachedWorkflows: opts.maxCachedWorkflows,
    ...workflows,
  });
}
