// The stay: the patient's requests become the teams' tasks (reminded, then escalated), treatments start
// on guaranteed estimates, and the coordinator records the discharge, which ends it (the account and
// the follow-up are workflows/afterStay.ts).
import { condition, setHandler } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { StaffAudience } from '../activities/staffEmails';
import {
  completeTaskUpdate,
  FAILURE_TYPES,
  raiseRequestUpdate,
  recordDischargeUpdate,
  startTreatmentUpdate,
  type CaseTask,
  type PatientRequestInput,
} from './definitions';
import { fail } from './failures';
import { refusals } from './refusals';
import { priceEstimate, tariffFor, type EstimateLineInput, type Tariff } from './pricing';
import { STAY_PARTS } from './stayParts';
import type { Case, Ending } from './case';
import type { Background } from './background';
import { remindUntil } from './reminders';
import type { createEstimates } from './estimate';
import type { AfterStay } from './afterStay';

/** `after`: what follows the discharge (workflows/afterStay.ts, created after this module). */
export function createStay(c: Case, bg: Background, estimates: ReturnType<typeof createEstimates>, siteOf: () => { id: string; name: string }, after: () => AfterStay) {
  const { input, state, timings, rules, lang } = c;
  const t = state.treatment;
  let discharge: { performed?: EstimateLineInput[]; by: string } | undefined;

  setHandler(
    raiseRequestUpdate,
    async ({ kind, details, by }) => {
      const rule = rules.stay.patientRequests[kind];
      const task: CaseTask = { id: `T${t.tasks.length + 1}`, kind, team: rule.team, details, requestedBy: by, createdAt: new Date().toISOString(), status: 'open', outcome: null, doneBy: null, remindersSent: 0 };
      t.tasks.push(task);
      c.publishDetails();
      await c.record('task_created', by, `Task ${task.id} for ${rule.team}: ${rule.label.en}`, { taskId: task.id, team: rule.team, kind });
      await c.emailPatient('request_received', `Email patient: request received (${kind})`, { requestLabel: rule.label[lang] });
      await c.staffEmail(audienceOf(rule.team), 'task_assigned', `Email ${rule.team}: new task ${task.id}`, { taskLabel: rule.label.en, taskId: task.id });
      bg.add(watchTask(task));
      return c.settled(task);
    },
    {
      validator: ({ kind }: PatientRequestInput) => {
        c.requireNotEnded('makeRequest');
        const rule = rules.stay.patientRequests[kind];
        if (!rule) throw fail(FAILURE_TYPES.invalid, refusals.unknownRequestKind({ kind: String(kind) }));
        const part = STAY_PARTS[state.phase];
        if (!part || !rule.during.includes(part)) {
          throw fail(FAILURE_TYPES.wrongPhase, refusals.requestNotNow({ kind, label: rule.label, during: rule.during, phase: state.phase }), { phase: state.phase, during: rule.during });
        }
      },
    },
  );

  setHandler(
    completeTaskUpdate,
    async ({ taskId, outcome, by }) => {
      const task = t.tasks.find((x) => x.id === taskId)!;
      Object.assign(task, { status: 'done', outcome, doneBy: by });
      c.publishDetails();
      await c.record('task_done', by, `Task ${task.id} done`, { taskId: task.id, kind: task.kind, team: task.team });
      const label = rules.stay.patientRequests[task.kind].label[lang];
      // A medical answer stays on the portal: emails never carry health data.
      const told = task.kind === 'medical_question' ? (lang === 'fr' ? 'consultez la réponse sur le portail' : 'read the answer on the portal') : outcome;
      await c.emailPatient('request_answered', `Email patient: request ${task.id} handled`, { requestLabel: label, outcome: told });
      return c.answer();
    },
    {
      validator: ({ taskId, byRole }: { taskId: string; byRole: string }) => {
        c.requireNotEnded('completeTask');
        const task = t.tasks.find((x) => x.id === taskId);
        if (!task) throw fail(FAILURE_TYPES.invalid, refusals.noSuchTask({ reference: input.reference, taskId, open: t.tasks.filter((x) => x.status === 'open').map((x) => x.id) }));
        if (task.status === 'done') throw fail(FAILURE_TYPES.wrongPhase, refusals.taskAlreadyDone({ taskId }));
        if (byRole !== task.team && byRole !== 'care_coordinator') throw fail(FAILURE_TYPES.notAllowed, refusals.taskForOtherTeam({ taskId, team: task.team }));
      },
    },
  );

  setHandler(
    startTreatmentUpdate,
    async ({ estimateNumber, by }) => {
      const e = estimates.findEstimate(estimateNumber);
      e.treatmentStartedAt = new Date().toISOString();
      await c.record('treatment_started', by, `Treatment of estimate ${e.number} started`, { number: e.number });
      return c.answer();
    },
    {
      validator: ({ estimateNumber, by }: { estimateNumber: string; by: string }) => {
        c.stepThree.requirePhase('startTreatment');
        c.requireCoordinator(by, 'startTreatment');
        const e = estimates.findEstimate(estimateNumber);
        if (e.status !== 'guaranteed') {
          const remainingCents = estimates.remainingCents(e);
          throw fail(FAILURE_TYPES.notGuaranteed, refusals.treatmentNotGuaranteed({ number: e.number, status: e.status, remainingCents }), { status: e.status, remainingCents });
        }
        if (e.treatmentStartedAt) throw fail(FAILURE_TYPES.wrongPhase, refusals.treatmentAlreadyStarted({ number: e.number }));
      },
    },
  );

  setHandler(
    recordDischargeUpdate,
    (request) => {
      discharge = request;
      return c.answer();
    },
    {
      validator: ({ performed, by }: { performed?: EstimateLineInput[]; by: string }) => {
        c.stepThree.requirePhase('recordDischarge');
        c.requireCoordinator(by, 'recordDischarge');
        if (discharge) throw fail(FAILURE_TYPES.wrongPhase, refusals.dischargeAlreadyRecorded());
        if (estimates.issuing()) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateBeingIssuedDischarge()); // else it lands after the expiry
        if (performed) priceEstimate(invoiceTariff(), lang, performed);
      },
    },
  );

  /** The catalogue the care is invoiced from: the first estimate's tariff, else the case's own rules. */
  function invoiceTariff(): Tariff {
    return t.tariff ?? tariffFor(input.requestType, rules);
  }

  /** The stay, until the coordinator records the discharge; then the account and the follow-up. */
  async function run(): Promise<Ending> {
    if (state.phase !== 'in_stay') await c.moveTo('in_stay', 'care_coordinator', 'stay_started', 'system', `Stay started at ${siteOf().name}`, null, { site: siteOf().id });
    for (;;) {
      await condition(() => discharge !== undefined || c.ended() || bg.historyLong());
      if (c.ended()) return c.ending()!;
      if (discharge) break;
      await bg.continueAsNewAt('in_stay');
    }
    const d = discharge;
    t.dischargedAt = new Date().toISOString();
    // Additional estimates never accepted or guaranteed were not carried out.
    for (const e of t.estimates) if (e.status === 'issued' || e.status === 'accepted') e.status = 'expired';
    await c.record('discharged', d.by, 'Discharge recorded', {});
    await after().settleAccount(d.performed);
    return after().followUp();
  }

  /** Reminds the team of an open task; after the last reminder the coordinator is alerted once. */
  async function watchTask(task: CaseTask): Promise<void> {
    const label = rules.stay.patientRequests[task.kind].label.en;
    const remind = () => c.staffEmail(audienceOf(task.team), 'task_reminder', `Email ${task.team}: reminder, task ${task.id}`, { taskLabel: label, taskId: task.id });
    const escalate = () => c.staffEmail('coordinator', 'task_overdue', `Email coordinator: task ${task.id} overdue`, { taskLabel: label });
    if (c.sharedReminders) {
      const outcome = await remindUntil({
        summary: (sent) => `${sent < timings.maxReminders ? 'Reminder' : 'Escalation'}: task ${task.id} (${task.kind})`,
        done: () => task.status === 'done',
        stop: bg.stop,
        interval: () => msToNumber(timings.taskReminderAfter),
        max: timings.maxReminders,
        count: { get: () => task.remindersSent, set: (n) => void (task.remindersSent = n) },
        remind,
      });
      if (outcome !== 'exhausted') return;
    } else {
      while (task.remindersSent < timings.maxReminders) {
        if (await condition(() => task.status === 'done' || bg.stop(), timings.taskReminderAfter, { summary: `Reminder: task ${task.id} (${task.kind})` })) return;
        task.remindersSent++;
        await remind();
      }
      if (await condition(() => task.status === 'done' || bg.stop(), timings.taskReminderAfter, { summary: `Escalation: task ${task.id} (${task.kind})` })) return;
    }
    await escalate();
    await c.record('task_overdue', 'system', `Task ${task.id} not handled after ${task.remindersSent} reminder(s): coordinator alerted`, { taskId: task.id, kind: task.kind, team: task.team });
  }

  return {
    run,
    invoiceTariff,
    discharged: () => discharge !== undefined,
    /** A continued run watches the tasks still open. */
    resume(): void {
      for (const task of t.tasks) if (task.status === 'open') bg.add(watchTask(task));
    },
  };
}

function audienceOf(team: CaseTask['team']): StaffAudience {
  return team === 'medical_assistant' ? 'medical_assistants' : team === 'care_coordinator' ? 'coordinator' : team;
}
