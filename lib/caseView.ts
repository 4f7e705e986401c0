// The case read model: what people see of a case (API, portal, console) is read from here, never from a
// workflow query (a query can run workflow code ahead of recorded history; see docs/operations.md).
// The workflow writes its view with each recorded event; the API writes each update's result. Both
// carry the view's version, and a write only lands when its version is above the stored one, so late,
// repeated or concurrent writes never move a case backwards.
import type { Prisma } from '../generated/prisma/client';
import { initialCaseState, viewOf } from '../workflows/caseState';
import { workflowIdFor, type CaseStartInput, type CaseState, type CaseView, type TimelineEntry } from '../workflows/definitions';
import type { Db } from './db';

type Tx = Pick<Db, 'case'>;

export { viewOf };

/** A new case's row: its identity from the start input, and its first view (version 0, collecting the file). */
export function caseRowOf(input: CaseStartInput) {
  const { patient } = input;
  const view = viewOf(initialCaseState(input));
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

/** True for an update's result that is a whole case state (some updates answer with a part of it). */
export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'object' && value !== null && typeof (value as CaseState).version === 'number' && typeof (value as CaseState).phase === 'string' && typeof (value as CaseState).reference === 'string';
}

/**
 * Stores `view` as the case's read model, with the worklist columns that follow from it, when `version`
 * is above the stored one. Returns whether it landed (false: a newer or equal version is already there).
 */
export async function writeCaseView(db: Tx, view: CaseView, version: number): Promise<boolean> {
  const { count } = await db.case.updateMany({
    where: { reference: view.reference, viewVersion: { lt: version } },
    data: {
      view: { ...view, version } as unknown as Prisma.InputJsonValue,
      viewVersion: version,
      phase: view.phase,
      awaitingRole: view.awaitingRole,
      nextDeadline: view.nextDeadline ? new Date(view.nextDeadline) : null,
      coordinatorId: view.coordinatorId,
    },
  });
  return count > 0;
}

/** Stores an update's result (a whole case state, recorded in history): read-your-writes for the caller. */
export async function writeCaseState(db: Tx, state: CaseState): Promise<boolean> {
  return writeCaseView(db, viewOf(state), state.version);
}

/** The case as people see it: the stored view and the timeline from the audit trail, oldest first. */
export async function readCaseState(db: Pick<Db, 'caseEvent'>, row: { id: string; view: Prisma.JsonValue; viewVersion: number }): Promise<CaseState | null> {
  if (row.view === null || typeof row.view !== 'object' || Array.isArray(row.view)) return null;
  const events = await db.caseEvent.findMany({ where: { caseId: row.id }, orderBy: { id: 'asc' }, select: { at: true, type: true, actor: true, summary: true } });
  const timeline: TimelineEntry[] = events.map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, summary: e.summary ?? e.type }));
  return { ...(row.view as unknown as CaseView), version: row.viewVersion, timeline };
}
