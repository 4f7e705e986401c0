// The mail relay: the one part of Parcours that talks SMTP. It delivers the outbox (rows the email
// activity wrote once per business email), in order per case and recipient, a few at a time, and
// records each message as sent the moment the mail server accepts it.
//
// Why a process of its own: SMTP cannot be exactly once. A sender that dies after the server
// accepted a message and before recording it sends it again (RFC 1047). Care workers are killed
// and restarted on every deploy, scale-down and crash; with the SMTP exchange inside their
// activities, chaos runs resent an email in about one worker kill in twenty. The relay is small,
// restarted rarely, and on SIGTERM finishes what it is sending before it stops; only a SIGKILL
// of the relay itself during a send can still deliver that message twice, with the same
// Message-ID, as any mail server's own queue would.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { Transporter } from 'nodemailer';
import { DocumentStore } from '../api/uploads/documentStore';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';

export interface MailRelayDeps {
  db: Db;
  transport: Transporter;
  from: string;
  /** The content-addressed document store (DOCUMENTS_DIR) attachments are read from. */
  documentsDir: string;
  /** At most this many SMTP transactions at once (SMTP_MAX_CONNECTIONS). */
  maxConcurrentSends: number;
  /** How often the outbox is read when nothing woke the relay (ms). */
  pollMs?: number;
  log?: Logger;
  /** Called once a message is recorded as sent; `acceptedAt` is when the server's acceptance arrived (ms since the epoch). */
  onSent?: (sent: { idempotencyKey: string; caseReference: string | null; acceptedAt: number }) => void | Promise<void>;
}

export interface MailRelay {
  /** Reads the outbox now (an email was just queued in this process). */
  readonly wake: () => void;
  /** Stops taking new messages and resolves once the messages being sent are sent and recorded. */
  stop(): Promise<void>;
}

/**
 * How long one send holds a message: well above the transport's timeouts (10 s to connect, 20 s of
 * silence), so a message is never sent by two relays at once; a dead relay's hold expires.
 */
export const SEND_LEASE_MS = 90_000;

/** Wait before the next attempt after `attempts` failures: 2 s, doubling, at most 1 minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

/** How many outbox rows one look reads: the oldest first, so a backlog drains in order. */
const SCAN = 500;

/** What a look at the outbox reads of each row: enough to choose, not the message itself. */
interface Candidate {
  id: number;
  toAddress: string;
  caseReference: string | null;
  sendingUntil: Date | null;
  nextAttemptAt: Date | null;
}

interface Message {
  id: number;
  idempotencyKey: string;
  messageId: string;
  toAddress: string;
  subject: string;
  textBody: string;
  attachmentIds: string | null;
  caseReference: string | null;
  attempts: number;
}

