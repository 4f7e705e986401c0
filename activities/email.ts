// Email through an outbox: the email activity renders the message and writes it to the outbox once
// per idempotency key (workflow ID + business step), so a retried activity never queues it twice;
// the mail relay (workers/mailRelay.ts) delivers the outbox in order, per case and recipient.
//
// Attachments are documents of the case (e.g. the estimate PDF, visa certificates), checked here and
// read by the relay from the content-addressed store as buffers: the transport keeps file and URL
// access disabled, so nothing but bytes Parcours read itself can end up in a message.
import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { SUPPORT_CONTACT } from '../config/stay';
import { countryName } from '../lib/countryNames';
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
  /** False when the outbox already held it (a retried activity): nothing new was queued. */
  queuedNow: boolean;
}

export interface EmailDeps {
  db: Db;
  from: string;
  /** Base of links in emails: `{caseUrl}` is filled from it for emails about a case. */
  publicBaseUrl: string;
  /** Called once an email is in the outbox (not on a repeat): e.g. wakes a mail relay in the same process. */
  onQueued?: () => void;
  /** Test hook: runs after the email is in the outbox, e.g. to simulate a lost completion or a slow step. */
  afterQueued?: (input: SendEmailInput) => void | Promise<void>;
}

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
  /**
   * The documents to attach, checked against the case: an ID that is unknown or belongs to another
   * case is a bug in the caller, and retrying would not fix it (nor should another patient's file
   * ever be sent), so it fails for good, naming the ID.
   */
  async function checkAttachments(input: SendEmailInput): Promise<string[]> {
    const ids = [...new Set(input.attachDocumentIds ?? [])];
    if (ids.length === 0) return [];
    if (!input.caseReference) {
      throw invalid(`Email '${input.idempotencyKey}' asks to attach documents ${ids.join(', ')} but names no caseReference: attachments must belong to the email's case, so pass its reference.`);
    }
    const found = await deps.db.case.findUnique({ where: { reference: input.caseReference }, select: { id: true } });
    if (!found) throw invalid(`Email '${input.idempotencyKey}' names case ${input.caseReference}, which does not exist: attachments can only come from an existing case.`);
    const rows = await deps.db.document.findMany({ where: { id: { in: ids } }, select: { id: true, caseId: true, sizeBytes: true, uploadedById: true } });
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
    return ids;
  }

  /**
   * Puts the email in the outbox, once per idempotency key; the mail relay (workers/mailRelay.ts)
   * delivers it. Queuing is one database write, exactly once whatever happens to this process; the
   * SMTP exchange, the one step that cannot be made exactly once, happens in the relay, away from
   * the workers that are restarted on every deploy.
   */
  async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    // The office's contact: the way to reach the team once a case has ended (its messages are closed).
    const derived: Record<string, string> = { officeEmail: SUPPORT_CONTACT.email, officePhone: SUPPORT_CONTACT.phone };
    if (input.caseReference) derived.caseUrl = `${deps.publicBaseUrl}/cases/${input.caseReference}`;
    // Links in emails are absolute: the workflow gives paths, the deployment knows its address.
    if (input.vars.paymentPath) derived.paymentUrl = `${deps.publicBaseUrl}${input.vars.paymentPath}`;
    if (input.requestType) derived.requestTypeLabel = requestTypeLabels[input.language][input.requestType];
    const vars = { ...derived, ...input.vars };
    // The workflow gives a country code; the patient reads the country's name in their language.
    if (vars.consulateCountry) vars.consulateCountry = countryName(vars.consulateCountry, input.language);
    const { subject, text } = renderTemplate(input.template, input.language, vars);
    // Checked before queuing: an email that can never go out leaves no outbox row.
    const attachmentIds = await checkAttachments(input);
    const messageId = messageIdFor(input.idempotencyKey, deps.from);
    const existing = await deps.db.outboundEmail.findUnique({ where: { idempotencyKey: input.idempotencyKey }, select: { messageId: true } });
    if (existing) return { messageId: existing.messageId, queuedNow: false };
    // The unique key makes this the one record even if two attempts race: the loser finds the row.
    const created = await deps.db.outboundEmail
      .create({
        data: {
          idempotencyKey: input.idempotencyKey, messageId, toAddress: input.to, subject, textBody: text, caseReference: input.caseReference,
          attachmentIds: attachmentIds.length ? JSON.stringify(attachmentIds) : null,
        },
        select: { messageId: true },
      })
      .catch(async (err: unknown) => {
        const raced = await deps.db.outboundEmail.findUnique({ where: { idempotencyKey: input.idempotencyKey }, select: { messageId: true } });
        if (raced) return null;
        throw err;
      });
    if (!created) return { messageId, queuedNow: false };
    deps.onQueued?.();
    await deps.afterQueued?.(input);
    return { messageId: created.messageId, queuedNow: true };
  }

  return { sendEmail };
}
