// The mail relay: the one part of Parcours that talks SMTP. It delivers the outbox (rows the email
// activity wrote once per business email), in order per case and recipient, a few at a time, and
// records each message as sent the moment the mail server accepts it. Several relays may run; one
// holds the outbox at a time (MailRelayLease), so no message is sent by two of them.
//
// One write per message (its record as sent), on its own connection that does not wait for the disk
// at each commit: the relay shares the SQLite file with the worker and the API, whose synchronous
// driver blocks its event loop while another process holds the write lock, so the relay holds it as
// briefly as it can. Losing the last records to a power cut (not to a crash) would send those
// messages again, with the same Message-ID.
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
import os from 'node:os';
import type { Transporter } from 'nodemailer';
import { DocumentStore } from '../lib/documentStore';
import type { AppConfig } from '../lib/config';
import { providerOf, type Db } from '../lib/db';
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
  /** How long the outbox stays this relay's without a renewal (ms; 60 s). It renews it every quarter of that. */
  leaseMs?: number;
  /** Called once a message is recorded as sent; `acceptedAt` is when the server's acceptance arrived (ms since the epoch). */
  onSent?: (sent: { idempotencyKey: string; caseReference: string | null; acceptedAt: number }) => void | Promise<void>;
}

/** The relay's dependencies from the configuration (one place, for the relay process, the harness and the tests). */
export function relayDepsFrom(config: AppConfig, db: Db, transport: Transporter): MailRelayDeps {
  return { db, transport, from: config.smtp.from, documentsDir: config.uploads.documentsDir, maxConcurrentSends: config.smtp.maxConnections ?? 2 };
}

export interface MailRelay {
  /** Reads the outbox now (an email was just queued in this process). */
  readonly wake: () => void;
  /** Stops taking new messages, resolves once the messages being sent are sent and recorded, and gives the outbox up. */
  stop(): Promise<void>;
}

/**
 * The outbox lease: well above the transport's timeouts (10 s to connect, 20 s of silence), so a
 * relay never loses it in the middle of a send it could still complete.
 */
export const RELAY_LEASE_MS = 60_000;
const LEASE_ID = 'outbox';

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
  const leaseMs = deps.leaseMs ?? RELAY_LEASE_MS;
  const me = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  /** Until when this relay holds the outbox (ms since the epoch); 0 when it does not. */
  let heldUntil = 0;
  let stopping = false;
  let looking = false;
  let lookAgain = false;
  // SQLite: commits of this connection do not wait for the disk (see the top of the file). PostgreSQL
  // has no file lock held across processes: its commits keep waiting for the disk.
  const ready = providerOf(deps.db) === 'sqlite' ? deps.db.$queryRawUnsafe('PRAGMA synchronous = NORMAL').catch(() => undefined) : Promise.resolve();

  /** Takes or renews the outbox lease when a quarter of it has passed; true while this relay holds it. */
  async function holdOutbox(): Promise<boolean> {
    const now = Date.now();
    if (heldUntil - now > (leaseMs * 3) / 4) return true;
    // A relay waiting for the outbox only reads: no write while another one holds it.
    const current = await deps.db.mailRelayLease.findUnique({ where: { id: LEASE_ID } });
    if (current && current.holder !== me && current.until.getTime() > now) {
      heldUntil = 0;
      return false;
    }
    const until = new Date(now + leaseMs);
    const { count } = await deps.db.mailRelayLease.updateMany({ where: { id: LEASE_ID, OR: [{ holder: me }, { until: { lt: new Date(now) } }] }, data: { holder: me, until } });
    if (count === 0) {
      const created = await deps.db.mailRelayLease.create({ data: { id: LEASE_ID, holder: me, until } }).then(
        () => true,
        () => false, // another relay holds it (or took it just now)
      );
      if (!created) {
        heldUntil = 0;
        return false;
      }
    }
    if (heldUntil === 0) deps.log?.info({ relay: me }, 'mail relay holds the outbox');
    heldUntil = until.getTime();
    return true;
  }

  /** Rows that may go now: the oldest unsent row of each case and recipient, when it is free and due. */
  async function due(): Promise<Candidate[]> {
    const rows: Candidate[] = await deps.db.outboundEmail.findMany({
      where: { status: 'pending' },
      orderBy: { id: 'asc' },
      take: SCAN,
      select: { id: true, toAddress: true, caseReference: true, nextAttemptAt: true },
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
    const row: Message | null = await deps.db.outboundEmail.findFirst({
      where: { id: candidate.id, status: 'pending' },
      select: { id: true, idempotencyKey: true, messageId: true, toAddress: true, subject: true, textBody: true, attachmentIds: true, caseReference: true, attempts: true },
    });
    if (!row) return;
    let acceptedAt: number;
    try {
      const attachments = await attachmentsOf(row);
      await deps.transport.sendMail({ from: deps.from, to: row.toAddress, subject: row.subject, text: row.textBody, messageId: row.messageId, attachments });
      acceptedAt = Date.now();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = row.attempts + 1;
      await deps.db.outboundEmail.update({ where: { id: row.id }, data: { attempts, lastError: message.slice(0, 500), nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)) } });
      // The server's text may quote the address: the log names the outbox row only.
      deps.log?.warn({ outboxId: row.id, attempts, code: (err as { code?: string }).code, responseCode: (err as { responseCode?: number }).responseCode }, 'email not delivered; retried later');
      return;
    }
    // Recorded at once, before anything else: until then a crash of this process resends it.
    await deps.db.outboundEmail.updateMany({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 }, lastError: null, nextAttemptAt: null } });
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
        await ready;
        if (!(await holdOutbox())) break;
        for (const row of await due()) {
          if (stopping || inFlight.size >= deps.maxConcurrentSends) break;
          const sending = deliver(row)
            .catch((err: unknown) => deps.log?.error({ outboxId: row.id, err }, 'mail relay: recording a delivery failed; retried'))
            .finally(() => {
              inFlight.delete(row.id);
              void look();
            });
          inFlight.set(row.id, sending);
        }
      } while (lookAgain);
    } catch (err) {
      // The database may be briefly unavailable: the next tick looks again.
      deps.log?.error({ err }, 'mail relay: cannot read the outbox or its lease');
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
      // Given up at once, so the next relay (a restart, a deploy) takes over without waiting for it to expire.
      if (heldUntil > 0) await deps.db.mailRelayLease.updateMany({ where: { id: LEASE_ID, holder: me }, data: { until: new Date(0) } }).catch(() => undefined);
      heldUntil = 0;
    },
  };
}
