// The Temporal Web UI server (.temporal/bin/temporal-ui-server, built by ./temporal-dev.sh setup) on a
// free port, configured from deploy/temporal/ui/parcours.yaml as ./temporal-dev.sh runs it: payloads
// decoded through the API's codec server with the console's session cookie.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../lib/databaseUrl';
import { freePort } from './ports';
import { dieWithThisProcess, stopChild } from './processes';

export interface TemporalUi {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  stop(): Promise<void>;
}

/** `port`: chosen beforehand when the API must know the UI's origin (CORS, links) before the UI starts. */
export async function startTemporalUi(opts: { temporalAddress: string; apiUrl: string; port?: number }): Promise<TemporalUi> {
  const binary = path.join(projectRoot(), '.temporal', 'bin', 'temporal-ui-server');
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run ./temporal-dev.sh setup (it builds the Web UI server).`);
  const port = opts.port ?? (await freePort());
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-ui-'));
  fs.mkdirSync(path.join(root, 'config'));
  const template = fs.readFileSync(path.join(projectRoot(), 'deploy', 'temporal', 'ui', 'parcours.yaml'), 'utf8');
  const filled = template.replaceAll('{{TEMPORAL_ADDRESS}}', opts.temporalAddress).replaceAll('{{TEMPORAL_UI_PORT}}', String(port)).replaceAll('{{API_URL}}', opts.apiUrl);
  fs.writeFileSync(path.join(root, 'config', 'parcours.yaml'), filled);

  const child = spawn(binary, ['--root', root, '--env', 'parcours', 'start'], { stdio: ['ignore', 'ignore', 'pipe'] });
  dieWithThisProcess(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const stop = async () => {
    await stopChild(child, 'SIGTERM', 5_000);
    fs.rmSync(root, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`The Temporal UI server exited (${child.exitCode}): ${stderr}`);
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return { url, stop };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The Temporal UI server did not answer on ${url} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
