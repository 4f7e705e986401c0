// Step 3's clocks with short durations: an unanswered estimate expires, an accepted one that is never
// guaranteed expires (money paid is refunded), a task nobody handles is escalated, and a long case
// continues as a new run without losing anything.
import { eventually, waitForState } from './support/cases';
import { call, FAST_TIMINGS, inDays, issueEstimate, makeTeam, pay, toGuaranteed, toTreatmentPlanning, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let team: Team;
beforeAll(async () => {
  stack = await startStack({
    env: {
      ...FAST_TIMINGS,
      // Steps 1–2 must not expire while the setup drives them.
      PATHWAY_REMINDER_AFTER: '1h', PATHWAY_FEE_REMINDER_AFTER: '1h', PATHWAY_REPORT_SLA: '1h',
      PATHWAY_ESTIMATE_VALIDITY: '8s', PATHWAY_GUARANTEE_REMINDER_AFTER: '2s', PATHWAY_TASK_REMINDER_AFTER: '2s',
      PATHWAY_FOLLOW_UP_WINDOW: '2s', PATHWAY_ARRIVAL_REMINDER_BEFORE: '1 day',
      // Past steps 1–2 (about 230 events; the minimum allowed is 200) every case is "long": it continues as new at its first chance.
      PATHWAY_CONTINUE_AS_NEW_AFTER_EVENTS: '200',
    },
  });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const mailFor = (reference: string, subject: RegExp) => stack.smtp.waitFor((m) => m.subject.includes(reference) && subject.test(m.subject), 20_000);

it('an estimate left unanswered is reminded halfway through its validity, then expires', async () => {
  const { patient, reference } = await toTreatmentPlanning(stack, team);
  const est = await issueEstimate(stack, team, patient, reference);
  await mailFor(reference, /Reminder: estimate/);
  const s = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'expired', 30_000);
  expect(s.treatment.estimates[0]).toMatchObject({ number: est.number, status: 'expired' });
  await mailFor(reference, /has expired/);
  // Too late to accept.
  expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(409);
}, 90_000);

it('an accepted estimate never paid: reminders, then expiry; the deposit is marked for refund', async () => {
  const { patient, reference } = await toTreatmentPlanning(stack, team);
  const est = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 2 }]);
  expect((await call(stack, patient, 'post', `/cases/${reference}/estimates/${est.number}/accept`)).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'guarantee_pending');
  expect((await pay(stack, reference, 1000, `dep-${reference}`, est.number)).status).toBe(200);
  await mailFor(reference, /Reminder: estimate .* not paid or guaranteed/);
  const s = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'expired', 30_000);
  expect(s.treatment.estimates[0].status).toBe('expired');
  expect(s.refundDueCents).toBe(1000);
  expect(s.paymentStatus).toBe('refund_due');
  await mailFor(reference, /was not paid or guaranteed/);
}, 120_000);

it('a task nobody handles is reminded to its team, then escalated to the coordinator', async () => {
  const { patient, reference } = await toGuaranteed(stack, team);
  const res = await call(stack, patient, 'post', `/cases/${reference}/requests`, { kind: 'accommodation', details: 'Near Orsay, 60 EUR a night' });
  expect(res.status).toBe(201);
  await stack.smtp.waitFor((m) => m.to.includes(stack.config.supportTeamEmail) && m.subject.includes(reference) && /Reminder|Rappel/.test(m.subject), 20_000);
  await stack.smtp.waitFor((m) => m.to.includes(team.care.email) && m.subject.includes(reference) && /Overdue: task|En retard : tâche/.test(m.subject), 30_000);
  await eventually(async () => {
    const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: true } });
    expect(row.events.map((e) => e.type)).toContain('task_overdue');
  }, 10_000);
}, 120_000);

it('a long case continues as new during the stay and keeps its state, tasks and money', async () => {
  const { patient, reference, estimate } = await toGuaranteed(stack, team);
  expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(12), plannedStayDays: 30 })).status).toBe(200);
  await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'awaiting_arrival');
  const handle = stack.client.workflow.getHandle(`case-${reference}`);
  const firstRun = (await handle.describe()).runId;
  expect((await call(stack, team.care, 'post', `/cases/${reference}/arrived`)).status).toBe(200);

  // The history is past the threshold: the stay continues in a new run of the same workflow ID.
  await eventually(async () => expect((await handle.describe()).runId).not.toBe(firstRun), 20_000);
  const resumed = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'in_stay');
  expect(resumed.treatment.estimates[0]).toMatchObject({ number: estimate.number, status: 'guaranteed', paidCents: estimate.totalCents });
  expect(resumed.treatment.arrivedAt).not.toBeNull();

  // Everything still works in the new run: a request, the discharge, the account, the closure.
  expect((await call(stack, patient, 'post', `/cases/${reference}/requests`, { kind: 'medical_question', details: 'Can I swim?' })).status).toBe(201);
  const withTask = await waitForState(stack.app, patient.auth, reference, (x) => x.treatment.tasks.length === 1);
  expect((await call(stack, team.assistant, 'post', `/cases/${reference}/tasks/${withTask.treatment.tasks[0].id}/complete`, { outcome: 'Not during treatment.' })).status).toBe(200);
  const answered = await mailFor(reference, /Medical question/);
  expect(answered.text).not.toContain('Not during treatment'); // a medical answer stays on the portal
  expect((await call(stack, team.care, 'post', `/cases/${reference}/discharge`, {})).status).toBe(200);
  const closed = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'closed', 30_000);
  expect(closed.treatment.reconciliation).toMatchObject({ outcome: 'settled', balanceDueCents: 0, refundDueCents: 0 });
  expect(closed.paymentStatus).toBe('paid');
  // One closing email, and the event keys went on counting (no event lost to a reused key).
  await mailFor(reference, /is closed/);
  await eventually(async () => {
    const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: true } });
    const types = row.events.map((e) => e.type);
    for (const t of ['continued_as_new', 'task_created', 'task_done', 'discharged', 'account_reconciled', 'case_closed']) expect(types).toContain(t);
  });
}, 150_000);
