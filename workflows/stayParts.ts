// Which part of the stay a phase belongs to, and so which patient requests it takes (each request kind
// says when it can be made, in the case's rules). Pure: the workflow's validator and the console's
// request form both use it, so the form offers exactly what the workflow accepts.
import type { PatientRequestKind, StayPart } from '../config/stay';
import type { Phase } from './definitions';
import type { CaseRules } from './rules';

export const STAY_PARTS: Partial<Record<Phase, StayPart>> = {
  treatment_planning: 'before_arrival',
  estimate_review: 'before_arrival',
  guarantee_pending: 'before_arrival',
  stay_preparation: 'before_arrival',
  awaiting_arrival: 'before_arrival',
  in_stay: 'stay',
  follow_up: 'after_stay',
};

/** The request kinds a case in `phase` takes under its rules (none outside the treatment programme). */
export function requestKindsOpen(phase: Phase, rules: CaseRules): PatientRequestKind[] {
  const part = STAY_PARTS[phase];
  if (!part) return [];
  return (Object.keys(rules.stay.patientRequests) as PatientRequestKind[]).filter((k) => (rules.stay.patientRequests[k].during).includes(part));
}
