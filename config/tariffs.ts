// What an estimate (devis) is made of: a catalogue of priced line items per treatment programme,
// in integer cents (EUR). Business data: the finance team can read and change it here without
// touching the activity. Pure data (it imports only other pure config): the workflow bundle may import it.
//
// The amounts are ILLUSTRATIVE. The real ones come from the centre's finance department (the
// tariff it applies to patients not covered by French health insurance, built on the hospital
// stay groups and the procedure fees it bills). Replace them here, not in code.
//
// The coordinator usually adjusts the quantities to the strategy the physicians proposed (e.g. a
// number of fractions, no surgery); when no lines are given, the estimate takes every item of the
// programme with its default quantity.
import type { RequestTypeId } from './checklists';
import { DOCUMENT_ISSUER } from './documentKinds';

export type EstimateLanguage = 'fr' | 'en';

export interface TariffItem {
  /** Stable code, used by callers to pick lines and quantities. */
  code: string;
  label: { fr: string; en: string };
  /** Price of one unit, in integer cents (EUR). */
  unitCents: number;
  defaultQuantity: number;
}

/** Treatment programmes that can be quoted. */
export type EstimateProgramme = 'treatment' | 'proton_therapy';

export const tariffs: Record<EstimateProgramme, readonly TariffItem[]> = {
  // Proton therapy centre: the radiotherapy team validated the indication (domain: step 2).
  proton_therapy: [
    { code: 'consultation', label: { fr: 'Consultation de radiothérapie', en: 'Radiation oncology consultation' }, unitCents: 15_000, defaultQuantity: 1 },
    { code: 'treatment_planning', label: { fr: 'Préparation du traitement (scanner de simulation, dosimétrie)', en: 'Treatment planning (simulation CT, dosimetry)' }, unitCents: 350_000, defaultQuantity: 1 },
    { code: 'proton_fraction', label: { fr: 'Séance de protonthérapie', en: 'Proton therapy fraction' }, unitCents: 95_000, defaultQuantity: 30 },
    { code: 'imaging_follow_up', label: { fr: 'Imagerie de suivi (IRM)', en: 'Follow-up imaging (MRI)' }, unitCents: 45_000, defaultQuantity: 1 },
  ],
  // Treatment at the centre after the tumour board proposed it (MDT strategy `treatment_here`).
  treatment: [
    { code: 'consultation', label: { fr: "Consultation d'oncologie", en: 'Oncology consultation' }, unitCents: 15_000, defaultQuantity: 1 },
    { code: 'surgery_package', label: { fr: 'Forfait chirurgie (bloc opératoire, anesthésie)', en: 'Surgery package (operating theatre, anaesthesia)' }, unitCents: 1_200_000, defaultQuantity: 1 },
    { code: 'chemotherapy_cycle', label: { fr: 'Cure de chimiothérapie', en: 'Chemotherapy cycle' }, unitCents: 250_000, defaultQuantity: 6 },
    { code: 'radiotherapy_fraction', label: { fr: 'Séance de radiothérapie', en: 'Radiotherapy fraction' }, unitCents: 40_000, defaultQuantity: 25 },
    { code: 'hospital_day', label: { fr: "Journée d'hospitalisation", en: 'Day in hospital' }, unitCents: 150_000, defaultQuantity: 5 },
  ],
};

/**
 * The programme quoted for a request type. A second opinion or a treatment request is quoted when
 * the tumour board proposes treatment here; a proton therapy request when the radiotherapy team
 * validates the indication. A sample analysis ends with a diagnosis, never with an estimate (a
 * patient who then comes for treatment opens a treatment request).
 */
export const programmeFor: Record<RequestTypeId, EstimateProgramme | null> = {
  medical_opinion: 'treatment',
  treatment: 'treatment',
  proton_therapy: 'proton_therapy',
  sample_analysis: null,
};

/** An estimate is valid this many days after it is issued (printed on it). */
export const ESTIMATE_VALIDITY_DAYS = 30;

/** Estimate numbers: `DEV-<year>-<6 digits>`, from a yearly counter (DEV for "devis"). */
export const ESTIMATE_NUMBER_PATTERN = /^DEV-\d{4}-\d{6}$/;
export const estimateNumber = (year: number, sequence: number): string => `DEV-${year}-${String(sequence).padStart(6, '0')}`;

/** Who issues the estimate: the issuer of every document Parcours issues (config/documentKinds.ts). */
export const ESTIMATE_ISSUER = DOCUMENT_ISSUER;

/** Printed on every estimate in the patient's language (domain: step 3). */
export const ESTIMATE_NOTICES: Record<EstimateLanguage, { notIncluded: string; paymentCondition: string }> = {
  fr: {
    notIncluded: "Ce devis ne comprend pas les frais de transport, d'hébergement et de repas, qui restent à la charge du patient.",
    paymentCondition: "Aucun traitement ne commence avant le paiement intégral de ce devis ou la réception d'une lettre de garantie de prise en charge de votre assureur.",
  },
  en: {
    notIncluded: 'This estimate does not include transport, accommodation and meals, which remain at the patient’s expense.',
    paymentCondition: 'No treatment starts until this estimate is paid in full or a guarantee of payment letter from your insurer is on file.',
  },
};
