// Every message the API answers with, by key, in French and English: the error handler picks the
// caller's language. A key is usually the error code; a code with several messages has one key each.
// `test/languages.test.ts` renders every entry in both languages and fails on a word of the other.
// Also here, for the same walk: `invalidInput` (the sentence of a 400 `validation_failed`, by what was
// invalid) and `fieldMessages` (what is said about one field, in `details`).
import { documentKindLabel } from '../config/documentKinds';
import type { TaskTeam } from '../config/stay';
import type { Localized } from '../workflows/definitions';
import { TEAMS } from '../workflows/refusals';
import type { StaffRole } from './policy';

export { fieldMessages } from './schemas/fieldMessages';

/** `1.5 MiB`, `1,5 Mio`: a size limit in words. */
const mebibytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** What a rate limit counts, in words (api/rateLimits.ts). */
const RATE_LIMITED: Record<RateLimited, Localized> = {
  'sign-in or account': { en: 'sign-in or account', fr: 'de connexion ou de compte' },
  upload: { en: 'upload', fr: "d'envoi de fichiers" },
};
export type RateLimited = 'sign-in or account' | 'upload';

/** A staff role as the worklists' refusals name it: in words, never its code. */
const ROLES: Record<StaffRole, Localized> = {
  admission_coordinator: { en: 'admission coordinator', fr: "coordinateur d'admission" },
  care_coordinator: { en: 'care coordinator', fr: 'coordinateur de soins' },
  finance: { en: 'finance', fr: 'service financier' },
  mdt: { en: 'tumour board (MDT)', fr: 'RCP' },
  medical_assistant: { en: 'medical assistant', fr: 'assistant médical' },
  support: { en: 'patient support', fr: 'accueil et logistique' },
  ops: { en: 'operations', fr: 'exploitation' },
};

const roleNamed = (role: string, lang: keyof Localized) => (Object.hasOwn(ROLES, role) ? ROLES[role as StaffRole][lang] : role);

/** Without its final full stop, to go on with the sentence. */
const clause = (text: string) => text.replace(/\.\s*$/, '');

