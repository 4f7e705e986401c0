// The case object every sub-domain module works through: the state, the rules and timings the case
// started with, how it ends, and the few ways it acts on the world (record an event, move to a phase,
// email the patient or the staff, set the next deadline). The modules (fileCollection, study, ledger,
// estimate, stay, afterStay) own their slices; workflows/carePathway.ts composes them.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { condition, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailTemplateName } from '../activities/emailTemplates';
import type { StaffAudience, StaffTemplate } from '../activities/staffEmails';
import type { PathwayTimings } from '../config/pathway';
import { caseRules } from './rules';
import {
  cancelCaseSignal,
  FAILURE_TYPES,
  getStateQuery,
  messagePostedSignal,
  searchAttributes,
  TERMINAL_PHASES,
  workflowIdFor,
  type AwaitingRole,
  type CaseStartInput,
  type CaseState,
  type CaseView,
  type EventPayload,
  type Phase,
  type ResumePoint,
} from './definitions';
import { initialCaseState, viewOf, viewVersions, waitingForText } from './caseState';
import { writeViewWith } from './readModel';
import { openBookkeeping } from './bookkeeping';
import { fail } from './failures';
import { refusals, type ActionName } from './refusals';
import { requireActionPhase } from './actions';
import { currentDetailsOf } from './currentDetails';
import { openPatches } from './patches';

// Documents Parcours issues (estimates, visa certificates, final invoices): idempotent by key.
export const issued = proxyActivities<Pick<Activities, 'issueEstimate' | 'issueVisaCertificate' | 'issueFinalInvoice'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

/** Patch: every business event reaches the CaseEvent audit trail (before it, some stayed in the timeline only). */
const EVERY_EVENT_IN_AUDIT_TRAIL = 'every-business-event-in-audit-trail';
/** Patch: changes made without a recorded event (allocations, certificates) reach the read model when the workflow waits. */
const PUBLISH_VIEW_WHEN_IDLE = 'publish-view-when-idle';
/** Patch: the next deadline is also a search attribute (NextDeadline), for the ops views of the Temporal UI. */
const NEXT_DEADLINE_ATTRIBUTE = 'next-deadline-search-attribute';
export type Ending = { phase: Extract<Phase, 'withdrawn' | 'cancelled' | 'abandoned' | 'expired' | 'closed'>; reason: string };

/**
 * Opens the case: its state (or the state a continued run carries) and the read model's versions.
 * Called first in the workflow: the newest patch is decided here, before any other (workflows/patches.ts),
 * then (in runs opened before it) PUBLISH_VIEW_WHEN_IDLE.
 */
