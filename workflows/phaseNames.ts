// The name of each phase, in French and English: the console's lists and pages, and the words of a
// refusal ("the case is at the step …"). Pure data, so workflow code may use it too.
import type { Localized, Phase } from './definitions';

export const PHASE_NAMES: Record<Phase, Localized> = {
  received: { en: 'Received', fr: 'Reçu' },
  file_collection: { en: 'File collection', fr: 'Constitution du dossier' },
  completeness_review: { en: 'Completeness review', fr: 'Vérification de complétude' },
  coordinator_assignment: { en: 'Care coordinator to assign', fr: 'Coordinateur de soins à attribuer' },
  contents_review: { en: 'Contents review', fr: 'Validation du contenu' },
  fee_payment: { en: 'Service fees due', fr: 'Frais de service à régler' },
  report_pending: { en: 'Report pending', fr: 'Compte rendu attendu' },
  treatment_planning: { en: 'Treatment planning (estimate to issue)', fr: 'Programme de soins (devis à établir)' },
  estimate_review: { en: 'Estimate with the patient', fr: 'Devis chez le patient' },
  guarantee_pending: { en: 'Payment or guarantee pending', fr: 'Paiement ou garantie attendu' },
  stay_preparation: { en: 'Stay preparation', fr: 'Préparation du séjour' },
  awaiting_arrival: { en: 'Awaiting arrival', fr: 'Arrivée attendue' },
  in_stay: { en: 'In stay', fr: 'En séjour' },
  follow_up: { en: 'Follow-up', fr: 'Suivi' },
  closed: { en: 'Closed', fr: 'Clos' },
  withdrawn: { en: 'Withdrawn by the patient', fr: 'Retiré par le patient' },
  cancelled: { en: 'Cancelled', fr: 'Annulé' },
  abandoned: { en: 'Abandoned (no answer)', fr: 'Abandonné (sans réponse)' },
  expired: { en: 'Expired', fr: 'Expiré' },
};

/** The phase names as a catalogue's entries (`phase.<phase>`), in one language. */
export const phaseEntries = (lang: keyof Localized) =>
  Object.fromEntries(Object.entries(PHASE_NAMES).map(([phase, name]) => [`phase.${phase}`, name[lang]])) as Record<`phase.${Phase}`, string>;
