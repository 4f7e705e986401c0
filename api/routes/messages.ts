// /cases/:reference/messages: secure messaging between the patient side and the case's staff. The
// message is stored here; the workflow is signalled so it emails the other side a link (never the
// content). Read receipts are set only by the other side, and only the first read counts.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Case, Message } from '../../generated/prisma/client';
import { SUPPORT_CONTACT } from '../../config/stay';
import { isUniqueViolation, type Db } from '../../lib/db';
import { messagePostedSignal, TERMINAL_PHASES } from '../../workflows/definitions';
import { requirePrincipal, type Principal } from '../auth/principal';
import type { CaseAccess } from '../caseAccess';
import { errorMessages, fieldMessages } from '../errorMessages';
import { ApiError, fieldsSaid, invalidFields, parseOr400 } from '../errors';
import { json, type ApiRoutes } from '../routing';
import { idempotencyKeyHeader, referenceParam } from '../schemas/cases';
import { z } from '../schemas/common';
import { message, messageList, messageParams, postMessageBody } from '../schemas/messages';
import { toApiError } from '../temporalErrors';
import { requireJson } from './cases';

export interface MessagesRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
}

type Side = 'patient' | 'staff';
type MessageView = z.infer<typeof message>;


const sideOfPrincipal = (p: Principal): Side => (p.kind === 'staff' ? 'staff' : 'patient');
const sideOfAuthorRole = (role: string): Side => (role === 'patient' || role === 'referrer' ? 'patient' : 'staff');
/** What Message.authorRole records: the account kind on the patient side, the role for staff. */
const authorRoleOf = (p: Principal): string => (p.kind === 'staff' ? (p.role ?? 'staff') : p.kind);
const isTerminal = (phase: string): boolean => (TERMINAL_PHASES as readonly string[]).includes(phase);

function attachmentIdsOf(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
}

export function view(m: Message, reference: string): MessageView {
  return {
    id: m.id,
    reference,
    authorId: m.authorId,
    authorRole: m.authorRole as MessageView['authorRole'],
    authorSide: sideOfAuthorRole(m.authorRole),
    body: m.body,
    attachmentIds: attachmentIdsOf(m.attachmentIds),
    createdAt: m.createdAt.toISOString(),
    readAt: m.readAt?.toISOString() ?? null,
    readById: m.readById,
  };
}

const caseClosed = (c: Case) =>
  new ApiError(409, 'case_closed', errorMessages.case_closed_no_messages({ reference: c.reference, phase: c.phase, officeEmail: SUPPORT_CONTACT.email, officePhone: SUPPORT_CONTACT.phone }), {
    officeEmail: SUPPORT_CONTACT.email,
    officePhone: SUPPORT_CONTACT.phone,
  });

