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
  file_reminder: {
    en: { subject: 'Reminder: your file {reference} is not complete yet', text: 'Dear {firstName} {lastName},\n\nWe are still waiting for your medical file for case {reference}. Still missing:\n{missingItems}\n\nAdd them and submit your file on the portal:\n{caseUrl}\n\nWithout an answer your request will be closed.\n\nThe International Patients team' },
    fr: { subject: 'Rappel : votre dossier {reference} est incomplet', text: 'Bonjour {firstName} {lastName},\n\nNous attendons toujours votre dossier médical pour le dossier {reference}. Il manque encore :\n{missingItems}\n\nAjoutez ces éléments et soumettez votre dossier sur le portail :\n{caseUrl}\n\nSans réponse de votre part, votre demande sera clôturée.\n\nL\'équipe Patients internationaux' },
  },
  file_incomplete: {
    en: { subject: 'Your file {reference}: items missing', text: 'Dear {firstName} {lastName},\n\nOur admission team checked your file {reference}. These items are missing:\n{missingItems}\n\nTheir note: {message}\n\nAdd them and submit your file again on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Votre dossier {reference} : éléments manquants', text: 'Bonjour {firstName} {lastName},\n\nNotre équipe d\'admission a vérifié votre dossier {reference}. Il manque :\n{missingItems}\n\nSon message : {message}\n\nAjoutez ces éléments et soumettez à nouveau votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  file_abandoned: {
    en: { subject: 'Your request {reference} has been closed', text: 'Dear {firstName} {lastName},\n\nWe have not heard from you about your file {reference} despite our reminders, so we have closed the request. You are welcome to open a new one at any time on the portal.\n\nThe International Patients team' },
    fr: { subject: 'Votre demande {reference} a été clôturée', text: 'Bonjour {firstName} {lastName},\n\nSans nouvelles de votre part malgré nos rappels concernant le dossier {reference}, nous avons clôturé la demande. Vous pouvez en ouvrir une nouvelle à tout moment sur le portail.\n\nL\'équipe Patients internationaux' },
  },
  changes_requested: {
    en: { subject: 'Your file {reference}: changes requested', text: 'Dear {firstName} {lastName},\n\nYour care coordinator asks for changes to your file {reference}:\n{message}\n\nMake them and submit your file again on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Votre dossier {reference} : modifications demandées', text: 'Bonjour {firstName} {lastName},\n\nVotre coordinateur de soins demande des modifications de votre dossier {reference} :\n{message}\n\nFaites-les puis soumettez à nouveau votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  fee_request: {
    en: { subject: 'Case {reference}: service fees to pay', text: 'Dear {firstName} {lastName},\n\nYour file {reference} is complete and approved. The study by our physicians starts once the service fees are paid: {amount}.\n\nPay securely here:\n{paymentUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : frais de service à régler', text: 'Bonjour {firstName} {lastName},\n\nVotre dossier {reference} est complet et validé. L\'étude par nos médecins commence dès le règlement des frais de service : {amount}.\n\nRéglez-les de façon sécurisée ici :\n{paymentUrl}\n\nL\'équipe Patients internationaux' },
  },
  fee_reminder: {
    en: { subject: 'Reminder: service fees for case {reference}', text: 'Dear {firstName} {lastName},\n\nThe study of your file {reference} is waiting for the service fees: {amount} remain to be paid. Pay them on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Rappel : frais de service du dossier {reference}', text: 'Bonjour {firstName} {lastName},\n\nL\'étude de votre dossier {reference} attend le règlement des frais de service : il reste {amount} à payer. Réglez-les sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  fee_expired: {
    en: { subject: 'Your request {reference} has expired', text: 'Dear {firstName} {lastName},\n\nThe service fees for case {reference} were not paid despite our reminders, so the request has expired. Contact us if you wish to go on.\n\nThe International Patients team' },
    fr: { subject: 'Votre demande {reference} a expiré', text: 'Bonjour {firstName} {lastName},\n\nLes frais de service du dossier {reference} n\'ont pas été réglés malgré nos rappels : la demande a expiré. Contactez-nous si vous souhaitez poursuivre.\n\nL\'équipe Patients internationaux' },
  },
  report_available: {
    en: { subject: 'Case {reference}: your report is available', text: 'Dear {firstName} {lastName},\n\nThe report on your file {reference} is available. Read it securely on the portal:\n{caseUrl}\n\nYour care coordinator remains at your disposal.\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre compte rendu est disponible', text: 'Bonjour {firstName} {lastName},\n\nLe compte rendu concernant votre dossier {reference} est disponible. Lisez-le de façon sécurisée sur le portail :\n{caseUrl}\n\nVotre coordinateur de soins reste à votre disposition.\n\nL\'équipe Patients internationaux' },
  },
  follow_up_offer: {
    en: { subject: 'Case {reference}: follow-up', text: 'Dear {firstName} {lastName},\n\nYour request {reference} is now complete. If you would like a follow-up contact with our team, or have questions about the report, write to us through the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : suivi', text: 'Bonjour {firstName} {lastName},\n\nVotre demande {reference} est terminée. Si vous souhaitez un contact de suivi avec notre équipe, ou si vous avez des questions sur le compte rendu, écrivez-nous par le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  withdrawal_confirmed: {
    en: { subject: 'Case {reference}: withdrawal confirmed', text: 'Dear {firstName} {lastName},\n\nWe have recorded the withdrawal of your request {reference}. {refund}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : retrait confirmé', text: 'Bonjour {firstName} {lastName},\n\nNous avons enregistré le retrait de votre demande {reference}. {refund}\n\nL\'équipe Patients internationaux' },
  },
  case_cancelled: {
    en: { subject: 'Case {reference} has been cancelled', text: 'Dear {firstName} {lastName},\n\nYour request {reference} has been cancelled by our team: {reason}. {refund}\n\nWrite to us through the portal if you have questions.\n\nThe International Patients team' },
    fr: { subject: 'Le dossier {reference} a été annulé', text: 'Bonjour {firstName} {lastName},\n\nVotre demande {reference} a été annulée par notre équipe : {reason}. {refund}\n\nÉcrivez-nous par le portail pour toute question.\n\nL\'équipe Patients internationaux' },
  },
  mdt_request: {
    en: { subject: 'Case {reference} to study ({requestTypeLabel})', text: 'Hello,\n\nCase {reference} is complete, approved and paid: it is ready for study.\nOpen it in Parcours (file, documents, coordinator): {caseUrl}\n\nSubmit the report from the case page.' },
    fr: { subject: 'Dossier {reference} à étudier ({requestTypeLabel})', text: 'Bonjour,\n\nLe dossier {reference} est complet, validé et réglé : il est prêt pour l\'étude.\nOuvrez-le dans Parcours (dossier, documents, coordinateur) : {caseUrl}\n\nDéposez le compte rendu depuis la page du dossier.' },
  },
  report_overdue: {
    en: { subject: 'Overdue: no report yet for case {reference}', text: 'Hello,\n\nThe physicians have not returned their report for case {reference} within the expected time. Please follow up:\n{caseUrl}' },
    fr: { subject: 'En retard : pas encore de compte rendu pour le dossier {reference}', text: 'Bonjour,\n\nLes médecins n\'ont pas rendu leur compte rendu pour le dossier {reference} dans le délai prévu. Merci de relancer :\n{caseUrl}' },
  },
  staff_withdrawal: {
    en: { subject: 'Case {reference}: the patient withdrew', text: 'Hello,\n\nThe patient withdrew case {reference}. Pending steps have stopped; any fee paid for a study not yet started is marked for refund.\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : retrait du patient', text: 'Bonjour,\n\nLe patient a retiré le dossier {reference}. Les étapes en attente sont arrêtées ; les frais payés pour une étude non commencée sont marqués à rembourser.\n{caseUrl}' },
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
