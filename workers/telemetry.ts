// The worker runtime's own Prometheus endpoint (Temporal's Core metrics: task slots, poll and schedule-
// to-start latencies, workflow task failures, sticky cache), on METRICS_ADDRESS when it is set. Once
// per process, before the first connection (Runtime.install refuses afterwards).
import { Runtime } from '@temporalio/worker';
import type { AppConfig } from '../lib/config';

export function installWorkerRuntime(config: Pick<AppConfig, 'metrics'>): void {
  if (!config.metrics.address) return;
  // Seconds and _total suffixes: the names Prometheus conventions (and the alert rules) expect.
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.metrics.address, countersTotalSuffix: true, useSecondsForDurations: true } } } });
}
