// Organising the course of care (domain: step 3, during and after the stay): treatment sites, the
// practical pack's wording, the support person, and how long each part of the stay may wait.
// Business data a coordinator can read and change here. Pure data: the workflow bundle imports it.
import type { RequestTypeId } from './checklists';

export interface TreatmentSite {
  id: string;
  name: string;
  address: string;
  /** The access map the practical pack links to. */
  accessMapUrl: string;
}

/** The centre's sites (illustrative addresses: replace with the real ones and their map pages). */
export const TREATMENT_SITES = [
  { id: 'paris', name: 'Paris', address: '26 rue d’Ulm, 75005 Paris', accessMapUrl: 'https://www.openstreetmap.org/search?query=26%20rue%20d%27Ulm%20Paris' },
  { id: 'saint_cloud', name: 'Saint-Cloud', address: '35 rue Dailly, 92210 Saint-Cloud', accessMapUrl: 'https://www.openstreetmap.org/search?query=35%20rue%20Dailly%20Saint-Cloud' },
  { id: 'orsay', name: 'Orsay (proton therapy centre)', address: 'Campus universitaire, bâtiment 101, 91400 Orsay', accessMapUrl: 'https://www.openstreetmap.org/search?query=Orsay%20protontherapie' },
] as const satisfies readonly TreatmentSite[];
export type TreatmentSiteId = (typeof TREATMENT_SITES)[number]['id'];
export const TREATMENT_SITE_IDS = TREATMENT_SITES.map((s) => s.id) as [TreatmentSiteId, ...TreatmentSiteId[]];

/** Where a request type is treated unless the coordinator names another site. */
export const DEFAULT_SITE: Record<RequestTypeId, TreatmentSiteId> = {
  medical_opinion: 'paris',
  sample_analysis: 'paris',
  treatment: 'paris',
  proton_therapy: 'orsay',
};

/** The support person for logistics and accommodation, named in the practical pack. */
export const SUPPORT_CONTACT = {
  name: 'Service d’accueil des patients internationaux',
  phone: '+33 1 00 00 00 00',
  email: 'patient-support@parcours.localhost',
};

/** Texts of the practical pack, in the patient's language. */
export const PRACTICAL_PACK_TEXTS = {
  samplesNotice: {
    fr: 'Des prélèvements (prise de sang, dépistages) sont obligatoires à votre arrivée, avant tout soin : prévoyez une demi-journée.',
    en: 'Samples (blood tests, screening) are mandatory on arrival, before any care: allow half a day.',
  },
  accommodationAdvice: {
    fr: 'Notre service d’accueil peut vous conseiller un hébergement proche du site (hôtels partenaires, maisons des familles) ; ce conseil, comme l’interprétariat, est gratuit.',
    en: 'Our support team can advise you on accommodation near the site (partner hotels, family houses); this advice, like interpreting, is free of charge.',
  },
} as const;

/**
 * Patient requests that become tasks for a team (domain: interpreters and accommodation advice are
 * free; medical assistants handle appointment changes and medical questions; the coordinator arranges
 * concierge and home care; finance answers billing questions and reimbursement requests).
 * `during`: the parts of the case in which the request may be made.
 */
export type TaskTeam = 'support' | 'medical_assistant' | 'care_coordinator' | 'finance';
export type StayPart = 'before_arrival' | 'stay' | 'after_stay';

export const PATIENT_REQUESTS = {
  interpreter: { team: 'support', during: ['before_arrival', 'stay', 'after_stay'], free: true, label: { fr: 'Interprète', en: 'Interpreter' } },
  accommodation: { team: 'support', during: ['before_arrival', 'stay', 'after_stay'], free: true, label: { fr: 'Conseil en hébergement', en: 'Accommodation advice' } },
  appointment_change: { team: 'medical_assistant', during: ['before_arrival', 'stay', 'after_stay'], free: true, label: { fr: 'Changement de rendez-vous', en: 'Appointment change' } },
  medical_question: { team: 'medical_assistant', during: ['stay', 'after_stay'], free: true, label: { fr: 'Question médicale', en: 'Medical question' } },
  concierge: { team: 'care_coordinator', during: ['before_arrival', 'stay'], free: false, label: { fr: 'Conciergerie', en: 'Concierge service' } },
  home_care: { team: 'care_coordinator', during: ['stay', 'after_stay'], free: false, label: { fr: 'Soins à domicile', en: 'Home care' } },
  billing_question: { team: 'finance', during: ['stay', 'after_stay'], free: true, label: { fr: 'Question sur la facturation', en: 'Billing question' } },
  reimbursement: { team: 'finance', during: ['after_stay'], free: true, label: { fr: 'Demande de remboursement', en: 'Reimbursement request' } },
} as const satisfies Record<string, { team: TaskTeam; during: readonly StayPart[]; free: boolean; label: { fr: string; en: string } }>;
export type PatientRequestKind = keyof typeof PATIENT_REQUESTS;
export const PATIENT_REQUEST_KINDS = Object.keys(PATIENT_REQUESTS) as [PatientRequestKind, ...PatientRequestKind[]];

/**
 * The patient's share of the invoice when the French Assurance Maladie (or an EU insurer through an
 * S2 form, on French terms) pays: the co-payment (ticket modérateur), in percent of the invoice.
 * Illustrative: a cancer recognised as a long-term condition (ALD) is covered at 100% (set 0).
 */
export const COPAYMENT_PERCENT = 20;

/** Final invoice numbers: `FAC-<year>-<6 digits>` (FAC for "facture"). */
export const invoiceNumber = (year: number, sequence: number): string => `FAC-${year}-${String(sequence).padStart(6, '0')}`;
