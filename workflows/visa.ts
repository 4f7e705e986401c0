// Does the patient need a visa, where to apply, and is it urgent (domain: "Visa"). A pure function
// of the case data, used by the workflow and shown to patients and staff; the lists and the wording
// live in the case's rules (config/rules/).
//
// Rules, first match wins, on the nationality and (from rules version 2026-12) the residence:
//   - EU/EEA/Swiss national                    → not_required (whatever the length of stay);
//   - resident of France, or of another Schengen state with its residence permit (≤ 90 days)
//                                              → not_required, and the permit is asked for;
//   - visa-exempt nationality (US, AE)         → not_required while the planned stay is ≤ 90 days,
//                                                required beyond (the exemption is for 90 days in any
//                                                180); check_with_consulate if the length is unknown;
//   - nationality listed as needing a visa     → required;
//   - anything else (the lists are examples)   → check_with_consulate.
// Only the planned stay is known here: earlier stays in the Schengen area within the 180 days also
// count, and the texts say so.
//
// `urgent`: a visa is or may be needed (required or check_with_consulate) and the arrival is fewer
// than 10 days after `today` (the consulate's answer can take up to 10 days): 9 days is urgent,
// 10 is not. A past arrival date is urgent too. No arrival date yet: not urgent.
//
// Input: country codes are normalised (trimmed, upper-cased: "ma" is MA), like workflows/coverage.ts;
// a value that is not two letters is an unknown nationality → check_with_consulate. Dates must be
// YYYY-MM-DD calendar dates, else a RangeError: they come from validated requests and from workflow
// time, so a malformed one is a bug, and guessing would risk a wrong urgency.
import type { VisaTextId } from '../config/visa';
import type { CaseRules } from './rules';
import { normaliseCountryCode } from './coverage';

export type VisaStatus = 'not_required' | 'required' | 'check_with_consulate';

export type VisaReason =
  | 'eu_eea_ch_national'
  | 'resident_with_permit'
  | 'exempt_nationality_short_stay'
  | 'exempt_nationality_stay_over_limit'
  | 'exempt_nationality_stay_unknown'
  | 'listed_nationality'
  | 'unknown_nationality'
  | 'invalid_nationality_code';

export interface VisaInput {
  /** ISO 3166-1 alpha-2; case and surrounding spaces are ignored. */
  nationality: string;
  /** ISO 3166-1 alpha-2: where the patient applies (the French consulate there). */
  countryOfResidence: string;
  /** Days the patient plans to stay in France. */
  plannedStayDays: number;
  /** YYYY-MM-DD; null or absent while the arrival date is not known. */
  arrivalDate?: string | null;
  /** YYYY-MM-DD: the workflow's today, never the clock read here. */
  today: string;
}

export interface VisaRequirement {
  status: VisaStatus;
  reason: VisaReason;
  urgent: boolean;
  /** The country whose French consulate handles the application; null when the code is not two letters. */
  consulateCountry: string | null;
  answerDelayDays: { min: number; max: number };
  /** Days from today to the arrival date; null without an arrival date. */
  daysUntilArrival: number | null;
  texts: { fr: string; en: string };
}

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date (proleptic Gregorian, integer arithmetic). */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (!m || mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1]) throw new RangeError(`Not a YYYY-MM-DD calendar date: "${date}"`);
  // Days from civil (H. Hinnant): years counted from March so the leap day ends the year.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

type VisaRules = Pick<CaseRules, 'visa' | 'coverage'>;

function decide(nationality: string | null, residence: string | null, plannedStayDays: number, rules: VisaRules): { status: VisaStatus; reason: VisaReason } {
  if (nationality === null) return { status: 'check_with_consulate', reason: 'invalid_nationality_code' };
  if (rules.coverage.euEeaCh.includes(nationality)) return { status: 'not_required', reason: 'eu_eea_ch_national' };
  // Versions from 2026-12: a residence permit of a Schengen state (France: any length of stay).
  const permit = rules.visa.residence;
  if (permit && residence !== null && permit.countries.includes(residence)) {
    const withinLimit = Number.isFinite(plannedStayDays) && plannedStayDays >= 0 && plannedStayDays <= rules.visa.exemptMaxStayDays;
    if (permit.anyLength.includes(residence) || withinLimit) return { status: 'not_required', reason: 'resident_with_permit' };
  }
  if (rules.visa.exemptNationalities.includes(nationality)) {
    if (!Number.isFinite(plannedStayDays) || plannedStayDays < 0) return { status: 'check_with_consulate', reason: 'exempt_nationality_stay_unknown' };
    return plannedStayDays <= rules.visa.exemptMaxStayDays
      ? { status: 'not_required', reason: 'exempt_nationality_short_stay' }
      : { status: 'required', reason: 'exempt_nationality_stay_over_limit' };
  }
  if (rules.visa.shortStayVisaNationalities.includes(nationality)) return { status: 'required', reason: 'listed_nationality' };
  return { status: 'check_with_consulate', reason: 'unknown_nationality' };
}

/** The text of each reason but residence, whose text comes with the residence rule itself. */
const MAIN_TEXT: Record<Exclude<VisaReason, 'resident_with_permit'>, VisaTextId> = {
  eu_eea_ch_national: 'not_required_eu',
  exempt_nationality_short_stay: 'not_required_exempt',
  exempt_nationality_stay_over_limit: 'required_exempt_over_limit',
  exempt_nationality_stay_unknown: 'check_with_consulate',
  listed_nationality: 'required_short_stay',
  unknown_nationality: 'check_with_consulate',
  invalid_nationality_code: 'check_with_consulate',
};

/** The requirement under the case's visa rules (and its EU/EEA/Swiss list). */
export function visaRequirement(input: VisaInput, rules: VisaRules): VisaRequirement {
  const today = dayNumber(input.today);
  const daysUntilArrival = input.arrivalDate ? dayNumber(input.arrivalDate) - today : null;
  const { status, reason } = decide(normaliseCountryCode(input.nationality), normaliseCountryCode(input.countryOfResidence), input.plannedStayDays, rules);
  const urgent = status !== 'not_required' && daysUntilArrival !== null && daysUntilArrival < rules.visa.urgencyThresholdDays;

  let texts: { fr: string; en: string };
  if (reason === 'resident_with_permit') {
    texts = { ...rules.visa.residence!.text };
  } else {
    const parts: VisaTextId[] = [MAIN_TEXT[reason]];
    if (status === 'required' && input.plannedStayDays > rules.visa.exemptMaxStayDays) parts.push('stay_over_limit');
    if (urgent) parts.push('urgent');
    texts = { fr: parts.map((p) => rules.visa.texts[p].fr).join(' '), en: parts.map((p) => rules.visa.texts[p].en).join(' ') };
  }

  return {
    status,
    reason,
    urgent,
    consulateCountry: normaliseCountryCode(input.countryOfResidence),
    answerDelayDays: { ...rules.visa.answerDelayDays },
    daysUntilArrival,
    texts,
  };
}

export type CompanionRelationship = 'family' | 'other';

/**
 * Whether the centre can issue a companion's certificate for the visa: a family member needs a
 * proof of family relationship (`proof_of_relationship`), anyone else a letter justifying their
 * presence (`companion_justification_letter`). `documents` are document kinds; a family member
 * with only a justification letter is refused (the letter is for when there is no family tie).
 */
export function companionCertificateAllowed(input: { relationship: CompanionRelationship; documents: readonly string[] }, rules: Pick<CaseRules, 'visa'>): boolean {
  const required: string | undefined = rules.visa.companionRequiredDocument[input.relationship];
  return required !== undefined && input.documents.includes(required);
}
