// All activities of the care-pathway worker, built from their dependencies.
import type { AppConfig } from '../lib/config';
import type { Db } from '../lib/db';
import type { RulesRegistry } from '../lib/rules';
import { createBookkeepingActivities } from './bookkeeping';
import { createCaseRecordActivities } from './caseRecords';
import { createEmailActivities, type EmailDeps } from './email';
import { createEstimateActivities } from './estimates';
import { createInvoiceActivities } from './invoices';
import { createMessageActivities } from './messages';
import { createStaffEmailActivities, type StaffAddresses } from './staffEmails';
import { createVisaCertificateActivities } from './visaCertificates';

export interface ActivityDeps extends StaffAddresses {
  db: Db;
  mailFrom: string;
  publicBaseUrl: string;
  /** Where documents are kept (uploads, and the PDFs Parcours issues: estimates, certificates, invoices). */
  documentsDir: string;
  /** Called when an email was queued (e.g. wakes a mail relay running in the same process). */
  onEmailQueued?: EmailDeps['onQueued'];
  afterEmailQueued?: EmailDeps['afterQueued'];
  /** The published rules versions: an estimate is priced from the tariff in force on its day. */
  rules: RulesRegistry;
}

/** The worker's dependencies from the configuration (one place, for the worker process and the tests). */
export function activityDepsFrom(config: AppConfig, db: Db): ActivityDeps {
  return {
    db,
    mailFrom: config.smtp.from,
    publicBaseUrl: config.api.publicBaseUrl,
    documentsDir: config.uploads.documentsDir,
    admissionTeamEmail: config.admissionTeamEmail,
    mdtSecretariatEmail: config.mdtSecretariatEmail,
    radiotherapyTeamEmail: config.radiotherapyTeamEmail,
    financeTeamEmail: config.financeTeamEmail,
    supportTeamEmail: config.supportTeamEmail,
    medicalAssistantsEmail: config.medicalAssistantsEmail,
    rules: config.rules,
  };
}

export function createActivities(deps: ActivityDeps) {
  const email = createEmailActivities({ db: deps.db, from: deps.mailFrom, publicBaseUrl: deps.publicBaseUrl, onQueued: deps.onEmailQueued, afterQueued: deps.afterEmailQueued });
  const records = createCaseRecordActivities({ db: deps.db });
  const staff = createStaffEmailActivities({ db: deps.db, sendEmail: email.sendEmail, ...staffAddresses(deps) });
  return {
    ...records,
    ...email,
    ...createMessageActivities({ db: deps.db, sendEmail: email.sendEmail, admissionTeamEmail: deps.admissionTeamEmail }),
    ...staff,
    ...createBookkeepingActivities({ ...records, ...email, ...staff }),
    ...createEstimateActivities({ db: deps.db, documentsDir: deps.documentsDir, rules: deps.rules }),
    ...createVisaCertificateActivities({ db: deps.db, documentsDir: deps.documentsDir }),
    ...createInvoiceActivities({ db: deps.db, documentsDir: deps.documentsDir }),
  };
}

function staffAddresses(deps: StaffAddresses): StaffAddresses {
  const { admissionTeamEmail, mdtSecretariatEmail, radiotherapyTeamEmail, financeTeamEmail, supportTeamEmail, medicalAssistantsEmail } = deps;
  return { admissionTeamEmail, mdtSecretariatEmail, radiotherapyTeamEmail, financeTeamEmail, supportTeamEmail, medicalAssistantsEmail };
}

export type Activities = ReturnType<typeof createActivities>;
