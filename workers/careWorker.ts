// The care-pathway worker: runs the workflow bundle and the activities on one task queue.
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
   * replayed from its history when it wakes. The SDK's default grows with the heap (thousands).
   */
  maxCachedWorkflows?: number;
}

export async function createCareWorker(opts: CareWorkerOptions): Promise<Worker> {
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> = opts.workflowBundlePath
    ? { workflowBundle: { codePath: opts.workflowBundlePath } } // built by lib/workflowBundle
    // Bundled here with dataConverter.failureConverterPath and the same shared modules as lib/workflowBundle.
    : { workflowsPath: CARE_WORKFLOWS_PATH, bundlerOptions: { preloadModules: preloadedModules(CARE_WORKFLOWS_PATH) } };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.activityDeps),
    dataConverter: opts.dataConverter,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...workflows,
  });
}