export function startMailRelay(deps: MailRelayDeps): MailRelay {
  const store = new DocumentStore(deps.documentsDir);
  const inFlight = new Map<number, Promise<void>>();
  let stopping = false;
  let looking = false;
  let lookAgain = false;

  /** Rows that may go now: the oldest unsent row of each case and recipient, when it is free and due. */
  async function due(): Promise<Candidate[]> {
    const rows: Candidate[] = await deps.db.outboundEmail.findMany({
      where: { status: 'pending' },
      orderBy: { id: 'asc' },
      take: SCAN,
      select: { id: true, toAddress: true, caseReference: true, sendingUntil: true, nextAttemptAt: true },
    });
    const now = Date.now();
    const seen = new Set<string>();
    const ready: Candidate[] = [];
    for (const row of rows) {
      // A later email to the same person about the same case waits for the earlier one (e.g. a
      // follow-up's reminder never arrives before its announcement).
      const order = `${row.caseReference ?? ''}\u0000${row.toAddress}`;
      if (seen.has(order)) continue;
      seen.add(order);
      if (inFlight.has(row.id)) continue;
      if (row.sendingUntil && row.sendingUntil.getTime() > now) continue;
      if (row.nextAttemptAt && row.nextAttemptAt.getTime() > now) continue;
      ready.push(row);
    }
    return ready;
  }

  async function attachmentsOf(row: Message) {
    const ids: string[] = row.attachmentIds ? (JSON.parse(row.attachmentIds) as string[]) : [];
    if (ids.length === 0) return [];
    const docs = await deps.db.document.findMany({ where: { id: { in: ids } }, select: { id: true, sha256: true, originalName: true, mediaType: true } });
    const byId = new Map(docs.map((d) => [d.id, d]));
    return Promise.all(
      ids.map(async (id) => {
        const d = byId.get(id);
        if (!d) throw new Error(`Document ${id} to attach to outbox email ${row.id} is no longer in the database: restore it; the email is retried.`);
        let content: Buffer;
        try {
          content = await fs.readFile(store.blobPath(d.sha256));
        } catch (err) {
          // Retried: the file may be restored from a backup, and the email then goes out.
          const reason = err instanceof Error ? err.message : String(err);
          throw new Error(`Cannot read document ${d.id} (${d.sha256}) from ${deps.documentsDir} to attach it: ${reason}. Restore the file in the document store; the email is retried.`);
        }
        const digest = crypto.createHash('sha256').update(content).digest('hex');
        if (digest !== d.sha256) throw new Error(`Document ${d.id} in ${deps.documentsDir} does not match its SHA-256 (${d.sha256}): the stored file is damaged. Restore it from a backup; the email is retried.`);
        return { filename: d.originalName, content, contentType: d.mediaType };
      }),
    );
  }

  async function deliver(candidate: Candidate): Promise<void> {
    // The hold: taken only if no other relay holds the row and it is still unsent.
    const now = new Date();
    const { count } = await deps.db.outboundEmail.updateMany({
      where: { id: candidate.id, status: 'pending', OR: [{ sendingUntil: null }, { sendingUntil: { lt: now } }] },
      data: { attempts: { increment: 1 }, sendingUntil: new Date(now.getTime() + SEND_LEASE_MS) },
    });
    if (count === 0) return;
    const row: Message = await deps.db.outboundEmail.findUniqueOrThrow({
      where: { id: candidate.id },
      select: { id: true, idempotencyKey: true, messageId: true, toAddress: true, subject: true, textBody: true, attachmentIds: true, caseReference: true, attempts: true },
    });
    let acceptedAt: number;
    try {
      const attachments = await attachmentsOf(row);
      await deps.transport.sendMail({ from: deps.from, to: row.toAddress, subject: row.subject, text: row.textBody, messageId: row.messageId, attachments });
      acceptedAt = Date.now();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = row.attempts;
      await deps.db.outboundEmail.update({ where: { id: row.id }, data: { lastError: message.slice(0, 500), sendingUntil: null, nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)) } });
      // The server's text may quote the address: the log names the outbox row only.
      deps.log?.warn({ outboxId: row.id, attempts, code: (err as { code?: string }).code, responseCode: (err as { responseCode?: number }).responseCode }, 'email not delivered; retried later');
      return;
    }
    // Recorded at once, before anything else: until then a crash of this process resends it.
    await deps.db.outboundEmail.updateMany({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date(), lastError: null, sendingUntil: null, nextAttemptAt: null } });
    await deps.onSent?.({ idempotencyKey: row.idempotencyKey, caseReference: row.caseReference, acceptedAt });
  }

  /** Fills the free send slots from the outbox; runs again whenever a send ends or an email is queued. */
  async function look(): Promise<void> {
    if (looking) {
      lookAgain = true;
      return;
    }
    looking = true;
    try {
      do {
        lookAgain = false;
        if (stopping || inFlight.size >= deps.maxConcurrentSends) break;
        for (const row of await due()) {
          if (stopping || inFlight.size >= deps.maxConcurrentSends) break;
          const sending = deliver(row)
            .catch((err: unknown) => deps.log?.error({ outboxId: row.id, err: err instanceof Error ? err.message : String(err) }, 'mail relay: recording a delivery failed; retried'))
            .finally(() => {
              inFlight.delete(row.id);
              void look();
            });
          inFlight.set(row.id, sending);
        }
      } while (lookAgain);
    } catch (err) {
      // The database may be briefly unavailable: the next tick looks again.
      deps.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'mail relay: cannot read the outbox');
    } finally {
      looking = false;
    }
  }

  const timer = setInterval(() => void look(), deps.pollMs ?? 250);
  void look();

  return {
    wake: () => void look(),
    async stop() {
      stopping = true;
      clearInterval(timer);
      while (inFlight.size > 0 || looking) await Promise.all([...inFlight.values(), new Promise((r) => setTimeout(r, 10))]);
    },
  };
}
