// Tells the other side of a secure message that there is one, by email, without its content.
import type { Db } from '../lib/db';
import type { Language } from '../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from './email';

export interface NotifyMessageInput {
  reference: string;
  messageId: string;
  authorSide: 'patient' | 'staff';
  /** The patient's language (the case's). */
  language: Language;
}

export interface MessageDeps {
  db: Db;
  sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
  /** Gets patient messages while no care coordinator is assigned. */
  admissionTeamEmail: string;
}

export function createMessageActivities(deps: MessageDeps) {
  /** Recipients: the patient (and the referring doctor) for staff messages; the case's coordinator, or the admission team, for patient messages. */
  async function notifyMessage(input: NotifyMessageInput): Promise<{ notified: string[] }> {
    const c = await deps.db.case.findUniqueOrThrow({ where: { reference: input.reference }, include: { owner: true } });
    const recipients: { email: string; language: Language }[] = [];
    if (input.authorSide === 'staff') {
      recipients.push({ email: c.patientEmail, language: input.language });
      if (c.owner && c.owner.email !== c.patientEmail.toLowerCase()) recipients.push({ email: c.owner.email, language: c.owner.language === 'fr' ? 'fr' : 'en' });
    } else {
      const coordinator = c.coordinatorId ? await deps.db.user.findUnique({ where: { id: c.coordinatorId } }) : null;
      recipients.push(coordinator ? { email: coordinator.email, language: coordinator.language === 'fr' ? 'fr' : 'en' } : { email: deps.admissionTeamEmail, language: 'fr' });
    }
    for (const r of recipients) {
      await deps.sendEmail({
        idempotencyKey: `message:${input.messageId}:${r.email}`,
        to: r.email,
        template: 'new_message',
        language: r.language,
        caseReference: input.reference,
        vars: { reference: input.reference },
      });
    }
    return { notified: recipients.map((r) => r.email) };
  }
  return { notifyMessage };
}
