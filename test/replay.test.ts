// Replays recorded histories of full cases against today's workflow code: a change that breaks
// determinism (reordered activities, a new timer outside `patched()`) fails here, before it can break
// running cases. Each version that changes the workflow records its histories beside the older ones
// (`RECORD_HISTORIES=v2 npx jest test/pathway.test.ts`); old ones stay, to prove `patched()` keeps them valid.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

it('has recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(8); // four request types, before and after the audit-trail patch
});

it.each(files)('replays %s without nondeterminism', async (file) => {
  // The JSON as the Temporal CLI exports it; the SDK converts it (converting here trips over Jest's module registry).
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { events: unknown[] };
  expect(history.events.length).toBeGreaterThan(20);
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.PARCOURS_TEST_WORKFLOW_BUNDLE! } }, history, file.replace(/\.json$/, ''));
});
