// Rules version 2026-01: the rules every case ran under before rules were versioned. PUBLISHED:
// never edit it, nor the config modules it is read from (config/fees.ts, tariffs.ts, checklists.ts,
// coverage.ts, visa.ts, stay.ts, pathway.ts); test/rulesVersions.test.ts fails if its content changes.
// To change a rule, publish a new version beside it (README: "Rules versions", "Publishing a version").
//
// It is also the version of histories recorded before cases carried their rules: workflow code
// falls back to it (workflows/rules.ts), so those cases replay and go on unchanged.
import { checklists } from '../checklists';
import { coverageNotices, EU_EEA_CH } from '../coverage';
import { refundNotice, studyFees } from '../fees';
import { defaultTimings } from '../pathway';
import { COPAYMENT_PERCENT, DEFAULT_SITE, PATIENT_REQUESTS, PRACTICAL_PACK_TEXTS, SUPPORT_CONTACT, TREATMENT_SITES } from '../stay';
import { programmeFor, tariffs } from '../tariffs';
import {
  COMPANION_REQUIRED_DOCUMENT,
  SHORT_STAY_VISA_NATIONALITIES,
  VISA_ANSWER_DELAY_DAYS,
  VISA_EXEMPT_MAX_STAY_DAYS,
  VISA_EXEMPT_NATIONALITIES,
  VISA_URGENCY_THRESHOLD_DAYS,
  visaTexts,
} from '../visa';
import type { CaseRules } from './types';

export const rules202601: CaseRules = {
  id: '2026-01',
  effectiveFrom: '2026-01-01',
  summary: 'First version: the fees, tariffs, checklists, coverage and visa rules, stay settings and timings in force before rules were versioned.',
  studyFees,
  refundNotice,
  tariffs,
  programmeFor,
  checklists,
  coverage: { euEeaCh: EU_EEA_CH, notices: coverageNotices },
  visa: {
    exemptNationalities: VISA_EXEMPT_NATIONALITIES,
    exemptMaxStayDays: VISA_EXEMPT_MAX_STAY_DAYS,
    shortStayVisaNationalities: SHORT_STAY_VISA_NATIONALITIES,
    answerDelayDays: VISA_ANSWER_DELAY_DAYS,
    urgencyThresholdDays: VISA_URGENCY_THRESHOLD_DAYS,
    companionRequiredDocument: COMPANION_REQUIRED_DOCUMENT,
    texts: visaTexts,
  },
  stay: {
    sites: TREATMENT_SITES,
    defaultSite: DEFAULT_SITE,
    supportContact: SUPPORT_CONTACT,
    practicalPackTexts: PRACTICAL_PACK_TEXTS,
    patientRequests: PATIENT_REQUESTS,
    copaymentPercent: COPAYMENT_PERCENT,
  },
  timings: defaultTimings,
};
