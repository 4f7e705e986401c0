// Email through an outbox: the idempotency key (workflow ID + business step) is claimed in the
// database before sending, and a message already marked sent is never sent again, so an activity
// retry after a crash or a lost completion does not email the patient twice.
//
// Attachments are documents of the case (e.g. the estimate PDF, visa certificates), read from the
// content-addressed store as buffers: the transport keeps file and URL access disabled, so nothing
// but bytes Parcours read itself can end up in a message.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { Sema } from 'async-sema';
import nodemailer, { type Transporter } from 'nodemailer';
import { DocumentStore } from '../api/uploads/documentStore';
import { SUPPORT_CONTACT } from '../config/stay';
import type { SmtpConfig } from '../lib/config';
import type { Db } from '../lib/db';
import { FAILURE_TYPES, type Language, type RequestType } from '../workflows/definitions';
import { renderTemplate, requestTypeLabels, type EmailTemplateName } from './emailTemplates';

export interface SendEmailInput {
  /** Unique per business email, e.g. `case-INT-2026-000001:acknowledgement`. */
  idempotencyKey: string;
  to: string;
  template: EmailTemplateName;
  language: Language;
  vars: Record<string, string>;
  caseReference?: string;
  /** Fills `{requestTypeLabel}` in the patient's language. */
  requestType?: RequestType;
  /** Document IDs to attach: documents Parcours issued (uploadedById `system:…`) of the case named by `caseReference`. */
  attachDocumentIds?: string[];
}

export interface SendEmailResult {
  messageId: string;
  /** False when the outbox had already sent it (a retry). */
  sentNow: boolean;
}

export interface EmailDeps {
  db: Db;
  transport: Transporter;
  from: string;
  /** Base of links in emails: `{caseUrl}` is filled from it for emails about a case. */
  publicBaseUrl: string;
  /** The content-addressed document store (DOCUMENTS_DIR) attachments are read from. */
  documentsDir: string;
  /**
   * At most this many emails between their SMTP transaction's start and their record as sent, per
   * worker (SMTP_MAX_CONNECTIONS; 2 when unset).
   */
  maxConcurrentSends?: number;
  /**
   * Test hook: runs after the message is sent and recorded, e.g. to simulate a lost completion;
   * `acceptedAt` is when the mail server's acceptance reached this process (ms since the epoch).
   */
  afterSend?: (input: SendEmailInput, sent: { acceptedAt: number }) => void | Promise<void>;
}

/**
 * How long one attempt holds an email while it sends it: above the activity's 1-minute start-to-close
 * timeout (workflows/carePathway.ts), so a retried attempt never sends beside a slow first one; a
 * killed worker's hold expires and the retry sends it.
 */
const SEND_LEASE_MS = 90_000;

/** Deterministic Message-ID: the same business email always carries the same ID. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'parcours.localhost';
  const digest = crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${digest}@${domain}>`;
}

/**
 * Largest total size of the attachments of one email. Mail servers commonly refuse messages over
 * 10–25 MB (and base64 adds a third); a refusal would be retried forever, so a larger set fails at
 * once and the documents are shared through the portal instead.
 */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const invalid = (message: string) => ApplicationFailure.create({ type: FAILURE_TYPES.invalid, message, nonRetryable: true });

interface AttachmentSource {
  id: string;
  sha256: string;
  originalName: string;
  mediaType: string;
}

