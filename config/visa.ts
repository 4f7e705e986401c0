// Visa rules for coming to France for treatment: business data, so the international team can keep
// the lists and the wording current without touching the workflow. Pure data (no imports with side
// effects): the workflow bundle imports it.
//
// Source: the proton therapy centre's page "Short stay visa for medical reasons" (domain: "Visa").
// Its lists are examples, not a complete table: a nationality on neither list gets "check with the
// consulate", never a guess.
import type { DocumentKindId } from './documentKinds';

/**
 * Nationals who need no visa for a short stay ("United States, United Arab Emirates"), only while
 * the visit(s) do not exceed VISA_EXEMPT_MAX_STAY_DAYS in any VISA_EXEMPT_PERIOD_DAYS.
 * (EU/EEA/Swiss nationals need no visa at all: EU_EEA_CH in config/coverage.ts.)
 */
export const VISA_EXEMPT_NATIONALITIES: readonly string[] = ['US', 'AE'];
export const VISA_EXEMPT_MAX_STAY_DAYS = 90;
export const VISA_EXEMPT_PERIOD_DAYS = 180;

/**
 * Nationalities the page names as needing a short-stay visa for medical reasons: Algeria, Saudi
 * Arabia, Cameroon, China, Ivory Coast, Egypt, Gabon, Kuwait, Lebanon, Morocco, Niger, Russia,
 * Senegal, Tunisia (in that order).
 */
export const SHORT_STAY_VISA_NATIONALITIES: readonly string[] = ['DZ', 'SA', 'CM', 'CN', 'CI', 'EG', 'GA', 'KW', 'LB', 'MA', 'NE', 'RU', 'SN', 'TN'];

/** "The response to a visa application is usually made within 2 to 10 days." */
export const VISA_ANSWER_DELAY_DAYS = { min: 2, max: 10 } as const;

/**
 * An arrival fewer than this many days away (from today) may come before the consulate's answer:
 * the case is flagged urgent. Equal to the longest usual answer delay.
 */
export const VISA_URGENCY_THRESHOLD_DAYS = VISA_ANSWER_DELAY_DAYS.max;

/**
 * What a companion's visa certificate needs: "a proof of the family relationship with the patient,
 * or, if there is none, a letter from the applicant or the patient justifying it".
 */
export const COMPANION_REQUIRED_DOCUMENT = {
  family: 'proof_of_relationship',
  other: 'companion_justification_letter',
} as const satisfies Record<'family' | 'other', DocumentKindId>;

export type VisaTextId =
  | 'not_required_eu'
  | 'not_required_exempt'
  | 'required_short_stay'
  | 'required_exempt_over_limit'
  | 'check_with_consulate'
  | 'stay_over_limit'
  | 'urgent';

const { min, max } = VISA_ANSWER_DELAY_DAYS;
const limit = VISA_EXEMPT_MAX_STAY_DAYS;
const period = VISA_EXEMPT_PERIOD_DAYS;

/**
 * Patient-facing texts (fr/en). A decision shows one main text, followed by `stay_over_limit` when
 * a required visa is for more than 90 days and by `urgent` when the arrival is close.
 */
export const visaTexts: Record<VisaTextId, { fr: string; en: string }> = {
  not_required_eu: {
    fr: "En tant que ressortissant(e) d'un pays de l'Union européenne, de l'Espace économique européen ou de la Suisse, vous n'avez pas besoin de visa pour venir en France.",
    en: 'As a national of a European Union or European Economic Area country or of Switzerland, you do not need a visa to come to France.',
  },
  not_required_exempt: {
    fr: `Les ressortissants de votre pays n'ont pas besoin de visa pour des séjours en France ne dépassant pas ${limit} jours sur une période de ${period} jours ; votre séjour prévu respecte cette limite. Les séjours dans l'espace Schengen des ${period} derniers jours comptent aussi.`,
    en: `Nationals of your country do not need a visa for stays in France of up to ${limit} days in any ${period}-day period; your planned stay is within that limit. Stays in the Schengen area during the last ${period} days count too.`,
  },
  required_short_stay: {
    fr: `Vous avez besoin d'un visa de court séjour pour raisons médicales. Faites la demande auprès du consulat de France de votre pays de résidence ; la réponse est généralement donnée sous ${min} à ${max} jours. Nous vous fournissons les attestations utiles à la demande.`,
    en: `You need a short-stay visa for medical reasons. Apply at the French consulate of your country of residence; the answer usually takes ${min} to ${max} days. We provide the certificates for your application.`,
  },
  required_exempt_over_limit: {
    fr: `Votre séjour prévu dépasse ${limit} jours sur une période de ${period} jours : la dispense de visa de votre nationalité ne s'applique plus. Faites la demande auprès du consulat de France de votre pays de résidence ; la réponse est généralement donnée sous ${min} à ${max} jours.`,
    en: `Your planned stay exceeds ${limit} days in a ${period}-day period: the visa exemption for your nationality no longer applies. Apply at the French consulate of your country of residence; the answer usually takes ${min} to ${max} days.`,
  },
  check_with_consulate: {
    fr: `Nous ne pouvons pas déterminer si vous avez besoin d'un visa. Renseignez-vous auprès du consulat de France de votre pays de résidence ; si un visa est nécessaire, la réponse est généralement donnée sous ${min} à ${max} jours.`,
    en: `We cannot tell whether you need a visa. Please ask the French consulate of your country of residence; if a visa is needed, the answer usually takes ${min} to ${max} days.`,
  },
  stay_over_limit: {
    fr: `Un visa de court séjour couvre au plus ${limit} jours sur ${period} : pour un séjour plus long, le consulat vous indiquera le visa adapté.`,
    en: `A short-stay visa covers at most ${limit} days in any ${period}: for a longer stay, the consulate will tell you which visa applies.`,
  },
  urgent: {
    fr: `Votre arrivée est prévue dans moins de ${VISA_URGENCY_THRESHOLD_DAYS} jours, avant peut-être la réponse du consulat : faites la demande sans attendre et prévenez-nous. En cas d'urgence médicale avérée, le consulat peut accélérer la procédure.`,
    en: `Your arrival is less than ${VISA_URGENCY_THRESHOLD_DAYS} days away, possibly before the consulate's answer: apply without delay and let us know. In a confirmed medical emergency, the consulate may speed up the procedure.`,
  },
};
