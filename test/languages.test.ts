// French everywhere for a French-speaking patient, English for the others: every text people read,
// walked from where it is written (phases, who a case waits for, refusals, API errors, timeline lines,
// email templates, the portal's and console's words, the rules' texts), in both languages. A French
// text with an English word fails, and the reverse. `frenchPatient.test.ts` checks the same through
// the running system.
import { emailTemplates } from '../activities/emailTemplates';
import { errorMessages } from '../api/errorMessages';
import { temporalMessages } from '../api/temporalErrors';
import { PUBLISHED_RULES } from '../config/rules';
import { waitingRoleWords, waitingWords } from '../lib/waitingWords';
import { timelineWords } from '../lib/timelineWords';
import { catalogues } from '../web/i18n';
import { STAFF_ROLES } from '../api/policy';
import { DOCUMENT_KIND_IDS } from '../config/documentKinds';
import { AWAITING_ROLES, LANGUAGES, PHASES, REFUND_METHODS, REQUEST_TYPES, type Language, type Localized } from '../workflows/definitions';
import { PHASE_NAMES } from '../workflows/phaseNames';
import { pricingRefusals } from '../workflows/pricing';
import { ACTIONS, refusals } from '../workflows/refusals';
import { errorMessageSamples } from './support/errorMessageSamples';
import { expectInLanguage } from './support/languageCheck';

type Catalog = Record<string, (p: never) => Localized>;
type Samples<C extends Catalog> = { [K in keyof C]: Parameters<C[K]>[0] };

/** Every entry of a catalog rendered with its sample, in one language, keyed by name. */
function rendered<C extends Catalog>(catalog: C, samples: Samples<C>, lang: Language, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, words] of Object.entries(catalog)) out[`${prefix}.${key}`] = (words as (p: unknown) => Localized)(samples[key as keyof C])[lang];
  return out;
}

const refusalSamples: Samples<typeof refusals> = {
  wrongPhase: { action: 'acceptEstimate', phase: 'in_stay', allowed: ['estimate_review', 'guarantee_pending'] },
  caseEnded: { action: 'withdraw', phase: 'closed' },
  decisionBeingApplied: { action: 'approveContents' },
  coordinatorOnly: { action: 'issueEstimate' },
  cannotDeclareNone: { itemId: 'dicom_images', item: { en: 'Images (DICOM)', fr: 'Images (DICOM)' }, allowed: [{ en: 'Operation reports', fr: 'Comptes rendus opératoires' }, { en: 'Chemotherapy reports', fr: 'Comptes rendus de chimiothérapie' }] },
  fileNotComplete: { missing: [{ en: 'Pathology report', fr: "Compte rendu d'anatomopathologie" }, { en: 'Identity document', fr: "Pièce d'identité" }] },
  nameMissingItems: { known: [{ en: 'Pathology report', fr: "Compte rendu d'anatomopathologie" }, { en: 'Identity document', fr: "Pièce d'identité" }] },
  itemsMissingRequestChanges: { missing: [{ en: 'Pathology report', fr: "Compte rendu d'anatomopathologie" }] },
  wrongReportKind: { requestType: 'sample_analysis', expected: 'analysis' },
  refundAmountInvalid: undefined,
  refundMethodInvalid: { methods: ['bank_transfer', 'card'] },
  refundReferenceMissing: undefined,
  nothingOwed: undefined,
  refundTooLarge: { amountCents: 150_000, owedCents: 50_000 },
  noSuchEstimate: { reference: 'INT-2026-000123', number: 'DEV-2026-000009', numbers: ['DEV-2026-000001'] },
  estimateBeingIssued: undefined,
  dischargedNoEstimate: undefined,
  estimateAlreadyIssued: undefined,
  estimateNotOpen: { number: 'DEV-2026-000001', status: 'accepted', verb: 'decline' },
  estimateExpired: { number: 'DEV-2026-000001', on: '2026-12-01' },
  letterChangesNothing: { number: 'DEV-2026-000001', status: 'declined' },
  coveredAmountInvalid: undefined,
  uploadLetterFirst: { kinds: ['insurer_guarantee_letter', 's2_form'] },
  arrivalNotGuaranteed: undefined,
  dateInvalid: undefined,
  arrivalInPast: { today: '2026-12-04' },
  alreadyArrived: undefined,
  stayDaysInvalid: undefined,
  companionProofNeeded: { relationship: 'other', needed: 'companion_justification_letter' },
  unknownRequestKind: { kind: 'helicopter' },
  requestNotNow: { kind: 'concierge', label: { fr: 'Conciergerie', en: 'Concierge service' }, during: ['before_arrival', 'stay'], phase: 'follow_up' },
  noSuchTask: { reference: 'INT-2026-000123', taskId: 'T9', open: ['T1', 'T2'] },
  taskAlreadyDone: { taskId: 'T1' },
  taskForOtherTeam: { taskId: 'T1', team: 'support' },
  treatmentNotGuaranteed: { number: 'DEV-2026-000001', status: 'accepted', remainingCents: 1_234_500 },
  treatmentAlreadyStarted: { number: 'DEV-2026-000001' },
  dischargeAlreadyRecorded: undefined,
  estimateBeingIssuedDischarge: undefined,
  caseClosing: undefined,
  followUpTimeInvalid: undefined,
  followUpInPast: { now: '2026-12-04T10:00:00.000Z' },
};

