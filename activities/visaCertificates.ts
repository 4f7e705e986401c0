// The medical care certificate for a short-stay visa application (domain: "Visa"): the centre
// certifies that the patient is expected for treatment at a site from an arrival date, for a planned
// stay; a companion's certificate, that its holder accompanies the patient. The patient and each
// companion apply at the French consulate with their own certificate. When the arrival is under 10
// days away the certificate states the medical urgency, since the consulate's answer can take 10.
//
// A consulate reads it: it names no diagnosis or treatment, only that care is planned. Numbered
// VIS-<year>-<6 digits> and issued once per idempotency key (activities/pdfDocuments.ts).
import { DOCUMENT_ISSUER, type IssuedDocumentKindId } from '../config/documentKinds';
import type { Db } from '../lib/db';
import { dayNumber, type CompanionRelationship } from '../workflows/visa';
import { checkIssueInput, createDocumentIssuer, formatCalendarDate, formatDate, invalid, PdfLayout, requiredText, type DocumentLanguage, type IssuedDocument, type IssuedKind } from './pdfDocuments';

/** Certificate numbers count in the `ReferenceCounter` row `year + 300000` (estimates use 100000, invoices 200000). */
export const VISA_CERTIFICATE_COUNTER_OFFSET = 300_000;
export const VISA_CERTIFICATE_DOCUMENT_KIND = 'visa_certificate' satisfies IssuedDocumentKindId;
export const VISA_CERTIFICATE_NUMBER_PATTERN = /^VIS-\d{4}-\d{6}$/;
export const visaCertificateNumber = (year: number, sequence: number): string => `VIS-${year}-${String(sequence).padStart(6, '0')}`;

const VISA_CERTIFICATE: IssuedKind = {
  kind: VISA_CERTIFICATE_DOCUMENT_KIND,
  counterOffset: VISA_CERTIFICATE_COUNTER_OFFSET,
  formatNumber: visaCertificateNumber,
  name: 'Visa certificate',
  contents: 'another holder, patient, date, site, stay or urgency',
};

/** A stay of more than a year is no visit for treatment: more likely a wrong unit (hours, weeks). */
const MAX_STAY_DAYS = 365;

export interface IssueVisaCertificateInput {
  /** Unique per certificate, e.g. `case-INT-2026-000001:visa:patient` or `…:visa:companion:<id>`. */
  idempotencyKey: string;
  /** The case reference; the case must exist. */
  reference: string;
  language: DocumentLanguage;
  /** When the certificate is issued (ISO), passed in by the workflow so a retry prints the same date. */
  issuedAt: string;
  /** Who applies for the visa with this certificate; a companion's relationship is required. */
  holder: { role: 'patient' | 'companion'; fullName: string; nationality: string; relationship?: CompanionRelationship };
  patient: { fullName: string; nationality: string; dateOfBirth?: string };
  /** YYYY-MM-DD. */
  arrivalDate: string;
  plannedStayDays: number;
  site: { name: string; address: string };
  /** Arrival in under 10 days: the certificate asks the consulate to process the application quickly. */
  urgent: boolean;
}

export type IssuedVisaCertificate = IssuedDocument;

/** What the certificate prints: the input checked and trimmed, with its number. */
export type CertificateContent = Omit<IssueVisaCertificateInput, 'idempotencyKey' | 'issuedAt'> & { number: string; issuedAt: Date };

const WORDS: Record<DocumentLanguage, Record<'title' | 'number' | 'date' | 'reference' | 'purpose' | 'urgent' | 'issuedOn' | 'signature', string>> = {
  fr: {
    title: 'Attestation de prise en charge médicale',
    number: "Numéro de l'attestation",
    date: "Date d'émission",
    reference: 'Référence du dossier',
    purpose: "Cette attestation est délivrée à l'intéressé(e) pour sa demande de visa de court séjour pour raisons médicales auprès du consulat de France.",
    urgent: "Les soins prévus relèvent d'une urgence médicale : nous remercions le consulat de bien vouloir traiter cette demande de visa dans les meilleurs délais.",
    issuedOn: 'Fait le',
    signature: 'Pour le Département des patients internationaux',
  },
  en: {
    title: 'Medical care certificate for a short-stay visa application',
    number: 'Certificate number',
    date: 'Date of issue',
    reference: 'Case reference',
    purpose: "This certificate is issued to the person named above for their application for a short-stay visa for medical reasons at the French consulate.",
    urgent: 'The planned treatment is a medical urgency: we kindly ask the consulate to process this visa application as quickly as possible.',
    issuedOn: 'Issued on',
    signature: 'For the International Patients Department',
  },
};

/** A country code as its name in the document's language ("DZ" → "Algérie"); any other text as given. */
function countryName(nationality: string, language: DocumentLanguage): string {
  if (!/^[A-Za-z]{2}$/.test(nationality)) return nationality;
  const code = nationality.toUpperCase();
  return new Intl.DisplayNames([language], { type: 'region', fallback: 'code' }).of(code) ?? code;
}

/** A person as the certificate names them: "Amina Benali (nationalité : Algérie, née le …)". */
function person(p: { fullName: string; nationality: string; dateOfBirth?: string }, language: DocumentLanguage): string {
  const nationality = countryName(p.nationality, language);
  if (language === 'fr') return `${p.fullName} (nationalité : ${nationality}${p.dateOfBirth ? `, né(e) le ${formatCalendarDate(p.dateOfBirth, 'fr')}` : ''})`;
  return `${p.fullName} (nationality: ${nationality}${p.dateOfBirth ? `, born on ${formatCalendarDate(p.dateOfBirth, 'en')}` : ''})`;
}

