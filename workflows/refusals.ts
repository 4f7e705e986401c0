// What a case says when it refuses an update, in French and English: the validators throw these
// through `fail`, the API answers in the caller's language. The English is what ops read in the
// Temporal UI. `test/languages.test.ts` renders every entry in both languages.
import type { StayPart, TaskTeam } from '../config/stay';
import type { DocumentKindId } from '../config/documentKinds';
import type { EstimateState, Localized, Phase, RefundMethod, RequestType } from './definitions';
import { PHASE_NAMES } from './phaseNames';
import { formatEur, formatEuros } from './pricing';

/** What someone tried to do, as the end of "Cannot … now". */
export const ACTIONS = {
  answerQuestionnaire: { en: 'answer the questionnaire', fr: 'répondre au questionnaire' },
  changeChecklist: { en: 'change the checklist', fr: 'modifier la liste des pièces' },
  submitFile: { en: 'submit the file', fr: 'envoyer le dossier' },
  reviewCompleteness: { en: 'review completeness', fr: 'vérifier la complétude du dossier' },
  assignCoordinator: { en: 'assign a coordinator', fr: 'désigner un coordinateur de soins' },
  approveContents: { en: 'approve the contents', fr: 'valider le contenu du dossier' },
  requestChanges: { en: 'request changes', fr: 'demander des compléments' },
  submitReport: { en: 'submit a report', fr: 'remettre un compte rendu' },
  withdraw: { en: 'withdraw', fr: 'retirer la demande' },
  openFile: { en: 'open the file', fr: 'ouvrir le dossier' },
  declareInsurance: { en: 'declare your insurance', fr: 'déclarer votre assurance' },
  issueEstimate: { en: 'issue an estimate', fr: 'établir un devis' },
  acceptEstimate: { en: 'accept an estimate', fr: 'accepter un devis' },
  declineEstimate: { en: 'decline an estimate', fr: 'refuser un devis' },
  recordInsurerLetter: { en: 'record an insurer letter', fr: 'enregistrer une lettre de prise en charge' },
  setArrival: { en: 'set the arrival date', fr: "fixer la date d'arrivée" },
  addCompanion: { en: 'add a companion', fr: 'ajouter un accompagnant' },
  recordArrival: { en: 'record the arrival', fr: "enregistrer l'arrivée" },
  makeRequest: { en: 'make a request', fr: 'faire une demande' },
  completeTask: { en: 'complete a task', fr: 'terminer une tâche' },
  startTreatment: { en: 'start a treatment', fr: 'commencer un traitement' },
  recordDischarge: { en: 'record the discharge', fr: 'enregistrer la sortie' },
  scheduleFollowUp: { en: 'schedule a follow-up', fr: 'programmer un rendez-vous de suivi' },
  recordRefund: { en: 'record a refund', fr: 'enregistrer un remboursement' },
  cancelCase: { en: 'cancel the case', fr: 'annuler le dossier' },
  recordPayment: { en: 'record a payment', fr: 'enregistrer un paiement' },
} satisfies Record<string, Localized>;
export type ActionName = keyof typeof ACTIONS;

/** "de" before a French infinitive, elided before a vowel or a mute h. */
const de = (fr: string) => (/^[aeéèêiîoôuh]/i.test(fr) ? `d'${fr}` : `de ${fr}`);
const quoted = (phase: Phase) => `« ${PHASE_NAMES[phase].fr} »`;
const list = (items: readonly string[]) => items.join(', ');
/** Checklist items by their labels in one language (the details of the refusal keep their ids). */
const labels = (items: readonly Localized[], lang: keyof Localized) => list(items.map((i) => i[lang]));

/** A task team as the object of "the … team" / « l'équipe … ». */
export const TEAMS: Record<TaskTeam, Localized> = {
  support: { en: 'patient support', fr: "de l'accueil" },
  medical_assistant: { en: 'medical assistants', fr: 'des assistants médicaux' },
  care_coordinator: { en: 'care coordinators', fr: 'des coordinateurs de soins' },
  finance: { en: 'finance', fr: 'du service financier' },
};

