// The read-model rebuild learns what a local activity wrote by replaying the case's history
// (lib/ops/localActivityWrites.ts). New cases no longer write through local activities (the
// queued-bookkeeping patch, workflows/bookkeeping.ts), so the cases opened between the two patches are
// the recorded v7 histories: every local activity marker in them must come back with its input.
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createLocalWritesReader, type LocalWritesReader } from '../lib/ops/localActivityWrites';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('-v7.json'));
let read: LocalWritesReader;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') }); // each replay worker would log its state changes
  read = await createLocalWritesReader();
}, 120_000);

/** The local activity markers of a history as the CLI exports it: sequence number and activity type. */
function markers(events: Array<{ markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads: Array<{ data: string }> }> } }>) {
  return events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data.payloads[0].data, 'base64').toString('utf8')) as { seq: number; activity_type: string });
}

it('has the histories of the cases that wrote through local activities', () => {
  expect(files).toHaveLength(5);
});

it.each(files)('gives the input of every local activity recorded in %s', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const recorded = markers(history.events);
  expect(recorded.length).toBeGreaterThan(20);
  const calls = await read(history.events, file.replace(/\.json$/, ''));
  for (const m of recorded) {
    expect(calls.get(m.seq)).toMatchObject({ seq: m.seq, activityType: m.activity_type, input: expect.any(Object) });
    expect(JSON.stringify(calls.get(m.seq)!.input)).toMatch(/INT-\d{4}-\d+/); // the case it wrote for
  }
  // The audit trail's events carry their idempotency key, from which the rebuild writes each once.
  const events = [...calls.values()].filter((c) => c.activityType === 'recordCaseEvent');
  expect(events.length).toBeGreaterThan(5);
  for (const e of events) expect(e.input).toMatchObject({ idempotencyKey: expect.stringMatching(/^case-INT-/), type: expect.any(String) });
});
