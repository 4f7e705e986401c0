// The real Temporal dev server (the CLI built from its Go module), headless, on free ports: in memory
// for the tests, or on a database file for benchmarks and chaos runs, where it restarts with its
// state (same ports, same file). Always headless: the Web UI is harness/temporalUi.ts, as in ./temporal-dev.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../lib/temporalCli';
import { searchAttributeFlags } from '../workflows/definitions';
import { freePort } from './ports';
import { dieWithThisProcess, stopChild } from './processes';

/** What the harness needs of a Temporal server: this dev server, or the real one (harness/temporalCluster.ts). */
export interface TemporalServer {
  /** `127.0.0.1:<port>` (gRPC). */
  address: string;
  /** The running server process's PID (changes on restart). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Stops the server (SIGTERM) and starts it again on the same ports and state. */
  restart(): Promise<void>;
}

export type DevServer = TemporalServer;

export interface DevServerOptions {
  /** Persist state in this SQLite file (default: in memory, lost on stop). */
  dbFilename?: string;
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const args = [
    'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--log-level', 'error',
    ...(opts.dbFilename ? ['--db-filename', opts.dbFilename] : []),
    ...searchAttributeFlags(),
  ];
  const address = `127.0.0.1:${port}`;
  let current = await launch(args, address);
  return {
    address,
    get pid() {
      return current.pid;
    },
    stop: () => current.stop(),
    async restart() {
      await current.stop();
      current = await launch(args, address);
    },
  };
}

interface Running {
  pid: number;
  stop(): Promise<void>;
}

async function launch(args: string[], address: string): Promise<Running> {
  const child: ChildProcess = spawn(findTemporalCli(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  dieWithThisProcess(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const stop = () => stopChild(child, 'SIGTERM', 10_000);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Temporal dev server exited (${child.exitCode}): ${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // Ready once the default namespace answers and the search attributes are registered.
        const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        if (attrs.customAttributes && 'CaseId' in attrs.customAttributes) return { pid: child.pid!, stop };
      } finally {
        await connection.close();
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Temporal dev server did not become ready in 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
