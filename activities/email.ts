// Email through an outbox: the idempotency key (workflow ID + business step) is claimed in the
// database before sending, and a message already marked sent is never sent again, so an activity
// retry after a crash or a lost completion does not email the patient twice.
import crypto from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../lib/config';
import type { Db } from '../lib/db';
import type { Language, RequestType } from '../workflows/definitions';
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
  /** Test hook: runs after the message is sent and recorded, e.g. to simulate a lost completion. */
  afterSend?: (input: SendEmailInput) => void | Promise<void>;
}

/** Deterministic Message-ID: the same business email always carries the same ID. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'parcours.localhost';
  const digest = crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${digest}@${domain}>`;
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
  async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    const derived: Record<string, string> = {};
    if (input.caseReference) derived.caseUrl = `${deps.publicBaseUrl}/cases/${input.caseReference}`;
    // Links in emails are absolute: the workflow gives paths, the deployment knows its address.
    if (input.vars.paymentPath) derived.paymentUrl = `${deps.publicBaseUrl}${input.vars.paymentPath}`;
    if (input.requestType) derived.requestTypeLabel = requestTypeLabels[input.language][input.requestType];
    const { subject, text } = renderTemplate(input.template, input.language, { ...derived, ...input.vars });
    const messageId = messageIdFor(input.idempotencyKey, deps.from);
    // Claim the key (or find the earlier claim): the unique constraint makes this the one record.
    const row = await deps.db.outboundEmail.upsert({
      where: { idempotencyKey: input.idempotencyKey },
      create: { idempotencyKey: input.idempotencyKey, messageId, toAddress: input.to, subject, textBody: text, caseReference: input.caseReference },
      update: {},
    });
    if (row.status === 'sent') return { messageId: row.messageId, sentNow: false };

    await deps.db.outboundEmail.update({ where: { id: row.id }, data: { attempts: { increment: 1 } } });
    try {
      await deps.transport.sendMail({ from: deps.from, to: row.toAddress, subject: row.subject, text: row.textBody, messageId: row.messageId });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await deps.db.outboundEmail.update({ where: { id: row.id }, data: { lastError: message.slice(0, 500) } });
      throw err;
    }
    await deps.db.outboundEmail.update({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date(), lastError: null } });
    await deps.afterSend?.(input);
    return { messageId: row.messageId, sentNow: true };
  }

  return { sendEmail };
}
