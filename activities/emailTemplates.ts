// Emails, in the reader's language (patients', then staff emails at the end). Templates are data:
// text with {placeholders}. Health data never goes into an email: a reference, amounts, dates and a
// link to the portal, where the patient reads the rest after signing in.
import { VISA_URGENCY_THRESHOLD_DAYS } from '../config/visa';
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
    en: { subject: 'Your request {reference} has expired', text: 'Dear {firstName} {lastName},\n\nThe service fees for case {reference} were not paid despite our reminders, so the request has expired. If you wish to go on, write to us at {officeEmail} or call {officePhone}.\n\nThe International Patients team' },
    fr: { subject: 'Votre demande {reference} a expiré', text: 'Bonjour {firstName} {lastName},\n\nLes frais de service du dossier {reference} n\'ont pas été réglés malgré nos rappels : la demande a expiré. Si vous souhaitez poursuivre, écrivez-nous à {officeEmail} ou appelez le {officePhone}.\n\nL\'équipe Patients internationaux' },
  },
  report_available: {
    en: { subject: 'Case {reference}: your report is available', text: 'Dear {firstName} {lastName},\n\nThe report on your file {reference} is available. Read it securely on the portal:\n{caseUrl}\n\nYour care coordinator remains at your disposal.\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre compte rendu est disponible', text: 'Bonjour {firstName} {lastName},\n\nLe compte rendu concernant votre dossier {reference} est disponible. Lisez-le de façon sécurisée sur le portail :\n{caseUrl}\n\nVotre coordinateur de soins reste à votre disposition.\n\nL\'équipe Patients internationaux' },
  },
  follow_up_offer: {
    en: { subject: 'Case {reference}: follow-up', text: 'Dear {firstName} {lastName},\n\nYour request {reference} is now complete. If you would like a follow-up contact with our team, or have questions about the report, write to us at {officeEmail} or call {officePhone}. Your documents stay on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : suivi', text: 'Bonjour {firstName} {lastName},\n\nVotre demande {reference} est terminée. Si vous souhaitez un contact de suivi avec notre équipe, ou si vous avez des questions sur le compte rendu, écrivez-nous à {officeEmail} ou appelez le {officePhone}. Vos documents restent sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  withdrawal_confirmed: {
    en: { subject: 'Case {reference}: withdrawal confirmed', text: 'Dear {firstName} {lastName},\n\nWe have recorded the withdrawal of your request {reference}. {refund}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : retrait confirmé', text: 'Bonjour {firstName} {lastName},\n\nNous avons enregistré le retrait de votre demande {reference}. {refund}\n\nL\'équipe Patients internationaux' },
  },
  case_cancelled: {
    en: { subject: 'Case {reference} has been cancelled', text: 'Dear {firstName} {lastName},\n\nYour request {reference} has been cancelled by our team: {reason}. {refund}\n\nFor any question, write to us at {officeEmail} or call {officePhone}.\n\nThe International Patients team' },
    fr: { subject: 'Le dossier {reference} a été annulé', text: 'Bonjour {firstName} {lastName},\n\nVotre demande {reference} a été annulée par notre équipe : {reason}. {refund}\n\nPour toute question, écrivez-nous à {officeEmail} ou appelez le {officePhone}.\n\nL\'équipe Patients internationaux' },
  },
  // Step 3: the estimate and its guarantee (paid in full, or an insurer guarantee letter on file).
  estimate_issued: {
    en: { subject: 'Case {reference}: your estimate {number}', text: 'Dear {firstName} {lastName},\n\nYour estimate {number} for case {reference} is attached: {total}, valid until {validUntil}.\n\nIt covers your care at our centre only: transport, accommodation and meals are not included.\n{coverageNotice}\n\nNo treatment starts until the estimate is paid in full or a guarantee letter from your insurer is on file.\n\nPayment and insurer letters are handled by our financial administrator, in the international patients\' finance department, who will contact you about them and can answer your questions about costs.\n\nPlease accept or decline the estimate on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre devis {number}', text: 'Bonjour {firstName} {lastName},\n\nVous trouverez ci-joint votre devis {number} pour le dossier {reference} : {total}, valable jusqu\'au {validUntil}.\n\nIl couvre uniquement vos soins dans notre centre : le transport, l\'hébergement et les repas ne sont pas compris.\n{coverageNotice}\n\nAucun traitement ne commence avant que le devis soit réglé en totalité ou qu\'une lettre de prise en charge de votre assureur soit au dossier.\n\nLe règlement et les lettres des assureurs sont gérés par notre gestionnaire financier, au service financier des patients internationaux, qui vous contactera à ce sujet et pourra répondre à vos questions sur les coûts.\n\nMerci d\'accepter ou de refuser le devis sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  estimate_reminder: {
    en: { subject: 'Reminder: estimate {number} for case {reference}', text: 'Dear {firstName} {lastName},\n\nYour estimate {number} ({total}) for case {reference} is waiting for your answer. It is valid until {validUntil}.\n\nAccept or decline it on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Rappel : devis {number} du dossier {reference}', text: 'Bonjour {firstName} {lastName},\n\nVotre devis {number} ({total}) pour le dossier {reference} attend votre réponse. Il est valable jusqu\'au {validUntil}.\n\nAcceptez-le ou refusez-le sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  estimate_expired: {
    en: { subject: 'Case {reference}: estimate {number} has expired', text: 'Dear {firstName} {lastName},\n\nWe did not receive your answer to estimate {number} (case {reference}) before the end of its validity, so it has expired. If you still wish to go on, write to us at {officeEmail} or call {officePhone}. Your documents stay on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : le devis {number} a expiré', text: 'Bonjour {firstName} {lastName},\n\nNous n\'avons pas reçu votre réponse au devis {number} (dossier {reference}) avant la fin de sa validité : il a expiré. Si vous souhaitez poursuivre, écrivez-nous à {officeEmail} ou appelez le {officePhone}. Vos documents restent sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  estimate_declined: {
    en: { subject: 'Case {reference}: estimate {number} declined', text: 'Dear {firstName} {lastName},\n\nWe have recorded that you declined estimate {number} (case {reference}). Thank you for letting us know.\n\nIf you would like a follow-up contact with our team, or wish to come back to us later, write to us at {officeEmail} or call {officePhone}. Your documents stay on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : devis {number} refusé', text: 'Bonjour {firstName} {lastName},\n\nNous avons enregistré votre refus du devis {number} (dossier {reference}). Merci de nous avoir répondu.\n\nSi vous souhaitez un contact de suivi avec notre équipe, ou revenir vers nous plus tard, écrivez-nous à {officeEmail} ou appelez le {officePhone}. Vos documents restent sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  guarantee_request: {
    en: { subject: 'Case {reference}: payment or insurer guarantee for estimate {number}', text: 'Dear {firstName} {lastName},\n\nThank you for accepting estimate {number} ({total}) for case {reference}. Before treatment starts, please either:\n- pay {amount} securely here: {paymentUrl}\n- or have your insurer send us a guarantee letter (a written commitment to pay) covering the estimate; our financial administrator records it on your file.\n{coverageNotice}\n\nFollow your case on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : règlement ou prise en charge du devis {number}', text: 'Bonjour {firstName} {lastName},\n\nMerci d\'avoir accepté le devis {number} ({total}) pour le dossier {reference}. Avant le début du traitement, merci :\n- de régler {amount} de façon sécurisée ici : {paymentUrl}\n- ou de demander à votre assureur de nous adresser une lettre de prise en charge (engagement écrit de payer) couvrant le devis ; notre gestionnaire financier l\'enregistre à votre dossier.\n{coverageNotice}\n\nSuivez votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  guarantee_reminder: {
    en: { subject: 'Reminder: estimate {number} for case {reference} is not paid or guaranteed yet', text: 'Dear {firstName} {lastName},\n\nTreatment cannot start yet: estimate {number} (case {reference}) is neither paid nor covered by a guarantee letter from your insurer. Pay {amount} securely here:\n{paymentUrl}\n\nor have your insurer send us its guarantee letter. Follow your case on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Rappel : le devis {number} du dossier {reference} n\'est pas encore réglé ni pris en charge', text: 'Bonjour {firstName} {lastName},\n\nLe traitement ne peut pas encore commencer : le devis {number} (dossier {reference}) n\'est ni réglé ni couvert par une lettre de prise en charge de votre assureur. Réglez {amount} de façon sécurisée ici :\n{paymentUrl}\n\nou demandez à votre assureur de nous adresser sa lettre de prise en charge. Suivez votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  guarantee_expired: {
    en: { subject: 'Case {reference}: estimate {number} was not paid or guaranteed', text: 'Dear {firstName} {lastName},\n\nEstimate {number} (case {reference}) was neither paid nor covered by a guarantee letter from your insurer despite our reminders, so we have stopped preparing your treatment. If you wish to go on, write to us at {officeEmail} or call {officePhone}. Your documents stay on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : le devis {number} n\'a été ni réglé ni pris en charge', text: 'Bonjour {firstName} {lastName},\n\nLe devis {number} (dossier {reference}) n\'a été ni réglé ni couvert par une lettre de prise en charge de votre assureur malgré nos rappels : nous avons arrêté la préparation de votre traitement. Si vous souhaitez poursuivre, écrivez-nous à {officeEmail} ou appelez le {officePhone}. Vos documents restent sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  insurer_remainder: {
    en: { subject: 'Case {reference}: remainder to pay on estimate {number}', text: 'Dear {firstName} {lastName},\n\nWe have received the guarantee letter from {insurer} for estimate {number} (case {reference}). It covers {covered}, less than the estimate. The remainder, {amount}, is to be paid before treatment starts. Pay it securely here:\n{paymentUrl}\n\nFollow your case on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : reste à payer sur le devis {number}', text: 'Bonjour {firstName} {lastName},\n\nNous avons reçu la lettre de prise en charge de {insurer} pour le devis {number} (dossier {reference}). Elle couvre {covered}, moins que le devis. Le reste, {amount}, est à régler avant le début du traitement. Réglez-le de façon sécurisée ici :\n{paymentUrl}\n\nSuivez votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  s2_acceptance_pending: {
    en: { subject: 'Case {reference}: your S2 form is with our finance team (estimate {number})', text: 'Dear {firstName} {lastName},\n\nThank you for accepting estimate {number} for case {reference}. Your S2 form (prior authorisation from your health insurer) is on file: our financial administrator asks your insurer to confirm that it covers the estimate. You have nothing to prepay for the care it covers. We will write to you as soon as it is confirmed.\n\nFollow your case on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre formulaire S2 est transmis au service financier (devis {number})', text: 'Bonjour {firstName} {lastName},\n\nMerci d\'avoir accepté le devis {number} pour le dossier {reference}. Votre formulaire S2 (autorisation préalable de votre assurance maladie) est au dossier : notre gestionnaire financier demande à votre assureur de confirmer qu\'il couvre le devis. Vous n\'avez rien à avancer pour les soins qu\'il couvre. Nous vous écrirons dès la confirmation reçue.\n\nSuivez votre dossier sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  treatment_guaranteed: {
    en: { subject: 'Case {reference}: your treatment is confirmed', text: 'Dear {firstName} {lastName},\n\nEstimate {number} (case {reference}) is now paid or covered by your insurer: your treatment can go ahead.\n\nNext step: tell us your arrival date on the portal, so that your care coordinator can organise your appointments:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre traitement est confirmé', text: 'Bonjour {firstName} {lastName},\n\nLe devis {number} (dossier {reference}) est désormais réglé ou pris en charge par votre assureur : votre traitement peut avoir lieu.\n\nProchaine étape : indiquez-nous votre date d\'arrivée sur le portail, pour que votre coordinateur de soins organise vos rendez-vous :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  // Organising the stay.
  visa_information: {
    en: { subject: 'Case {reference}: visa for your stay', text: 'Dear {firstName} {lastName},\n\nAbout the visa for your stay (case {reference}):\n{visaText}\n\nYour country of residence on file: {consulateCountry}. If it is wrong, tell us through the portal: the consulate to apply to, and the visa rules, depend on it. The certificates we issue for your application, if any, are attached to this email and on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : visa pour votre séjour', text: 'Bonjour {firstName} {lastName},\n\nAu sujet du visa pour votre séjour (dossier {reference}) :\n{visaText}\n\nVotre pays de résidence enregistré : {consulateCountry}. S\'il est inexact, signalez-le-nous par le portail : le consulat où faire la demande, et les règles de visa, en dépendent. Les attestations que nous établissons pour votre demande, s\'il y en a, sont jointes à ce message et sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  // A companion's certificate issued after the visa email: it names who it is for.
  visa_certificate_companion: {
    en: { subject: 'Case {reference}: visa certificate for {companionName}', text: 'Dear {firstName} {lastName},\n\nThe certificate for the visa application of {companionName}, who accompanies you (case {reference}), is attached to this email and on the portal. {companionName} applies at the French consulate with this certificate.\n\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : attestation de visa pour {companionName}', text: 'Bonjour {firstName} {lastName},\n\nL\'attestation pour la demande de visa de {companionName}, qui vous accompagne (dossier {reference}), est jointe à ce message et sur le portail. {companionName} fait sa demande au consulat de France avec cette attestation.\n\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  practical_pack: {
    en: { subject: 'Case {reference}: practical information for your stay', text: 'Dear {firstName} {lastName},\n\nYour arrival is planned on {arrivalDate}. Here is what you need for your stay (case {reference}).\n\nWhere: {siteName}, {siteAddress}\nAccess map: {accessMapUrl}\n\nOn arrival: {samplesNotice}\n\nYour contact for logistics and accommodation: {supportName}, {supportPhone}, {supportEmail}.\n{accommodationAdvice}\n\nInterpreting and accommodation advice are free of charge: request them on the portal, ahead of your appointments:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : informations pratiques pour votre séjour', text: 'Bonjour {firstName} {lastName},\n\nVotre arrivée est prévue le {arrivalDate}. Voici ce qu\'il vous faut pour votre séjour (dossier {reference}).\n\nLieu : {siteName}, {siteAddress}\nPlan d\'accès : {accessMapUrl}\n\nÀ votre arrivée : {samplesNotice}\n\nVotre contact pour la logistique et l\'hébergement : {supportName}, {supportPhone}, {supportEmail}.\n{accommodationAdvice}\n\nL\'interprétariat et le conseil en hébergement sont gratuits : demandez-les sur le portail, avant vos rendez-vous :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  arrival_reminder: {
    en: { subject: 'Case {reference}: your arrival on {arrivalDate}', text: 'Dear {firstName} {lastName},\n\nA reminder that we expect you on {arrivalDate} at {siteName}, {siteAddress}.\nAccess map: {accessMapUrl}\n\nIf your plans change, tell us on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre arrivée le {arrivalDate}', text: 'Bonjour {firstName} {lastName},\n\nNous vous rappelons que nous vous attendons le {arrivalDate} à {siteName}, {siteAddress}.\nPlan d\'accès : {accessMapUrl}\n\nSi vos projets changent, prévenez-nous sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  // Requests to a team (interpreter, accommodation, appointment change, billing question, ...).
  request_received: {
    en: { subject: 'Case {reference}: your request has been received', text: 'Dear {firstName} {lastName},\n\nWe have received your request ({requestLabel}) for case {reference}. The team in charge will answer you on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : votre demande a été reçue', text: 'Bonjour {firstName} {lastName},\n\nNous avons bien reçu votre demande ({requestLabel}) pour le dossier {reference}. L\'équipe concernée vous répondra sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  request_answered: {
    en: { subject: 'Case {reference}: answer to your request', text: 'Dear {firstName} {lastName},\n\nYour request ({requestLabel}) for case {reference} has been handled: {outcome}\n\nDetails on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : réponse à votre demande', text: 'Bonjour {firstName} {lastName},\n\nVotre demande ({requestLabel}) pour le dossier {reference} a été traitée : {outcome}\n\nLe détail est sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  // After the stay: the final invoice reconciles what was paid against what was done.
  final_invoice_settled: {
    en: { subject: 'Case {reference}: final invoice {invoiceNumber}, account settled', text: 'Dear {firstName} {lastName},\n\nYour final invoice {invoiceNumber} for case {reference} is on the portal.\nInvoiced: {invoiced}\nPaid by your insurer: {insurerShare}\nPaid by you: {paid}\n\nYour account is settled: nothing remains to be paid.\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : facture finale {invoiceNumber}, compte soldé', text: 'Bonjour {firstName} {lastName},\n\nVotre facture finale {invoiceNumber} pour le dossier {reference} est sur le portail.\nFacturé : {invoiced}\nPris en charge par votre assureur : {insurerShare}\nRéglé par vous : {paid}\n\nVotre compte est soldé : il ne reste rien à payer.\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  final_invoice_balance: {
    en: { subject: 'Case {reference}: final invoice {invoiceNumber}, balance to pay', text: 'Dear {firstName} {lastName},\n\nYour final invoice {invoiceNumber} for case {reference} is on the portal.\nInvoiced: {invoiced}\nPaid by your insurer: {insurerShare}\nPaid by you: {paid}\n\nThe balance, {amount}, remains to be paid. Pay it securely here:\n{paymentUrl}\n\nQuestions about the invoice: write to us through the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : facture finale {invoiceNumber}, solde à régler', text: 'Bonjour {firstName} {lastName},\n\nVotre facture finale {invoiceNumber} pour le dossier {reference} est sur le portail.\nFacturé : {invoiced}\nPris en charge par votre assureur : {insurerShare}\nRéglé par vous : {paid}\n\nLe solde, {amount}, reste à régler. Réglez-le de façon sécurisée ici :\n{paymentUrl}\n\nPour toute question sur la facture, écrivez-nous par le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  final_invoice_refund: {
    en: { subject: 'Case {reference}: final invoice {invoiceNumber}, refund due to you', text: 'Dear {firstName} {lastName},\n\nYour final invoice {invoiceNumber} for case {reference} is on the portal.\nInvoiced: {invoiced}\nPaid by your insurer: {insurerShare}\nPaid by you: {paid}\n\nYou paid {amount} more than the care delivered: our finance department will refund it to you, and will contact you if it needs your bank details.\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : facture finale {invoiceNumber}, remboursement en votre faveur', text: 'Bonjour {firstName} {lastName},\n\nVotre facture finale {invoiceNumber} pour le dossier {reference} est sur le portail.\nFacturé : {invoiced}\nPris en charge par votre assureur : {insurerShare}\nRéglé par vous : {paid}\n\nVous avez réglé {amount} de plus que les soins réalisés : notre service financier vous les remboursera et vous contactera s\'il lui faut vos coordonnées bancaires.\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  balance_reminder: {
    en: { subject: 'Reminder: balance of invoice {invoiceNumber}, case {reference}', text: 'Dear {firstName} {lastName},\n\n{amount} remain to be paid on your final invoice {invoiceNumber} (case {reference}). Pay securely here:\n{paymentUrl}\n\nQuestions about the invoice: write to us through the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Rappel : solde de la facture {invoiceNumber}, dossier {reference}', text: 'Bonjour {firstName} {lastName},\n\nIl reste {amount} à régler sur votre facture finale {invoiceNumber} (dossier {reference}). Réglez de façon sécurisée ici :\n{paymentUrl}\n\nPour toute question sur la facture, écrivez-nous par le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  follow_up_scheduled: {
    en: { subject: 'Case {reference}: follow-up on {date}', text: 'Dear {firstName} {lastName},\n\nA follow-up is scheduled on {date} for case {reference}: {description}.\n\nDetails, and changes if you need them, on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Dossier {reference} : suivi le {date}', text: 'Bonjour {firstName} {lastName},\n\nUn suivi est prévu le {date} pour le dossier {reference} : {description}.\n\nLe détail, et un changement si besoin, sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  follow_up_reminder: {
    en: { subject: 'Reminder: follow-up on {date}, case {reference}', text: 'Dear {firstName} {lastName},\n\nA reminder of your follow-up on {date} (case {reference}): {description}.\n\nIf you cannot make it, tell us on the portal:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Rappel : suivi le {date}, dossier {reference}', text: 'Bonjour {firstName} {lastName},\n\nNous vous rappelons votre suivi du {date} (dossier {reference}) : {description}.\n\nSi vous ne pouvez pas venir, prévenez-nous sur le portail :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  case_closed: {
    en: { subject: 'Case {reference} is closed', text: 'Dear {firstName} {lastName},\n\nYour case {reference} is now closed. Thank you for your trust.\n\nFor a question about your care or a bill, write to us at {officeEmail} or call {officePhone}. Your documents stay on the portal, where you can also open a new request:\n{caseUrl}\n\nThe International Patients team' },
    fr: { subject: 'Le dossier {reference} est clôturé', text: 'Bonjour {firstName} {lastName},\n\nVotre dossier {reference} est désormais clôturé. Merci de votre confiance.\n\nPour une question sur vos soins ou une facture, écrivez-nous à {officeEmail} ou appelez le {officePhone}. Vos documents restent sur le portail, où vous pouvez aussi faire une nouvelle demande :\n{caseUrl}\n\nL\'équipe Patients internationaux' },
  },
  // Staff emails: a link and the reference only; staff read the file in Parcours.
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
  estimate_to_finance: {
    en: { subject: 'Case {reference}: new estimate {number}', text: 'Hello,\n\nEstimate {number} ({total}) has been issued for case {reference}. The international patients\' finance team follows it: payment in full or an insurer guarantee letter before treatment.\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : nouveau devis {number}', text: 'Bonjour,\n\nLe devis {number} ({total}) a été émis pour le dossier {reference}. Le service financier des patients internationaux en assure le suivi : règlement complet ou lettre de prise en charge d\'un assureur avant le traitement.\n{caseUrl}' },
  },
  estimate_accepted: {
    en: { subject: 'Case {reference}: estimate {number} accepted', text: 'Hello,\n\nThe patient accepted estimate {number} for case {reference}: a payment or an insurer guarantee letter is expected. Record the letter on the case when it arrives:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : devis {number} accepté', text: 'Bonjour,\n\nLe patient a accepté le devis {number} du dossier {reference} : un règlement ou une lettre de prise en charge d\'un assureur est attendu. Enregistrez la lettre sur le dossier dès réception :\n{caseUrl}' },
  },
  visa_urgent: {
    en: { subject: `Urgent: visa needed for case {reference}, arrival on {arrivalDate}`, text: `Hello,\n\nThe patient of case {reference} arrives on {arrivalDate}, in less than ${VISA_URGENCY_THRESHOLD_DAYS} days, and needs a visa: the consulate's answer may come too late. Check the certificates and help the patient:\n{caseUrl}` },
    fr: { subject: `Urgent : visa nécessaire pour le dossier {reference}, arrivée le {arrivalDate}`, text: `Bonjour,\n\nLe patient du dossier {reference} arrive le {arrivalDate}, dans moins de ${VISA_URGENCY_THRESHOLD_DAYS} jours, et a besoin d'un visa : la réponse du consulat risque d'arriver trop tard. Vérifiez les attestations et aidez le patient :\n{caseUrl}` },
  },
  task_assigned: {
    en: { subject: 'Case {reference}: new task, {taskLabel}', text: 'Hello,\n\nA new task is assigned to your team for case {reference}: {taskLabel} (task {taskId}). Handle it in Parcours:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : nouvelle tâche, {taskLabel}', text: 'Bonjour,\n\nUne nouvelle tâche est confiée à votre équipe pour le dossier {reference} : {taskLabel} (tâche {taskId}). Traitez-la dans Parcours :\n{caseUrl}' },
  },
  task_reminder: {
    en: { subject: 'Reminder: task {taskLabel}, case {reference}', text: 'Hello,\n\nThe task {taskLabel} (task {taskId}) for case {reference} is still waiting for your team. Handle it in Parcours:\n{caseUrl}' },
    fr: { subject: 'Rappel : tâche {taskLabel}, dossier {reference}', text: 'Bonjour,\n\nLa tâche {taskLabel} (tâche {taskId}) du dossier {reference} attend toujours votre équipe. Traitez-la dans Parcours :\n{caseUrl}' },
  },
  task_overdue: {
    en: { subject: 'Overdue: task {taskLabel}, case {reference}', text: 'Hello,\n\nThe team in charge has not handled the task {taskLabel} for case {reference} in time. Please follow up:\n{caseUrl}' },
    fr: { subject: 'En retard : tâche {taskLabel}, dossier {reference}', text: 'Bonjour,\n\nL\'équipe concernée n\'a pas traité la tâche {taskLabel} du dossier {reference} dans le délai prévu. Merci de relancer :\n{caseUrl}' },
  },
  account_to_settle: {
    en: { subject: 'Case {reference}: account to settle (invoice {invoiceNumber})', text: 'Hello,\n\nThe final invoice {invoiceNumber} for case {reference} leaves the account to settle: {settlement}. Please follow it up:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : compte à solder (facture {invoiceNumber})', text: 'Bonjour,\n\nLa facture finale {invoiceNumber} du dossier {reference} laisse le compte à solder : {settlement}. Merci d\'en assurer le suivi :\n{caseUrl}' },
  },
  s2_acceptance_to_record: {
    en: { subject: 'Case {reference}: S2 acceptance to record (estimate {number})', text: 'Hello,\n\nThe patient of case {reference} accepted estimate {number} on EU planned care: their S2 form is on file. Ask the home insurer to confirm, then record its acceptance on the case (insurer letter, with the S2 document); the patient prepays nothing meanwhile:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : accord S2 à enregistrer (devis {number})', text: 'Bonjour,\n\nLe patient du dossier {reference} a accepté le devis {number} au titre des soins programmés dans l\'UE : son formulaire S2 est au dossier. Demandez la confirmation à l\'assurance maladie du patient, puis enregistrez son accord sur le dossier (lettre de prise en charge, avec le document S2) ; le patient n\'avance rien entre-temps :\n{caseUrl}' },
  },
  s2_acceptance_reminder: {
    en: { subject: 'Reminder: case {reference}, S2 acceptance still to record (estimate {number})', text: 'Hello,\n\nThe home insurer\'s acceptance of the S2 for estimate {number} (case {reference}) is still not recorded: the treatment cannot be scheduled until it is.\n{caseUrl}' },
    fr: { subject: 'Rappel : dossier {reference}, accord S2 encore à enregistrer (devis {number})', text: 'Bonjour,\n\nL\'accord de l\'assurance maladie sur le S2 du devis {number} (dossier {reference}) n\'est toujours pas enregistré : le traitement ne peut pas être programmé avant.\n{caseUrl}' },
  },
  money_to_return: {
    en: { subject: 'Case {reference}: {amount} to refund', text: 'Hello,\n\nCase {reference} has ended and {amount} is owed back to the payer (a fee or prepayment for care that did not take place, the final account, or a payment received after the end). The case stays on your money-owed worklist until you record the refund made:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : {amount} à rembourser', text: 'Bonjour,\n\nLe dossier {reference} est terminé et {amount} sont à rembourser au payeur (frais ou acompte pour des soins qui n\'ont pas eu lieu, solde du compte final, ou paiement reçu après la fin). Le dossier reste dans votre liste des sommes à rembourser jusqu\'à ce que vous enregistriez le remboursement effectué :\n{caseUrl}' },
  },
  money_to_return_reminder: {
    en: { subject: 'Reminder: case {reference}, {amount} still to refund', text: 'Hello,\n\n{amount} is still owed back on case {reference}. Record the refund on the case once it is made:\n{caseUrl}' },
    fr: { subject: 'Rappel : dossier {reference}, {amount} encore à rembourser', text: 'Bonjour,\n\n{amount} restent à rembourser sur le dossier {reference}. Enregistrez le remboursement sur le dossier dès qu\'il est effectué :\n{caseUrl}' },
  },
  overpayment_received: {
    en: { subject: 'Case {reference}: overpayment of {amount}', text: 'Hello,\n\nPayment {paymentId} on case {reference} is {amount} more than what was due. The excess is owed back: it is on your money-owed worklist until you record the refund made:\n{caseUrl}' },
    fr: { subject: 'Dossier {reference} : trop-perçu de {amount}', text: 'Bonjour,\n\nLe paiement {paymentId} du dossier {reference} dépasse de {amount} la somme due. Cet excédent est à rembourser : il figure dans votre liste des sommes à rembourser jusqu\'à ce que vous enregistriez le remboursement effectué :\n{caseUrl}' },
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
