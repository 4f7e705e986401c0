// The case's read model and audit trail in the database. Each write carries an idempotency key
// (workflow ID + business step) so a retried activity records nothing twice.
import type { Db } from '../lib/db';
import { isUniqueViolation } from '../lib/db';
import type { AwaitingRole, CaseStartInput, EventPayload, Phase } from '../workflows/definitions';
import { workflowIdFor } from '../workflows/definitions';

export interface CaseEventInput {
  reference: string;
  idempotencyKey: string;
  type: string;
  actor: string;
  payload: EventPayload;
  /** The read model's new phase and awaited role (only events that move the case), in the same transaction as the event. */
  phase?: Phase;
  awaitingRole?: AwaitingRole;
  /** When the awaited step is due (ISO), for worklists; null when nothing is due. */
  nextDeadline?: string | null;
  coordinatorId?: string | null;
}

export function createCaseRecordActivities(deps: { db: Db }) {
  const { db } = deps;

  /** Appends the event and moves the read model; a second call with the same key changes nothing. */
  async function recordCaseEvent(input: CaseEventInput): Promise<{ recorded: boolean }> {
    try {
      await db.$transaction(async (tx) => {
        const c = await tx.case.update({
          where: { reference: input.reference },
          data: {
            ...(input.phase !== undefined ? { phase: input.phase } : {}),
            ...(input.awaitingRole !== undefined ? { awaitingRole: input.awaitingRole } : {}),
            ...(input.nextDeadline !== undefined ? { nextDeadline: input.nextDeadline ? new Date(input.nextDeadline) : null } : {}),
            ...(input.coordinatorId !== undefined ? { coordinatorId: input.coordinatorId } : {}),
          },
          select: { id: true },
        });
        await tx.caseEvent.create({
          data: { caseId: c.id, type: input.type, actor: input.actor, payload: input.payload, idempotencyKey: input.idempotencyKey },
        });
      });
      return { recorded: true };
    } catch (err) {
      if (isUniqueViolation(err)) return { recorded: false };
      throw err;
    }
  }

  /** Creates the case row unless the API already did (it does, so access checks work at once), and its `case_received` event. */
  async function recordCase(input: CaseStartInput): Promise<{ recorded: boolean }> {
    const { patient } = input;
    await db.case.upsert({
      where: { reference: input.reference },
      update: {},
      create: {
        reference: input.reference,
        workflowId: workflowIdFor(input.reference),
        requestType: input.requestType,
        phase: 'received',
        awaitingRole: 'system',
        language: input.language,
        nationality: patient.nationality,
        countryOfResidence: patient.countryOfResidence,
        patientFirstName: patient.firstName,
        patientLastName: patient.lastName,
        patientEmail: patient.email,
        patient: { ...patient },
        referrer: input.referrer ? { ...input.referrer } : undefined,
        ownerId: input.ownerId,
      },
    });
    return recordCaseEvent({
      reference: input.reference,
      idempotencyKey: `${workflowIdFor(input.reference)}:case_received`,
      type: 'case_received',
      actor: input.referrer ? `referrer:${input.referrer.email}` : 'patient',
      payload: { requestType: input.requestType, language: input.language, countryOfResidence: patient.countryOfResidence },
      phase: 'received',
      awaitingRole: 'system',
    });
  }

  return { recordCase, recordCaseEvent };
}
