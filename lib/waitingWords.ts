// What a case waits for, in plain words and in the reader's language: one sentence per phase for the
// patient (portal and the patient side of the API), and who acts for staff. The workflow's own
// `waitingFor` is English, for ops; people read these.
import type { AwaitingRole, Language, Localized, Phase } from '../workflows/definitions';

/** One sentence per phase, from the patient's side: what happens now and who acts. */
const PHASE_WORDS: Record<Phase, Localized> = {
  received: { en: 'We have received your request and are opening your file.', fr: 'Nous avons bien reçu votre demande et ouvrons votre dossier.' },
  file_collection: { en: 'We are waiting for you: answer the questionnaire, add your medical documents, then send your file.', fr: 'Nous attendons votre dossier : répondez au questionnaire, ajoutez vos documents médicaux, puis envoyez votre dossier.' },
  completeness_review: { en: 'The admission team is checking your file.', fr: "L'équipe d'admission vérifie votre dossier." },
  coordinator_assignment: { en: 'Your file is complete. A care coordinator is being assigned to you: they will be your contact.', fr: 'Votre dossier est complet. Un coordinateur de soins vous est attribué : il sera votre interlocuteur.' },
  contents_review: { en: 'Your care coordinator is reviewing the contents of your file.', fr: 'Votre coordinateur de soins examine le contenu de votre dossier.' },
  fee_payment: { en: 'We are waiting for the payment of the service fees: the study of your file starts once they are paid.', fr: "Nous attendons le règlement des frais de service : l'étude de votre dossier commence dès leur paiement." },
  report_pending: { en: 'Our physicians are studying your file. You will be told as soon as their report is ready.', fr: 'Nos médecins étudient votre dossier. Vous serez prévenu dès que leur compte rendu sera prêt.' },
  treatment_planning: { en: 'Our physicians propose treatment at our centre. Your care coordinator is preparing your treatment programme and its estimate.', fr: 'Nos médecins proposent un traitement dans notre centre. Votre coordinateur de soins prépare votre programme de soins et son devis.' },
  estimate_review: { en: 'Your estimate is ready: please read it, then accept or decline it.', fr: 'Votre devis est prêt : lisez-le, puis acceptez-le ou refusez-le.' },
  guarantee_pending: { en: 'Before treatment can start, the estimate must be paid in full or guaranteed by your insurer.', fr: "Avant le début du traitement, le devis doit être réglé en totalité ou pris en charge par votre assureur." },
  stay_preparation: { en: 'Your treatment is confirmed. Tell us your arrival date so that your care coordinator can organise your appointments.', fr: "Votre traitement est confirmé. Indiquez-nous votre date d'arrivée pour que votre coordinateur de soins organise vos rendez-vous." },
  awaiting_arrival: { en: 'Your stay is being prepared. We look forward to welcoming you on your arrival date.', fr: "Votre séjour se prépare. Nous vous attendons à votre date d'arrivée." },
  in_stay: { en: 'You are in your stay with us. Your care coordinator follows your care; ask us for anything you need.', fr: 'Vous êtes en séjour chez nous. Votre coordinateur de soins suit vos soins ; demandez-nous ce dont vous avez besoin.' },
  follow_up: { en: 'Your stay is over. Your final invoice is below; we remain available for your follow-up and billing questions.', fr: 'Votre séjour est terminé. Votre facture finale est ci-dessous ; nous restons disponibles pour votre suivi et vos questions de facturation.' },
  closed: { en: 'Your case is complete. You can still read its documents.', fr: 'Votre dossier est terminé. Vous pouvez toujours consulter ses documents.' },
  withdrawn: { en: 'You withdrew this request.', fr: 'Vous avez retiré cette demande.' },
  cancelled: { en: 'This case was cancelled by our team. Write to us if you have any question.', fr: "Ce dossier a été annulé par notre équipe. Écrivez-nous pour toute question." },
  abandoned: { en: 'This case was closed because we did not hear from you. Open a new case to start again.', fr: "Ce dossier a été clôturé faute de réponse de votre part. Ouvrez un nouveau dossier pour reprendre." },
  expired: { en: 'This case was closed because a payment or an answer did not arrive in time. Write to us if you wish to go on.', fr: "Ce dossier a été clôturé car un paiement ou une réponse n'est pas arrivé à temps. Écrivez-nous si vous souhaitez poursuivre." },
};

/** Where the phase's usual sentence would mislead, because someone else is the one to act. */
const ROLE_OVERRIDES: Partial<Record<Phase, Partial<Record<AwaitingRole, Localized>>>> = {
  file_collection: { admission_coordinator: { en: 'The admission team is helping with your file.', fr: "L'équipe d'admission vous aide à compléter votre dossier." } },
  guarantee_pending: { finance: { en: "Our finance team is recording your payment or your insurer's guarantee letter.", fr: "Notre service financier enregistre votre paiement ou la lettre de prise en charge de votre assureur." } },
  in_stay: { finance: { en: 'Our finance team is handling the estimate for your new treatment.', fr: 'Notre service financier traite le devis de votre nouveau traitement.' } },
};

/** What the case waits for, in plain words for the patient. */
export function waitingWords(lang: Language, phase: Phase, awaitingRole: AwaitingRole): string {
  return (ROLE_OVERRIDES[phase]?.[awaitingRole] ?? PHASE_WORDS[phase])[lang];
}

/** Who the case waits for, for staff: the role, in the reader's language. */
const ROLE_WORDS: Record<AwaitingRole, Localized> = {
  system: { en: 'Parcours is recording the case', fr: 'Parcours enregistre le dossier' },
  patient: { en: 'The patient', fr: 'Le patient' },
  admission_coordinator: { en: 'The admission team: completeness check', fr: "L'équipe d'admission : vérification de la complétude" },
  care_coordinator: { en: 'The care coordinator', fr: 'Le coordinateur de soins' },
  finance: { en: 'The financial administrator', fr: 'Le gestionnaire financier' },
  mdt: { en: 'The tumour board (MDT) report', fr: 'Le compte rendu de la réunion de concertation pluridisciplinaire (RCP)' },
  none: { en: 'Nothing: the case has ended', fr: 'Plus rien : le dossier est terminé' },
};

/** Who the case waits for, for staff, in their language. */
export const waitingRoleWords = (lang: Language, awaitingRole: AwaitingRole): string => ROLE_WORDS[awaitingRole][lang];
