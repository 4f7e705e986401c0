// All activities of the care-pathway worker, built from their dependencies.
import type { Transporter } from 'nodemailer';
import type { Db } from '../lib/db';
import { createCaseRecordActivities } from './caseRecords';
import { createEmailActivities, type EmailDeps } from './email';
import { createMessageActivities } from './messages';
import { createStaffEmailActivities, type StaffAddresses } from './staffEmails';

export interface ActivityDeps extends StaffAddresses {
  db: Db;
  transport: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  afterEmailSent?: EmailDeps['afterSend'];
}

export function createActivities(deps: ActivityDeps) {
  const email = createEmailActivities({ db: deps.db, transport: deps.transport, from: deps.mailFrom, publicBaseUrl: deps.publicBaseUrl, afterSend: deps.afterEmailSent });
  return {
    ...createCaseRecordActivities({ db: deps.db }),
    ...email,
    ...createMessageActivities({ db: deps.db, sendEmail: email.sendEmail, admissionTeamEmail: deps.admissionTeamEmail }),
    ...createStaffEmailActivities({ db: deps.db, sendEmail: email.sendEmail, admissionTeamEmail: deps.admissionTeamEmail, mdtSecretariatEmail: deps.mdtSecretariatEmail, radiotherapyTeamEmail: deps.radiotherapyTeamEmail }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
