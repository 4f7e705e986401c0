// Emails to hospital staff about a case: the MDT secretariat (the radiotherapy team for proton
// therapy), the case's care coordinator, the admission team, the international patients' finance
// team, the support team (logistics, interpreters, accommodation) or the medical assistants. A link
// and the reference only: staff read the file in Parcours.
import type { Db } from '../lib/db';
import type { RequestType } from '../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from './email';
import type { EmailTemplateName } from './emailTemplates';

export type StaffAudience = 'mdt' | 'coordinator' | 'admission_team' | 'finance' | 'support' | 'medical_assistants';

/** The templates written for staff (in emailTemplates.ts); the workflow imports this as a type. */
export type StaffTemplate = Extract<
  EmailTemplateName,
  | 'mdt_request'
  | 'report_overdue'
  | 'staff_withdrawal'
  | 'estimate_to_finance'
  | 'estimate_accepted'
  | 'visa_urgent'
  | 'task_assigned'
  | 'task_reminder'
  | 'task_overdue'
  | 'account_to_settle'
  | 'money_to_return'
  | 'money_to_return_reminder'
  | 'overpayment_received'
  | 's2_acceptance_to_record'
  | 's2_acceptance_reminder'
>;

export interface StaffEmailInput {
  idempotencyKey: string;
  audience: StaffAudience;
  coordinatorId: string | null;
  reference: string;
  requestType: RequestType;
  template: StaffTemplate;
  /** The template's own placeholders (e.g. `number`, `taskLabel`); `reference` is always set from `reference`. */
  vars?: Record<string, string>;
}

export interface StaffAddresses {
  admissionTeamEmail: string;
  mdtSecretariatEmail: string;
  radiotherapyTeamEmail: string;
  financeTeamEmail: string;
  supportTeamEmail: string;
  medicalAssistantsEmail: string;
}

export interface StaffEmailDeps extends StaffAddresses {
  db: Db;
  sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
}

export function createStaffEmailActivities(deps: StaffEmailDeps) {
  /** The team address of an audience; the coordinator is resolved from the database by the caller. */
  function teamAddress(audience: Exclude<StaffAudience, 'coordinator'>, requestType: RequestType): string {
    switch (audience) {
      case 'mdt':
        return requestType === 'proton_therapy' ? deps.radiotherapyTeamEmail : deps.mdtSecretariatEmail;
      case 'admission_team':
        return deps.admissionTeamEmail;
      case 'finance':
        return deps.financeTeamEmail;
      case 'support':
        return deps.supportTeamEmail;
      case 'medical_assistants':
        return deps.medicalAssistantsEmail;
    }
  }

  /** Resolves the audience to an address (the coordinator falls back to the admission team) and sends. */
  async function emailStaff(input: StaffEmailInput): Promise<{ to: string }> {
    let to = deps.admissionTeamEmail;
    // Team mailboxes are read at the centre, in French; a coordinator gets their own language.
    let language: 'fr' | 'en' = 'fr';
    if (input.audience !== 'coordinator') to = teamAddress(input.audience, input.requestType);
    else if (input.coordinatorId) {
      const coordinator = await deps.db.user.findUnique({ where: { id: input.coordinatorId } });
      if (coordinator) {
        to = coordinator.email;
        language = coordinator.language === 'en' ? 'en' : 'fr';
      }
    }
    await deps.sendEmail({
      idempotencyKey: input.idempotencyKey,
      to,
      template: input.template,
      language,
      caseReference: input.reference,
      requestType: input.requestType,
      // The reference last: a stray `reference` in vars cannot point the email at another case.
      vars: { ...input.vars, reference: input.reference },
    });
    return { to };
  }
  return { emailStaff };
}