export function createTransport(smtp: SmtpConfig): Transporter {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    // Message content never pulls local files or remote URLs into an email.
    disableFileAccess: true,
    disableUrlAccess: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

export function createEmailActivities(deps: EmailDeps) {
  const store = new DocumentStore(deps.documentsDir);
  // An email the mail server accepted is sent again only if its worker dies before recording it, so
  // the fewer in that state at once, the fewer a crash can resend: unbounded, one SIGKILL in the
  // burst after an SMTP outage resent 8 (chaos seed 7707). Slots are taken in order of arrival.
  const sending = new Sema(deps.maxConcurrentSends ?? 2);

  /**
   * The documents to attach, checked against the case: an ID that is unknown or belongs to another
   * case is a bug in the caller, and retrying would not fix it (nor should another patient's file
   * ever be sent), so it fails for good, naming the ID.
   */
  async function attachmentSources(input: SendEmailInput): Promise<AttachmentSource[]> {
    const ids = [...new Set(input.attachDocumentIds ?? [])];
    if (ids.length === 0) return [];
    if (!input.caseReference) {
      throw invalid(`Email '${input.idempotencyKey}' asks to attach documents ${ids.join(', ')} but names no caseReference: attachments must belong to the email's case, so pass its reference.`);
    }
    const found = await deps.db.case.findUnique({ where: { reference: input.caseReference }, select: { id: true } });
    if (!found) throw invalid(`Email '${input.idempotencyKey}' names case ${input.caseReference}, which does not exist: attachments can only come from an existing case.`);
    const rows = await deps.db.document.findMany({
      where: { id: { in: ids } },
      select: { id: true, caseId: true, sha256: true, sizeBytes: true, originalName: true, mediaType: true, uploadedById: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) throw invalid(`Cannot attach document ${id} to email '${input.idempotencyKey}': no such document. Pass IDs of documents of case ${input.caseReference}.`);
      if (row.caseId !== found.id) throw invalid(`Cannot attach document ${id} to email '${input.idempotencyKey}': it belongs to another case, not ${input.caseReference}. Pass IDs of documents of this case only.`);
      // Only what Parcours issued (estimates, certificates, invoices): the medical file never leaves by email.
      if (!row.uploadedById.startsWith('system:')) throw invalid(`Cannot attach document ${id} to email '${input.idempotencyKey}': it was uploaded to the case, and uploads stay on the portal. Only documents Parcours issues can be attached.`);
    }
    const total = rows.reduce((sum, r) => sum + r.sizeBytes, 0);
    if (total > MAX_ATTACHMENT_BYTES) {
      throw invalid(`The attachments of email '${input.idempotencyKey}' total ${total} bytes, over the ${MAX_ATTACHMENT_BYTES}-byte limit: send fewer documents, or point the patient to them on the portal.`);
    }
    // In the caller's order: the first document is the one the email is about.
    return ids.map((id) => byId.get(id)!);
  }

  /** The bytes of each document, checked against its digest so a damaged blob is never sent. */
  async function readAttachments(sources: AttachmentSource[]) {
    return Promise.all(
      sources.map(async (d) => {
        let content: Buffer;
        try {
          content = await fs.readFile(store.blobPath(d.sha256));
        } catch (err) {
          // Retryable: the file may be restored from a backup, and the email then goes out.
          const reason = err instanceof Error ? err.message : String(err);
          throw new Error(`Cannot read document ${d.id} (${d.sha256}) from ${deps.documentsDir} to attach it: ${reason}. Restore the file in the document store; the email is retried.`);
        }
        const digest = crypto.createHash('sha256').update(content).digest('hex');
        if (digest !== d.sha256) throw new Error(`Document ${d.id} in ${deps.documentsDir} does not match its SHA-256 (${d.sha256}): the stored file is damaged. Restore it from a backup; the email is retried.`);
        return { filename: d.originalName, content, contentType: d.mediaType };
      }),
    );
  }

  async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    // The office's contact: the way to reach the team once a case has ended (its messages are closed).
    const derived: Record<string, string> = { officeEmail: SUPPORT_CONTACT.email, officePhone: SUPPORT_CONTACT.phone };
    if (input.caseReference) derived.caseUrl = `${deps.publicBaseUrl}/cases/${input.caseReference}`;
    // Links in emails are absolute: the workflow gives paths, the deployment knows its address.
    if (input.vars.paymentPath) derived.paymentUrl = `${deps.publicBaseUrl}${input.vars.paymentPath}`;
    if (input.requestType) derived.requestTypeLabel = requestTypeLabels[input.language][input.requestType];
    const { subject, text } = renderTemplate(input.template, input.language, { ...derived, ...input.vars });
    // Checked before the claim: an email that can never go out leaves no pending outbox row.
    const sources = await attachmentSources(input);
    const messageId = messageIdFor(input.idempotencyKey, deps.from);
    // Claim the key (or find the earlier claim): the unique constraint makes this the one record.
    const row = await deps.db.outboundEmail.upsert({
      where: { idempotencyKey: input.idempotencyKey },
      create: { idempotencyKey: input.idempotencyKey, messageId, toAddress: input.to, subject, textBody: text, caseReference: input.caseReference },
      update: {},
    });
    if (row.status === 'sent') return { messageId: row.messageId, sentNow: false };

    // Read only once the email is known to be unsent: a retry after sending never reads the files.
    const attachments = await readAttachments(sources);
    let acceptedAt = 0;
    await sending.acquire();
    try {
      // The lease: one attempt sends at a time. An attempt Temporal retried after a timeout while the
      // first still runs would otherwise send it a second time (chaos found duplicates under saturation).
      const now = new Date();
      const { count } = await deps.db.outboundEmail.updateMany({
        where: { id: row.id, status: 'pending', OR: [{ sendingUntil: null }, { sendingUntil: { lt: now } }] },
        data: { attempts: { increment: 1 }, sendingUntil: new Date(now.getTime() + SEND_LEASE_MS) },
      });
      if (count === 0) {
        const current = await deps.db.outboundEmail.findUniqueOrThrow({ where: { id: row.id } });
        if (current.status === 'sent') return { messageId: current.messageId, sentNow: false };
        throw ApplicationFailure.create({ type: 'EmailBeingSent', message: `Email '${input.idempotencyKey}' is being sent by another attempt (until ${current.sendingUntil?.toISOString() ?? '?'}): retried later.` });
      }
      try {
        await deps.transport.sendMail({ from: deps.from, to: row.toAddress, subject: row.subject, text: row.textBody, messageId: row.messageId, attachments });
        acceptedAt = Date.now();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await deps.db.outboundEmail.update({ where: { id: row.id }, data: { lastError: message.slice(0, 500), sendingUntil: null } });
        throw err;
      }
      // Recorded at once, before anything else this attempt does: until then a crash resends it.
      await deps.db.outboundEmail.updateMany({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date(), lastError: null, sendingUntil: null } });
    } finally {
      sending.release();
    }
    await deps.afterSend?.(input, { acceptedAt });
    return { messageId: row.messageId, sentNow: true };
  }

  return { sendEmail };
}
