// The remind-then-escalate helper every wait of a new case uses (workflows/reminders.ts), on its own,
// on the real dev server: when reminders go, when the count starts again, when the wait gives up, and
// what a person's action costs in timer events. The pathway's own tests cover each wait through it.
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { doneSignal, progressSignal, remindersSentQuery, stopSignal, type ReminderResult, type ReminderRun } from './support/reminderWorkflow';
import { eventually } from './support/cases';

const EventType = temporal.api.enums.v1.EventType;
const address = () => {
  const value = process.env.PARCOURS_TEST_TEMPORAL_ADDRESS;
  if (!value) throw new Error('PARCOURS_TEST_TEMPORAL_ADDRESS is not set: run the test through jest, whose global setup starts the Temporal server.');
  return value;
};

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

let native: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `test-reminders-${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  native = await NativeConnection.connect({ address: address() });
  connection = await Connection.connect({ address: address() });
  client = new Client({ connection, namespace: 'default' });
  worker = await Worker.create({ connection: native, namespace: 'default', taskQueue, workflowsPath: require.resolve('./support/reminderWorkflow') });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await connection?.close();
  await native?.close();
});

function start(run: ReminderRun) {
  return client.workflow.start('reminderWorkflow', { taskQueue, workflowId: `reminders-${crypto.randomUUID()}`, args: [run], workflowExecutionTimeout: '2m' });
}
const sentSoFar = (h: Awaited<ReturnType<typeof start>>) => h.query(remindersSentQuery);
const gaps = (r: ReminderResult) => r.reminders.map((x, i) => x.at - (i === 0 ? r.startedAt : r.reminders[i - 1].at));

async function timerEvents(h: Awaited<ReturnType<typeof start>>) {
  const events = (await h.fetchHistory()).events ?? [];
  const count = (t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t).length;
  return { started: count(EventType.EVENT_TYPE_TIMER_STARTED), canceled: count(EventType.EVENT_TYPE_TIMER_CANCELED), fired: count(EventType.EVENT_TYPE_TIMER_FIRED) };
}

it('with nothing happening: reminds every interval, up to the last, and gives up one interval after it', async () => {
  const h = await start({ intervalMs: 1000, max: 2 });
  const r: ReminderResult = await h.result();
  expect(r.outcome).toBe('exhausted');
  expect(r.reminders.map((x) => x.n)).toEqual([1, 2]);
  for (const gap of gaps(r)) expect(gap).toBeGreaterThanOrEqual(1000);
  expect(r.endedAt - r.reminders[1].at).toBeGreaterThanOrEqual(1000);
  // One timer per reminder and one for the last wait, each fired; none cancelled.
  expect(await timerEvents(h)).toEqual({ started: 3, canceled: 0, fired: 3 });
}, 60_000);

it('ends when what it waits for happens, or when it is stopped, and reminds no more', async () => {
  const done = await start({ intervalMs: 1000, max: 5 });
  await eventually(async () => expect(await sentSoFar(done)).toBeGreaterThanOrEqual(1), 20_000);
  await done.signal(doneSignal);
  const d: ReminderResult = await done.result();
  expect(d.outcome).toBe('done');
  expect(d.reminders.length).toBeLessThan(5);

  const stopped = await start({ intervalMs: 60_000, max: 5 });
  await stopped.signal(stopSignal);
  const s: ReminderResult = await stopped.result();
  expect(s.outcome).toBe('stopped');
  expect(s.reminders).toEqual([]);
}, 60_000);

it('progress (a payment) wakes the wait and starts the count again: the person gets the full round of reminders after it', async () => {
  const h = await start({ intervalMs: 2000, max: 2 });
  await eventually(async () => expect(await sentSoFar(h)).toBe(1), 20_000, 50);
  await h.signal(progressSignal);
  const r: ReminderResult = await h.result();
  expect(r.outcome).toBe('exhausted');
  // Reminder 1, then the progress: reminders 1 and 2 again, the first a whole interval after the progress.
  expect(r.reminders.map((x) => x.n)).toEqual([1, 1, 2]);
  expect(r.reminders[1].at - r.progressAt[0]).toBeGreaterThanOrEqual(2000);
  expect(r.changes).toBe(1);
  // The progress cancelled the running timer and started a new one.
  expect((await timerEvents(h)).canceled).toBe(1);
}, 60_000);

it('steady progress (the patient acting) keeps the timer: no timer event per action, and the reminder still comes an interval after the last action', async () => {
  const h = await start({ intervalMs: 3000, max: 1, steady: true });
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.signal(progressSignal);
  }
  const r: ReminderResult = await h.result();
  expect(r.outcome).toBe('exhausted');
  expect(r.progressAt).toHaveLength(3);
  expect(r.reminders.map((x) => x.n)).toEqual([1]);
  expect(r.reminders[0].at - r.progressAt[2]).toBeGreaterThanOrEqual(3000);
  // First timer (ran on through the three actions), the rest of the wait after the last action, the wait after the reminder.
  expect(await timerEvents(h)).toEqual({ started: 3, canceled: 0, fired: 3 });
}, 60_000);

it('gives up at its expiry, before its reminders run out (an estimate at the end of its validity)', async () => {
  const h = await start({ intervalMs: 1000, max: 10, expiresInMs: 2500 });
  const r: ReminderResult = await h.result();
  expect(r.outcome).toBe('exhausted');
  expect(r.reminders.map((x) => x.n)).toEqual([1, 2]);
  expect(r.endedAt - r.startedAt).toBeGreaterThanOrEqual(2500);
}, 60_000);
