// How a patient's care gets paid for: business data for the coverage routes (domain: "Coverage
// routes", step 3). The finance team can read and reword it here without touching the workflow.
// Pure data (no imports with side effects): the workflow bundle imports it.
//
// Sources: the health guide seed (Carte Vitale, declared treating physician, coordinated care
// circuit; the European Health Insurance Card, "CEAM" in French, valid two years) and the proton
// therapy centre's page (patients not affiliated to French insurance pay the quote in full before
// treatment). Planned care abroad under an EU prior authorisation (form S2) is the domain page's
// "prior authorisation from their own insurer".

/** The 27 EU member states, ISO 3166-1 alpha-2 (Greece is GR here, not the EU's own "EL"). */
export const EU_MEMBER_STATES = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

/** EEA members outside the EU: their insurers issue the EHIC and the S2 form too. */
export const EEA_NON_EU_STATES = ['IS', 'LI', 'NO'] as const;

/** Switzerland applies the EU social security coordination rules (EHIC, S2) by agreement. */
export const SWITZERLAND = 'CH' as const;

/**
 * Where the EU coordination rules apply: an EHIC or S2 from an insurer of one of these states is
 * recognised in France. Also the nationalities that need no visa (config/visa.ts).
 */
export const EU_EEA_CH: readonly string[] = [...EU_MEMBER_STATES, ...EEA_NON_EU_STATES, SWITZERLAND];

export type CoverageNoticeId =
  | 'french_insured'
  | 'french_insurance_incomplete'
  | 'eu_planned_care'
  | 's2_requires_eu_residence'
  | 'ehic_not_planned_care'
  | 'insurer_guarantee'
  | 'self_pay'
  | 'extra_costs';

export interface CoverageNotice {
  id: CoverageNoticeId;
  fr: string;
  en: string;
}

/** What patients are told about how their care is paid for, by notice id (fr/en). */
export const coverageNotices: Record<CoverageNoticeId, CoverageNotice> = {
  // Affiliated to the Assurance Maladie: treated like any French patient, no foreign prepayment.
  french_insured: {
    id: 'french_insured',
    fr: "Vous êtes affilié(e) à l'Assurance Maladie : présentez votre Carte Vitale à chaque venue. Vous n'avez pas à régler le devis à l'avance ; seul le ticket modérateur peut rester à votre charge, sauf si une complémentaire santé le prend en charge.",
    en: 'You are covered by the French Assurance Maladie: show your Carte Vitale at every visit. You do not prepay the estimate; only the co-payment (ticket modérateur) may remain payable by you, unless a supplementary health insurance covers it.',
  },
  // A number was given but the route could not be granted: say why, so the patient can fix it
  // rather than silently pay like a foreign patient.
  french_insurance_incomplete: {
    id: 'french_insurance_incomplete',
    fr: "Pour être pris(e) en charge comme assuré(e) en France, il nous faut un numéro de sécurité sociale valide (15 chiffres, clé comprise) et le nom de votre médecin traitant déclaré. En attendant, les conditions des patients internationaux s'appliquent.",
    en: 'To be treated as insured in France, we need a valid French social security number (15 digits, key included) and the name of your declared treating physician. Until then, the terms for international patients apply.',
  },
  // S2: the patient's own EU/EEA/Swiss insurer authorised the planned treatment in France.
  eu_planned_care: {
    id: 'eu_planned_care',
    fr: "Votre formulaire S2 (autorisation préalable de votre assurance) est enregistré : les soins prévus sont pris en charge par votre assurance aux conditions françaises. La part non remboursée en France (ticket modérateur) peut rester à votre charge.",
    en: 'Your S2 form (prior authorisation from your insurer) is on file: the planned treatment is covered by your insurer on French terms. The share not reimbursed in France (co-payment) may remain payable by you.',
  },
  s2_requires_eu_residence: {
    id: 's2_requires_eu_residence',
    fr: "Le formulaire S2 ne s'applique qu'aux personnes assurées dans un pays de l'Union européenne, de l'Espace économique européen ou en Suisse. Il ne peut pas être pris en compte pour votre dossier.",
    en: 'The S2 form only applies to people insured in a European Union or European Economic Area country or in Switzerland. It cannot be used for your file.',
  },
  // The trap the domain page warns about: the card is for care needed during a stay abroad.
  ehic_not_planned_care: {
    id: 'ehic_not_planned_care',
    fr: "La carte européenne d'assurance maladie (CEAM) couvre les soins devenus nécessaires pendant un séjour, pas un traitement programmé. Pour un traitement prévu, demandez à votre assurance une autorisation préalable (formulaire S2) ou une lettre de garantie de prise en charge.",
    en: 'The European Health Insurance Card (EHIC) covers care that becomes necessary during a stay, not planned treatment. For planned treatment, ask your insurer for prior authorisation (S2 form) or a guarantee of payment letter.',
  },
  insurer_guarantee: {
    id: 'insurer_guarantee',
    fr: "La lettre de garantie de votre assurance est enregistrée : elle remplace le paiement du devis à l'avance, dans la limite de ce qu'elle couvre.",
    en: "Your insurer's guarantee letter is on file: it replaces prepayment of the estimate, up to what it covers.",
  },
  self_pay: {
    id: 'self_pay',
    fr: "Le devis doit être réglé en totalité avant le début du traitement, sauf si vous nous transmettez une lettre de garantie de prise en charge de votre assurance.",
    en: "The estimate must be paid in full before treatment starts, unless you send us a guarantee of payment letter from your insurer.",
  },
  // Both centres' pages: travel and living costs are never part of the estimate.
  extra_costs: {
    id: 'extra_costs',
    fr: "Prévoyez en plus du coût des soins : transport, hébergement, repas.",
    en: 'On top of the cost of care, allow for transport, accommodation and meals.',
  },
};
