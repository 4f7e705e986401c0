// /audit: who read or changed a case, or what one person accessed (ops only), newest first.
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import type { AuditLog } from '../audit';
import { requireAllowed } from '../auth/principal';
import { requestId } from '../errors';
import { json, type ApiRoutes } from '../routing';
import { auditPage, auditQuery } from '../schemas/audit';
import { parseQuery } from '../schemas/query';

export interface AuditRouteDeps {
  db: Db;
  audit: AuditLog;
}

const detailOf = (d: Prisma.JsonValue | null) => (d !== null && typeof d === 'object' && !Array.isArray(d) ? d : null);

export function registerAuditRoutes(api: ApiRoutes, deps: AuditRouteDeps): void {
  const { db } = deps;
  api.add({
    method: 'get', path: '/audit', tag: 'Audit', access: 'signed_in', action: 'audit.read',
    summary: "The audit trail (ops): every access to one case (caseId) or by one person (actorId), newest first",
    request: { query: auditQuery },
    responses: { 200: json(auditPage, 'One page of audit entries, with the total matching') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'audit.read');
      const q = parseQuery(auditQuery, req.query);
      // The trail is read like any record about patients: traced, with what was asked. Not under the
      // case itself, so a case's trail stays the accesses to the case.
      await deps.audit.record({ actorId: p.userId, actorRole: p.role ?? p.kind, action: 'audit.read', requestId: requestId(req), detail: q.caseId !== undefined ? { caseId: q.caseId } : { actorId: q.actorId ?? null } });
      const where = q.caseId !== undefined ? { caseReference: q.caseId } : { actorId: q.actorId };
      const [rows, total] = await Promise.all([
        // The id breaks ties between entries written in the same millisecond, in the order they were written.
        db.auditEntry.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip: q.offset, take: q.limit }),
        db.auditEntry.count({ where }),
      ]);
      res.json({
        items: rows.map((e) => ({
          id: e.id,
          actorId: e.actorId,
          actorRole: e.actorRole,
          action: e.action,
          caseReference: e.caseReference,
          requestId: e.requestId,
          detail: detailOf(e.detail),
          at: e.at.toISOString(),
        })),
        total,
        limit: q.limit,
        offset: q.offset,
      });
    },
  });
}
