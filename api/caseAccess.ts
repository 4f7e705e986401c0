// Loading a case on behalf of the caller. The patient side sees only its own cases (any other
// reference is a 404, never its data); staff by role, each access written to the audit trail.
import type { Request } from 'express';
import type { Case } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import type { AuditLog } from './audit';
import { requirePrincipal, type Principal } from './auth/principal';
import { ApiError, requestId } from './errors';
import { isAllowed, type Action } from './policy';
import { referencePattern } from './schemas/cases';

/** The patient side owns a case it opened, and a patient owns a case opened for their verified email. */
export function ownsCase(p: Principal, c: Pick<Case, 'ownerId' | 'patientEmail'>): boolean {
  if (p.kind === 'staff') return false;
  return c.ownerId === p.userId || (p.kind === 'patient' && p.emailVerified && c.patientEmail.toLowerCase() === p.email);
}

export class CaseAccess {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  async load(req: Request, reference: string, action: Action): Promise<Case> {
    const p = requirePrincipal(req);
    const notFound = new ApiError(404, 'not_found', `No case ${reference} among yours: check the reference (it looks like INT-2026-000123).`);
    if (p.kind === 'staff' && !isAllowed(action, p)) throw new ApiError(403, 'forbidden', `Your role (${p.role}) may not do this (${action}).`);
    const c = referencePattern.test(reference) ? await this.db.case.findUnique({ where: { reference } }) : null;
    if (!c) throw notFound;
    if (p.kind === 'staff') {
      await this.audit.record({ actorId: p.userId, actorRole: p.role ?? 'staff', action, caseReference: reference, requestId: requestId(req) });
      return c;
    }
    if (!ownsCase(p, c)) throw notFound;
    if (!isAllowed(action, p)) throw new ApiError(403, 'forbidden', `This is not something the patient side can do (${action}).`);
    return c;
  }
}
