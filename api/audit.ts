// The audit trail: every staff read or write of a case, every list of patients staff see, every read
// of the trail itself, every login and logout, and the patient's own exports (docs/operations.md,
// "Access traces and retention").
import type { Request } from 'express';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import type { Principal } from './auth/principal';
import { requestId } from './errors';

/**
 * What a read is recorded as. Writes are recorded under their policy action (api/policy.ts); reads get
 * the name of what was shown, so a download is told apart from a look at the list.
 */
export type AuditReadAction =
  | 'case.read'
  | 'document.list'
  | 'document.download'
  | 'message.list'
  | 'worklist.read'
  | 'worklist.mine'
  | 'worklist.tasks'
  | 'worklist.money_owed'
  | 'audit.read'
  | 'data.export';

export interface AuditRecord {
  actorId: string | null;
  actorRole: string;
  action: string;
  caseReference?: string;
  requestId?: string;
  /** JSON without patient data: query parameters, counts, dates. */
  detail?: Prisma.InputJsonValue;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({ data: this.row(entry) });
  }

  /**
   * A list of cases shown to staff (a worklist): one entry per case on the page, so a case's trail
   * (GET /audit?caseId=) says who saw the patient's name; one entry without a case when the page is empty.
   */
  async recordList(entry: Omit<AuditRecord, 'caseReference'>, references: readonly string[]): Promise<void> {
    const cases = references.length ? [...new Set(references)] : [undefined];
    await this.db.auditEntry.createMany({ data: cases.map((caseReference) => this.row({ ...entry, caseReference })) });
  }

  /** A staff read of a list of cases (`page.items[].reference`), recorded before the page is sent. */
  async recordListRead(req: Request, who: Principal, action: AuditReadAction, page: { items: readonly { reference: string }[] }): Promise<void> {
    await this.recordList({ actorId: who.userId, actorRole: who.role ?? who.kind, action, requestId: requestId(req) }, page.items.map((i) => i.reference));
  }

  private row(entry: AuditRecord): Prisma.AuditEntryCreateManyInput {
    return { actorId: entry.actorId, actorRole: entry.actorRole, action: entry.action, caseReference: entry.caseReference ?? null, requestId: entry.requestId ?? null, ...(entry.detail === undefined ? {} : { detail: entry.detail }) };
  }
}
