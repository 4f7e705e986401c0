// Query and response schemas of GET /audit: the audit trail of one case or of one person.
import { z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';
import { referencePattern } from './cases';
import { limitParam, offsetParam, strictQuery } from './query';

export const auditQuery = strictQuery({
  caseId: z
    .string()
    .regex(referencePattern, schemaMessage(fieldMessages.auditCaseReference()))
    .optional()
    .openapi({ example: 'INT-2026-000123', description: 'The case whose accesses to list (give this or actorId).' }),
  actorId: z.uuid(schemaMessage(fieldMessages.auditAccountId())).optional().openapi({ description: 'The account whose accesses to list (give this or caseId).' }),
  limit: limitParam,
  offset: offsetParam,
}).superRefine((q, ctx) => {
  if ((q.caseId === undefined) === (q.actorId === undefined)) {
    ctx.addIssue({ code: 'custom', message: schemaMessage(fieldMessages.auditCaseOrActor()) });
  }
});

export const auditItem = z
  .object({
    id: z.number().int(),
    actorId: z.string().nullable(),
    actorRole: z.string().openapi({ example: 'admission_coordinator' }),
    action: z.string().openapi({ example: 'case.read' }),
    caseReference: z.string().nullable(),
    requestId: z.string().nullable().openapi({ description: 'The X-Request-Id of the request that did it (also in the logs).' }),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'What was read or done beyond the case, without patient data: the query of an audit read (audit.read), the document downloaded (document.download), the cutoff and count of a purge (audit.purge).', example: { caseId: 'INT-2026-000123' } }),
    at: z.string(),
  })
  .openapi('AuditEntry');

export const auditPage = z
  .object({ items: z.array(auditItem), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('AuditPage');