export function registerMessageRoutes(api: ApiRoutes, deps: MessagesRouteDeps): void {
  const { db, client } = deps;
  const tag = 'Messages';

  /** Every attachment must be a document of this case; the first one that is not is named in a 400. */
  async function checkAttachments(c: Case, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await db.document.findMany({ where: { caseId: c.id, id: { in: ids } }, select: { id: true } });
    const known = new Set(found.map((d) => d.id));
    const bad = ids.map((id, index) => ({ id, index })).filter(({ id }) => !known.has(id));
    if (bad.length > 0) {
      throw invalidFields(
        errorMessages.attachment_not_in_case({ documentId: bad[0].id, reference: c.reference }),
        fieldsSaid(bad.map(({ id, index }) => ({ path: `attachmentIds.${index}`, said: fieldMessages.attachmentNotInCase({ documentId: id, reference: c.reference }) }))),
      );
    }
  }

  api.add({
    method: 'post', path: '/cases/:reference/messages', tag, access: 'signed_in', action: 'message.write',
    summary: "Post a secure message on a case: the other side is emailed a link to it, never its content",
    request: {
      params: referenceParam,
      headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ description: 'Posting again with the same key (a double submit, a retry after a lost answer) gives back the first message: one message, one notification.' }) }),
      body: { content: { 'application/json': { schema: postMessageBody } }, required: true },
    },
    responses: {
      201: json(message, 'Message stored; the other side is being notified'),
      200: json(message, 'Already posted with this Idempotency-Key: the first message; nothing was stored or sent again'),
      409: json(z.unknown(), 'The case is closed (code `case_closed`; details give the office\'s email and phone to write to instead), or this Idempotency-Key was used for another message (`idempotency_key_reused`)'),
      415: json(z.unknown(), 'Body is not JSON'),
    },
    handler: async (req, res) => {
      const c = await deps.access.loadForWrite(req, String(req.params.reference), 'message.write');
      requireJson(req);
      const input = parseOr400(postMessageBody, req.body, 'message');
      const keyHeader = req.get('Idempotency-Key');
      const key = keyHeader === undefined ? undefined : parseOr400(idempotencyKeyHeader, keyHeader, 'Idempotency-Key header');
      const p = requirePrincipal(req);
      const attachmentIds = input.attachmentIds ?? [];
      /** The message already posted under the key, as the first answer gave it (even once the case has closed). */
      const repeated = async (): Promise<boolean> => {
        if (key === undefined) return false;
        const first = await db.message.findUnique({ where: { caseId_authorId_idempotencyKey: { caseId: c.id, authorId: p.userId, idempotencyKey: key } } });
        if (!first) return false;
        if (first.body !== input.body || JSON.stringify(first.attachmentIds) !== JSON.stringify(attachmentIds)) {
          throw new ApiError(409, 'idempotency_key_reused', errorMessages.idempotency_key_reused_message());
        }
        res.status(200).json(view(first, c.reference));
        return true;
      };
      if (await repeated()) return;
      if (isTerminal(c.phase)) throw caseClosed(c);
      await checkAttachments(c, attachmentIds);
      let stored: Message;
      try {
        stored = await db.message.create({
          data: { caseId: c.id, authorId: p.userId, authorRole: authorRoleOf(p), body: input.body, attachmentIds, idempotencyKey: key },
        });
      } catch (err) {
        // The same key posted at the same moment: the other request stored it.
        if (isUniqueViolation(err) && (await repeated())) return;
        throw err;
      }
      try {
        await client.workflow.getHandle(c.workflowId).signal(messagePostedSignal, { messageId: stored.id, authorSide: sideOfPrincipal(p) });
      } catch (err) {
        // Nobody would be told about it: remove the message so the client can simply post it again.
        await db.message.delete({ where: { id: stored.id } });
        if (err instanceof WorkflowNotFoundError) {
          // The workflow may have ended between the phase check and the signal.
          const now = await db.case.findUnique({ where: { id: c.id } });
          if (now && isTerminal(now.phase)) throw caseClosed(now);
        }
        throw toApiError(err, errorMessages.messages_no_running_workflow({ reference: c.reference }));
      }
      res.status(201).json(view(stored, c.reference));
    },
  });

  api.add({
    method: 'get', path: '/cases/:reference/messages', tag, access: 'signed_in', action: 'message.read',
    summary: "The case's messages, oldest first, with read receipts and attachment IDs",
    request: { params: referenceParam },
    responses: { 200: json(messageList, 'Messages, oldest first') },
    handler: async (req, res) => {
      const c = await deps.access.load(req, String(req.params.reference), 'message.read', 'message.list');
      const rows = await db.message.findMany({ where: { caseId: c.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      res.json({ items: rows.map((m) => view(m, c.reference)), countryOfResidence: c.countryOfResidence });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/messages/:messageId/read', tag, access: 'signed_in', action: 'message.read',
    summary: 'Mark a message read (read receipt): set by the other side only, the first read time is kept',
    request: { params: messageParams },
    responses: { 200: json(message, 'The message, with its read receipt') },
    handler: async (req, res) => {
      const c = await deps.access.load(req, String(req.params.reference), 'message.read');
      const messageId = String(req.params.messageId);
      const notFound = new ApiError(404, 'not_found', errorMessages.message_not_found({ messageId, reference: c.reference }));
      const m = await db.message.findFirst({ where: { id: messageId, caseId: c.id } });
      if (!m) throw notFound;
      const p = requirePrincipal(req);
      // Only a reader on the other side sets the receipt; `readAt: null` in the filter keeps the
      // first read even when two readers race.
      if (m.readAt === null && sideOfPrincipal(p) !== sideOfAuthorRole(m.authorRole)) {
        await db.message.updateMany({ where: { id: m.id, readAt: null }, data: { readAt: new Date(), readById: p.userId } });
      }
      const current = await db.message.findFirst({ where: { id: m.id, caseId: c.id } });
      if (!current) throw notFound;
      res.json(view(current, c.reference));
    },
  });
}
