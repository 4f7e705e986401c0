// A follow-up whose announcement is slow to go out (its email activity held up, and the mail server
// down) past the appointment and the follow-up window: the case must not close before the patient
// got both the announcement and the reminder, in that order. (The chaos run found a case closed with
// no reminder: the reminder's watcher only started once the announcement was sent, after the case
// had closed.) And a follow-up asked for while the case is closing is refused, not announced and
// never reminded.
import type { SendEmailInput } from '../activities/email';
import { waitForState } from './support/cases';
import { CALM_TIMINGS, call, inDays, makeTeam, toGuaranteed, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

const FOLLOW_UP_WINDOW_MS = 3000;
let stack: Stack;
let team: Team;
/** Email activities held (after queuing) until released, by `<reference>:<template>`: a slow worker. */
const held = new Map<string, Promise<void>>();
function hold(reference: string, template: string): () => void {
  let release!: () => void;
  held.set(`${reference}:${template}`, new Promise<void>((r) => (release = r)));
  return () => release();
}
beforeAll(async () => {
  // The reminder is due `arrivalReminderBefore` ahead of the appointment: 30 days, so at once. The API
  // waits for the scheduling update while its email activity is held: no 503 meanwhile.
  stack = await startStack({
    afterEmailQueued: async (input: SendEmailInput) => {
      await held.get(`${input.caseReference ?? ''}:${input.template}`);
    },
    env: { ...CALM_TIMINGS, PATHWAY_FOLLOW_UP_WINDOW: `${FOLLOW_UP_WINDOW_MS}ms`, PATHWAY_ARRIVAL_REMINDER_BEFORE: '30 days', PATHWAY_TASK_REMINDER_AFTER: '1h', TEMPORAL_CALL_TIMEOUT: '2m' },
  });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack?.smtp.resume();
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An EU national (no visa), paid in full: arrival, stay, discharge with a settled account, final invoice sent. */
async function toFollowUp(country: string) {
  const { patient, reference } = await toGuaranteed(stack, team, { nationality: country, countryOfResidence: country });
  const waitFor = (done: Parameters<typeof waitForState>[3]) => waitForState(stack.app, patient.auth, reference, done);
  expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(15), plannedStayDays: 5 })).status).toBe(200);
  await waitFor((s) => s.phase === 'awaiting_arrival' && s.treatment.visa !== null);
  expect((await call(stack, team.care, 'post', `/cases/${reference}/arrived`)).status).toBe(200);
  await waitFor((s) => s.phase === 'in_stay');
  expect((await call(stack, team.care, 'post', `/cases/${reference}/discharge`, {})).status).toBe(200);
  await waitFor((s) => s.phase === 'follow_up');
  await stack.smtp.waitFor((m) => m.subject.includes(reference) && /final invoice/i.test(m.subject));
  return { reference, waitFor };
}

it('closes only after the follow-up was announced and then reminded, though the announcement was held up past the window', async () => {
  const { reference, waitFor } = await toFollowUp('ES');

  // The announcement's activity is held and the mail server is down: the update answers once the
  // activity is done (the API waits for it).
  const release = hold(reference, 'follow_up_scheduled');
  await stack.smtp.suspend();
  const at = Date.now() + 4000;
  // Sent now (supertest sends on `then`), answered later.
  const answered = call(stack, team.care, 'post', `/cases/${reference}/follow-ups`, { at: new Date(at).toISOString(), description: 'MRI and consultation' }).then((res) => res);
  await waitFor((s) => s.treatment.followUps.length === 1);
  // Past the appointment and the window: the case would close now if nothing held it.
  await sleep(at + FOLLOW_UP_WINDOW_MS + 2000 - Date.now());
  expect(stack.smtp.messages.some((m) => m.subject.includes(reference) && /follow-up/i.test(m.subject))).toBe(false);
  release();
  await stack.smtp.resume();
  expect((await answered).status).toBe(200);

  await waitFor((s) => s.phase === 'closed');
  await stack.smtp.waitFor((m) => m.subject === `Case ${reference} is closed`);
  const subjects = stack.smtp.messages.map((m) => m.subject).filter((s) => s.includes(reference));
  const announced = subjects.findIndex((s) => s.startsWith(`Case ${reference}: follow-up on`));
  const reminded = subjects.findIndex((s) => s.startsWith('Reminder: follow-up on'));
  const closed = subjects.indexOf(`Case ${reference} is closed`);
  expect(announced).toBeGreaterThanOrEqual(0);
  expect(reminded).toBeGreaterThan(announced);
  expect(closed).toBeGreaterThan(reminded);
}, 120_000);

it('refuses a follow-up once the case is closing', async () => {
  const { reference, waitFor } = await toFollowUp('PT');

  // Past the follow-up window with no appointment, the case is closing and its last email activity
  // (case closed) is held; the phase still reads `follow_up`.
  const release = hold(reference, 'case_closed');
  await sleep(FOLLOW_UP_WINDOW_MS + 2000);
  let answered = false;
  const late = call(stack, team.care, 'post', `/cases/${reference}/follow-ups`, { at: new Date(Date.now() + 20 * 86_400_000).toISOString(), description: 'MRI and consultation' }).then((res) => ((answered = true), res));
  // Refused at once; before the fix, accepted: announced once the activity finished, never reminded.
  await waitFor((s) => answered || s.treatment.followUps.length > 0);
  release();
  const res = await late;
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ error: { code: 'wrong_phase' } });
  expect(res.body.error.message).toMatch(/closing/);

  const s = await waitFor((x) => x.phase === 'closed');
  expect(s.treatment.followUps).toEqual([]);
  await stack.smtp.waitFor((m) => m.subject === `Case ${reference} is closed`);
  expect(stack.smtp.messages.filter((m) => m.subject.includes(reference) && /follow-up/i.test(m.subject))).toEqual([]);
}, 120_000);