/** How money was returned, in words (the API's schema lists the codes it takes). */
const REFUND_METHOD_WORDS: Record<RefundMethod, Localized> = {
  bank_transfer: { en: 'bank transfer', fr: 'virement' },
  card: { en: 'card', fr: 'carte' },
  cheque: { en: 'cheque', fr: 'chèque' },
  cash: { en: 'cash', fr: 'espèces' },
};
const REQUEST_TYPE_WORDS: Record<RequestType, Localized> = {
  medical_opinion: { en: 'medical opinion', fr: 'avis médical' },
  sample_analysis: { en: 'sample analysis', fr: "analyse d'échantillons" },
  treatment: { en: 'treatment', fr: 'traitement' },
  proton_therapy: { en: 'proton therapy', fr: 'protonthérapie' },
};
/**
 * The documents a refusal asks for, as a sentence names them (workflow code reads no live config, so
 * not config/documentKinds' labels); a kind not listed is named by its id.
 */
const KIND_WORDS: Partial<Record<DocumentKindId, Localized>> = {
  insurer_guarantee_letter: { en: "the insurer's guarantee letter", fr: "la lettre de garantie de l'assureur" },
  s2_form: { en: 'the S2 form', fr: 'le formulaire S2' },
  proof_of_relationship: { en: 'a proof of the family relationship', fr: 'un justificatif du lien de parenté' },
  companion_justification_letter: { en: "a letter justifying the companion's presence", fr: "une lettre justifiant la présence de l'accompagnant" },
};
const kindNamed = (kind: string, lang: keyof Localized) => KIND_WORDS[kind as DocumentKindId]?.[lang] ?? kind;
const STAY_PARTS_EN: Record<StayPart, string> = { before_arrival: 'before the arrival', stay: 'during the stay', after_stay: 'after the stay' };