const pricingSamples: Samples<typeof pricingRefusals> = {
  unknownRequestType: { requestType: 'tourism' },
  notQuoted: { requestType: 'medical_opinion' },
  noLines: undefined,
  unknownItem: { code: 'helicopter', programme: 'proton_therapy', known: ['consultation', 'proton_fraction'] },
  itemTwice: { code: 'consultation' },
  quantityInvalid: { code: 'proton_fraction', max: 100 },
  totalOutOfRange: undefined,
};

const retry: Localized = { en: 'Retry in a moment.', fr: 'Réessayez dans un instant.' };
const temporalSamples: Samples<typeof temporalMessages> = {
  serviceUnavailableNothingRecorded: { retry },
  caseNotStarted: { reference: 'INT-2026-000123', retry },
  noWorkflow: { reference: 'INT-2026-000123' },
  didNotAnswer: undefined,
  blockedStep: undefined,
  serviceUnavailableNothingChanged: undefined,
  blockedRead: undefined,
  refusedUntranslated: { message: 'Cannot do this now.' },
};

/** Every `{ fr, en }` pair of strings inside a value (the rules' texts, labels and notices). */
function pairsIn(value: unknown, where: string, out: Record<string, Localized> = {}): Record<string, Localized> {
  if (!value || typeof value !== 'object') return out;
  const o = value as Record<string, unknown>;
  if (typeof o.fr === 'string' && typeof o.en === 'string') out[where] = { fr: o.fr, en: o.en };
  for (const [k, v] of Object.entries(o)) pairsIn(v, `${where}.${k}`, out);
  return out;
}

describe.each(LANGUAGES)('every text people read, in %s', (lang) => {
  it('says where each phase stands and who it waits for, for the patient and for staff', () => {
    const texts: Record<string, string> = {};
    for (const phase of PHASES) {
      texts[`phase.${phase}`] = PHASE_NAMES[phase][lang];
      for (const role of AWAITING_ROLES) texts[`waiting.${phase}.${role}`] = waitingWords(lang, phase, role);
    }
    for (const role of AWAITING_ROLES) texts[`role.${role}`] = waitingRoleWords(lang, role);
    expectInLanguage(lang, texts);
  });

  it("gives every refusal of the case's workflow in that language", () => {
    const actions = Object.fromEntries(Object.entries(ACTIONS).map(([k, v]) => [`action.${k}`, v[lang]]));
    expectInLanguage(lang, { ...actions, ...rendered(refusals, refusalSamples, lang, 'refusal'), ...rendered(pricingRefusals, pricingSamples, lang, 'pricing') });
  });

  it('gives every API error message in that language', () => {
    expectInLanguage(lang, { ...rendered(errorMessages, errorMessageSamples, lang, 'error'), ...rendered(temporalMessages, temporalSamples, lang, 'temporal') });
  });

  it('says every timeline event in that language, even when its record holds nothing (timelineWords.test.ts tries full payloads)', () => {
    expectInLanguage(lang, Object.fromEntries(Object.entries(timelineWords).map(([type, words]) => [type, words({})[lang]])));
  });

  it('writes every email template in that language', () => {
    const texts: Record<string, string> = {};
    for (const [name, byLang] of Object.entries(emailTemplates)) {
      texts[`${name}.subject`] = byLang[lang].subject;
      texts[`${name}.text`] = byLang[lang].text;
    }
    expectInLanguage(lang, texts);
  });

  it("shows the portal's and the console's pages in that language", () => {
    // The link to the other language is written in that other language, on purpose.
    const { 'lang.switchLabel': _otherLanguage, ...pages } = catalogues[lang];
    expectInLanguage(lang, pages);
  });

  it("states every rules version's texts (checklists, visa, coverage, stay, fees) in that language", () => {
    const texts: Record<string, string> = {};
    for (const version of PUBLISHED_RULES) for (const [where, pair] of Object.entries(pairsIn(version, version.id))) texts[where] = pair[lang];
    expect(Object.keys(texts).length).toBeGreaterThan(50);
    expectInLanguage(lang, texts);
  });

  it('names roles, teams, document kinds, request types, refund methods and phases in words in every refusal and API error, never by their codes', () => {
    // Staff meet these in the console, patients in the portal: a code there is a word they cannot read.
    const codes = new Set<string>([...STAFF_ROLES, ...DOCUMENT_KIND_IDS, ...REQUEST_TYPES, ...REFUND_METHODS, ...PHASES].filter((c) => c.includes('_')));
    const texts = { ...rendered(refusals, refusalSamples, lang, 'refusal'), ...rendered(pricingRefusals, pricingSamples, lang, 'pricing'), ...rendered(errorMessages, errorMessageSamples, lang, 'error') };
    const coded = Object.entries(texts).flatMap(([where, text]) => (text.match(/[a-z0-9]+(?:_[a-z0-9]+)+/g) ?? []).filter((w) => codes.has(w)).map((w) => `${where}: ${w}`));
    expect(coded).toEqual([]);
  });
});
