// Patient-facing emails, in the patient's language. Templates are data: text with {placeholders}.
import type { Language, RequestType } from '../workflows/definitions';

export interface EmailTemplate {
  subject: string;
  text: string;
}

export const requestTypeLabels: Record<Language, Record<RequestType, string>> = {
  en: {
    medical_opinion: 'a medical opinion from our multidisciplinary tumour board',
    sample_analysis: 'an analysis of your samples by our pathologists',
    treatment: 'treatment at our centre',
    proton_therapy: 'proton therapy',
  },
  fr: {
    medical_opinion: 'un avis médical de notre réunion de concertation pluridisciplinaire',
    sample_analysis: "l'analyse de vos prélèvements par nos pathologistes",
    treatment: 'un traitement dans notre centre',
    proton_therapy: 'une protonthérapie',
  },
};

export const emailTemplates = {
  acknowledgement: {
    en: {
      subject: 'Your request {reference} has been received',
      text: [
        'Dear {firstName} {lastName},',
        '',
        'We have received your request for {requestTypeLabel}. Your case reference is {reference}: please quote it in all correspondence.',
        '',
        'Next step: answer the questionnaire and upload your complete medical file (reports translated into French or English) on the portal:',
        '{caseUrl}',
        '',
        'Our admission team will check that your file is complete and tell you if anything is missing.',
        '',
        'The International Patients team',
      ].join('\n'),
    },
    fr: {
      subject: 'Votre demande {reference} a bien été reçue',
      text: [
        'Bonjour {firstName} {lastName},',
        '',
        'Nous avons bien reçu votre demande pour {requestTypeLabel}. La référence de votre dossier est {reference} : merci de la rappeler dans tous vos échanges.',
        '',
        "Prochaine étape : répondez au questionnaire et déposez votre dossier médical complet (comptes rendus traduits en français ou en anglais) sur le portail :",
        '{caseUrl}',
        '',
        "Notre équipe d'admission vérifiera que votre dossier est complet et vous dira s'il manque un élément.",
        '',
        "L'équipe Patients internationaux",
      ].join('\n'),
    },
  },
} satisfies Record<string, Record<Language, EmailTemplate>>;

export type EmailTemplateName = keyof typeof emailTemplates;

/** Fills {placeholders}; a placeholder without a value is an error, never sent as-is. */
export function renderTemplate(name: EmailTemplateName, language: Language, vars: Record<string, string>): EmailTemplate {
  const template = emailTemplates[name][language];
  const fill = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = vars[key];
      if (value === undefined) throw new Error(`Email template '${name}' needs a value for {${key}}`);
      return value;
    });
  return { subject: fill(template.subject), text: fill(template.text) };
}
