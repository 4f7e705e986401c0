// The audit trail: every staff read or write of a case, every login and logout.
import type { Db } from '../lib/db';

export interface AuditRecord {
  actorId: string | null;
  actorRole: string;
  action: string;
  caseReference?: string;
  requestId?: string;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({ data: { ...entry, requestId: entry.requestId ?? null, caseReference: entry.caseReference ?? null } });
  }
}
