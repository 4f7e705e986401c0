// The real Temporal dev server (the CLI built from its Go module), headless and in memory, on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../../lib/temporalCli';
import { searchAttributeFlags } from '../../workflows/definitions';
import { freePort } from './ports';

export interface DevServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startDevServer(): Promise<DevServer> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--log-level', 'error', ...searchAttributeFlags()];
  const child: ChildProcess = spawn(findTemporalCli(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Temporal dev server exited (${child.exitCode}): ${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // Ready once the default namespace answers and the search attributes are registered.
        const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        if (attrs.customAttributes && 'CaseId' in attrs.customAttributes) return { address, pid: child.pid!, stop };
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
