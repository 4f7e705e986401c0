// The coverage route of a case: who pays for the treatment and what the patient must prepay before
// it starts (domain: step 3, "Coverage routes"). A pure function of the case data, used by the
// workflow and shown to patients and staff; the wording lives in config/coverage.ts.
//
// Precedence, first match wins:
//   1. french_insured    — a valid French social security number (NIR) AND a declared treating
//                          physician: affiliated to the Assurance Maladie, no foreign prepayment,
//                          only the co-payment. The most favourable route, and it makes any foreign
//                          document beside it irrelevant.
//   2. eu_planned_care   — resident of an EU/EEA state or Switzerland AND a prior authorisation (S2)
//                          on file: the statutory route for planned care; the insurer pays through
//                          the Assurance Maladie. Ranked above a guarantee letter because it is the
//                          patient's own public cover; a guarantee letter beside it changes nothing.
//   3. insurer_guarantee — an insurer's guarantee letter on file, whoever the patient is: it replaces
//                          prepayment (domain: "paid in full or an insurer's approval letter").
//   4. self_pay          — otherwise: the estimate is paid in full before treatment.
// An EHIC (CEAM) never opens a route on its own: it covers care needed during a stay, not planned
// treatment. A patient holding one without an S2 gets route 3 or 4 plus the EHIC notice.
//
// Country codes are normalised, not refused: surrounding spaces are dropped and letters upper-cased
// ("fr " is FR), because a lookup key's case carries no meaning and workflow code should not throw
// on patient data (a thrown error blocks the case's workflow task). A value that is not two letters
// after that matches no list, so it leads to the cautious answer (not an EU resident).
import type { CoverageNotice, CoverageNoticeId } from '../config/coverage';
import type { CaseRules } from './rules';

export type CoverageRoute = 'french_insured' | 'eu_planned_care' | 'insurer_guarantee' | 'self_pay';
export type Prepayment = 'none_copayment_only' | 'insurer' | 'full';

export interface CoverageInput {
  /** ISO 3166-1 alpha-2; case and surrounding spaces are ignored. */
  countryOfResidence: string;
  /** The NIR, 13 characters + 2-digit key; spaces, dots and hyphens are ignored. */
  frenchSocialSecurityNumber?: string | null;
  /** The declared treating physician (médecin traitant): a name, or true when declared. */
  declaredTreatingPhysician?: string | boolean | null;
  hasEhic?: boolean;
  priorAuthorisation?: 's2_form' | null;
  insurerGuaranteeLetter?: boolean;
}

export interface CoverageDecision {
  route: CoverageRoute;
  prepayment: Prepayment;
  notices: CoverageNotice[];
}

/** Trimmed and upper-cased; null when not two letters (then it matches no country list). */
export function normaliseCountryCode(code: string | null | undefined): string | null {
  const c = (code ?? '').trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) ? c : null;
}

// Sex (1, 2; 7, 8 for the temporary numbers issued while registration is in progress), year (2),
// month (2), department (2 digits, or 2A/2B for Corsica), commune (3), order (3), key (2).
const NIR = /^([1278]\d{4})(\d{2}|2A|2B)(\d{6})(\d{2})$/;

/**
 * Whether a French social security number (NIR) is well formed and its key matches: the key is
 * 97 − (the 13-character number mod 97), with Corsica's 2A and 2B counted as 19 and 18.
 * Spaces, dots and hyphens are ignored (the Carte Vitale prints the number in groups).
 */
export function isValidNir(raw: string): boolean {
  const nir = raw.replace(/[\s.-]/g, '').toUpperCase();
  const m = NIR.exec(nir);
  if (!m) return false;
  const department = m[2] === '2A' ? '19' : m[2] === '2B' ? '18' : m[2];
  const number = Number(`${m[1]}${department}${m[3]}`); // < 9e12: exact in a double
  return 97 - (number % 97) === Number(m[4]);
}

function hasDeclaredPhysician(value: CoverageInput['declaredTreatingPhysician']): boolean {
  return typeof value === 'string' ? value.trim().length > 0 : value === true;
}

/** The route and what the patient is told, under the case's coverage rules. */
export function coverageRoute(input: CoverageInput, rules: Pick<CaseRules, 'coverage'>): CoverageDecision {
  const notice = (id: CoverageNoticeId) => ({ ...rules.coverage.notices[id] });
  const nir = input.frenchSocialSecurityNumber?.trim() ?? '';
  if (nir && isValidNir(nir) && hasDeclaredPhysician(input.declaredTreatingPhysician)) {
    return { route: 'french_insured', prepayment: 'none_copayment_only', notices: [notice('french_insured')] };
  }

  const residence = normaliseCountryCode(input.countryOfResidence);
  const euResident = residence !== null && rules.coverage.euEeaCh.includes(residence);
  const s2 = input.priorAuthorisation === 's2_form';

  let route: CoverageRoute;
  let prepayment: Prepayment;
  if (euResident && s2) [route, prepayment] = ['eu_planned_care', 'insurer'];
  else if (input.insurerGuaranteeLetter === true) [route, prepayment] = ['insurer_guarantee', 'insurer'];
  else [route, prepayment] = ['self_pay', 'full'];

  const notices = [notice(route)];
  // A number was given but the French route was not granted: say what is missing.
  if (nir) notices.push(notice('french_insurance_incomplete'));
  if (s2 && !euResident) notices.push(notice('s2_requires_eu_residence'));
  if (input.hasEhic === true && route !== 'eu_planned_care') notices.push(notice('ehic_not_planned_care'));
  notices.push(notice('extra_costs'));
  return { route, prepayment, notices };
}
