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
  verify_email: {
    en: {
      subject: 'Confirm your email address for Parcours',
      text: 'Hello {name},\n\nTo activate your account, open this link within 24 hours:\n{link}\n\nIf you did not create an account, ignore this email.\n\nThe International Patients team',
    },
    fr: {
      subject: 'Confirmez votre adresse e-mail pour Parcours',
      text: "Bonjour {name},\n\nPour activer votre compte, ouvrez ce lien dans les 24 heures :\n{link}\n\nSi vous n'avez pas créé de compte, ignorez ce message.\n\nL'équipe Patients internationaux",
    },
  },
  set_password: {
    en: {
      subject: 'Set your Parcours password',
      text: 'Hello {name},\n\nTo set your password, open this link within {hours} hours:\n{link}\n\nIf you did not ask for this, ignore this email: your current password still works.\n\nThe International Patients team',
    },
    fr: {
      subject: 'Choisissez votre mot de passe Parcours',
      text: "Bonjour {name},\n\nPour choisir votre mot de passe, ouvrez ce lien dans les {hours} heures :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.\n\nL'équipe Patients internationaux",
    },
  },
  // Health data never travels by email: the notice only says there is a message, with a link.
  new_message: {
    en: {
      subject: 'New message about case {reference}',
      text: 'Hello,\n\nYou have a new message about case {reference}. Read it securely on Parcours:\n{caseUrl}\n\nThe International Patients team',
    },
    fr: {
      subject: 'Nouveau message concernant le dossier {reference}',
      text: "Bonjour,\n\nVous avez un nouveau message concernant le dossier {reference}. Lisez-le de façon sécurisée sur Parcours :\n{caseUrl}\n\nL'équipe Patients internationaux",
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
