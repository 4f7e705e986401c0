// Prometheus metrics of an API process: requests, latency and errors by route (the route's pattern,
// never a reference or an ID), and the pathway's gauges: open cases by phase and awaiting role and
// overdue cases per role (from the read model, at each scrape), and running cases whose workflow task
// keeps failing (from Temporal, counted every METRICS_BLOCKED_SCAN_EVERY: one describe per running
// case is too much for each scrape). Served on METRICS_ADDRESS, apart from the public port.
// docs/deploy.md ("Metrics") lists them with the alert rules in deploy/prometheus/alerts.yml.
import http from 'node:http';
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { countFailingWorkflowTasks } from '../lib/ops/stuck';
import { TERMINAL_PHASES } from '../workflows/definitions';

export interface ApiMetrics {
  registry: Registry;
  /** Counts and times every request by method, route pattern and status. */
  middleware: RequestHandler;
  /** Counts the failing workflow tasks now, then every `everyMs`; stop() ends it. */
  scanFailingTasks(client: Client, o: { taskQueue: string; everyMs: number; callTimeoutMs: number; logger?: Logger }): { stop(): void; scanned: Promise<void> };
}

export function createApiMetrics(db: Db): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parcours_api_' });
  const registers = [registry];
  const labelNames = ['method', 'route'] as const;

  const requests = new Counter({ name: 'parcours_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: [...labelNames, 'status'], registers });
  const errors = new Counter({ name: 'parcours_http_errors_total', help: 'HTTP requests answered with a 4xx or 5xx status, by method, route pattern and status', labelNames: [...labelNames, 'status'], registers });
  const latency = new Histogram({
    name: 'parcours_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const openPhases = { notIn: [...TERMINAL_PHASES] };
  new Gauge({
    name: 'parcours_cases',
    help: 'Open cases by phase and by the role they wait on (read model)',
    labelNames: ['phase', 'awaiting_role'],
    registers,
    async collect() {
      const groups = await db.case.groupBy({ by: ['phase', 'awaitingRole'], where: { phase: openPhases }, _count: { _all: true } });
      this.reset();
      for (const g of groups) this.set({ phase: g.phase, awaiting_role: g.awaitingRole ?? 'none' }, g._count._all);
    },
  });
  new Gauge({
    name: 'parcours_cases_overdue',
    help: 'Open cases past their next deadline, by the role they wait on (read model)',
    labelNames: ['awaiting_role'],
    registers,
    async collect() {
      const groups = await db.case.groupBy({ by: ['awaitingRole'], where: { phase: openPhases, nextDeadline: { lt: new Date() } }, _count: { _all: true } });
      this.reset();
      for (const g of groups) this.set({ awaiting_role: g.awaitingRole ?? 'none' }, g._count._all);
    },
  });
  const failing = new Gauge({ name: 'parcours_workflow_tasks_failing', help: 'Running cases whose workflow task failed twice or more in a row (blocked: npm run ops:stuck explains them)', registers });
  const scannedAt = new Gauge({ name: 'parcours_workflow_tasks_failing_scanned_at_seconds', help: 'When parcours_workflow_tasks_failing was last counted (Unix time)', registers });
  const scanErrors = new Counter({ name: 'parcours_workflow_tasks_failing_scan_errors_total', help: 'Counts of failing workflow tasks that could not be made (Temporal unreachable, deadline passed)', registers });

  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The matched route's pattern (/cases/:reference); a request no route took is one label, not its path.
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
      const labels = { method: req.method, route };
      latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      const status = String(res.statusCode);
      requests.inc({ ...labels, status });
      if (res.statusCode >= 400) errors.inc({ ...labels, status });
    });
    next();
  };

  function scanFailingTasks(client: Client, o: { taskQueue: string; everyMs: number; callTimeoutMs: number; logger?: Logger }) {
    const scan = async () => {
      try {
        failing.set(await countFailingWorkflowTasks(client, { taskQueue: o.taskQueue, callTimeoutMs: o.callTimeoutMs }));
        scannedAt.set(Date.now() / 1000);
      } catch (err) {
        scanErrors.inc();
        o.logger?.warn({ err: (err as Error).message }, 'could not count failing workflow tasks for the metrics');
      }
    };
    const scanned = scan();
    const timer = setInterval(() => void scan(), o.everyMs);
    timer.unref();
    return { stop: () => clearInterval(timer), scanned };
  }

  return { registry, middleware, scanFailingTasks };
}

/** Serves GET /metrics for Prometheus on `host:port`; anything else is 404. */
export function serveMetrics(registry: Registry, address: string, logger?: Logger): Promise<http.Server> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: unknown) => {
        logger?.error({ err }, 'metrics could not be collected');
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Metrics could not be collected: see the API log.\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `METRICS_ADDRESS ${address} is already in use: stop the other process or pick another port` : err.message)),
    );
    server.listen(port, host, () => resolve(server));
  });
}
