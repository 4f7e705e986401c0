// One activity for what a case writes in one step (#15): the case row, its audit-trail events, the
// view's change and the emails the step queues, in the order the workflow asked for them. Each part
// keeps its own idempotency key, so a retried batch writes nothing twice.
import type { CaseStartInput, CaseView } from '../workflows/definitions';
import type { CaseEventInput, ViewWrite } from './caseRecords';
import type { SendEmailInput, SendEmailResult } from './email';
import type { StaffEmailInput } from './staffEmails';

/** An event of the audit trail, as a batch carries it (the case and its view are the batch's). */
export type BatchedEvent = Pick<CaseEventInput, 'idempotencyKey' | 'type' | 'actor' | 'payload' | 'summary' | 'at'>;

/** One write of a batch. */
export type BookkeepingWrite =
  /** `view`: the row's first view, sent instead of the input's rules by newer cases (without it, it follows from the rules). */
  | { kind: 'case'; input: CaseStartInput; view?: CaseView }
  | { kind: 'event'; event: BatchedEvent }
  | { kind: 'email'; email: SendEmailInput }
  | { kind: 'staffEmail'; email: StaffEmailInput };

/** A case's writes of one step, and the view's change since the last batch (none when the view did not change). */
export type BookkeepingBatch = { reference: string; ownerId?: string; writes: BookkeepingWrite[] } & ViewWrite;

export interface BookkeepingDeps {
  recordCase: (input: CaseStartInput, view?: CaseView) => Promise<{ recorded: boolean }>;
  recordCaseEvent: (input: CaseEventInput) => Promise<{ recorded: boolean }>;
  publishCaseView: (input: { reference: string; ownerId?: string } & ViewWrite) => Promise<{ stored: boolean }>;
  sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
  emailStaff: (input: StaffEmailInput) => Promise<{ to: string }>;
}

export function createBookkeepingActivities(deps: BookkeepingDeps) {
  /**
   * Writes the batch in the order the workflow asked (the case row first: each event checks the row is
   * this case's owner's), and the view right after the last event, so a reader who sees the step's phase
   * also sees its events and the emails asked for before them (a view too old for the change fails, not
   * retried: the workflow sends the batch again with the whole view).
   * Answers how many events were recorded and patient emails queued now (0 for what an earlier attempt wrote).
   */
  async function writeBookkeeping(batch: BookkeepingBatch): Promise<{ events: number; emails: number }> {
    const { reference, ownerId, writes, change, view, version } = batch;
    const owner = ownerId ? { ownerId } : {};
    let events = 0;
    let emails = 0;
    const writeView = async () => {
      if (change || (view && version !== undefined)) await deps.publishCaseView({ reference, ...owner, change, view, version });
    };
    // The view goes in right after the last record (as it went with each event before batches): emails
    // asked for after it do not hold back what the step shows (an SMTP-slow outbox, a held activity).
    const lastRecord = writes.reduce((last, w, i) => (w.kind === 'case' || w.kind === 'event' ? i : last), -1);
    if (lastRecord < 0) await writeView();
    for (const [i, w] of writes.entries()) {
      if (w.kind === 'case') await deps.recordCase(w.input, w.view);
      else if (w.kind === 'event') events += Number((await deps.recordCaseEvent({ reference, ...owner, ...w.event })).recorded);
      else if (w.kind === 'email') emails += Number((await deps.sendEmail(w.email)).queuedNow);
      else await deps.emailStaff(w.email);
      if (i === lastRecord) await writeView();
    }
    return { events, emails };
  }
  return { writeBookkeeping };
}
