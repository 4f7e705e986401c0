// A case's timeline in the reader's language. The workflow writes each audit-trail event (CaseEvent)
// with a type, a flat payload and an English summary for ops; people read these lines instead: one
// entry per event type, a function of the payload giving the line in French and in English. Codes
// (visa reasons, coverage routes, refund methods, teams…) are said in words, amounts in euros, dates
// as people write them, and no identifier of a person (a staff member's UUID) is ever shown.
//
// A payload may lack what a line would say (events recorded before a field existed): the entry then
// says what it can, down to a line that needs nothing. It never falls back to the English summary in
// French. An event type this table does not know reads as a generic line (see `describeEvent`).
import { PUBLISHED_RULES } from '../config/rules';
import type { TreatmentSiteId } from '../config/stay';
import type { CoverageRoute } from '../workflows/coverage';
import type { Language, Localized } from '../workflows/definitions';
import type { ReconciliationOutcome } from '../workflows/reconciliation';
import type { VisaReason, VisaStatus } from '../workflows/visa';
import { countryName } from './countryNames';
import { formatEuros } from './euros';
import { dateInWords } from './dates';

/** What an entry reads: the event's payload, whatever was stored (fields may be missing or odd). */
export type TimelinePayload = Readonly<Record<string, unknown>>;
/** One event type's words: its line in each language, from its payload. */
export type EventWords = (payload: TimelinePayload) => Localized;

// ---- reading the payload --------------------------------------------------------------------------

const L = (en: string, fr: string): Localized => ({ en, fr });

