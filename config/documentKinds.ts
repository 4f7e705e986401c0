// The kinds of document a case can hold: business data, kept apart from code so the list and its
// wording can change without touching the routes. Labels are shown to patients (fr/en) and staff.
export interface DocumentKind {
  id: string;
  label: { fr: string; en: string };
  /** The only file types (by content) this kind takes, when not every allowed type will do. */
  accepts?: readonly ('application/pdf' | 'image/jpeg' | 'image/png' | 'application/dicom')[];
}

export const DOCUMENT_KINDS = [
  // The referring or family doctor's history and clinical situation: where reading a file starts.
  { id: 'gp_letter', label: { fr: 'Courrier du médecin traitant', en: "Letter from the patient's doctor" } },
  // The radiologist's reading of the scans: the extent of the disease at a glance.
  { id: 'imaging_report', label: { fr: "Compte rendu d'imagerie", en: 'Imaging report' } },
  // The scans themselves: our radiologists re-read them and proton therapy plans on them.
  // DICOM only: a PDF or a photo of the images cannot be re-read or planned on.
  { id: 'dicom_images', label: { fr: 'Images (DICOM)', en: 'Images (DICOM)' }, accepts: ['application/dicom'] },
  // What the surgeon removed and left: decides what treatment remains.
  { id: 'operation_report', label: { fr: 'Compte rendu opératoire', en: 'Operation report' } },
  // Drugs and doses already given: they limit what can be given next.
  { id: 'chemotherapy_report', label: { fr: 'Compte rendu de chimiothérapie', en: 'Chemotherapy report' } },
  // Dose already received: decisive before any re-irradiation or proton therapy.
  { id: 'radiotherapy_report', label: { fr: 'Compte rendu de radiothérapie', en: 'Radiotherapy report' } },
  // The diagnosis itself: no opinion or treatment is decided without it.
  { id: 'pathology_report', label: { fr: "Compte rendu d'anatomopathologie", en: 'Pathology report' } },
  // Passport or identity card: admission, and certificates for the visa application.
  { id: 'identity_document', label: { fr: "Pièce d'identité", en: 'Identity document' } },
  // An insurer's written commitment to pay, accepted instead of prepaying the estimate.
  { id: 'insurer_guarantee_letter', label: { fr: "Lettre de garantie de l'assureur", en: "Insurer's guarantee letter" } },
  // EU prior authorisation of planned care abroad by the patient's own insurer.
  { id: 's2_form', label: { fr: 'Formulaire S2', en: 'S2 form' } },
  // A foreign national living in France or another Schengen state needs no visa: the permit shows it.
  { id: 'residence_permit', label: { fr: 'Titre de séjour', en: 'Residence permit' } },
  // A family companion needs it for the visa.
  { id: 'proof_of_relationship', label: { fr: 'Justificatif de lien de parenté', en: 'Proof of family relationship' } },
  // A companion who is not family needs a letter justifying their presence for the visa.
  { id: 'companion_justification_letter', label: { fr: "Lettre justifiant la présence de l'accompagnant", en: "Letter justifying the companion's presence" } },
  // A French or English translation of a report in another language: only then does it count.
  { id: 'translation', label: { fr: 'Traduction', en: 'Translation' } },
  // The tumour board's (RCP) therapeutic strategy: the outcome of a medical opinion.
  { id: 'mdt_report', label: { fr: 'Compte rendu de RCP', en: 'Tumour board (MDT) report' } },
  // The diagnosis from a sample analysis: the outcome of that request type.
  { id: 'analysis_report', label: { fr: "Compte rendu d'analyse", en: 'Analysis report' } },
  // Files sent with a secure message: kept with the case but outside the checklist.
  { id: 'message_attachment', label: { fr: 'Pièce jointe de message', en: 'Message attachment' } },
  // Anything else the patient wants us to see; a coordinator classifies it.
  { id: 'other', label: { fr: 'Autre document', en: 'Other document' } },
] as const satisfies readonly DocumentKind[];

export type DocumentKindId = (typeof DOCUMENT_KINDS)[number]['id'];

/** The kind ids, as a non-empty tuple (what z.enum expects). */
export const DOCUMENT_KIND_IDS = DOCUMENT_KINDS.map((k) => k.id) as [DocumentKindId, ...DocumentKindId[]];

/**
 * Documents Parcours itself issues as PDFs (activities/estimates.ts, visaCertificates.ts,
 * invoices.ts). Nobody uploads them: they stay out of DOCUMENT_KINDS, so the upload API refuses
 * these kinds and an issued document can only come from the workflow step that produced it.
 */
export const ISSUED_DOCUMENT_KINDS = [
  // The financial estimate (devis): paid, or covered by an insurer letter, before treatment.
  { id: 'estimate', label: { fr: 'Devis', en: 'Estimate' } },
  // For the patient's or a companion's short-stay visa application at the French consulate.
  { id: 'visa_certificate', label: { fr: 'Attestation de prise en charge médicale (visa)', en: 'Medical care certificate (visa)' } },
  // After the stay: the care given, what insurers and the patient paid, and the balance.
  { id: 'final_invoice', label: { fr: 'Facture finale', en: 'Final invoice' } },
] as const satisfies readonly DocumentKind[];

export type IssuedDocumentKindId = (typeof ISSUED_DOCUMENT_KINDS)[number]['id'];

export const ISSUED_DOCUMENT_KIND_IDS = ISSUED_DOCUMENT_KINDS.map((k) => k.id) as [IssuedDocumentKindId, ...IssuedDocumentKindId[]];

/** Any kind a stored document may have: uploaded or issued. */
export type AnyDocumentKindId = DocumentKindId | IssuedDocumentKindId;

export function isIssuedDocumentKind(kind: string): kind is IssuedDocumentKindId {
  return (ISSUED_DOCUMENT_KIND_IDS as readonly string[]).includes(kind);
}

/** The label of an uploaded or issued kind; undefined for a kind no list knows (e.g. one since removed). */
export function documentKindLabel(kind: string, language: 'fr' | 'en'): string | undefined {
  const all: readonly DocumentKind[] = [...DOCUMENT_KINDS, ...ISSUED_DOCUMENT_KINDS];
  return all.find((k) => k.id === kind)?.label[language];
}

/**
 * Who issues Parcours' documents (estimates, visa certificates, invoices), as printed at the top
 * of each PDF. Set the centre's real name here.
 */
export const DOCUMENT_ISSUER = {
  name: 'Centre de lutte contre le cancer — Parcours International',
  department: { fr: 'Département des patients internationaux', en: 'International Patients Department' },
} as const;
