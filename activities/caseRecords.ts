// The case's read model and audit trail in the database. Each write carries an idempotency key
// (workflow ID + business step) so a retried activity records nothing twice.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../lib/db';
import { isUniqueViolation } from '../lib/db';
import { caseRowOf, writeCaseView, writeCaseViewChange } from '../lib/caseView';
import type { ViewChange } from '../workflows/caseState';
import type { AwaitingRole, CaseStartInput, CaseView, EventPayload, Phase } from '../workflows/definitions';
import { FAILURE_TYPES, workflowIdFor } from '../workflows/definitions';

export interface CaseEventInput {
  reference: string;
  idempotencyKey: string;
  type: string;
  actor: string;
  payload: EventPayload;
  /** The timeline's line for the event, and when the workflow recorded it (ISO). */
  summary?: string;
  at?: string;
  /** The account that opened the case (the workflow's own input): the row must be this owner's. */
  ownerId?: string;
  /** The fields of the view that changed since the last write (see workflows/caseState.ts). */
  change?: ViewChange;
  /** The whole view and its version: when the stored view fell behind a change, and in earlier histories. */
  view?: CaseView;
  version?: number;
  /** Workflows recorded before the view existed moved these read-model columns alone. */
  phase?: Phase;
  awaitingRole?: AwaitingRole;
  nextDeadline?: string | null;
  coordinatorId?: string | null;
}

/** A view write of the workflow's, for one case. */
export type ViewWriteInput = { reference: string; ownerId?: string } & ViewWrite;

/** How long a change waits for the earlier write it builds on before asking for the whole view. */
const BEHIND_WAIT_MS = 2_000;

/** What the read model was sent: a change of the view, or (fallback, earlier histories) the whole view. */
export interface ViewWrite {
  change?: ViewChange;
  view?: CaseView;
  version?: number;
}

export function createCaseRecordActivities(deps: { db: Db }) {
  const { db } = deps;

  /**
   * Stores the view's change or whole view. A change the stored view is too old for waits a moment for
   * the write it builds on (a handler's event and the main flow's next one are often written at the same
   * time), then fails (not retried): the workflow then sends the whole view, which lands whatever the
   * stored version (a restored database).
   */
  async function writeView(reference: string, write: ViewWrite): Promise<boolean> {
    if (write.change) {
      let outcome = await writeCaseViewChange(db, reference, write.change);
      for (const waitUntil = Date.now() + BEHIND_WAIT_MS; outcome === 'behind' && Date.now() < waitUntil; ) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        outcome = await writeCaseViewChange(db, reference, write.change);
      }
      if (outcome === 'behind') {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.readModelBehind, nonRetryable: true, message: `The read model of ${reference} is older than version ${write.change.base}: send the whole view.` });
      }
      return outcome === 'stored';
    }
    if (write.view && write.version !== undefined) return writeCaseView(db, write.view, write.version);
    return false;
  }

  /**
   * The case's row ID, or null when there is no row. After a database restore a row with this
   * reference may belong to another person's case: the workflow never writes into it (the activity
   * fails and is retried until ops rebuild the read model; see docs/operations.md).
   */
  async function ownRow(reference: string, ownerId: string | undefined): Promise<{ id: string } | null> {
    const row = await db.case.findUnique({ where: { reference }, select: { id: true, ownerId: true } });
    if (row && ownerId && row.ownerId && row.ownerId !== ownerId) {
      throw new Error(`Case row ${reference} belongs to another owner than its workflow: nothing written. Run npm run ops:rebuild-read-model (docs/operations.md).`);
    }
    return row;
  }

  /**
   * Moves the read model (when the view is newer than the stored one) and appends the event; each is
   * idempotent, so a retried activity, or a run reset to an earlier point, changes nothing twice.
   */
  async function recordCaseEvent(input: CaseEventInput): Promise<{ recorded: boolean }> {
    return { recorded: await storeCaseEvent(input) };
  }

  async function storeCaseEvent(input: CaseEventInput): Promise<boolean> {
    const c = await ownRow(input.reference, input.ownerId);
    if (!c) throw new Error(`No case row ${input.reference}: nothing recorded. Run npm run ops:rebuild-read-model (docs/operations.md).`);
    if (input.change || (input.view && input.version !== undefined)) {
      await writeView(input.reference, input);
    } else if (input.phase !== undefined || input.awaitingRole !== undefined || input.nextDeadline !== undefined || input.coordinatorId !== undefined) {
      await db.case.update({
        where: { reference: input.reference },
        data: {
          ...(input.phase !== undefined ? { phase: input.phase } : {}),
          ...(input.awaitingRole !== undefined ? { awaitingRole: input.awaitingRole } : {}),
          ...(input.nextDeadline !== undefined ? { nextDeadline: input.nextDeadline ? new Date(input.nextDeadline) : null } : {}),
          ...(input.coordinatorId !== undefined ? { coordinatorId: input.coordinatorId } : {}),
        },
      });
    }
    try {
      await db.caseEvent.create({
        data: {
          caseId: c.id, type: input.type, actor: input.actor, payload: input.payload, idempotencyKey: input.idempotencyKey,
          ...(input.summary !== undefined ? { summary: input.summary } : {}),
          ...(input.at !== undefined ? { at: new Date(input.at) } : {}),
        },
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /**
   * Creates the case row unless the API already did (it does, so the case reads at once; a database
   * restored from an older backup may lack it), and its `case_received` event.
   */
  async function recordCase(input: CaseStartInput, view?: CaseView): Promise<{ recorded: boolean }> {
    await db.case.upsert({ where: { reference: input.reference }, update: {}, create: caseRowOf(input, view) });
    const recorded = await storeCaseEvent({
      reference: input.reference,
      idempotencyKey: `${workflowIdFor(input.reference)}:case_received`,
      type: 'case_received',
      actor: input.referrer ? `referrer:${input.referrer.email}` : 'patient',
      payload: { requestType: input.requestType, language: input.language, countryOfResidence: input.patient.countryOfResidence },
      summary: 'Case received',
    });
    return { recorded };
  }

  /** Stores a view the workflow changed without recording an event (an allocation, a certificate issued). */
  async function publishCaseView(input: ViewWriteInput): Promise<{ stored: boolean }> {
    await ownRow(input.reference, input.ownerId);
    return { stored: await writeView(input.reference, input) };
  }

  return { recordCase, recordCaseEvent, publishCaseView };
}
