// Where the Temporal CLI binary is: $TEMPORAL_CLI, the project's cache (.temporal/bin), then Go's bin.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './databaseUrl';

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.TEMPORAL_CLI, path.join(projectRoot(), '.temporal', 'bin', 'temporal')];
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', env: { ...env, PATH: `${env.PATH ?? ''}:/usr/local/go/bin` } }).trim();
    if (gopath) candidates.push(path.join(gopath, 'bin', 'temporal'));
  } catch {
    // No Go toolchain: only the other places count.
  }
  const found = candidates.find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error(`The Temporal CLI is not built yet (looked in: ${candidates.filter(Boolean).join(', ')}). Run ./temporal-dev.sh setup.`);
  return found;
}
