// The case read model: what people see of a case (API, portal, console) is read from here, never from a
// workflow query (a query can run workflow code ahead of recorded history; see docs/operations.md).
// The workflow writes the changes of its view with its recorded events; the API also writes each
// update's result, the whole view (cases opened under the local-bookkeeping patch answer a version). Both
// carry the view's version, and a write only lands when its version is above the stored one, so late,
// repeated or concurrent writes never move a case backwards.
import type { Prisma } from '../generated/prisma/client';
import { isAllowed, type AccountKind, type StaffRole } from '../api/policy';
import { allowedActions } from '../workflows/actions';
import { applyViewChange, initialCaseState, viewOf, type ViewChange } from '../workflows/caseState';
import { workflowIdFor, type CaseAck, type CaseStartInput, type CaseState, type CaseView, type Language, type Phase, type TimelineEntry } from '../workflows/definitions';
import type { ActionName } from '../workflows/refusals';
import { ViewPartMismatch } from '../workflows/viewParts';
import type { Db } from './db';
import { describeEvent } from './timelineWords';

type Tx = Pick<Db, 'case'>;

export { viewOf };

/** A new case's row: its identity from the start input, and its first view (version 0, collecting the file; `first` when the workflow sent it, else it follows from the input's rules). */
export function caseRowOf(input: CaseStartInput, first?: CaseView) {
  const { patient } = input;
  const view = first ?? viewOf(initialCaseState(input));
  return {
    reference: input.reference,
    workflowId: workflowIdFor(input.reference),
    requestType: input.requestType,
    phase: view.phase,
    awaitingRole: view.awaitingRole,
    language: input.language,
    nationality: patient.nationality,
    countryOfResidence: patient.countryOfResidence,
    patientFirstName: patient.firstName,
    patientLastName: patient.lastName,
    patientEmail: patient.email.toLowerCase(),
    patient: { ...patient },
    referrer: input.referrer ? { ...input.referrer } : undefined,
    ownerId: input.ownerId,
    view: view as unknown as Prisma.InputJsonValue,
    viewVersion: 0,
  };
}

/** True for an update's result that is a whole case view (some updates answer with a part of it). */
export function isCaseState(value: unknown): value is CaseView {
  return typeof value === 'object' && value !== null && typeof (value as CaseView).version === 'number' && typeof (value as CaseView).phase === 'string' && typeof (value as CaseView).reference === 'string';
}

/** The row's stored view, or null when it has none (a row written before views existed). */
function storedView(row: { view: Prisma.JsonValue }): CaseView | null {
  return row.view !== null && typeof row.view === 'object' && !Array.isArray(row.view) ? (row.view as unknown as CaseView) : null;
}

/** True for the small answer of newer cases' updates: the version of the view the workflow stored. */
export function isCaseAck(value: unknown): value is CaseAck {
  return typeof value === 'object' && value !== null && typeof (value as CaseAck).version === 'number' && typeof (value as CaseAck).reference === 'string' && !('phase' in value);
}

/**
 * The stored view at `ack.version` or newer: what an update of a newer case answers, read back from the
 * read model the workflow wrote before answering. Null when the row has not reached that version within
 * `waitMs` (a database restored meanwhile): the caller answers 503, to be asked again.
 */
export async function storedViewAt(db: Tx, ack: CaseAck, waitMs = 3_000): Promise<CaseView | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const row = await db.case.findUnique({ where: { reference: ack.reference }, select: { view: true, viewVersion: true } });
    const view = row && row.viewVersion >= ack.version ? storedView(row) : null;
    if (row && view) return { ...view, version: row.viewVersion };
    if (Date.now() >= until) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The row's read-model fields for a view: the view itself and the worklist columns that follow from it. */
function rowOfView(view: CaseView, version: number) {
  return {
    view: { ...view, version } as unknown as Prisma.InputJsonValue,
    viewVersion: version,
    phase: view.phase,
    awaitingRole: view.awaitingRole,
    nextDeadline: view.nextDeadline ? new Date(view.nextDeadline) : null,
    coordinatorId: view.coordinatorId,
    moneyOwedCents: moneyOwedOf(view),
  };
}