export const errorMessages = {
  // ---- the request itself ----
  malformed_json: () => ({ en: 'The request body is not valid JSON.', fr: "Le corps de la requête n'est pas du JSON valide." }),
  payload_too_large: () => ({ en: 'The request body is too large.', fr: 'Le corps de la requête est trop volumineux.' }),
  unsupported_encoding: () => ({ en: 'The request body encoding is not supported.', fr: "L'encodage du corps de la requête n'est pas pris en charge." }),
  unsupported_charset: () => ({ en: 'The request body charset is not supported; use UTF-8.', fr: "Le jeu de caractères du corps de la requête n'est pas pris en charge : utilisez UTF-8." }),
  request_aborted: () => ({ en: 'The request was aborted by the client.', fr: 'La requête a été interrompue par le client.' }),
  internal_error: () => ({ en: 'Something went wrong on our side; the request ID identifies it in our logs.', fr: "Une erreur s'est produite de notre côté ; l'identifiant de la requête permet de la retrouver dans nos journaux." }),
  no_route: (p: { method: string; path: string }) => ({ en: `No route for ${p.method} ${p.path}.`, fr: `Aucune route pour ${p.method} ${p.path}.` }),
  unsupported_media_type_json: () => ({ en: 'Send the body as JSON with Content-Type: application/json.', fr: 'Envoyez le corps de la requête en JSON avec Content-Type: application/json.' }),
  rate_limited: (p: { what: RateLimited }) => ({
    en: `Too many ${RATE_LIMITED[p.what].en} requests: wait a few minutes and try again.`,
    fr: `Trop de demandes ${RATE_LIMITED[p.what].fr} : patientez quelques minutes, puis réessayez.`,
  }),
  dependency_unavailable: () => ({ en: 'The database or the workflow service is not reachable.', fr: 'La base de données ou le service des workflows est injoignable.' }),

  // ---- accounts and sign-in ----
  invalid_link: () => ({ en: 'This link is invalid, expired or already used: ask for a new one.', fr: 'Ce lien est invalide, expiré ou déjà utilisé : demandez-en un nouveau.' }),
  email_unavailable: () => ({
    en: 'Your request is saved, but the email could not be sent just now: ask for a new link in a few minutes.',
    fr: "Votre demande est enregistrée, mais l'e-mail n'a pas pu être envoyé pour l'instant : demandez un nouveau lien dans quelques minutes.",
  }),
  invalid_credentials: () => ({ en: 'Wrong email or password.', fr: 'Adresse e-mail ou mot de passe incorrect.' }),
  email_not_verified_sign_in: () => ({
    en: 'Confirm your email address first: open the link we sent you, or ask for a new one.',
    fr: "Confirmez d'abord votre adresse e-mail : ouvrez le lien que nous vous avons envoyé, ou demandez-en un nouveau.",
  }),
  email_not_verified_open_case: () => ({ en: 'Confirm your email address before opening a case.', fr: "Confirmez votre adresse e-mail avant d'ouvrir un dossier." }),
  invalid_refresh_token: () => ({
    en: 'This refresh token is invalid, expired or already used: sign in again.',
    fr: 'Ce jeton de renouvellement (refresh token) est invalide, expiré ou déjà utilisé : reconnectez-vous.',
  }),
  account_exists: (p: { email: string }) => ({ en: `An account already exists for ${p.email}.`, fr: `Un compte existe déjà pour ${p.email}.` }),
  invalid_token: () => ({
    en: 'The access token is invalid or expired: sign in again or use your refresh token.',
    fr: "Le jeton d'accès est invalide ou expiré : reconnectez-vous ou utilisez votre jeton de renouvellement (refresh token).",
  }),
  unauthenticated: () => ({ en: 'Sign in first: send Authorization: Bearer <access token>.', fr: "Connectez-vous d'abord : envoyez Authorization: Bearer <jeton d'accès>." }),
  forbidden_role: (p: { role: string; action: string }) => ({ en: `Your role (${roleNamed(p.role, 'en')}) may not do this (${p.action}).`, fr: `Votre rôle (${roleNamed(p.role, 'fr')}) ne permet pas cette action (${p.action}).` }),
  forbidden_patient_side: (p: { action: string }) => ({
    en: `This is not something the patient side can do (${p.action}).`,
    fr: `Cette action n'est pas possible côté patient (${p.action}).`,
  }),
  // Answers (202) that say nothing of whether the address has an account.
  register_accepted: () => ({
    en: 'If this address can be registered, a confirmation link is on its way.',
    fr: "Si cette adresse peut être inscrite, un lien de confirmation est en cours d'envoi.",
  }),
  verification_resend_accepted: () => ({
    en: 'If this address has an unconfirmed account, a new link is on its way.',
    fr: "Si cette adresse correspond à un compte non confirmé, un nouveau lien est en cours d'envoi.",
  }),
  password_link_accepted: () => ({
    en: 'If this address has an account, a link to set a new password is on its way.',
    fr: "Si cette adresse correspond à un compte, un lien pour définir un nouveau mot de passe est en cours d'envoi.",
  }),

  // ---- cases ----
  case_not_found: (p: { reference: string }) => ({
    en: `No case ${p.reference} among yours: check the reference (it looks like INT-2026-000123).`,
    fr: `Aucun dossier ${p.reference} parmi les vôtres : vérifiez la référence (elle a la forme INT-2026-000123).`,
  }),
  case_not_started: (p: { reference: string }) => ({
    en: `Case ${p.reference} has not started yet; nothing was changed. Retry in a moment; if this persists, send the same POST /cases again (same Idempotency-Key) to start it.`,
    fr: `Le dossier ${p.reference} n'a pas encore démarré ; rien n'a été modifié. Réessayez dans un instant ; si cela persiste, renvoyez le même POST /cases (même Idempotency-Key) pour le démarrer.`,
  }),
  no_free_reference: (p: { attempts: number }) => ({
    en: `No free case reference was found after ${p.attempts} tries (the reference counter is behind the workflows already started, as after a database restore); nothing was opened. Retry in a few minutes; if it persists, tell the Parcours operations team.`,
    fr: `Aucune référence de dossier libre n'a été trouvée après ${p.attempts} essais (le compteur de références est en retard sur les workflows déjà démarrés, comme après une restauration de la base de données) ; aucun dossier n'a été ouvert. Réessayez dans quelques minutes ; si cela persiste, prévenez l'équipe d'exploitation de Parcours.`,
  }),
  idempotency_key_reused_case: () => ({
    en: 'This Idempotency-Key was already used for a different case; use a new key for a new case.',
    fr: 'Cette Idempotency-Key a déjà servi pour un autre dossier ; utilisez une nouvelle clé pour un nouveau dossier.',
  }),
  referrer_details_required: () => ({ en: 'A referring doctor opening a case gives their own details.', fr: 'Un médecin référent qui ouvre un dossier indique ses propres coordonnées.' }),
  duplicate_request: (p: { reference: string }) => ({ en: `This request was already received as case ${p.reference}.`, fr: `Cette demande a déjà été reçue : c'est le dossier ${p.reference}.` }),
  case_unavailable_no_state: (p: { reference: string }) => ({
    en: `Case ${p.reference} has no recorded state yet (an ops rebuild of the read model is pending): try again later.`,
    fr: `Le dossier ${p.reference} n'a pas encore d'état enregistré (une reconstruction du modèle de lecture par l'exploitation est en attente) : réessayez plus tard.`,
  }),
  export_too_large: () => ({
    en: 'Your data is too large for one archive: ask the international patients office for a copy.',
    fr: "Vos données sont trop volumineuses pour une seule archive : demandez-en une copie au service des patients internationaux.",
  }),
  case_closed_nothing_to_cancel: (p: { reference: string; phase: string }) => ({
    en: `Case ${p.reference} has already ended (${p.phase}): there is nothing to cancel.`,
    fr: `Le dossier ${p.reference} est déjà terminé (${p.phase}) : il n'y a rien à annuler.`,
  }),
  case_no_running_workflow: (p: { reference: string }) => ({ en: `Case ${p.reference} has no running workflow.`, fr: `Le dossier ${p.reference} n'a pas de workflow en cours.` }),

  // ---- pathway steps ----
  case_closed_ended: (p: { reference: string; phase: string }) => ({
    en: `Case ${p.reference} has ended (${p.phase}): nothing more can be done on it.`,
    fr: `Le dossier ${p.reference} est terminé (${p.phase}) : plus rien ne peut y être fait.`,
  }),
  case_closed_just_ended: (p: { reference: string }) => ({
    en: `Case ${p.reference} has ended: nothing more can be done on it.`,
    fr: `Le dossier ${p.reference} est terminé : plus rien ne peut y être fait.`,
  }),
  coordinator_not_active: () => ({
    en: 'coordinatorId must be the account ID of an active care coordinator.',
    fr: "coordinatorId doit être l'identifiant du compte d'un coordinateur de soins actif.",
  }),

  // ---- documents ----
  case_closed_no_documents: (p: { reference: string; phase: string }) => ({
    en: `Case ${p.reference} is closed (${p.phase}): it takes no more documents.`,
    fr: `Le dossier ${p.reference} est clos (${p.phase}) : il n'accepte plus de documents.`,
  }),
  unsupported_media_type_multipart: () => ({
    en: 'Send the files as multipart/form-data: fields kind and language, files in the field "files".',
    fr: 'Envoyez les fichiers en multipart/form-data : champs kind et language, fichiers dans le champ « files ».',
  }),
  file_too_large: (p: { fileName?: string; maxBytes: number }) => ({
    en: `${p.fileName === undefined ? 'A file' : `"${p.fileName}"`} is larger than the limit of ${p.maxBytes} bytes (${mebibytes(p.maxBytes)} MiB): nothing was stored. Send a smaller file, or split the series.`,
    fr: `${p.fileName === undefined ? 'Un fichier' : `« ${p.fileName} »`} dépasse la limite de ${p.maxBytes} octets (${String(mebibytes(p.maxBytes)).replace('.', ',')} Mio) : rien n'a été enregistré. Envoyez un fichier plus petit, ou scindez la série.`,
  }),
  too_many_files: (p: { maxFiles: number }) => ({
    en: `At most ${p.maxFiles} files per request: nothing was stored. Send the rest in another request.`,
    fr: `${p.maxFiles} fichiers par requête au maximum : rien n'a été enregistré. Envoyez les autres dans une autre requête.`,
  }),
  unexpected_file_field: (p: { field: string }) => ({
    en: `Files go in the form field "files" (got "${p.field}"): nothing was stored.`,
    fr: `Les fichiers vont dans le champ de formulaire « files » (reçu : « ${p.field} ») : rien n'a été enregistré.`,
  }),
  /** `detail`: multer's own words (English), `code` its code (LIMIT_PART_COUNT…), for the French. */
  malformed_multipart_form: (p: { detail: string; code: string }) => ({
    en: `The multipart form is not acceptable (${p.detail}): send only the fields kind and language and the files.`,
    fr: `Le formulaire multipart n'est pas acceptable (${p.code}) : envoyez uniquement les champs kind et language, et les fichiers.`,
  }),
  /** `detail`: the parser's own words (English), left out of the French. */
  malformed_multipart_body: (p: { detail?: string }) => ({
    en: `The request body is not a valid multipart/form-data form (${p.detail ?? 'unreadable'}).`,
    fr: "Le corps de la requête n'est pas un formulaire multipart/form-data valide.",
  }),
  no_file_received: () => ({
    en: 'No file received: attach one or more files in the form field "files".',
    fr: 'Aucun fichier reçu : joignez un ou plusieurs fichiers dans le champ de formulaire « files ».',
  }),
  files_refused: (p: { refused: number; total: number }) => ({
    en: `${p.refused} of ${p.total} file(s) refused, so nothing was stored: send PDF, JPEG, PNG or DICOM files (see details).`,
    fr: `${p.refused} fichier(s) sur ${p.total} refusé(s), donc rien n'a été enregistré : envoyez des fichiers PDF, JPEG, PNG ou DICOM (voir le détail).`,
  }),
  documents_no_running_workflow: (p: { reference: string }) => ({
    en: `Case ${p.reference} has no running workflow (it may just have closed): nothing was stored.`,
    fr: `Le dossier ${p.reference} n'a pas de workflow en cours (il vient peut-être d'être clos) : rien n'a été enregistré.`,
  }),
  documents_partly_stored: (p: { stored: number }) => ({
    en: `The case workflow could not be told of every document: the first ${p.stored} were stored (details.stored), the others were not; send only those again.`,
    fr: `Le workflow du dossier n'a pas pu être informé de tous les documents : les ${p.stored} premiers ont été enregistrés (details.stored), les autres non ; renvoyez seulement ces derniers.`,
  }),
  document_not_found: (p: { documentId: string; reference: string }) => ({
    en: `No document ${p.documentId} in case ${p.reference}: list them with GET /cases/${p.reference}/documents.`,
    fr: `Aucun document ${p.documentId} dans le dossier ${p.reference} : listez-les avec GET /cases/${p.reference}/documents.`,
  }),
  // Why one file is refused (each file's `reason` in the details of `unsupported_file_type`).
  file_empty: () => ({ en: 'The file is empty.', fr: 'Le fichier est vide.' }),
  file_type_unknown: () => ({
    en: 'The content is not a PDF, JPEG, PNG or DICOM file (the file name and declared type are not trusted): send the document in one of these formats.',
    fr: "Le contenu n'est pas un fichier PDF, JPEG, PNG ou DICOM (le nom du fichier et le type déclaré ne font pas foi) : envoyez le document dans l'un de ces formats.",
  }),
  file_executable_preamble: (p: { executable: Localized }) => ({
    en: `The DICOM preamble holds a ${p.executable.en} header, so the file could run as a program (CVE-2019-11687): export the images again with an empty preamble.`,
    fr: `Le préambule DICOM contient un en-tête de ${p.executable.fr}, le fichier pourrait donc s'exécuter comme un programme (CVE-2019-11687) : exportez à nouveau les images avec un préambule vide.`,
  }),
  file_wrong_type_for_kind: (p: { kind: string; label: Localized; wanted: readonly string[]; got: string }) => ({
    en: `${p.label.en} must be ${p.wanted.join(' or ')} files, and this one is ${p.got}: send the ${p.wanted.join(' or ')} export, or upload this file under the kind it is (e.g. "${documentKindLabel('imaging_report', 'en')}").`,
    fr: `« ${p.label.fr} » n'accepte que des fichiers ${p.wanted.join(' ou ')}, or celui-ci est un fichier ${p.got} : envoyez l'export ${p.wanted.join(' ou ')}, ou déposez ce fichier sous le type qui lui correspond (par exemple « ${documentKindLabel('imaging_report', 'fr')} »).`,
  }),

  // ---- messages ----
  case_closed_no_messages: (p: { reference: string; phase: string; officeEmail: string; officePhone: string }) => ({
    en: `Case ${p.reference} is closed (${p.phase}): no new messages can be posted. Write to the international patients office at ${p.officeEmail} or call ${p.officePhone}.`,
    fr: `Le dossier ${p.reference} est clos (${p.phase}) : aucun nouveau message ne peut y être publié. Écrivez au service d'accueil des patients internationaux à ${p.officeEmail} ou appelez le ${p.officePhone}.`,
  }),
  attachment_not_in_case: (p: { documentId: string; reference: string }) => ({
    en: `Attachment ${p.documentId} is not a document of case ${p.reference}: upload it to this case first, then attach its ID.`,
    fr: `La pièce jointe ${p.documentId} n'est pas un document du dossier ${p.reference} : déposez-la d'abord dans ce dossier, puis joignez son identifiant.`,
  }),
  idempotency_key_reused_message: () => ({
    en: 'This Idempotency-Key was already used for another message on this case: use a new key for a new message.',
    fr: 'Cette Idempotency-Key a déjà servi pour un autre message de ce dossier : utilisez une nouvelle clé pour un nouveau message.',
  }),
  messages_no_running_workflow: (p: { reference: string }) => ({
    en: `Case ${p.reference} has no running workflow yet: nothing was stored, retry in a moment.`,
    fr: `Le dossier ${p.reference} n'a pas encore de workflow en cours : rien n'a été enregistré, réessayez dans un instant.`,
  }),
  message_not_found: (p: { messageId: string; reference: string }) => ({
    en: `No message ${p.messageId} in case ${p.reference}: list the case's messages for their IDs.`,
    fr: `Aucun message ${p.messageId} dans le dossier ${p.reference} : listez les messages du dossier pour connaître leurs identifiants.`,
  }),

  // ---- payments ----
  unsupported_media_type_notification: () => ({ en: 'Send the notification as JSON with Content-Type: application/json.', fr: 'Envoyez la notification en JSON avec Content-Type: application/json.' }),
  stale_timestamp: () => ({
    en: 'Parcours-Timestamp is more than 5 minutes from our clock: sign each delivery (and each retry) with the current time.',
    fr: "Parcours-Timestamp s'écarte de plus de 5 minutes de notre horloge : signez chaque envoi (et chaque nouvel essai) avec l'heure actuelle.",
  }),
  invalid_signature: () => ({
    en: 'Parcours-Signature does not match: send Parcours-Timestamp and Parcours-Signature: v1=<64 lower-case hex digits of HMAC-SHA256(secret, "<timestamp>.<raw body>")>.',
    fr: 'Parcours-Signature ne correspond pas : envoyez Parcours-Timestamp et Parcours-Signature: v1=<64 chiffres hexadécimaux en minuscules de HMAC-SHA256(secret, "<timestamp>.<corps brut>")>.',
  }),
  unknown_case: (p: { reference: string }) => ({
    en: `No case ${p.reference}: check the reference the payer gave. Nothing was recorded.`,
    fr: `Aucun dossier ${p.reference} : vérifiez la référence indiquée par le payeur. Rien n'a été enregistré.`,
  }),
  workflow_service_unavailable_delivery: () => ({
    en: 'The workflow service is unavailable; nothing was recorded. Retry the delivery later.',
    fr: "Le service des workflows est indisponible ; rien n'a été enregistré. Renvoyez la notification plus tard.",
  }),
  /** The end of a 503 saying nothing was recorded (api/temporalErrors.ts `ensureWorkflowEnded`). */
  retry_delivery_later: () => ({ en: 'Retry the delivery later.', fr: 'Renvoyez la notification plus tard.' }),
  /** `message`: the case's refusal as it said it (English); `said`: its words in both languages, when it gave them. */
  payment_refused: (p: { message: string; said?: Localized }) => ({
    en: `The case refused the payment: ${p.message}. Nothing was recorded.`,
    fr: p.said ? `Le dossier a refusé le paiement : ${clause(p.said.fr)}. Rien n'a été enregistré.` : "Le dossier a refusé le paiement dans son état actuel. Rien n'a été enregistré.",
  }),
  purpose_names_other_case: (p: { number: string; reference: string }) => ({
    en: `The purpose names ${p.number}, which was issued for another case, not ${p.reference}: nothing was recorded. Check the case reference and the purpose the payer gave.`,
    fr: `Le motif cite ${p.number}, émis pour un autre dossier que ${p.reference} : rien n'a été enregistré. Vérifiez la référence du dossier et le motif indiqués par le payeur.`,
  }),
  payment_id_conflict: (p: { paymentId: string }) => ({
    en: `Payment ${p.paymentId} was already received with another case, amount or currency; nothing changed. Use a new paymentId for a new payment.`,
    fr: `Le paiement ${p.paymentId} a déjà été reçu avec un autre dossier, un autre montant ou une autre devise ; rien n'a changé. Utilisez un nouveau paymentId pour un nouveau paiement.`,
  }),

  // ---- refunds ----
  /** The end of a 503 saying nothing was recorded (api/temporalErrors.ts `ensureWorkflowEnded`). */
  retry_later: () => ({ en: 'Retry later.', fr: 'Réessayez plus tard.' }),
  refund_id_conflict: (p: { under: 'idempotency_key' | 'method_and_reference' }) => ({
    en: `A refund of another amount or method was already recorded under this ${p.under === 'idempotency_key' ? 'Idempotency-Key' : 'method and reference'}; nothing changed. Give the new refund its own reference or key.`,
    fr: `Un remboursement d'un autre montant ou par un autre moyen a déjà été enregistré sous ${p.under === 'idempotency_key' ? 'cette Idempotency-Key' : 'ce moyen et cette référence'} ; rien n'a changé. Donnez au nouveau remboursement sa propre référence ou sa propre clé.`,
  }),
  nothing_owed: (p: { reference: string }) => ({
    en: `Nothing is owed back on case ${p.reference}: no refund to record.`,
    fr: `Rien n'est dû au patient sur le dossier ${p.reference} : aucun remboursement à enregistrer.`,
  }),

  // ---- rules ----
  rules_version_not_found: (p: { version: string }) => ({
    en: `No rules version ${p.version}: GET /rules lists the published versions.`,
    fr: `Aucune version des règles ${p.version} : GET /rules liste les versions publiées.`,
  }),

  // ---- worklists (each also the message of its field, awaitingRole or team) ----
  worklist_other_role: (p: { awaited: StaffRole }) => ({
    en: `Your worklist holds the cases waiting on the ${ROLES[p.awaited].en} role; only ops can list cases waiting on another role. Omit awaitingRole.`,
    fr: `Votre liste de travail contient les dossiers qui attendent le rôle « ${ROLES[p.awaited].fr} » ; seuls les ops peuvent lister les dossiers qui attendent un autre rôle. Retirez awaitingRole.`,
  }),
  worklist_role_awaited_by_none: (p: { role: StaffRole }) => ({
    en: `Nothing waits on your role (${ROLES[p.role].en}) yet; only ops can list cases by awaitingRole. Omit awaitingRole.`,
    fr: `Rien n'attend encore votre rôle (« ${ROLES[p.role].fr} ») ; seuls les ops peuvent lister les dossiers par awaitingRole. Retirez awaitingRole.`,
  }),
  // The French names no parameter: its name is an English word (the field error's path gives it).
  tasks_other_team: (p: { team: TaskTeam }) => ({
    en: `Your task list holds the ${TEAMS[p.team].en} team's tasks; only ops can list another team's. Omit team.`,
    fr: `Votre liste de tâches contient les tâches de l'équipe ${TEAMS[p.team].fr} ; seuls les ops peuvent lister celles d'une autre équipe. Retirez ce paramètre.`,
  }),
  tasks_role_without_team: (p: { role: StaffRole }) => ({
    en: `No patient request becomes a task for your role (${ROLES[p.role].en}); only ops can list tasks by team. Omit team.`,
    fr: `Aucune demande de patient ne devient une tâche pour votre rôle (« ${ROLES[p.role].fr} ») ; seuls les ops peuvent lister les tâches par équipe. Retirez ce paramètre.`,
  }),
} satisfies Record<string, (p: never) => Localized>;