export function openCase(input: CaseStartInput) {
  const patches = openPatches();
  const patched = patches.has;
  const workflowId = workflowIdFor(input.reference);
  // The rules this case was given when it started: it keeps them to the end (workflows/rules.ts).
  const rules = caseRules(input);
  const timings: PathwayTimings = { ...rules.timings, ...input.timings };
  const lang = input.language;
  // A new case collects its file from the start: the questionnaire is accepted as soon as it exists.
  const state: CaseState = initialCaseState(input);
  const p = input.patient;

  let ending: Ending | undefined;
  /** Bumped by anything the patient does: resets the reminder clock. */
  let patientActivity = 0;
  /** When the patient last acted (workflow time), and what a steady reminder wait does then (fileCollection.ts). */
  let patientActedAt = 0;
  let onPatientActed: (() => void) | undefined;
  let emailSeq = 0;
  /** Timeline entries dropped by earlier runs (continue-as-new): event keys keep counting from there. */
  let timelineOffset = 0;
  if (input.resume) {
    Object.assign(state, input.resume.state);
    ({ emailSeq, timelineOffset, patientActivity } = input.resume);
  }
  /** The read model's versions: each recorded event carries the view's change since the last write. */
  const versions = viewVersions(state, patches.viewParts);
  /** The view with a new version if it changed: what updates answer (the API stores it in the read model). */
  const current = (): CaseView => {
    versions.bump();
    return viewOf(state);
  };
  const publishWhenIdle = patched(PUBLISH_VIEW_WHEN_IDLE);
  // Decided second, once: how this case writes its audit trail, read model and outbox (workflows/bookkeeping.ts).
  const books = openBookkeeping(input, state, versions, current, () => ending !== undefined, patches.small);
  const { inTurn, upsertAttributes, publishView, answer, mailer } = books;
  // Anything the case changed without recording an event is published as soon as the workflow waits,
  // so the read model never lags behind what history recorded (cases started before keep their history).
  // (BATCHED_BOOKKEEPING cases: the batched writer does this.)
  if (publishWhenIdle && !books.batch) {
    void (async () => {
      for (;;) {
        await condition(() => versions.pending());
        await publishView();
      }
    })();
  }
  /** Outbox key of a business email: workflow ID + step + a sequence number (deterministic on replay). */
  const emailKey = (step: string) => `${workflowId}:${step}:${++emailSeq}`;
  const ended = () => ending !== undefined;

  function requireNotEnded(action: ActionName): void {
    if (ended() || TERMINAL_PHASES.includes(state.phase)) throw fail(FAILURE_TYPES.wrongPhase, refusals.caseEnded({ action, phase: state.phase }), { phase: state.phase });
  }

  function deadlineIn(duration: Duration): string {
    return new Date(Date.now() + msToNumber(duration)).toISOString();
  }
  /**
   * `attribute: false`: people see the new deadline, NextDeadline keeps the next timer's (a patient's
   * action in a STEADY_REMINDERS wait: the timer runs on, and its end sets the attribute).
   */
  function setDeadline(deadline: string | null, attribute = true): void {
    const changed = deadline !== state.nextDeadline;
    state.nextDeadline = deadline;
    // An upsert is a command: only when the deadline changed, and only in runs that record it.
    // STEADY_REMINDERS runs also when it lags the state's; their upserts skip values already set.
    if (attribute && (changed || patches.steadyReminders) && patched(NEXT_DEADLINE_ATTRIBUTE)) upsertNextDeadline();
    publishDetails();
  }
  function upsertNextDeadline(): void {
    upsertAttributes([{ key: searchAttributes.NextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline) : null }]);
  }

  /**
   * A business event for the audit trail. Cases started before the patch below kept some events in
   * the workflow's timeline only; their histories replay unchanged, newer cases record every event.
   */
  async function businessEvent(type: string, actor: string, summary: string, payload: EventPayload = {}): Promise<void> {
    if (patched(EVERY_EVENT_IN_AUDIT_TRAIL)) await record(type, actor, summary, payload);
    else note(type, actor, summary);
  }

  /** Appends to the timeline only. */
  function note(type: string, actor: string, summary: string): void {
    state.timeline.push({ at: new Date().toISOString(), type, actor, summary });
    publishDetails();
  }

  /**
   * A business event: timeline, and the audit trail in the database, with the case's view when it
   * changed (versioned: the read model keeps the newest, so a late write never moves a case back).
   */
  async function record(type: string, actor: string, summary: string, payload: EventPayload = {}, readModel: { nextDeadline?: string | null } = {}): Promise<void> {
    note(type, actor, summary);
    if (readModel.nextDeadline !== undefined) setDeadline(readModel.nextDeadline);
    const at = state.timeline[state.timeline.length - 1].at;
    // The view's change goes with the event: the read model then shows only what history recorded.
    const idempotencyKey = `${workflowId}:${timelineOffset + state.timeline.length}:${type}`;
    if (books.batch) return books.batch.write({ kind: 'event', event: { idempotencyKey, type, actor, payload, summary, at } }, `Record event: ${type}`);
    await writeViewWith(versions, (view) =>
      inTurn(() =>
        books.records.recordCaseEvent.executeWithOptions({ summary: `Record event: ${type}` }, [
          { reference: input.reference, idempotencyKey, type, actor, payload, summary, at, ...(input.ownerId ? { ownerId: input.ownerId } : {}), ...view },
        ]),
      ),
    );
  }

  /** Moves the case: state, Temporal UI (search attributes, details) and the database read model. */
  async function moveTo(phase: Phase, awaitingRole: AwaitingRole, type: string, actor: string, summary: string, nextDeadline: string | null = null, payload: EventPayload = {}): Promise<void> {
    state.phase = phase;
    state.awaitingRole = awaitingRole;
    state.waitingFor = waitingForText[awaitingRole];
    upsertAttributes([
      { key: searchAttributes.CasePhase, value: phase },
      { key: searchAttributes.AwaitingRole, value: awaitingRole },
      // With lean bookkeeping the new deadline goes in the same upsert (record() then finds it unchanged).
      ...(books.lean && patched(NEXT_DEADLINE_ATTRIBUTE) ? [{ key: searchAttributes.NextDeadline, value: nextDeadline ? new Date(nextDeadline) : null }] : []),
    ]);
    await record(type, actor, summary, payload, { nextDeadline });
  }

  async function emailPatient(template: EmailTemplateName, summary: string, vars: Record<string, string>, options: { key?: string; attachDocumentIds?: string[] } = {}): Promise<void> {
    const email = {
      idempotencyKey: options.key ?? emailKey(template), to: input.patient.email, template, language: lang, caseReference: input.reference, requestType: input.requestType,
      vars: { reference: input.reference, firstName: p.firstName, lastName: p.lastName, ...vars },
      ...(options.attachDocumentIds?.length ? { attachDocumentIds: options.attachDocumentIds } : {}),
    };
    if (books.batch) return books.batch.write({ kind: 'email', email }, summary);
    await inTurn(() => mailer.sendEmail.executeWithOptions({ summary }, [email]));
  }

  async function staffEmail(audience: StaffAudience, template: StaffTemplate, summary: string, vars?: Record<string, string>): Promise<void> {
    const idempotencyKey = emailKey(template);
    // Built when the write is made: a local activity's turn may come after the coordinator changed.
    const email = () => ({ idempotencyKey, audience, coordinatorId: state.coordinatorId, reference: input.reference, requestType: input.requestType, template, ...(vars ? { vars } : {}) });
    if (books.batch) return books.batch.write({ kind: 'staffEmail', email: email() }, summary);
    await inTurn(() => mailer.emailStaff.executeWithOptions({ summary }, [email()]));
  }

  /** Every search attribute from the state (a continued run starts without the previous run's updates). */
  function refreshSearchAttributes(): void {
    upsertAttributes([
      { key: searchAttributes.CasePhase, value: state.phase },
      { key: searchAttributes.AwaitingRole, value: state.awaitingRole },
      { key: searchAttributes.PaymentStatus, value: state.paymentStatus },
      ...(state.coordinatorId ? [{ key: searchAttributes.CoordinatorId, value: state.coordinatorId }] : []),
    ]);
    if (state.nextDeadline && patched(NEXT_DEADLINE_ATTRIBUTE)) upsertNextDeadline();
  }

  /** The Temporal UI's current details (workflows/currentDetails.ts): not part of history, no patch needed. */
  function publishDetails(): void {
    setCurrentDetails(currentDetailsOf(state, Date.now()));
  }

  /** Waits for `done` unless the case ends first; false when it ended. */
  async function until(done: () => boolean): Promise<boolean> {
    await condition(() => done() || ended());
    return !ended();
  }

  function requireAwaited(awaited: boolean, action: ActionName): void {
    if (!awaited) throw fail(FAILURE_TYPES.wrongPhase, refusals.decisionBeingApplied({ action }), { phase: state.phase });
  }

  return {
    input, workflowId, rules, timings, lang, state,
    /** `patched(name)` for the patches the modules decide (workflows/patches.ts: implied by the newest). */
    patched,
    /** How the case ends, once something decided it (withdrawal, cancellation). */
    ending: () => ending,
    end(e: Ending): void {
      ending = e;
    },
    ended,
    /** Anything the patient does: the reminder clock starts again. */
    patientActed(): void {
      patientActivity++;
      patientActedAt = Date.now();
      onPatientActed?.();
    },
    patientActivity: () => patientActivity,
    patientActedAt: () => patientActedAt,
    /** Runs cases opened under STEADY_REMINDERS: their patient wait hears of each action as it happens. */
    steadyReminders: patches.steadyReminders,
    /** Runs opened under SHARED_REMINDERS: every remind-then-escalate wait is workflows/reminders.ts. */
    sharedReminders: patches.sharedReminders,
    whenPatientActs(f: (() => void) | undefined): void {
      onPatientActed = f;
    },
    /** What a new run needs besides the state (continue-as-new). */
    carried: (): Omit<ResumePoint, 'state' | 'stage'> => ({ emailSeq, timelineOffset, patientActivity }),
    requirePhase: (action: ActionName) => requireActionPhase(action, state.phase, ended()),
    /** Step 3's checks: an ended case is refused in words that say so, before the action's phases. */
    stepThree: {
      requirePhase(action: ActionName): void {
        requireNotEnded(action);
        requireActionPhase(action, state.phase);
      },
    },
    requireCoordinator(by: string, action: ActionName): void {
      if (by !== state.coordinatorId) throw fail(FAILURE_TYPES.notAllowed, refusals.coordinatorOnly({ action }));
    },
    requireNotEnded, requireAwaited, current, answer, upsertAttributes,
    /** The case's database writes (local activities only in cases opened with LOCAL_BOOKKEEPING). */
    records: books.records, mailer, inTurn,
    /** The batched writer: set in cases opened with BATCHED_BOOKKEEPING (workflows/bookkeeping.ts). */
    batch: books.batch,
    caseWrite: books.caseWrite,
    settled: books.settled,
    deadlineIn, setDeadline, businessEvent, note, record, moveTo, emailPatient, staffEmail, refreshSearchAttributes, publishDetails, until,
  };
}

/** The case as the sub-domain modules see it. */
export type Case = ReturnType<typeof openCase>;

/**
 * The case-wide query and signals: the state, a cancellation, a new message (the other side is emailed).
 * Registered after the money-owed-back module, where they always were: a signal that arrives with the
 * start is handled when its handler is set, so the order of registration orders its commands.
 */
export function handleCaseSignals(c: Case): void {
  setHandler(getStateQuery, () => c.state);
  setHandler(cancelCaseSignal, ({ reason, by }) => {
    if (!c.ended()) c.end({ phase: 'cancelled', reason: `${reason} (${by})` });
  });
  setHandler(messagePostedSignal, async (msg) => {
    await c.inTurn(() =>
      c.mailer.notifyMessage.executeWithOptions({ summary: `Email ${msg.authorSide === 'patient' ? 'coordinator' : 'patient'}: new message` }, [
        { reference: c.input.reference, messageId: msg.messageId, authorSide: msg.authorSide, language: c.lang },
      ]),
    );
  });
}
