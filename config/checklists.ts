// What a complete file holds, per request type. Business data: the admission team can read and
// change it here without touching the workflow. Pure data (no imports with side effects): the
// workflow bundle imports it.
//
// An item is satisfied by questionnaire answers (`fields`) or by at least one document of its
// `documentKind` in French or English. Items with `mayBeDeclaredNone` can be answered "none"
// (e.g. a patient who never had surgery has no operation report).

export type RequestTypeId = 'medical_opinion' | 'sample_analysis' | 'treatment' | 'proton_therapy';

export type ChecklistItem =
  | { id: string; label: { fr: string; en: string }; source: 'questionnaire'; fields: readonly string[] }
  | { id: string; label: { fr: string; en: string }; source: 'document'; documentKind: string; mayBeDeclaredNone?: boolean };

const ADMIN_FIELDS = ['firstName', 'lastName', 'sex', 'dateOfBirth', 'placeOfBirth', 'nationality', 'phone', 'email', 'postalAddress'] as const;

const administrativeData: ChecklistItem = { id: 'administrative_data', label: { fr: 'Données administratives', en: 'Administrative data' }, source: 'questionnaire', fields: ADMIN_FIELDS };
const referrerContact: ChecklistItem = { id: 'referrer_contact', label: { fr: 'Coordonnées du médecin référent', en: "Referring doctor's contact details" }, source: 'questionnaire', fields: ['referrerName', 'referrerInstitution', 'referrerPhone', 'referrerEmail'] };
const requestReason: ChecklistItem = { id: 'request_reason', label: { fr: 'Motif de la demande', en: 'Reason for the request' }, source: 'questionnaire', fields: ['reason'] };
const pathology: ChecklistItem = { id: 'pathology', label: { fr: 'Nom et localisation de la pathologie', en: 'Name and location of the disease' }, source: 'questionnaire', fields: ['pathologyName', 'pathologyLocation'] };
const doc = (id: string, documentKind: string, fr: string, en: string, mayBeDeclaredNone = false): ChecklistItem => ({ id, label: { fr, en }, source: 'document', documentKind, mayBeDeclaredNone });

const gpLetter = doc('gp_letter', 'gp_letter', 'Courrier du médecin traitant (antécédents et situation clinique)', "Doctor's letter (history and clinical situation)");
const imagingReport = doc('imaging_report', 'imaging_report', "Compte rendu d'imagerie", 'Imaging report');
const dicomImages = doc('dicom_images', 'dicom_images', 'Images au format DICOM', 'Images in DICOM format');
const operationReports = doc('operation_reports', 'operation_report', 'Comptes rendus opératoires', 'Operation reports', true);
const chemotherapyReports = doc('chemotherapy_reports', 'chemotherapy_report', 'Comptes rendus de chimiothérapie', 'Chemotherapy reports', true);
const radiotherapyReports = doc('radiotherapy_reports', 'radiotherapy_report', 'Comptes rendus de radiothérapie', 'Radiotherapy reports', true);
const pathologyReport = doc('pathology_report', 'pathology_report', "Compte rendu d'anatomopathologie", 'Pathology report');
const identityDocument = doc('identity_document', 'identity_document', "Pièce d'identité (passeport)", 'Identity document (passport)');

export const checklists: Record<RequestTypeId, readonly ChecklistItem[]> = {
  // The proton therapy centre's published list, item for item (seed: "Medical file" and
  // "Administrative data" of the proton therapy request form).
  proton_therapy: [administrativeData, referrerContact, requestReason, pathology, gpLetter, imagingReport, dicomImages, operationReports, chemotherapyReports, radiotherapyReports],
  // The tumour board needs the diagnosis, the imaging and what was already done to decide a
  // strategy; the images themselves are re-read only when the board asks.
  medical_opinion: [administrativeData, requestReason, pathology, gpLetter, pathologyReport, imagingReport, operationReports, chemotherapyReports, radiotherapyReports],
  // Pathologists review the diagnosis: they need the original pathology report and the clinical
  // context; the physical samples travel separately with the shipping instructions.
  sample_analysis: [administrativeData, requestReason, pathology, gpLetter, pathologyReport],
  // Coming for treatment: everything the board needs, plus identity for admission and visa papers.
  treatment: [administrativeData, requestReason, pathology, gpLetter, pathologyReport, imagingReport, operationReports, chemotherapyReports, radiotherapyReports, identityDocument],
};