/** The certifying sentence: who is expected where, from when, for how long, and who accompanies them. */
function certifies(c: CertificateContent): string {
  const arrival = formatCalendarDate(c.arrivalDate, c.language);
  const days = c.plannedStayDays;
  const patient = person(c.patient, c.language);
  if (c.language === 'fr') {
    const stay = `est attendu(e) dans notre établissement, sur le site ${c.site.name} (${c.site.address}), pour y recevoir des soins médicaux à partir du ${arrival}, pour un séjour prévu de ${days} ${days === 1 ? 'jour' : 'jours'}.`;
    if (c.holder.role === 'patient') return `Nous attestons que ${patient} ${stay}`;
    const as = c.holder.relationship === 'family' ? 'en tant que membre de sa famille' : "en tant qu'accompagnant(e) sans lien de parenté";
    return `Nous attestons que ${person(c.holder, 'fr')} accompagne, ${as}, ${patient}, qui ${stay}`;
  }
  const stay = `is expected at our ${c.site.name} site (${c.site.address}) to receive medical treatment from ${arrival}, for a planned stay of ${days} ${days === 1 ? 'day' : 'days'}.`;
  if (c.holder.role === 'patient') return `We certify that ${patient} ${stay}`;
  const as = c.holder.relationship === 'family' ? 'as a family member' : 'as a companion who is not a family member';
  return `We certify that ${person(c.holder, 'en')} accompanies, ${as}, ${patient}, who ${stay}`;
}

/** The certificate as an A4 PDF. Deterministic: the same content gives the same bytes. */
export async function renderVisaCertificatePdf(c: CertificateContent): Promise<Uint8Array> {
  const w = WORDS[c.language];
  const doc = await PdfLayout.create({ title: `${w.title} ${c.number}`, language: c.language, issuedAt: c.issuedAt });
  doc.heading();
  doc.title(w.title);
  doc.fields([
    [w.number, c.number],
    [w.date, formatDate(c.issuedAt, c.language)],
    [w.reference, c.reference],
  ]);
  doc.paragraph(certifies(c));
  if (c.urgent) doc.paragraph(w.urgent, doc.bold);
  doc.paragraph(w.purpose);
  doc.skip(12);
  doc.paragraph(`${w.issuedOn} ${formatDate(c.issuedAt, c.language)}.`);
  doc.paragraph(w.signature, doc.bold);
  doc.paragraph(DOCUMENT_ISSUER.name);
  return doc.save();
}

/** A YYYY-MM-DD calendar date, else a non-retryable error naming the field. */
function calendarDate(value: string | undefined, field: string): string {
  try {
    dayNumber(value ?? '');
    return value!;
  } catch {
    throw invalid(`${field} must be a YYYY-MM-DD calendar date (got "${String(value)}").`);
  }
}

/** The input, checked: names and nationalities present, dates real, a companion's relationship given. */
function checkCertificateInput(input: IssueVisaCertificateInput): Omit<CertificateContent, 'number' | 'language' | 'issuedAt' | 'reference'> {
  const { holder, patient, site } = input;
  if (holder?.role !== 'patient' && holder?.role !== 'companion') throw invalid(`holder.role must be "patient" or "companion" (got "${String(holder?.role)}").`);
  if (holder.role === 'companion' && holder.relationship !== 'family' && holder.relationship !== 'other') {
    throw invalid('A companion\'s certificate needs holder.relationship: "family" (with a proof of relationship) or "other" (with a letter justifying their presence).');
  }
  const checkedPatient = {
    fullName: requiredText(patient?.fullName, 'patient.fullName'),
    nationality: requiredText(patient?.nationality, 'patient.nationality'),
    dateOfBirth: patient.dateOfBirth === undefined ? undefined : calendarDate(patient.dateOfBirth, 'patient.dateOfBirth'),
  };
  const checkedHolder = {
    role: holder.role,
    fullName: requiredText(holder.fullName, 'holder.fullName'),
    nationality: requiredText(holder.nationality, 'holder.nationality'),
    relationship: holder.role === 'companion' ? holder.relationship : undefined,
  };
  if (holder.role === 'patient' && checkedHolder.fullName !== checkedPatient.fullName) {
    throw invalid(`A patient's certificate is for the patient: holder.fullName "${checkedHolder.fullName}" is not patient.fullName "${checkedPatient.fullName}".`);
  }
  if (!Number.isInteger(input.plannedStayDays) || input.plannedStayDays < 1 || input.plannedStayDays > MAX_STAY_DAYS) {
    throw invalid(`plannedStayDays must be a whole number of days from 1 to ${MAX_STAY_DAYS} (got ${String(input.plannedStayDays)}).`);
  }
  if (typeof input.urgent !== 'boolean') throw invalid('urgent must be true or false.');
  return {
    holder: checkedHolder,
    patient: checkedPatient,
    arrivalDate: calendarDate(input.arrivalDate, 'arrivalDate'),
    plannedStayDays: input.plannedStayDays,
    site: { name: requiredText(site?.name, 'site.name'), address: requiredText(site?.address, 'site.address') },
    urgent: input.urgent,
  };
}

export function createVisaCertificateActivities(deps: { db: Db; documentsDir: string }) {
  const issuer = createDocumentIssuer(deps);

  async function issueVisaCertificate(input: IssueVisaCertificateInput): Promise<IssuedVisaCertificate> {
    const issuedAt = checkIssueInput(input);
    const checked = checkCertificateInput(input);
    const caseId = await issuer.caseIdOf(input.reference);
    const content = { language: input.language, issuedAt, reference: input.reference, ...checked };
    return issuer.issue(VISA_CERTIFICATE, { idempotencyKey: input.idempotencyKey, caseId, language: input.language, issuedAt }, (number) => renderVisaCertificatePdf({ number, ...content }));
  }

  return { issueVisaCertificate };
}