/** What the view says is owed back: its ledger's balance, or (cases that predate it) the refund due. */
export function moneyOwedOf(view: Pick<CaseView, 'moneyBack' | 'refundDueCents'>): number {
  return view.moneyBack ? view.moneyBack.owedCents : Math.max(0, view.refundDueCents ?? 0);
}

/**
 * Stores `view` as the case's read model, with the worklist columns that follow from it, when `version`
 * is above the stored one. Returns whether it landed (false: a newer or equal version is already there).
 */
export async function writeCaseView(db: Tx, view: CaseView, version: number): Promise<boolean> {
  const { count } = await db.case.updateMany({ where: { reference: view.reference, viewVersion: { lt: version } }, data: rowOfView(view, version) });
  return count > 0;
}

/**
 * Applies a change of the view (the fields changed since `change.base`) to the stored view. `stored`: it
 * landed; `already`: the stored version is this one or newer; `behind`: the stored view is older than the
 * change's base (a write the workflow sent earlier has not landed, or the database was restored), so
 * only the whole view can bring it forward.
 */
export async function writeCaseViewChange(db: Tx, reference: string, change: ViewChange): Promise<'stored' | 'already' | 'behind'> {
  for (;;) {
    const row = await db.case.findUnique({ where: { reference }, select: { view: true, viewVersion: true } });
    if (!row) return 'behind';
    if (row.viewVersion >= change.version) return 'already';
    const stored = storedView(row);
    if (row.viewVersion < change.base || !stored) return 'behind';
    const view = appliedOrNull(stored, change);
    if (!view) return 'behind';
    // Compare-and-set on the version read: a concurrent write makes this one read again.
    const { count } = await db.case.updateMany({ where: { reference, viewVersion: row.viewVersion }, data: rowOfView(view, change.version) });
    if (count > 0) return 'stored';
  }
}

/** `view` with `change` applied, or null when a part of the change does not fit it (workflows/viewParts.ts): only the whole view can bring it forward. */
export function appliedOrNull(view: CaseView, change: ViewChange): CaseView | null {
  try {
    return applyViewChange(view, change);
  } catch (err) {
    if (err instanceof ViewPartMismatch) return null;
    throw err;
  }
}

/** Stores an update's result (a whole case view, recorded in history): read-your-writes for the caller. */
export async function writeCaseState(db: Tx, state: CaseView | CaseState): Promise<boolean> {
  const { timeline: _timeline, ...view } = state as CaseState;
  return writeCaseView(db, view, state.version);
}

/**
 * The case as people see it: the stored view and the timeline from the audit trail, oldest first, its
 * lines in the reader's language.
 */
export async function readCaseState(db: Pick<Db, 'caseEvent'>, row: { id: string; view: Prisma.JsonValue; viewVersion: number }, lang: Language = 'en'): Promise<CaseState | null> {
  const view = storedView(row);
  if (!view) return null;
  return { ...view, version: row.viewVersion, timeline: await timelineOf(db, row.id, lang) };
}

/** The case's timeline: its audit trail, oldest first, each line in words of `lang` (lib/timelineWords.ts). */
async function timelineOf(db: Pick<Db, 'caseEvent'>, caseId: string, lang: Language): Promise<TimelineEntry[]> {
  const events = await db.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' }, select: { at: true, type: true, actor: true, summary: true, payload: true } });
  return events.map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, summary: describeEvent(e, lang) }));
}

/** An update's result as people see the case: the view it answered with and the timeline from the audit trail, in `lang`. */
export async function withTimeline(db: Pick<Db, 'caseEvent'>, caseId: string, view: CaseView, lang: Language = 'en'): Promise<CaseState> {
  return { ...view, timeline: await timelineOf(db, caseId, lang) };
}

/**
 * What a reader may do on the case now (`allowedActions`): the actions the workflow takes in `phase`
 * (workflows/actions.ts) that the reader's side or role may do (api/policy.ts). The portal and the
 * console show a form only for these; conditions beyond the phase (an estimate to answer, a task
 * still open…) the pages check themselves, and the workflow has the last word.
 */
export function allowedActionsFor(phase: Phase, who: { kind: AccountKind; role: StaffRole | null }): ActionName[] {
  return allowedActions(phase, (permission) => isAllowed(permission, who));
}
