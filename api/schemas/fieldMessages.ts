// What the schemas say about a field, in French and English. zod is given the English (a schema's own
// message wins over the per-parse locale): `schemaMessage` hands it over and remembers the French, which
// the French field errors take in its place (api/errors.ts). zod's own messages come from its locales.
// Field messages that no schema gives (checked against the database, per file) are here too, for `detailsIn`.
import type { Localized } from '../../workflows/definitions';

export const fieldMessages = {
  // ---- common ----
  required: () => ({ en: 'Required.', fr: 'Obligatoire.' }),
  atLeastCharacters: (p: { min: number }) => ({ en: `At least ${p.min} characters.`, fr: `${p.min} caractères au minimum.` }),
  atMostCharacters: (p: { max: number }) => ({ en: `At most ${p.max} characters.`, fr: `${p.max} caractères au maximum.` }),
  countryCodeFormat: () => ({
    en: 'Use an ISO 3166-1 alpha-2 country code in capitals, e.g. "MA" or "US".',
    fr: 'Utilisez un code pays ISO 3166-1 alpha-2 en majuscules, par exemple « MA » ou « US ».',
  }),
  countryCodeUnknown: () => ({ en: 'Unknown country code: use an ISO 3166-1 alpha-2 code.', fr: 'Code pays inconnu : utilisez un code ISO 3166-1 alpha-2.' }),
  dateFormat: () => ({ en: 'Use the YYYY-MM-DD format.', fr: 'Utilisez le format AAAA-MM-JJ.' }),
  dateNotReal: () => ({ en: 'Not a real calendar date.', fr: "Cette date n'existe pas dans le calendrier." }),
  emailInvalid: () => ({ en: 'Not a valid email address.', fr: "Ce n'est pas une adresse e-mail valide." }),
  phoneFormat: () => ({
    en: 'Use an international phone number, e.g. +212 6 12 34 56 78.',
    fr: 'Utilisez un numéro de téléphone international, par exemple +212 6 12 34 56 78.',
  }),
  wholeNumber: () => ({ en: 'A whole number.', fr: 'Un nombre entier.' }),
  atLeastOne: () => ({ en: 'At least 1.', fr: 'Au moins 1.' }),
  atMost: (p: { max: number }) => ({ en: `At most ${p.max}.`, fr: `${p.max} au maximum.` }),
  moreThanZero: () => ({ en: 'Must be more than 0.', fr: 'Doit être supérieur à 0.' }),
  tooLarge: () => ({ en: 'Too large.', fr: 'Trop grand.' }),
  wholeCents: () => ({ en: 'A whole number of cents.', fr: 'Un nombre entier de centimes.' }),

  // ---- query strings ----
  wholeNumberExample: () => ({ en: 'Use a whole number, e.g. 25.', fr: 'Utilisez un nombre entier, par exemple 25.' }),
  pageSizeMax: (p: { max: number }) => ({
    en: `At most ${p.max} items per page: page through the rest with offset.`,
    fr: `${p.max} éléments par page au maximum : parcourez la suite avec offset.`,
  }),
  /** Not a schema's message: `parseQuery` words it from the issue, in each language. */
  unknownQueryParameters: (p: { keys: readonly string[]; accepted: readonly string[] }) => ({
    en: `Unknown query parameter(s): ${p.keys.join(', ')}. Accepted: ${p.accepted.join(', ')}.`,
    fr: `Paramètre(s) de requête inconnu(s) : ${p.keys.join(', ')}. Paramètres acceptés : ${p.accepted.join(', ')}.`,
  }),
  trueOrFalse: () => ({ en: 'Use true or false.', fr: 'Utilisez true ou false.' }),
  auditCaseReference: () => ({ en: 'A case reference looks like INT-2026-000123.', fr: 'Une référence de dossier a la forme INT-2026-000123.' }),
  auditAccountId: () => ({ en: 'An account ID is a UUID, as /me answers it.', fr: "Un identifiant de compte est un UUID, tel que /me le renvoie." }),
  auditCaseOrActor: () => ({
    en: 'Give exactly one of caseId (a case reference) or actorId (an account ID).',
    fr: "Indiquez l'un des deux, et un seul : caseId (une référence de dossier) ou actorId (un identifiant de compte).",
  }),

  // ---- cases, pathway ----
  idempotencyKeyFormat: () => ({
    en: 'Idempotency-Key must be 8 to 200 printable ASCII characters without spaces (a UUID is ideal).',
    fr: 'Idempotency-Key doit compter de 8 à 200 caractères ASCII imprimables, sans espace (un UUID est idéal).',
  }),
  birthDateInFuture: () => ({ en: 'A date of birth cannot be in the future.', fr: 'Une date de naissance ne peut pas être dans le futur.' }),
  atLeastOneAnswer: () => ({ en: 'Give at least one answer.', fr: 'Donnez au moins une réponse.' }),
  unknownChecklistItem: () => ({ en: 'Unknown checklist item.', fr: 'Pièce inconnue dans la liste des pièces du dossier.' }),
  atLeastOneMissingItem: () => ({ en: 'Name at least one missing item.', fr: 'Indiquez au moins une pièce manquante.' }),
  coordinatorIdFormat: () => ({ en: 'Give the care coordinator’s account ID.', fr: "Indiquez l'identifiant du compte du coordinateur de soins." }),
  /** Checked against the accounts, not by a schema. */
  notActiveCoordinator: () => ({ en: 'Not an active care coordinator.', fr: "Ce n'est pas un coordinateur de soins actif." }),
  /** Checked against the caller's account, not by a schema. */
  requiredForReferrer: () => ({ en: 'Required for a referring doctor.', fr: 'Obligatoire pour un médecin référent.' }),

  // ---- documents ----
  languageCodeFormat: () => ({
    en: 'Use a two-letter ISO 639-1 language code in lower case, e.g. "fr", "en" or "ar".',
    fr: 'Utilisez un code de langue ISO 639-1 de deux lettres en minuscules, par exemple « fr », « en » ou « ar ».',
  }),
  languageCodeUnknown: () => ({
    en: 'Unknown language code: use a current ISO 639-1 code, e.g. "ar" for Arabic.',
    fr: "Code de langue inconnu : utilisez un code ISO 639-1 en vigueur, par exemple « ar » pour l'arabe.",
  }),
  /** A multer error, not a schema's. */
  unexpectedFileField: () => ({ en: 'Unexpected file field.', fr: 'Champ de fichier inattendu.' }),

  // ---- messages ----
  messageEmpty: () => ({ en: 'Write a message: it is empty.', fr: 'Écrivez un message : il est vide.' }),
  messageTooLong: (p: { max: number }) => ({ en: `At most ${p.max} characters: split a longer message.`, fr: `${p.max} caractères au maximum : scindez un message plus long.` }),
  emptyDocumentId: () => ({ en: 'Empty document ID.', fr: 'Identifiant de document vide.' }),
  notDocumentId: () => ({ en: 'Not a document ID.', fr: "Ce n'est pas un identifiant de document." }),
  tooManyAttachments: (p: { max: number }) => ({ en: `At most ${p.max} attachments per message.`, fr: `${p.max} pièces jointes par message au maximum.` }),
  documentListedTwice: () => ({ en: 'A document is listed twice: list each one once.', fr: 'Un document figure deux fois : citez chacun une seule fois.' }),
  /** Checked against the case's documents, not by a schema. */
  attachmentNotInCase: (p: { documentId: string; reference: string }) => ({
    en: `No document ${p.documentId} in case ${p.reference}.`,
    fr: `Aucun document ${p.documentId} dans le dossier ${p.reference}.`,
  }),

  // ---- payments, refunds ----
  paymentIdCharacters: () => ({ en: 'Use only letters, digits and _ . : -', fr: 'Utilisez uniquement des lettres, des chiffres et _ . : -' }),
  caseReferenceFormat: () => ({ en: 'Use the case reference, e.g. INT-2026-000123.', fr: 'Utilisez la référence du dossier, par exemple INT-2026-000123.' }),
  onlyEur: () => ({ en: 'Only EUR is accepted.', fr: "Seul l'euro (EUR) est accepté." }),
  dateTimeFormat: () => ({ en: 'Use an ISO 8601 date-time, e.g. 2026-03-01T10:15:00Z.', fr: 'Utilisez une date-heure ISO 8601, par exemple 2026-03-01T10:15:00Z.' }),
  paidAtInFuture: (p: { minutes: number }) => ({
    en: `paidAt is in the future: send when the payment was received (up to ${p.minutes} minutes ahead of our clock is tolerated).`,
    fr: `paidAt est dans le futur : indiquez quand le paiement a été reçu (une avance de ${p.minutes} minutes au plus sur notre horloge est tolérée).`,
  }),
  receivedInFuture: () => ({ en: 'A payment cannot be received in the future.', fr: 'Un paiement ne peut pas être reçu dans le futur.' }),

  // ---- estimates, guarantee, stay, tasks, follow-up ----
  estimateNumberFormat: () => ({
    en: 'Not an estimate number: they look like DEV-2026-000123 (see the case’s estimates).',
    fr: "Ce n'est pas un numéro de devis : il a la forme DEV-2026-000123 (voir les devis du dossier).",
  }),
  taskIdFormat: () => ({ en: 'Not a task ID: use the `id` of one of the case’s tasks.', fr: "Ce n'est pas un identifiant de tâche : utilisez l'`id` de l'une des tâches du dossier." }),
  tariffCodeFormat: () => ({ en: 'Use a tariff code from the catalogue, e.g. "proton_fraction".', fr: 'Utilisez un code tarifaire du catalogue, par exemple « proton_fraction ».' }),
  atLeastOneLine: (p: { omitted: 'standard' | 'guaranteed' }) =>
    p.omitted === 'standard'
      ? { en: "Give at least one line, or omit the field for the programme's standard lines.", fr: 'Donnez au moins une ligne, ou omettez le champ pour les lignes standard du programme.' }
      : {
          en: 'Give at least one line, or omit the field for the lines of the guaranteed estimates.',
          fr: 'Donnez au moins une ligne, ou omettez le champ pour les lignes des devis réglés ou pris en charge.',
        },
  atMostLines: (p: { max: number }) => ({ en: `At most ${p.max} lines.`, fr: `${p.max} lignes au maximum.` }),
  codeTwice: () => ({
    en: 'A code appears twice: give one line per code with the whole quantity.',
    fr: 'Un code figure deux fois : donnez une seule ligne par code, avec la quantité totale.',
  }),
  socialSecurityNumberFormat: () => ({
    en: 'Digits and spaces only (2A or 2B for Corsica), 13 to 21 characters, e.g. "2 84 12 75 123 456 87".',
    fr: 'Chiffres et espaces uniquement (2A ou 2B pour la Corse), de 13 à 21 caractères, par exemple « 2 84 12 75 123 456 87 ».',
  }),
  socialSecurityNumberInvalid: () => ({
    en: 'Not a valid French social security number: give all 15 characters as on the Carte Vitale (the last 2 are the key, and it does not match).',
    fr: "Ce n'est pas un numéro de sécurité sociale valide : indiquez les 15 caractères tels qu'ils figurent sur la carte Vitale (les 2 derniers forment la clé, et elle ne correspond pas).",
  }),
  coverageAtLeastOne: () => ({
    en: 'Give at least one of frenchSocialSecurityNumber, declaredTreatingPhysician, hasEhic.',
    fr: "Indiquez au moins l'un des champs frenchSocialSecurityNumber, declaredTreatingPhysician, hasEhic.",
  }),
  coveredCents: () => ({ en: 'Integer cents, e.g. 1250000 for €12,500.00.', fr: 'Un nombre entier de centimes, par exemple 1250000 pour 12 500,00 €.' }),
  letterDocumentId: () => ({
    en: 'Upload the letter first (POST /cases/{reference}/documents) and give its documentId.',
    fr: "Déposez d'abord la lettre (POST /cases/{reference}/documents) et indiquez son documentId.",
  }),
  arrivalAfterToday: () => ({ en: 'The arrival date must be after today.', fr: "La date d'arrivée doit être postérieure à aujourd'hui." }),
  wholeDays: () => ({ en: 'A whole number of days.', fr: 'Un nombre entier de jours.' }),
  atLeastOneDay: () => ({ en: 'At least 1 day.', fr: 'Au moins 1 jour.' }),
  atMostDays: (p: { max: number }) => ({ en: `At most ${p.max} days.`, fr: `${p.max} jours au maximum.` }),
  proofDocumentId: () => ({
    en: 'Give the documentId of the uploaded proof of relationship (or justification letter).',
    fr: 'Indiquez le documentId du justificatif de lien familial déposé (ou de la lettre de justification).',
  }),
  dateTimeWithOffset: () => ({
    en: 'Use an ISO 8601 date-time with its offset, e.g. 2026-12-03T10:30:00+01:00.',
    fr: 'Utilisez une date-heure ISO 8601 avec son décalage horaire, par exemple 2026-12-03T10:30:00+01:00.',
  }),
  followUpInFuture: () => ({ en: 'A follow-up must be in the future.', fr: 'Un rendez-vous de suivi doit être dans le futur.' }),

  // ---- rules ----
  rulesVersionFormat: () => ({ en: 'A rules version is YYYY-MM or YYYY-MM-DD, e.g. 2026-01.', fr: 'Une version des règles a la forme AAAA-MM ou AAAA-MM-JJ, par exemple 2026-01.' }),
} satisfies Record<string, (p: never) => Localized>;

export type FieldMessageKey = keyof typeof fieldMessages;

/** The French of each English message given to a schema (filled as the schemas are built). */
const frenchOf = new Map<string, string>();

/** The message to give a schema: its English, the French kept for `frenchFieldMessage`. */
export function schemaMessage(said: Localized): string {
  frenchOf.set(said.en, said.fr);
  return said.en;
}

/** The French of a schema's own message (`schemaMessage`); undefined for anything else (zod's own words). */
export function frenchFieldMessage(en: string): string | undefined {
  return frenchOf.get(en);
}
