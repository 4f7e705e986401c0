// Loading a case on behalf of the caller. The patient side sees only its own cases (any other
// reference is a 404, never its data); staff by role, each access written to the audit trail.
// Reads serve the row's own data (the read model). A write reaches the case's workflow only once the
// row is confirmed to be that workflow's case: after the database is restored from an older backup,
// a row may carry a reference whose workflow is another case (see lib/caseIdentity.ts).
import type { Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Case, Prisma } from '../generated/prisma/client';
import { identifyCaseWorkflow } from '../lib/caseIdentity';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { workflowIdFor } from '../workflows/definitions';
import type { AuditLog, AuditReadAction, AuditRecord } from './audit';
import { requirePrincipal, type Principal } from './auth/principal';
import { errorMessages } from './errorMessages';
import { ApiError, requestId } from './errors';
import { isAllowed, type Action } from './policy';
import { referencePattern } from './schemas/cases';
import { temporalMessages, toApiError } from './temporalErrors';

/** The patient side owns a case it opened, and a patient owns a case opened for their verified email. */
export function ownsCase(p: Principal, c: Pick<Case, 'ownerId' | 'patientEmail'>): boolean {
  if (p.kind === 'staff') return false;
  return c.ownerId === p.userId || (p.kind === 'patient' && p.emailVerified && c.patientEmail.toLowerCase() === p.email);
}

/** The cases the patient side owns (as `ownsCase` judges one): for lists of one's own cases. */
export function ownCasesWhere(p: Principal): Prisma.CaseWhereInput {
  return { OR: [{ ownerId: p.userId }, ...(p.kind === 'patient' && p.emailVerified ? [{ patientEmail: p.email }] : [])] };
}

const notFound = (reference: string) => new ApiError(404, 'not_found', errorMessages.case_not_found({ reference }));

export class CaseAccess {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly client: Client,
    private readonly logger?: Logger,
  ) {}

  /**
   * `auditAs` names a read in the trail (a download, a list); without it the policy action is recorded.
   * The entry is written before any of the case's data is, so no read goes untraced.
   */
  async load(req: Request, reference: string, action: Action, auditAs?: AuditReadAction, detail?: AuditRecord['detail']): Promise<Case> {
    const p = requirePrincipal(req);
    if (p.kind === 'staff' && !isAllowed(action, p)) throw new ApiError(403, 'forbidden', errorMessages.forbidden_role({ role: String(p.role), action }));
    const c = referencePattern.test(reference) ? await this.db.case.findUnique({ where: { reference } }) : null;
    if (!c) throw notFound(reference);
    if (p.kind === 'staff') {
      await this.audit.record({ actorId: p.userId, actorRole: p.role ?? 'staff', action: auditAs ?? action, caseReference: reference, requestId: requestId(req), detail });
      return c;
    }
    if (!ownsCase(p, c)) throw notFound(reference);
    if (!isAllowed(action, p)) throw new ApiError(403, 'forbidden', errorMessages.forbidden_patient_side({ action }));
    return c;
  }

  /** `load`, for a request that sends something to the case's workflow: the row is confirmed first. */
  async loadForWrite(req: Request, reference: string, action: Action): Promise<Case> {
    return this.confirm(await this.load(req, reference, action));
  }

  /**
   * The row, once confirmed to be its workflow's case (`confirmedRunId`): a row not yet confirmed is
   * checked against the workflow's memo (or start input) once, and recorded as confirmed. A workflow
   * that belongs to another owner makes the case a 404, as an unknown reference is.
   */
  async confirm(c: Case): Promise<Case> {
    if (c.confirmedRunId) return c;
    const mismatch = (source: string) => {
      // The reference and workflow ID only: nothing that identifies the patient.
      this.logger?.warn({ caseReference: c.reference, workflowId: c.workflowId, source }, 'case row does not match its workflow (database restored from an older backup?): writes refused; run npm run ops:rebuild-read-model');
      return notFound(c.reference);
    };
    if (c.workflowId !== workflowIdFor(c.reference)) throw mismatch('workflow_id');
    let identity;
    try {
      identity = await identifyCaseWorkflow(this.client, c.workflowId);
    } catch (err) {
      throw toApiError(err, temporalMessages.noWorkflow({ reference: c.reference }));
    }
    if (!identity) {
      throw new ApiError(503, 'case_not_started', errorMessages.case_not_started({ reference: c.reference }));
    }
    if (!c.ownerId || identity.ownerId !== c.ownerId || (identity.reference !== undefined && identity.reference !== c.reference)) throw mismatch(identity.source);
    await this.db.case.updateMany({ where: { id: c.id, confirmedRunId: null }, data: { confirmedRunId: identity.firstRunId } });
    return { ...c, confirmedRunId: identity.firstRunId };
  }
}
