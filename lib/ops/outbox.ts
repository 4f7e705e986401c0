// What the mail relay has not delivered yet: the outbox rows still pending, oldest first, with how
// long they have waited and why the last attempt failed. An email that waits is not lost (the relay
// keeps trying) but a patient is not told something: ops look here when the mail server is down or
// refuses a message.
import type { Db } from '../db';

export interface WaitingEmail {
  outboxId: number;
  reference: string | null;
  queuedAt: Date;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
}

export interface OutboxReport {
  /** Every email not yet delivered. */
  pending: number;
  /** Of those, the ones whose last attempt failed. */
  failing: number;
  /** The oldest undelivered ones (at most `limit`), oldest first. */
  waiting: WaitingEmail[];
}

export async function outboxReport(db: Db, limit = 20): Promise<OutboxReport> {
  const [pending, failing, rows] = await Promise.all([
    db.outboundEmail.count({ where: { status: 'pending' } }),
    db.outboundEmail.count({ where: { status: 'pending', lastError: { not: null } } }),
    db.outboundEmail.findMany({
      where: { status: 'pending' },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, caseReference: true, createdAt: true, attempts: true, nextAttemptAt: true, lastError: true },
    }),
  ]);
  return {
    pending,
    failing,
    waiting: rows.map((r) => ({ outboxId: r.id, reference: r.caseReference, queuedAt: r.createdAt, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt, lastError: r.lastError })),
  };
}
