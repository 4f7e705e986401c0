// Rules version 2027-01: whether a patient on EU planned care (an S2 on file) pays the study fee is
// now written down: they do, as every patient does before the tumour board studies the file (an S2
// authorises planned treatment, which is decided after the study). Version 2026-12 and before left it
// unsaid and behaved the same. Everything else is 2026-12's. PUBLISHED: never edit it; publish a new version.
import type { CaseRules } from './types';
import { rules202612 } from './v2026-12';

export const rules202701: CaseRules = {
  ...rules202612,
  id: '2027-01',
  effectiveFrom: '2027-01-01',
  summary: 'EU planned care: a patient with an S2 pays the study fee (stated explicitly; unchanged in practice).',
  coverage: {
    ...rules202612.coverage,
    euPlannedCare: { studyFee: 'patient_pays' },
  },
};
