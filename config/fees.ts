// Service fees for studying a file, per request type, in integer cents (EUR). Paid before the
// study starts (domain: step 2). Illustrative amounts: the finance team sets the real tariff here.
import type { RequestTypeId } from './checklists';

export const CURRENCY = 'EUR';

export const studyFees: Record<RequestTypeId, { amountCents: number; label: { fr: string; en: string } }> = {
  medical_opinion: { amountCents: 60_000, label: { fr: 'Avis de la RCP (étude du dossier)', en: 'Tumour board opinion (file study)' } },
  sample_analysis: { amountCents: 45_000, label: { fr: 'Relecture anatomopathologique', en: 'Pathology review' } },
  treatment: { amountCents: 60_000, label: { fr: 'Étude du dossier avant traitement', en: 'File study before treatment' } },
  proton_therapy: { amountCents: 80_000, label: { fr: "Étude de l'indication de protonthérapie", en: 'Proton therapy indication review' } },
};

/** Told to a patient whose case ends before the study starts, when fees were paid. */
export const refundNotice = {
  fr: 'Les frais déjà réglés ({amount}) vous seront remboursés par notre service financier.',
  en: 'The fees already paid ({amount}) will be refunded to you by our finance department.',
};