function payloadOf(value: unknown): TimelinePayload {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as TimelinePayload) : {};
}
function text(p: TimelinePayload, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
/** A whole number ≥ 0 (cents, counts). */
function whole(p: TimelinePayload, key: string): number | undefined {
  const v = p[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
function flag(p: TimelinePayload, key: string): boolean | undefined {
  const v = p[key];
  return typeof v === 'boolean' ? v : undefined;
}
/** The words of a code the payload holds, when it is one this module knows. */
function wordsFor<K extends string>(words: Readonly<Record<K, Localized>>, value: string | undefined): Localized | undefined {
  return value !== undefined && Object.hasOwn(words, value) ? words[value as K] : undefined;
}
/** A document number Parcours issued (DEV-2026-000001, FAC-2026-000001): shown as it is. */
function docNumber(p: TimelinePayload, key: string): string | undefined {
  const v = text(p, key);
  return v !== undefined && /^[A-Z]{2,5}-\d{4}-\d{4,8}$/.test(v) ? v : undefined;
}
/** A case's own short identifier (task T1, companion C1): shown as it is. */
function shortId(p: TimelinePayload, key: string, letter: string): string | undefined {
  const v = text(p, key);
  return v !== undefined && new RegExp(`^${letter}\\d{1,4}$`).test(v) ? v : undefined;
}
/** A comma-separated list the workflow flattened into one string (fields, missing items). */
function listOf(p: TimelinePayload, key: string): string[] {
  return (text(p, key) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// ---- amounts, dates, counts -----------------------------------------------------------------------

/** Integer cents as euros: €1,234.50 / 1 234,50 €. */
const euros = (cents: number): Localized => L(formatEuros('en', cents), formatEuros('fr', cents));

/** A calendar day (YYYY-MM-DD, or the day of an ISO date-time): 24 December 2026 / 24 décembre 2026. */
function calendarDay(p: TimelinePayload, key: string): Localized | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(text(p, key) ?? '');
  const d = m ? new Date(`${m[1]}T00:00:00Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime())) return undefined;
  return L(dateInWords('en', m[1]), dateInWords('fr', m[1]));
}
/** An appointment (ISO date-time) as read at the centre, in Paris time: the pages' own words (lib/dates.ts). */
function moment(p: TimelinePayload, key: string): Localized | undefined {
  const v = text(p, key);
  const d = v && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!v || !d || Number.isNaN(d.getTime())) return undefined;
  return L(dateInWords('en', v, true), dateInWords('fr', v, true));
}
/** "3 reminders" / "3 relances": a count and its noun, singular or plural. */
const count = (n: number, en: [string, string], fr: [string, string]): Localized => L(`${n} ${n === 1 ? en[0] : en[1]}`, `${n} ${n <= 1 ? fr[0] : fr[1]}`);

/** "a, b and c" / "a, b et c". */
function joined(items: readonly Localized[]): Localized {
  const join = (xs: string[], and: string) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} ${and} ${xs[xs.length - 1]}`);
  return L(join(items.map((x) => x.en), 'and'), join(items.map((x) => x.fr), 'et'));
}
/** A label inside a sentence: its first letter in lower case ("Imaging report" → "imaging report"). */
const inSentence = (x: Localized): Localized => L(x.en.charAt(0).toLowerCase() + x.en.slice(1), x.fr.charAt(0).toLowerCase() + x.fr.slice(1));

/** "Head: a; b" / "Tête : a ; b" — the head alone when there are no details. */
function detailed(head: Localized, ...details: (Localized | undefined)[]): Localized {
  const d = details.filter((x): x is Localized => x !== undefined);
  if (!d.length) return head;
  return L(`${head.en}: ${d.map((x) => x.en).join('; ')}`, `${head.fr} : ${d.map((x) => x.fr).join(' ; ')}`);
}
/** A sentence with an optional part in brackets. */
const bracketed = (head: Localized, extra: Localized | undefined): Localized => (extra ? L(`${head.en} (${extra.en})`, `${head.fr} (${extra.fr})`) : head);

// ---- codes in words -------------------------------------------------------------------------------

const REQUEST_TYPES = {
  medical_opinion: L('medical opinion (tumour board)', 'avis médical (RCP)'),
  sample_analysis: L('sample analysis', "analyse d'échantillons"),
  treatment: L('treatment at our centre', 'traitement dans notre centre'),
  proton_therapy: L('proton therapy', 'protonthérapie'),
} satisfies Record<string, Localized>;

const LANGUAGE_NAMES = { fr: L('French', 'français'), en: L('English', 'anglais') } satisfies Record<Language, Localized>;

const STRATEGIES = {
  confirm_home_treatment: L("the treatment proposed in the patient's country is confirmed", 'le traitement proposé dans le pays du patient est confirmé'),
  alternative_proposed: L('an alternative treatment is proposed', 'un autre traitement est proposé'),
  treatment_here: L('treatment at our centre is proposed', 'un traitement dans notre centre est proposé'),
} satisfies Record<string, Localized>;

const DIAGNOSES = {
  confirmed: L('the diagnosis is confirmed', 'le diagnostic est confirmé'),
  new: L('a new diagnosis is made', 'un nouveau diagnostic est posé'),
} satisfies Record<string, Localized>;

// Exported: the pages say a case's visa status and reason, coverage route, final account and site in
// these words too (web/i18n.ts), and test/pages.test.ts takes the codes from their keys.
export const VISA_STATUSES = {
  required: L('Visa required', 'Visa nécessaire'),
  not_required: L('No visa needed', 'Pas de visa nécessaire'),
  check_with_consulate: L('Visa: to check with the consulate', 'Visa : à vérifier auprès du consulat'),
} satisfies Record<VisaStatus, Localized>;

export const VISA_REASONS = {
  eu_eea_ch_national: L('EU, EEA or Swiss national', "ressortissant de l'UE, de l'EEE ou de la Suisse"),
  resident_with_permit: L('holder of a residence permit', "titulaire d'un titre de séjour"),
  exempt_nationality_short_stay: L('visa-exempt nationality, short stay', 'nationalité dispensée de visa, court séjour'),
  exempt_nationality_stay_over_limit: L('visa-exempt nationality, but a stay longer than the exemption allows', 'nationalité dispensée de visa, mais séjour plus long que la dispense ne le permet'),
  exempt_nationality_stay_unknown: L('visa-exempt nationality, length of stay unknown', 'nationalité dispensée de visa, durée du séjour inconnue'),
  listed_nationality: L('nationality subject to a short-stay visa', 'nationalité soumise au visa de court séjour'),
  unknown_nationality: L("nationality not on the centre's lists", 'nationalité absente des listes du centre'),
  invalid_nationality_code: L('nationality not recognised', 'nationalité non reconnue'),
} satisfies Record<VisaReason, Localized>;

export const COVERAGE_ROUTES = {
  french_insured: L('French Assurance Maladie (co-payment only)', 'Assurance Maladie française (ticket modérateur seulement)'),
  eu_planned_care: L('EU planned care (S2 form)', "soins programmés dans l'UE (formulaire S2)"),
  insurer_guarantee: L("insurer's guarantee letter", "lettre de prise en charge de l'assureur"),
  self_pay: L('self-pay (estimate paid in full before treatment)', 'paiement direct (devis réglé en totalité avant le traitement)'),
} satisfies Record<CoverageRoute, Localized>;

const REFUND_METHODS = {
  bank_transfer: L('bank transfer', 'virement bancaire'),
  card: L('card refund', 'remboursement sur carte'),
  cheque: L('cheque', 'chèque'),
  cash: L('cash', 'espèces'),
} satisfies Record<string, Localized>;

export const RECONCILIATION = {
  settled: L('account settled', 'compte soldé'),
  balance_due: L('balance due', 'solde à régler'),
  refund_due: L('refund due', 'remboursement dû'),
} satisfies Record<ReconciliationOutcome, Localized>;

/** Who a task goes to, as "for …" / « pour … ». */
const TEAMS = {
  support: L('the patient support team', "l'équipe d'accueil et logistique"),
  medical_assistant: L('the medical assistants', 'les assistants médicaux'),
  care_coordinator: L('the care coordinator', 'le coordinateur de soins'),
  finance: L('the finance team', 'le service financier'),
} satisfies Record<string, Localized>;

/** Where the stay takes place, among the centre's sites (config/stay.ts); an unknown site is left out. */
export const SITES = {
  paris: L('at the Paris site', 'sur le site de Paris'),
  saint_cloud: L('at the Saint-Cloud site', 'sur le site de Saint-Cloud'),
  orsay: L('at the Orsay site (proton therapy centre)', "sur le site d'Orsay (centre de protonthérapie)"),
} satisfies Record<TreatmentSiteId, Localized>;

const STAGES = {
  in_stay: L('during the stay', 'pendant le séjour'),
  follow_up: L('during the follow-up', 'pendant le suivi'),
} satisfies Record<string, Localized>;

/** Labels from every published rules version, the newest winning: checklist items and patient requests. */
const CHECKLIST_ITEMS = new Map<string, Localized>();
const REQUEST_KINDS = new Map<string, Localized>();
for (const rules of PUBLISHED_RULES) {
  for (const items of Object.values(rules.checklists)) for (const item of items) CHECKLIST_ITEMS.set(item.id, L(item.label.en, item.label.fr));
  for (const [kind, request] of Object.entries(rules.stay.patientRequests)) REQUEST_KINDS.set(kind, L(request.label.en, request.label.fr));
}
const itemLabel = (id: string | undefined) => (id === undefined ? undefined : CHECKLIST_ITEMS.get(id));
const requestKind = (p: TimelinePayload) => {
  const kind = text(p, 'kind');
  const label = kind === undefined ? undefined : REQUEST_KINDS.get(kind);
  return label && inSentence(label);
};

/**
 * What a payment was counted towards, with its article: "the service fee" / « les frais de service »,
 * "estimate DEV-…" / « le devis DEV-… ». Undefined for `unallocated` (said apart) and unknown values.
 */
function purposeOf(value: string | undefined): Localized | undefined {
  if (value === undefined) return undefined;
  if (/^[A-Z]{2,5}-\d{4}-\d{4,8}$/.test(value)) return L(`estimate ${value}`, `le devis ${value}`);
  return wordsFor({ study_fee: L('the service fee', 'les frais de service'), balance: L('the balance of the final invoice', 'le solde de la facture finale') }, value);
}
const UNALLOCATED = L('not linked to any sum due', 'non rattaché à une somme due');

/** A country of residence in words; undefined when the code is not a known country. */
function countryOf(code: string | undefined): Localized | undefined {
  if (code === undefined || !/^[A-Za-z]{2}$/.test(code.trim())) return undefined;
  const unknown = countryName('??', 'en');
  const en = countryName(code, 'en');
  return en === unknown ? undefined : L(en, countryName(code, 'fr'));
}

// ---- shared phrasings -----------------------------------------------------------------------------

/** "Estimate DEV-…" / « Devis DEV-… », or just "Estimate" / « Devis » without a number. */
function estimate(p: TimelinePayload): Localized {
  const n = docNumber(p, 'number');
  return n ? L(`Estimate ${n}`, `Devis ${n}`) : L('Estimate', 'Devis');
}
/** The same after a colon: "estimate DEV-…" / « devis DEV-… », or "estimate" / « devis ». */
function theEstimate(p: TimelinePayload): Localized {
  const n = docNumber(p, 'number');
  return n ? L(`estimate ${n}`, `devis ${n}`) : L('estimate', 'devis');
}
/** "Reminder 2 of 3" / « Relance 2 sur 3 », as far as the payload tells. */
function reminder(p: TimelinePayload, numberKey = 'reminder'): Localized {
  const n = whole(p, numberKey);
  const max = whole(p, 'maxReminders');
  if (n === undefined || n === 0) return L('Reminder', 'Relance');
  return max !== undefined && max >= n ? L(`Reminder ${n} of ${max}`, `Relance ${n} sur ${max}`) : L(`Reminder ${n}`, `Relance ${n}`);
}
/** The site of the stay: "at the Orsay site (…)" / « sur le site d'Orsay (…) ». */
const atSite = (p: TimelinePayload): Localized | undefined => wordsFor(SITES, text(p, 'site'));
/** Parts of a sentence, in order, those given only, joined by `by` (a space unless told). */
const join = (...parts: (Localized | undefined)[]): Localized => joinBy(' ', ...parts);
function joinBy(by: string, ...parts: (Localized | undefined)[]): Localized {
  const xs = parts.filter((x): x is Localized => x !== undefined);
  return L(xs.map((x) => x.en).join(by), xs.map((x) => x.fr).join(by));
}

/** How a case ended, from the payload's `cause` code or the English reason the workflow wrote. */
interface Ended {
  cause: string;
  number?: string;
  reminders?: number;
  appointments?: number;
}
function endingOf(p: TimelinePayload): Ended | undefined {
  const cause = text(p, 'cause');
  if (cause) return { cause, number: docNumber(p, 'number'), reminders: whole(p, 'reminders'), appointments: whole(p, 'appointments') };
  const reason = text(p, 'reason') ?? '';
  const patterns: [RegExp, (m: RegExpExecArray) => Ended][] = [
    [/^No answer after (\d+) reminder\(s\)$/, (m) => ({ cause: 'no_answer', reminders: Number(m[1]) })],
    [/^Service fee unpaid after (\d+) reminder\(s\)$/, (m) => ({ cause: 'fee_unpaid', reminders: Number(m[1]) })],
    [/^Estimate (\S+) unanswered$/, (m) => ({ cause: 'estimate_unanswered', number: m[1] })],
    [/^Estimate (\S+) not guaranteed$/, (m) => ({ cause: 'estimate_not_guaranteed', number: m[1] })],
    [/^Estimate (\S+) expired at discharge$/, (m) => ({ cause: 'estimate_expired_at_discharge', number: m[1] })],
    [/^Estimate (\S+) declined$/, (m) => ({ cause: 'estimate_declined', number: m[1] })],
    [/^Follow-up completed \((\d+) appointment\(s\)\)$/, (m) => ({ cause: 'follow_up_completed', appointments: Number(m[1]) })],
    [/^Stay completed; no follow-up needed$/, () => ({ cause: 'stay_completed' })],
    [/^(MDT report: \w+|Analysis report: \w+ diagnosis)$/, () => ({ cause: 'report_delivered' })],
  ];
  for (const [re, read] of patterns) {
    const m = re.exec(reason);
    if (m) {
      const ended = read(m);
      return { ...ended, number: ended.number && /^[A-Z]{2,5}-\d{4}-\d{4,8}$/.test(ended.number) ? ended.number : undefined };
    }
  }
  return undefined;
}
/** Why a case ended, in words; undefined for a cause this module does not know. */
function causeWords(e: Ended): Localized | undefined {
  const est = e.number ? L(`estimate ${e.number}`, `devis ${e.number}`) : L('estimate', 'devis');
  const after = e.reminders ? join(L('after', 'après'), count(e.reminders, ['reminder', 'reminders'], ['relance', 'relances'])) : undefined;
  switch (e.cause) {
    case 'no_answer':
      return after ? join(L('no answer', 'sans réponse'), after) : L('no answer to the reminders', 'sans réponse aux relances');
    case 'fee_unpaid':
      return after ? join(L('service fee unpaid', 'frais de service non réglés'), after) : L('service fee unpaid', 'frais de service non réglés');
    case 'estimate_unanswered':
      return L(`${est.en} unanswered`, `${est.fr} resté sans réponse`);
    case 'estimate_not_guaranteed':
      return L(`${est.en} neither paid nor guaranteed`, `${est.fr} ni réglé ni pris en charge`);
    case 'estimate_expired_at_discharge':
      return L(`${est.en} expired at the discharge`, `${est.fr} expiré à la sortie du patient`);
    case 'estimate_declined':
      return L(`${est.en} declined`, `${est.fr} refusé`);
    case 'follow_up_completed':
      return e.appointments ? bracketed(L('follow-up completed', 'suivi terminé'), count(e.appointments, ['appointment', 'appointments'], ['rendez-vous', 'rendez-vous'])) : L('follow-up completed', 'suivi terminé');
    case 'stay_completed':
      return L('stay completed, no follow-up needed', 'séjour terminé, sans suivi nécessaire');
    case 'report_delivered':
      return L("the physicians' report was delivered", 'le compte rendu des médecins a été remis');
    default:
      return undefined;
  }
}
/** A case's last phase: what ended it and, when money goes back, how much. */
function caseEnded(head: Localized, withCause = true): EventWords {
  return (p) => {
    const ended = endingOf(p);
    const cause = withCause && ended ? causeWords(ended) : undefined;
    const line = cause ? L(`${head.en}: ${cause.en}`, `${head.fr} : ${cause.fr}`) : head;
    const refund = whole(p, 'refundDueCents');
    return refund ? L(`${line.en}; refund due: ${euros(refund).en}`, `${line.fr} ; remboursement dû : ${euros(refund).fr}`) : line;
  };
}
/** The case closed for lack of an answer: the count of reminders is all there is to add. */
const caseAbandoned: EventWords = (p) => {
  const n = endingOf(p)?.reminders;
  const reminders = n ? count(n, ['reminder', 'reminders'], ['relance', 'relances']) : undefined;
  const head = reminders ? L(`Case closed for lack of an answer, after ${reminders.en}`, `Dossier clôturé faute de réponse, après ${reminders.fr}`) : L('Case closed for lack of an answer', 'Dossier clôturé faute de réponse');
  return caseEnded(head, false)(p);
};

/** Reminders to the patient about the file or the fee (`${what}_reminder_sent`). */
function patientReminder(about: Localized): EventWords {
  return (p) => {
    const r = reminder(p);
    return L(`${r.en} sent to the patient: ${about.en}`, `${r.fr} envoyée au patient : ${about.fr}`);
  };
}

// ---- the table ------------------------------------------------------------------------------------

const words = {
  // ---- step 1: the file ----
  case_received: (p) =>
    detailed(
      L('Case received', 'Dossier reçu'),
      wordsFor(REQUEST_TYPES, text(p, 'requestType')),
      (() => {
        const country = countryOf(text(p, 'countryOfResidence'));
        return country && L(`country of residence: ${country.en}`, `pays de résidence : ${country.fr}`);
      })(),
      (() => {
        const language = wordsFor(LANGUAGE_NAMES, text(p, 'language'));
        return language && L(`language: ${language.en}`, `langue : ${language.fr}`);
      })(),
    ),
  acknowledgement_sent: () => L("Acknowledgement emailed; waiting for the patient's file", "Accusé de réception envoyé par e-mail ; en attente du dossier du patient"),
  questionnaire_answered: (p) => {
    const n = listOf(p, 'fields').length;
    return n ? bracketed(L('Questionnaire answered', 'Réponses au questionnaire enregistrées'), count(n, ['field', 'fields'], ['champ', 'champs'])) : L('Questionnaire answered', 'Réponses au questionnaire enregistrées');
  },
  item_declared_none: (p) => {
    const item = itemLabel(text(p, 'itemId'));
    return item ? L(`Declared not applicable: ${inSentence(item).en}`, `Déclaré sans objet : ${inSentence(item).fr}`) : L('An item of the file was declared not applicable', 'Une pièce du dossier a été déclarée sans objet');
  },
  item_none_withdrawn: (p) => {
    const item = itemLabel(text(p, 'itemId'));
    return item
      ? L(`No longer declared not applicable: ${inSentence(item).en}`, `Déclaration « sans objet » retirée : ${inSentence(item).fr}`)
      : L('A “not applicable” declaration was withdrawn', 'Une déclaration « sans objet » a été retirée');
  },
  file_submitted: (p) => {
    const missing = whole(p, 'missingCount');
    if (missing === undefined) return L('File submitted', 'Dossier envoyé');
    if (missing === 0) return L('File submitted, nothing missing', 'Dossier envoyé, rien ne manque');
    return L(`File submitted, ${count(missing, ['item', 'items'], ['pièce', 'pièces']).en} still missing`, `Dossier envoyé, ${count(missing, ['item', 'items'], ['pièce', 'pièces']).fr} encore ${missing === 1 ? 'manquante' : 'manquantes'}`);
  },
  file_reminder_sent: patientReminder(L('file not submitted yet', 'dossier pas encore envoyé')),
  review_requested: () => L("File waiting for the admission team's completeness check", "Dossier en attente de la vérification de complétude par l'équipe d'admission"),
  file_incomplete: (p) => {
    const ids = listOf(p, 'missingItems');
    const known = ids.map(itemLabel).filter((x): x is Localized => x !== undefined).map(inSentence);
    const others = ids.length - known.length;
    if (!known.length) {
      return others
        ? L(`File incomplete: ${count(others, ['item', 'items'], ['pièce', 'pièces']).en} missing`, `Dossier incomplet : ${count(others, ['item', 'items'], ['pièce manquante', 'pièces manquantes']).fr}`)
        : L('File incomplete: the admission team asked for the missing items', "Dossier incomplet : l'équipe d'admission a demandé les pièces manquantes");
    }
    const listed = joined(others ? [...known, count(others, ['other item', 'other items'], ['autre pièce', 'autres pièces'])] : known);
    return L(`File incomplete, missing: ${listed.en}`, `Dossier incomplet, pièces manquantes : ${listed.fr}`);
  },
  file_complete: () => L('The admission team found the file complete; a care coordinator is to be assigned', "L'équipe d'admission a jugé le dossier complet ; un coordinateur de soins reste à désigner"),

  // ---- step 2: the study ----
  coordinator_assigned: () => L('A care coordinator was assigned', 'Un coordinateur de soins a été désigné'),
  coordinator_reassigned: () => L('The case was handed to another care coordinator', 'Le dossier a été confié à un autre coordinateur de soins'),
  contents_review_requested: () => L('Waiting for the care coordinator to approve the contents of the file', 'En attente de la validation du contenu du dossier par le coordinateur de soins'),
  contents_approved: () => L('The care coordinator approved the contents of the file', 'Le coordinateur de soins a validé le contenu du dossier'),
  changes_requested: () => L('The care coordinator asked for changes to the file', 'Le coordinateur de soins a demandé des modifications du dossier'),
  fee_covered_by_s2: () => L('No service fee asked of the patient: the S2 form (EU planned care) covers it', "Pas de frais de service demandés au patient : le formulaire S2 (soins programmés dans l'UE) les couvre"),
  fee_requested: (p) => {
    const amount = whole(p, 'amountCents');
    return amount ? L(`Service fee requested: ${euros(amount).en}`, `Frais de service demandés : ${euros(amount).fr}`) : L('Service fee requested from the patient', 'Frais de service demandés au patient');
  },
  fee_reminder_sent: patientReminder(L('service fee unpaid', 'frais de service non réglés')),
  fee_paid: (p) => {
    const amount = whole(p, 'amountCents');
    return bracketed(L('Service fee paid', 'Frais de service réglés'), amount ? euros(amount) : undefined);
  },
  payment_received: (p) => {
    const amount = whole(p, 'amountCents');
    const head = amount ? L(`Payment of ${euros(amount).en} received`, `Paiement de ${euros(amount).fr} reçu`) : L('Payment received', 'Paiement reçu');
    const to = text(p, 'allocatedTo');
    if (to === 'unallocated') return L(`${head.en}, ${UNALLOCATED.en}`, `${head.fr}, ${UNALLOCATED.fr}`);
    const towards = purposeOf(to);
    return towards ? L(`${head.en} towards ${towards.en}`, `${head.fr} pour ${towards.fr}`) : head;
  },
  study_started: () => L('File sent to the physicians for study', 'Dossier transmis aux médecins pour étude'),
  study_opened: () => L('The physicians opened the file: the study has started', "Les médecins ont ouvert le dossier : l'étude a commencé"),
  report_overdue: () => L('No report within the expected time: the care coordinator was alerted', 'Aucun compte rendu dans le délai prévu : le coordinateur de soins a été alerté'),
  report_delivered: (p) => {
    const kind = text(p, 'kind');
    if (kind === 'mdt') return detailed(L('MDT report', 'Compte rendu de RCP'), wordsFor(STRATEGIES, text(p, 'strategy')) ?? L('delivered', 'remis'));
    if (kind === 'analysis') return detailed(L('Analysis report', "Compte rendu d'analyse"), wordsFor(DIAGNOSES, text(p, 'diagnosisStatus')) ?? L('delivered', 'remis'));
    return L("The physicians' report was delivered", 'Le compte rendu des médecins a été remis');
  },
  treatment_proposed: () => L('Treatment at our centre proposed: the care coordinator is preparing the treatment programme', 'Traitement dans notre centre proposé : le coordinateur de soins prépare le programme de soins'),

  // ---- step 3: estimate, coverage, guarantee ----
  coverage_declared: (p) => {
    const route = wordsFor(COVERAGE_ROUTES, text(p, 'route'));
    return route ? L(`Insurance declared; coverage: ${route.en}`, `Assurance déclarée ; couverture : ${route.fr}`) : L('Insurance declared', 'Assurance déclarée');
  },
  estimate_issued: (p) => {
    const total = whole(p, 'totalCents');
    const until = calendarDay(p, 'validUntil');
    const head = L(`${estimate(p).en} issued`, `${estimate(p).fr} émis`);
    return detailed(head, total !== undefined ? euros(total) : undefined, until && L(`valid until ${until.en}`, `valable jusqu'au ${until.fr}`));
  },
  additional_estimate_issued: (p) => {
    const n = docNumber(p, 'number');
    const total = whole(p, 'totalCents');
    const until = calendarDay(p, 'validUntil');
    const head = n ? L(`Additional estimate ${n} issued`, `Devis complémentaire ${n} émis`) : L('Additional estimate issued', 'Devis complémentaire émis');
    return detailed(head, total !== undefined ? euros(total) : undefined, until && L(`valid until ${until.en}`, `valable jusqu'au ${until.fr}`));
  },
  estimate_review: (p) => {
    const until = calendarDay(p, 'validUntil');
    const head = L(`${estimate(p).en} sent: waiting for the patient's answer`, `${estimate(p).fr} envoyé : en attente de la réponse du patient`);
    return until ? L(`${head.en} (valid until ${until.en})`, `${head.fr} (valable jusqu'au ${until.fr})`) : head;
  },
  estimate_reminder_sent: (p) => {
    const r = reminder(p);
    return L(`${r.en} sent to the patient: ${theEstimate(p).en} not answered yet`, `${r.fr} envoyée au patient : ${theEstimate(p).fr} toujours sans réponse`);
  },
  estimate_accepted: (p) => L(`${estimate(p).en} accepted`, `${estimate(p).fr} accepté`),
  estimate_declined: (p) => L(`${estimate(p).en} declined`, `${estimate(p).fr} refusé`),
  estimate_expired: (p) => L(`${estimate(p).en} expired without an answer`, `${estimate(p).fr} expiré sans réponse`),
  guarantee_requested: (p) => {
    const left = whole(p, 'remainingCents');
    if (!docNumber(p, 'number') && left === undefined) return L("Waiting for the estimate to be paid in full or guaranteed by the patient's insurer", "En attente du règlement intégral du devis ou de sa prise en charge par l'assureur du patient");
    const what = left !== undefined ? L(`${euros(left).en} to pay, or an insurer's guarantee letter`, `${euros(left).fr} à régler, ou une lettre de prise en charge de l'assureur`) : L("to be paid in full, or an insurer's guarantee letter", "à régler en totalité, ou une lettre de prise en charge de l'assureur");
    return L(`${estimate(p).en} accepted: ${what.en}`, `${estimate(p).fr} accepté : ${what.fr}`);
  },
  payment_request_skipped: (p) => {
    const n = docNumber(p, 'number');
    if (text(p, 'route') === 'eu_planned_care') {
      const body = L("no payment request, EU planned care (S2 form); the finance team records the insurer's acceptance", "pas de demande de paiement, soins programmés dans l'UE (formulaire S2) ; le service financier enregistre l'accord de l'assureur");
      return n ? L(`Estimate ${n}: ${body.en}`, `Devis ${n} : ${body.fr}`) : L(`No payment request: EU planned care (S2 form), the finance team records the insurer's acceptance`, "Pas de demande de paiement : soins programmés dans l'UE (formulaire S2), le service financier enregistre l'accord de l'assureur");
    }
    return n
      ? L(`Estimate ${n}: nothing left to pay before treatment, no payment request sent`, `Devis ${n} : plus rien à régler avant le traitement, aucune demande de paiement envoyée`)
      : L('No payment request sent: nothing left to pay before treatment', 'Aucune demande de paiement envoyée : plus rien à régler avant le traitement');
  },
  coverage_route_changed: (p) => {
    const n = docNumber(p, 'number');
    return n
      ? L(`S2 form on file, EU planned care: the finance team records the insurer's acceptance of estimate ${n}`, `Formulaire S2 reçu, soins programmés dans l'UE : le service financier enregistre l'accord de l'assureur pour le devis ${n}`)
      : L("S2 form on file, EU planned care: the finance team records the insurer's acceptance", "Formulaire S2 reçu, soins programmés dans l'UE : le service financier enregistre l'accord de l'assureur");
  },
  guarantee_reminder_sent: (p) => {
    const r = reminder(p);
    return L(`${r.en}: ${theEstimate(p).en} not paid or guaranteed yet`, `${r.fr} : ${theEstimate(p).fr} ni réglé ni pris en charge à ce jour`);
  },
  guarantee_expired: (p) => {
    const n = whole(p, 'reminders');
    const after = n ? count(n, ['reminder', 'reminders'], ['relance', 'relances']) : undefined;
    return after
      ? L(`${estimate(p).en} expired: neither paid nor guaranteed after ${after.en}`, `${estimate(p).fr} expiré : ni réglé ni pris en charge après ${after.fr}`)
      : L(`${estimate(p).en} expired: neither paid nor guaranteed in time`, `${estimate(p).fr} expiré : ni réglé ni pris en charge à temps`);
  },
  insurer_letter_recorded: (p) => {
    const insurer = text(p, 'insurer');
    const covered = whole(p, 'coveredCents');
    const n = docNumber(p, 'number');
    const head = insurer ? L(`Insurer's guarantee letter recorded (${insurer})`, `Lettre de prise en charge enregistrée (${insurer})`) : L("Insurer's guarantee letter recorded", 'Lettre de prise en charge enregistrée');
    if (covered === undefined) return n ? L(`${head.en} for estimate ${n}`, `${head.fr} pour le devis ${n}`) : head;
    return L(`${head.en}: covers ${euros(covered).en}${n ? ` of estimate ${n}` : ''}`, `${head.fr} : l'assureur couvre ${euros(covered).fr}${n ? ` du devis ${n}` : ''}`);
  },
  estimate_guaranteed: (p) => {
    const paid = whole(p, 'paidCents') ?? 0;
    const covered = whole(p, 'coveredCents') ?? 0;
    const head = L(`${estimate(p).en} guaranteed`, `${estimate(p).fr} garanti`);
    if (text(p, 'route') === 'french_insured') return detailed(head, L('French Assurance Maladie (co-payment only)', 'Assurance Maladie française (ticket modérateur seulement)'));
    if (covered > 0) {
      return detailed(head, L(`the insurer covers ${euros(covered).en}`, `l'assureur couvre ${euros(covered).fr}`), paid > 0 ? L(`${euros(paid).en} paid`, `${euros(paid).fr} réglés`) : undefined);
    }
    return paid > 0 ? detailed(head, L(`paid in full (${euros(paid).en})`, `réglé en totalité (${euros(paid).fr})`)) : head;
  },
  treatment_started: (p) => {
    const n = docNumber(p, 'number');
    return n ? L(`Treatment of estimate ${n} started`, `Traitement du devis ${n} commencé`) : L('A treatment started', 'Un traitement a commencé');
  },

  // ---- the stay ----
  stay_preparation: () => L('Estimate guaranteed: the arrival date can be set', "Devis garanti : la date d'arrivée peut être fixée"),
  arrival_date_set: (p) => {
    const day = calendarDay(p, 'date');
    if (!day) return L('Arrival date set', "Date d'arrivée fixée");
    const days = whole(p, 'plannedStayDays');
    const stay = days ? count(days, ['day', 'days'], ['jour', 'jours']) : undefined;
    return joinBy(', ', L(`Arrival date set: ${day.en}`, `Date d'arrivée fixée : le ${day.fr}`), stay && L(`for ${stay.en}`, `pour ${stay.fr}`), atSite(p));
  },
  arrival_date_changed: (p) => {
    const day = calendarDay(p, 'date');
    if (!day) return L('Arrival date changed', "Date d'arrivée modifiée");
    const before = calendarDay(p, 'previous');
    const days = whole(p, 'plannedStayDays');
    const stay = days ? count(days, ['day', 'days'], ['jour', 'jours']) : undefined;
    const moved = before ? L(`Arrival date moved from ${before.en} to ${day.en}`, `Date d'arrivée déplacée du ${before.fr} au ${day.fr}`) : L(`Arrival date moved to ${day.en}`, `Date d'arrivée déplacée au ${day.fr}`);
    return joinBy(', ', moved, stay && L(`for ${stay.en}`, `pour ${stay.fr}`), atSite(p));
  },
  arrival_scheduled: (p) => {
    const day = calendarDay(p, 'date');
    return day ? join(L(`Arrival expected on ${day.en}`, `Arrivée prévue le ${day.fr}`), atSite(p)) : L('Arrival date confirmed: the stay is being prepared', "Date d'arrivée confirmée : le séjour se prépare");
  },
  visa_assessed: (p) => {
    const status = wordsFor(VISA_STATUSES, text(p, 'status'));
    if (!status) return L('The need for a visa was assessed', 'Le besoin de visa a été évalué');
    const line = bracketed(status, wordsFor(VISA_REASONS, text(p, 'reason')));
    return flag(p, 'urgent') ? L(`${line.en}; urgent, the arrival is close`, `${line.fr} ; urgent, l'arrivée est proche`) : line;
  },
  companion_set: (p) => {
    const id = shortId(p, 'companionId', 'C');
    const head = id ? L(`Companion ${id} recorded`, `Accompagnant ${id} enregistré`) : L('Companion recorded', 'Accompagnant enregistré');
    const who = wordsFor({ family: L('family member', 'membre de la famille'), other: L('not a family member', 'hors famille') }, text(p, 'relationship'));
    const proof = flag(p, 'proof');
    const line = bracketed(head, who);
    if (proof === undefined) return line;
    return proof
      ? L(`${line.en}, with the supporting document`, `${line.fr}, avec le justificatif`)
      : L(`${line.en}: supporting document needed for a visa certificate`, `${line.fr} : justificatif nécessaire pour l'attestation de visa`);
  },
  visa_certificate_issued: (p) => {
    const name = text(p, 'companionName');
    const id = shortId(p, 'companionId', 'C');
    if (name) return L(`Visa certificate issued for ${name}, companion`, `Attestation pour le visa émise pour ${name}, accompagnant`);
    return id ? L(`Visa certificate issued for companion ${id}`, `Attestation pour le visa émise pour l'accompagnant ${id}`) : L('Visa certificate issued for a companion', "Attestation pour le visa émise pour un accompagnant");
  },
  patient_arrived: () => L('The patient has arrived', 'Le patient est arrivé'),
  stay_started: (p) => {
    const site = atSite(p);
    return site ? L(`Stay started ${site.en}`, `Séjour commencé ${site.fr}`) : L('The stay has started', 'Le séjour a commencé');
  },
  task_created: (p) => {
    const kind = requestKind(p);
    const id = shortId(p, 'taskId', 'T');
    const team = wordsFor(TEAMS, text(p, 'team'));
    const head = kind ? L(`New request (${kind.en})`, `Nouvelle demande (${kind.fr})`) : L('New request from the patient', 'Nouvelle demande du patient');
    if (!team) return id ? L(`${head.en}: task ${id}`, `${head.fr} : tâche ${id}`) : head;
    return L(`${head.en}: ${id ? `task ${id}` : 'a task'} for ${team.en}`, `${head.fr} : ${id ? `tâche ${id}` : 'une tâche'} pour ${team.fr}`);
  },
  task_done: (p) => {
    const id = shortId(p, 'taskId', 'T');
    const head = id ? L(`Task ${id} done`, `Tâche ${id} traitée`) : L('Task done', 'Tâche traitée');
    return bracketed(head, requestKind(p));
  },
  task_overdue: (p) => {
    const id = shortId(p, 'taskId', 'T');
    const head = bracketed(id ? L(`Task ${id}`, `Tâche ${id}`) : L('Task', 'Tâche'), requestKind(p));
    return L(`${head.en} not handled despite the reminders: the care coordinator was alerted`, `${head.fr} non traitée malgré les relances : le coordinateur de soins a été alerté`);
  },
  discharged: () => L("The patient's discharge was recorded", 'La sortie du patient a été enregistrée'),

  // ---- after the stay ----
  account_reconciled: (p) => {
    const invoice = docNumber(p, 'invoiceNumber');
    const outcome = text(p, 'outcome');
    const invoiced = whole(p, 'invoicedCents');
    const insurer = whole(p, 'insurerShareCents');
    const paid = whole(p, 'paidCents');
    if (!invoice && !wordsFor(RECONCILIATION, outcome)) return L('The final account was drawn up and the final invoice issued', 'Le compte final a été arrêté et la facture finale émise');
    const figures = [
      invoiced !== undefined ? L(`invoiced ${euros(invoiced).en}`, `facturé ${euros(invoiced).fr}`) : undefined,
      insurer ? L(`insurer's share ${euros(insurer).en}`, `part de l'assureur ${euros(insurer).fr}`) : undefined,
      paid !== undefined ? L(`paid ${euros(paid).en}`, `réglé ${euros(paid).fr}`) : undefined,
    ].filter((x): x is Localized => x !== undefined);
    const amount = outcome === 'balance_due' ? whole(p, 'balanceDueCents') : outcome === 'refund_due' ? whole(p, 'refundDueCents') : undefined;
    const result = wordsFor(RECONCILIATION, outcome);
    const settlement = result && (amount ? L(`${result.en}: ${euros(amount).en}`, `${result.fr} : ${euros(amount).fr}`) : result);
    return detailed(
      invoice ? L(`Final invoice ${invoice}`, `Facture finale ${invoice}`) : L('Final invoice', 'Facture finale'),
      figures.length ? L(figures.map((x) => x.en).join(', '), figures.map((x) => x.fr).join(', ')) : undefined,
      settlement,
    );
  },
  follow_up_started: () => L('After the stay: follow-up and billing', 'Après le séjour : suivi et facturation'),
  follow_up_scheduled: (p) => {
    const at = moment(p, 'at');
    return at ? L(`Follow-up appointment on ${at.en}`, `Rendez-vous de suivi le ${at.fr}`) : L('Follow-up appointment scheduled', 'Rendez-vous de suivi fixé');
  },
  continued_as_new: (p) => bracketed(L("Technical step: the case's long history goes on in a new run", "Étape technique : le long historique du dossier se poursuit dans une nouvelle exécution"), wordsFor(STAGES, text(p, 'stage'))),

  // ---- money owed back ----
  overpayment_received: (p) => {
    const excess = whole(p, 'excessCents');
    const amount = excess ? euros(excess) : undefined;
    if (flag(p, 'afterEnd')) {
      return amount ? L(`Payment received after the case ended: ${amount.en} to return`, `Paiement reçu après la clôture du dossier : ${amount.fr} à rembourser`) : L('Payment received after the case ended: to return', 'Paiement reçu après la clôture du dossier : à rembourser');
    }
    const to = text(p, 'towards');
    if (to === 'unallocated') {
      return amount ? L(`Payment of ${amount.en} ${UNALLOCATED.en}: to return`, `Paiement de ${amount.fr} ${UNALLOCATED.fr} : à rembourser`) : L(`Payment ${UNALLOCATED.en}: to return`, `Paiement ${UNALLOCATED.fr} : à rembourser`);
    }
    const towards = purposeOf(to);
    const head = amount ? L(`Overpayment of ${amount.en}`, `Trop-perçu de ${amount.fr}`) : L('Overpayment', 'Trop-perçu');
    return towards ? L(`${head.en} beyond what was due for ${towards.en}: to return`, `${head.fr} sur ${towards.fr} : à rembourser`) : L(`${head.en}: to return`, `${head.fr} : à rembourser`);
  },
  refund_awaited: (p) => {
    const owed = whole(p, 'owedCents');
    return owed
      ? L(`Money to return: ${euros(owed).en}; waiting for the finance team`, `Somme à rembourser : ${euros(owed).fr} ; en attente du service financier`)
      : L('Money to return: waiting for the finance team', 'Somme à rembourser : en attente du service financier');
  },
  refund_reminder_sent: (p) => {
    const r = reminder(p);
    const owed = whole(p, 'owedCents');
    return owed
      ? L(`${r.en} sent to the finance team: ${euros(owed).en} still to return`, `${r.fr} envoyée au service financier : ${euros(owed).fr} restant à rembourser`)
      : L(`${r.en} sent to the finance team: money still to return`, `${r.fr} envoyée au service financier : une somme reste à rembourser`);
  },
  refund_recorded: (p) => {
    const amount = whole(p, 'amountCents');
    const method = wordsFor(REFUND_METHODS, text(p, 'method'));
    const owed = whole(p, 'owedCents');
    let head = amount ? L(`Refund of ${euros(amount).en} recorded`, `Remboursement de ${euros(amount).fr} enregistré`) : L('Refund recorded', 'Remboursement enregistré');
    head = bracketed(head, method);
    if (flag(p, 'afterEnd')) head = L(`${head.en} after the case ended`, `${head.fr} après la clôture du dossier`);
    if (owed === undefined) return head;
    return owed === 0 ? L(`${head.en}; nothing left to return`, `${head.fr} ; plus rien à rembourser`) : L(`${head.en}; still to return: ${euros(owed).en}`, `${head.fr} ; reste à rembourser : ${euros(owed).fr}`);
  },
  money_returned: () => L('All the money owed back has been returned', 'Toutes les sommes dues ont été remboursées'),

  // ---- the end of the case (`case_${phase}` for each last phase) ----
  case_closed: caseEnded(L('Case closed', 'Dossier clos')),
  case_withdrawn: caseEnded(L('Case withdrawn by the patient', 'Dossier retiré par le patient'), false),
  case_cancelled: caseEnded(L('Case cancelled', 'Dossier annulé'), false),
  case_abandoned: caseAbandoned,
  case_expired: caseEnded(L('Case expired', 'Dossier expiré')),
} satisfies Record<string, EventWords>;

/** Every event type the workflow and the API record in the audit trail. */
export type TimelineEventType = keyof typeof words;

/** One entry per event type: its line in French and in English, from the event's payload. */
export const timelineWords: Readonly<Record<TimelineEventType, EventWords>> = words;

/** The event types that have their own words (the test checks every type the code records is here). */
export const TIMELINE_EVENT_TYPES = Object.keys(words) as readonly TimelineEventType[];

const isKnown = (type: string): type is TimelineEventType => Object.hasOwn(timelineWords, type);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The timeline line of an audit-trail event, in the reader's language. A type this module does not
 * know (a new one, before its words are written) reads "Event recorded" / « Événement enregistré »,
 * or in English the workflow's own summary when it has one that names nobody (no UUID).
 */
export function describeEvent(event: { type: string; payload: unknown; summary: string | null }, lang: Language): string {
  if (isKnown(event.type)) return timelineWords[event.type](payloadOf(event.payload))[lang];
  if (lang === 'en' && event.summary && !UUID.test(event.summary)) return event.summary;
  return lang === 'fr' ? 'Événement enregistré' : 'Event recorded';
}
