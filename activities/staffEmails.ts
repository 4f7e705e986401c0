// Emails to hospital staff about a case: the MDT secretariat (the radiotherapy team for proton
// therapy), the case's care coordinator, or the admission team. A link and the reference only:
// staff read the file in Parcours.
import type { Db } from '../lib/db';
import type { RequestType } from '../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from './email';

export type StaffAudience = 'mdt' | 'coordinator' | 'admission_team';

export interface StaffEmailInput {
  idempotencyKey: string;
  audience: StaffAudience;
  coordinatorId: string | null;
  reference: string;
  requestType: RequestType;
  template: 'mdt_request' | 'report_overdue' | 'staff_withdrawal';
}

export interface StaffAddresses {
  admissionTeamEmail: string;
  mdtSecretariatEmail: string;
  radiotherapyTeamEmail: string;
}

export interface StaffEmailDeps extends StaffAddresses {
  db: Db;
  sendEmail: (input: SendEmailInput) => Promise<SendEmailResult>;
}

export function createStaffEmailActivities(deps: StaffEmailDeps) {
  /** Resolves the audience to an address (the coordinator falls back to the admission team) and sends. */
  async function emailStaff(input: StaffEmailInput): Promise<{ to: string }> {
    let to = deps.admissionTeamEmail;
    let language: 'fr' | 'en' = 'fr';
    if (input.audience === 'mdt') to = input.requestType === 'proton_therapy' ? deps.radiotherapyTeamEmail : deps.mdtSecretariatEmail;
    else if (input.audience === 'coordinator' && input.coordinatorId) {
      const coordinator = await deps.db.user.findUnique({ where: { id: input.coordinatorId } });
      if (coordinator) {
        to = coordinator.email;
        language = coordinator.language === 'en' ? 'en' : 'fr';
      }
    }
    await deps.sendEmail({ idempotencyKey: input.idempotencyKey, to, template: input.template, language, caseReference: input.reference, requestType: input.requestType, vars: { reference: input.reference } });
    return { to };
  }
  return { emailStaff };
}