export type ErrorMessageKey = keyof typeof errorMessages;

/**
 * The sentence of a 400 `validation_failed`, by what was invalid (`parseOr400`'s `what`): a whole
 * sentence each, since the French article and agreement depend on the word.
 */
export const invalidInput = {
  case: { en: 'The case is invalid: see details for each field.', fr: 'Le dossier est invalide : voir le détail de chaque champ.' },
  cancellation: { en: 'The cancellation is invalid: see details for each field.', fr: "L'annulation est invalide : voir le détail de chaque champ." },
  request: { en: 'The request is invalid: see details for each field.', fr: 'La demande est invalide : voir le détail de chaque champ.' },
  path: { en: 'The path is invalid: see details for each field.', fr: 'Le chemin est invalide : voir le détail de chaque champ.' },
  'Idempotency-Key header': { en: 'The Idempotency-Key header is invalid: see details for each field.', fr: "L'en-tête Idempotency-Key est invalide : voir le détail de chaque champ." },
  registration: { en: 'The registration is invalid: see details for each field.', fr: "L'inscription est invalide : voir le détail de chaque champ." },
  link: { en: 'The link is invalid: see details for each field.', fr: 'Le lien est invalide : voir le détail de chaque champ.' },
  'sign-in': { en: 'The sign-in is invalid: see details for each field.', fr: 'La demande de connexion est invalide : voir le détail de chaque champ.' },
  'upload form': { en: 'The upload form is invalid: see details for each field.', fr: "Le formulaire d'envoi est invalide : voir le détail de chaque champ." },
  message: { en: 'The message is invalid: see details for each field.', fr: 'Le message est invalide : voir le détail de chaque champ.' },
  'payment notification': { en: 'The payment notification is invalid: see details for each field.', fr: 'La notification de paiement est invalide : voir le détail de chaque champ.' },
  payment: { en: 'The payment is invalid: see details for each field.', fr: 'Le paiement est invalide : voir le détail de chaque champ.' },
  refund: { en: 'The refund is invalid: see details for each field.', fr: 'Le remboursement est invalide : voir le détail de chaque champ.' },
  'rules version': { en: 'The rules version is invalid: see details for each field.', fr: 'La version des règles est invalide : voir le détail de chaque champ.' },
  payloads: { en: 'The payloads are invalid: see details for each field.', fr: 'Les données transmises sont invalides : voir le détail de chaque champ.' },
  /** `parseQuery`'s. */
  'query string': { en: 'The query string is invalid: see details for each parameter.', fr: 'La chaîne de requête est invalide : voir le détail de chaque paramètre.' },
} satisfies Record<string, Localized>;

export type InvalidInput = keyof typeof invalidInput;