export const refusals = {
  // ---- phases and roles ----
  wrongPhase: (p: { action: ActionName; phase: Phase; allowed: readonly Phase[] }) => ({
    en: `Cannot ${ACTIONS[p.action].en} now: the case is at the step "${PHASE_NAMES[p.phase].en}" (possible at: ${list(p.allowed.map((a) => `"${PHASE_NAMES[a].en}"`))}).`,
    fr: `Impossible ${de(ACTIONS[p.action].fr)} maintenant : le dossier est à l'étape ${quoted(p.phase)}, où cette action n'est pas possible.`,
  }),
  caseEnded: (p: { action: ActionName; phase: Phase }) => ({
    en: `Cannot ${ACTIONS[p.action].en}: the case has ended ("${PHASE_NAMES[p.phase].en}").`,
    fr: `Impossible ${de(ACTIONS[p.action].fr)} : le dossier est terminé (${quoted(p.phase)}).`,
  }),
  decisionBeingApplied: (p: { action: ActionName }) => ({
    en: `Cannot ${ACTIONS[p.action].en}: a decision was just taken and is being applied.`,
    fr: `Impossible ${de(ACTIONS[p.action].fr)} : une décision vient d'être prise et est en cours d'application.`,
  }),
  coordinatorOnly: (p: { action: ActionName }) => ({
    en: `Only the case's care coordinator may ${ACTIONS[p.action].en}; ask them, or have the case reassigned to you.`,
    fr: `Seul le coordinateur de soins du dossier peut ${ACTIONS[p.action].fr} : demandez-le-lui, ou faites-vous réattribuer le dossier.`,
  }),

  // ---- the file ----
  cannotDeclareNone: (p: { itemId: string; item?: Localized; allowed: readonly Localized[] }) => ({
    en: `${p.item ? `"${p.item.en}"` : `Item '${p.itemId}'`} cannot be declared "none"; only: ${labels(p.allowed, 'en')}.`,
    fr: `La pièce « ${p.item?.fr ?? p.itemId} » ne peut pas être déclarée « aucune » ; seulement : ${labels(p.allowed, 'fr')}.`,
  }),
  fileNotComplete: (p: { missing: readonly Localized[] }) => ({
    en: `The file cannot be complete: ${p.missing.length} required item(s) missing (${labels(p.missing, 'en')}).`,
    fr: `Le dossier ne peut pas être complet : ${p.missing.length} pièce(s) obligatoire(s) manquante(s) (${labels(p.missing, 'fr')}).`,
  }),
  nameMissingItems: (p: { known: readonly Localized[] }) => ({
    en: `Name the missing items among this request's checklist: ${labels(p.known, 'en')}.`,
    fr: `Nommez les pièces manquantes parmi la liste de cette demande : ${labels(p.known, 'fr')}.`,
  }),
  itemsMissingRequestChanges: (p: { missing: readonly Localized[] }) => ({
    en: `Items are missing (${labels(p.missing, 'en')}): request changes instead.`,
    fr: `Des pièces manquent (${labels(p.missing, 'fr')}) : demandez plutôt des compléments.`,
  }),
  wrongReportKind: (p: { requestType: RequestType; expected: 'mdt' | 'analysis' }) => ({
    en: `A ${REQUEST_TYPE_WORDS[p.requestType].en} case takes ${p.expected === 'mdt' ? 'an MDT report with a strategy' : 'an analysis report with a diagnosis'}.`,
    fr: `Ce type de demande attend ${p.expected === 'mdt' ? 'un compte rendu de RCP avec une stratégie' : "un compte rendu d'analyse avec un diagnostic"}.`,
  }),

  // ---- refunds ----
  refundAmountInvalid: () => ({ en: 'amountCents must be a positive whole number of cents.', fr: 'amountCents doit être un nombre entier positif de centimes.' }),
  refundMethodInvalid: (p: { methods: readonly RefundMethod[] }) => ({
    en: `The refund method must be one of: ${list(p.methods.map((m) => REFUND_METHOD_WORDS[m].en))}.`,
    fr: `Le mode de remboursement doit être l'un de ceux-ci : ${list(p.methods.map((m) => REFUND_METHOD_WORDS[m].fr))}.`,
  }),
  refundReferenceMissing: () => ({
    en: 'reference must name the refund (the bank or card reference).',
    fr: 'reference doit identifier le remboursement (la référence bancaire ou de carte).',
  }),
  nothingOwed: () => ({ en: 'Nothing is owed back on this case: no refund to record.', fr: "Rien n'est dû au patient sur ce dossier : aucun remboursement à enregistrer." }),
  refundTooLarge: (p: { amountCents: number; owedCents: number }) => ({
    en: `The refund (${formatEur(p.amountCents)}) is more than what is owed back (${formatEur(p.owedCents)}): record the amount actually returned.`,
    fr: `Le remboursement (${formatEuros(p.amountCents, 'fr')}) dépasse ce qui est dû (${formatEuros(p.owedCents, 'fr')}) : enregistrez le montant réellement rendu.`,
  }),

  // ---- estimates and guarantee ----
  noSuchEstimate: (p: { reference: string; number: string; numbers: readonly string[] }) => ({
    en: `Case ${p.reference} has no estimate ${p.number}; its estimates: ${list(p.numbers) || 'none yet'}.`,
    fr: `Le dossier ${p.reference} n'a pas de devis ${p.number} ; ses devis : ${list(p.numbers) || 'aucun pour le moment'}.`,
  }),
  estimateBeingIssued: () => ({
    en: 'An estimate is being issued for this case right now: wait for it, then issue another if needed.',
    fr: "Un devis est en cours d'établissement pour ce dossier : attendez-le, puis établissez-en un autre si besoin.",
  }),
  dischargedNoEstimate: () => ({
    en: 'The discharge is recorded: no further estimate can be issued for this stay.',
    fr: "La sortie est enregistrée : aucun autre devis ne peut être établi pour ce séjour.",
  }),
  estimateAlreadyIssued: () => ({ en: 'The estimate for this case has already been issued.', fr: 'Le devis de ce dossier a déjà été établi.' }),
  estimateNotOpen: (p: { number: string; status: EstimateState['status']; verb: 'accept' | 'decline' }) => ({
    en: `Estimate ${p.number} is ${p.status}: it can no longer be ${p.verb === 'accept' ? 'accepted' : 'declined'}.`,
    fr: `Le devis ${p.number} est ${ESTIMATE_STATUS_FR[p.status]} : il ne peut plus être ${p.verb === 'accept' ? 'accepté' : 'refusé'}.`,
  }),
  estimateExpired: (p: { number: string; on: string }) => ({
    en: `Estimate ${p.number} expired on ${p.on}: ask your coordinator for a new one.`,
    fr: `Le devis ${p.number} a expiré le ${p.on} : demandez-en un nouveau à votre coordinateur de soins.`,
  }),
  letterChangesNothing: (p: { number: string; status: 'declined' | 'expired' }) => ({
    en: `Estimate ${p.number} is ${p.status}: a letter for it changes nothing.`,
    fr: `Le devis ${p.number} est ${ESTIMATE_STATUS_FR[p.status]} : une lettre le concernant ne change rien.`,
  }),
  coveredAmountInvalid: () => ({ en: 'coveredCents must be a positive whole number of cents.', fr: 'coveredCents doit être un nombre entier positif de centimes.' }),
  uploadLetterFirst: (p: { kinds: readonly string[] }) => ({
    en: `Upload ${p.kinds.map((k) => kindNamed(k, 'en')).join(' or ')} to the case first, then choose it.`,
    fr: `Déposez d'abord ${p.kinds.map((k) => kindNamed(k, 'fr')).join(' ou ')} dans le dossier, puis choisissez ce document.`,
  }),

  // ---- the stay ----
  arrivalNotGuaranteed: () => ({
    en: 'The arrival date can be set only once the estimate is paid in full or guaranteed by an insurer letter.',
    fr: "La date d'arrivée ne peut être fixée qu'une fois le devis réglé en totalité ou pris en charge par une lettre de l'assureur.",
  }),
  dateInvalid: () => ({ en: 'date must be a calendar date YYYY-MM-DD.', fr: 'date doit être une date du calendrier au format AAAA-MM-JJ.' }),
  arrivalInPast: (p: { today: string }) => ({
    en: `The arrival date must be in the future (after ${p.today}).`,
    fr: `La date d'arrivée doit être dans le futur (après le ${p.today}).`,
  }),
  alreadyArrived: () => ({ en: 'The patient has already arrived.', fr: 'Le patient est déjà arrivé.' }),
  stayDaysInvalid: () => ({ en: 'plannedStayDays must be a whole number from 1 to 365.', fr: 'plannedStayDays doit être un nombre entier de 1 à 365.' }),
  companionProofNeeded: (p: { relationship: 'family' | 'other'; needed: string }) => ({
    en: `A ${p.relationship === 'family' ? 'family member' : 'companion who is not family'} needs ${kindNamed(p.needed, 'en')} uploaded to the case; then choose it as the proof.`,
    fr: `${p.relationship === 'family' ? 'Un membre de la famille' : "Un accompagnant qui n'est pas de la famille"} doit avoir ${kindNamed(p.needed, 'fr')} dans le dossier ; déposez ce document, puis choisissez-le comme justificatif.`,
  }),
  unknownRequestKind: (p: { kind: string }) => ({ en: `Unknown request kind '${p.kind}'.`, fr: `Type de demande inconnu : « ${p.kind} ».` }),
  requestNotNow: (p: { kind: string; label: Localized; during: readonly StayPart[]; phase: Phase }) => ({
    en: `A "${p.label.en}" request can be made ${p.during.map((d) => STAY_PARTS_EN[d]).join(', ')} only (the case is at the step "${PHASE_NAMES[p.phase].en}").`,
    fr: `Une demande « ${p.label.fr} » ne peut être faite que ${p.during.map((d) => STAY_PARTS_FR[d]).join(', ')} (le dossier est à l'étape ${quoted(p.phase)}).`,
  }),
  noSuchTask: (p: { reference: string; taskId: string; open: readonly string[] }) => ({
    en: `Case ${p.reference} has no task ${p.taskId}; open tasks: ${list(p.open) || 'none'}.`,
    fr: `Le dossier ${p.reference} n'a pas de tâche ${p.taskId} ; tâches ouvertes : ${list(p.open) || 'aucune'}.`,
  }),
  taskAlreadyDone: (p: { taskId: string }) => ({ en: `Task ${p.taskId} is already done.`, fr: `La tâche ${p.taskId} est déjà terminée.` }),
  taskForOtherTeam: (p: { taskId: string; team: TaskTeam }) => ({
    en: `Task ${p.taskId} is for the ${TEAMS[p.team].en} team (or the care coordinator).`,
    fr: `La tâche ${p.taskId} revient à l'équipe ${TEAMS[p.team].fr} (ou au coordinateur de soins).`,
  }),
  treatmentNotGuaranteed: (p: { number: string; status: EstimateState['status']; remainingCents: number }) => ({
    en: `Estimate ${p.number} is ${p.status}: its treatment starts only once it is accepted and paid in full or guaranteed by an insurer letter (${formatEuros(p.remainingCents, 'en')} still to pay).`,
    fr: `Le devis ${p.number} est ${ESTIMATE_STATUS_FR[p.status]} : son traitement ne commence qu'une fois le devis accepté et réglé en totalité ou pris en charge par une lettre de l'assureur (${formatEuros(p.remainingCents, 'fr')} restant à régler).`,
  }),
  treatmentAlreadyStarted: (p: { number: string }) => ({ en: `The treatment of estimate ${p.number} has already started.`, fr: `Le traitement du devis ${p.number} a déjà commencé.` }),
  dischargeAlreadyRecorded: () => ({ en: 'The discharge is already recorded.', fr: 'La sortie est déjà enregistrée.' }),
  estimateBeingIssuedDischarge: () => ({
    en: 'An estimate is being issued for this case right now: wait for it, then record the discharge.',
    fr: "Un devis est en cours d'établissement pour ce dossier : attendez-le, puis enregistrez la sortie.",
  }),
  caseClosing: () => ({
    en: 'The case is closing: its follow-up period ended with no appointment left, and a follow-up added now would never be reminded. Arrange further care with the patient as a new request.',
    fr: "Le dossier se clôture : sa période de suivi s'est achevée sans rendez-vous restant, et un suivi ajouté maintenant ne serait jamais rappelé. Organisez la suite des soins avec le patient dans une nouvelle demande.",
  }),
  followUpTimeInvalid: () => ({
    en: 'at must be an ISO date-time, e.g. 2026-12-03T10:30:00+01:00.',
    fr: 'at doit être une date et heure ISO, par exemple 2026-12-03T10:30:00+01:00.',
  }),
  followUpInPast: (p: { now: string }) => ({
    en: `A follow-up must be in the future (now: ${p.now}).`,
    fr: `Un rendez-vous de suivi doit être dans le futur (maintenant : ${p.now}).`,
  }),
} satisfies Record<string, (p: never) => Localized>;
export type RefusalName = keyof typeof refusals;

const STAY_PARTS_FR: Record<StayPart, string> = { before_arrival: "avant l'arrivée", stay: 'pendant le séjour', after_stay: 'après le séjour' };
const ESTIMATE_STATUS_FR: Record<EstimateState['status'], string> = { issued: 'émis', accepted: 'accepté', declined: 'refusé', expired: 'expiré', guaranteed: 'pris en charge' };
