// Once per test run: a real Temporal dev server, the workflow bundle and a migrated template
// database. Test files read their locations from the environment.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../lib/databaseUrl';
import { startDevServer, type DevServer } from '../harness/devServer';
import { keksEnv, randomKeyConfig } from '../lib/payloadCrypto';
import { bundleCareWorkflows } from '../lib/workflowBundle';

declare global {
  var __parcoursTest: { server: DevServer; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-test-'));
  const root = projectRoot();
  const templateDb = path.join(dir, 'template.db');
  execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${templateDb}` },
    stdio: 'pipe',
  });
  const code = await bundleCareWorkflows({ workflowsPath: path.join(root, 'workflows', 'index.ts') });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  const server = await startDevServer();
  globalThis.__parcoursTest = { server, dir };
  process.env.PARCOURS_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.PARCOURS_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.PARCOURS_TEST_DB_TEMPLATE = templateDb;
  process.env.PARCOURS_TEST_DIR = dir;
  // One key-encryption key for the run: a stack reusing another's database (restore tests) unwraps its data keys.
  process.env.PARCOURS_TEST_KEKS = keksEnv(randomKeyConfig('test-kek')).PARCOURS_KEKS;
}
