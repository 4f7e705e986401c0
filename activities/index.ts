// All activities of the care-pathway worker, built from their dependencies.
import type { Transporter } from 'nodemailer';
import type { Db } from '../lib/db';
import { createCaseRecordActivities } from './caseRecords';
import { createEmailActivities, type EmailDeps } from './email';

export interface ActivityDeps {
  db: Db;
  transport: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  afterEmailSent?: EmailDeps['afterSend'];
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseRecordActivities({ db: deps.db }),
    ...createEmailActivities({ db: deps.db, transport: deps.transport, from: deps.mailFrom, publicBaseUrl: deps.publicBaseUrl, afterSend: deps.afterEmailSent }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
