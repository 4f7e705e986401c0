// Every portal and console page, in French and in English, across the phases of a full case: what
// people read holds no raw code (a snake_case value of the shared definitions, the rules or config/, an
// event type, a questionnaire field name), no UUID, no ISO timestamp, and no sentence printed twice.
// Only the visible text is checked: tags, scripts, styles and attribute values are stripped first.
//
// One proton-therapy case (a Moroccan national living in Senegal: a visa is required, and her time is
// an hour behind Paris) is walked from its file to its follow-up, every page rendered at each phase; a
// medical opinion closes after its report meanwhile. Pages are fetched as a browser would (cookies,
// Accept: text/html), in process.
import crypto from 'node:crypto';
import request from 'supertest';
import { STAFF_ROLES, isAllowed, type StaffRole } from '../api/policy';
import { studyFees } from '../config/fees';
import { DOCUMENT_KINDS, ISSUED_DOCUMENT_KINDS } from '../config/documentKinds';
import { PUBLISHED_RULES } from '../config/rules';
import { PATIENT_REQUESTS, TREATMENT_SITES } from '../config/stay';
import { COVERAGE_ROUTES, RECONCILIATION, TIMELINE_EVENT_TYPES, VISA_REASONS, VISA_STATUSES } from '../lib/timelineWords';
import { formatDate } from '../web/i18n';
import { QUESTIONNAIRE_FIELDS } from '../web/views/case';
import { caseTask, estimateState } from '../api/schemas/treatment';
import { AWAITING_ROLES, MDT_STRATEGIES, PAYMENT_STATUSES, PHASES, REFUND_METHODS, REQUEST_TYPES, type CaseState, type Phase } from '../workflows/definitions';
import { PASSWORD, signUp, staff, uniqueEmail, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, fillFile, inDays, issueEstimate, openCase, pay, toReportPending, upload, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

// ---- what must never be shown -----------------------------------------------------------------------

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
/** Every snake_case key or string value in a value (the rules versions, config lists), recursively. */
function snakeCodes(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (SNAKE.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const x of value) snakeCodes(x, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SNAKE.test(k)) out.add(k);
      snakeCodes(v, out);
    }
  }
  return out;
}
const CODES = [
  ...snakeCodes([
    PHASES, AWAITING_ROLES, PAYMENT_STATUSES, REQUEST_TYPES, MDT_STRATEGIES, REFUND_METHODS,
    // Codes a case holds whose words live in lib/timelineWords.ts (their keys are typed complete).
    Object.keys(VISA_STATUSES), Object.keys(VISA_REASONS), Object.keys(COVERAGE_ROUTES), Object.keys(RECONCILIATION),
    TIMELINE_EVENT_TYPES, ['overpayment', 'payment_after_end'],
    // config/: every rules version (checklist items, document kinds, tariff codes, request kinds, teams,
    // stay parts, sites, coverage notices, visa texts…) and the lists outside them.
    PUBLISHED_RULES, DOCUMENT_KINDS, ISSUED_DOCUMENT_KINDS, PATIENT_REQUESTS, TREATMENT_SITES,
  ]),
  // Questionnaire fields by their code name (dateOfBirth…), as a missing-fields list would leak them.
  ...QUESTIONNAIRE_FIELDS.filter((f) => /[a-z][A-Z]/.test(f)),
];
/**
 * One-word status codes (paid, guaranteed, issued, open…) are English words too, so they are looked
 * for on French pages only, where none belongs ("due" is French as well: left out).
 */
const ONE_WORD_CODES = [...new Set([...PAYMENT_STATUSES, ...estimateState.shape.status.options, ...caseTask.shape.status.options])].filter((c) => !c.includes('_') && c !== 'due');
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
const BLOCK = /<\/?(?:p|div|li|ul|ol|h[1-6]|dt|dd|dl|tr|td|th|table|caption|thead|tbody|section|nav|header|main|footer|form|fieldset|legend|label|option|select|textarea|button|br)\b[^>]*>/gi;
/** The page's visible text, one line per block (head, scripts, styles, tags and attributes removed). */
function visibleLines(page: string): string[] {
  const text = page
    .replace(/<head\b[\s\S]*?<\/head>/i, ' ')
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(BLOCK, '\n')
    .replace(/<[^>]*>/g, ' ');
  return decode(text).split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** What is wrong with a page's visible text: raw codes, UUIDs, ISO timestamps, a sentence printed twice. */
function problemsOf(page: string, lang: Lang = 'en'): string[] {
  const lines = visibleLines(page);
  const text = lines.join('\n');
  const problems: string[] = [];
  for (const code of [...CODES, ...(lang === 'fr' ? ONE_WORD_CODES : [])]) {
    const re = new RegExp(`(?<![\\w-])${code}(?![\\w-])`, 'g');
    for (const m of text.matchAll(re)) {
      // A file the test uploaded is named after its kind (gp_letter.pdf): the person's file name, shown as they named it.
      if (/^\.(pdf|dcm)\b/.test(text.slice(m.index + code.length))) continue;
      problems.push(`raw code "${code}" in: ${lineAt(text, m.index)}`);
    }
  }
  const uuid = UUID.exec(text);
  if (uuid) problems.push(`UUID in: ${lineAt(text, uuid.index)}`);
  const iso = ISO_INSTANT.exec(text);
  if (iso) problems.push(`ISO timestamp in: ${lineAt(text, iso.index)}`);
  // A sentence: a run of at least four words ending with . ! or ?
  const seen = new Map<string, number>();
  // (an abbreviation, "e.g." or « ex. », ends no sentence).
  for (const sentence of lines.flatMap((l) => l.split(/(?<=[.!?])(?<!\b(?:e\.g|i\.e|ex)\.)\s+/))) {
    if (!/[.!?]$/.test(sentence) || sentence.split(' ').length < 4) continue;
    seen.set(sentence, (seen.get(sentence) ?? 0) + 1);
  }
  for (const [sentence, n] of seen) if (n > 1) problems.push(`printed ${n} times: "${sentence}"`);
  return problems;
}
const lineAt = (text: string, index: number) => text.slice(text.lastIndexOf('\n', index) + 1, (text.indexOf('\n', index) + 1 || text.length + 1) - 1);

// ---- browsers -----------------------------------------------------------------------------------------

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const LANGS = { en: 'en-GB,en;q=0.9', fr: 'fr-FR,fr;q=0.9' } as const;
type Lang = keyof typeof LANGS;

let stack: Stack;
let team: Team;

interface Browser {
  get: (url: string, lang: Lang) => Promise<request.Response>;
}
/** A signed-in browser (cookies kept), asking for HTML in the language given. */
async function signedIn(actor: Actor): Promise<Browser> {
  const agent = request.agent(stack.app);
  const login = await agent.get('/login').set('Accept', HTML);
  const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(login.text)![1]);
  const res = await agent.post('/portal/login').set('Accept', HTML).type('form').send(new URLSearchParams({ email: actor.email, password: PASSWORD, _csrf: csrf }).toString());
  expect(res.status).toBe(303);
  return { get: (url, lang) => agent.get(url).set('Accept', HTML).set('Accept-Language', LANGS[lang]) };
}

const failures: string[] = [];
/** Fetches a page in both languages, keeps its problems, and returns it for more checks. */
async function check(b: Browser, who: string, url: string, phase: string): Promise<Record<Lang, string>> {
  const out = {} as Record<Lang, string>;
  for (const lang of ['en', 'fr'] as const) {
    const res = await b.get(url, lang);
    if (res.status !== 200) failures.push(`[${phase}] ${who} ${lang} ${url}: status ${res.status}`);
    for (const p of problemsOf(res.text, lang)) failures.push(`[${phase}] ${who} ${lang} ${url}: ${p}`);
    out[lang] = res.text;
  }
  return out;
}

// ---- the case and its pages ----------------------------------------------------------------------------

let patient: Actor;
let reference: string;
let closedPatient: Actor;
let closedReference: string;
const browsers = {} as Record<StaffRole | 'patient' | 'closedPatient', Browser>;
const staffOf = (role: StaffRole): Actor =>
  ({ admission_coordinator: team.admission, care_coordinator: team.care, finance: team.finance, mdt: team.mdt, medical_assistant: team.assistant, support: team.support, ops: team.ops })[role];

beforeAll(async () => {
  stack = await startStack({ env: { ...CALM_TIMINGS, RATE_LIMIT_AUTH_PER_15_MIN: '1000' } });
  // Staff with people's names (the suite's default names carry the role's code).
  const member = (role: StaffRole, name: string) => staff(stack, role, uniqueEmail(role), name);
  team = {
    admission: await member('admission_coordinator', 'Claire Martin'), care: await member('care_coordinator', 'Sophie Bernard'), care2: await member('care_coordinator', 'Hugo Petit'),
    mdt: await member('mdt', 'Dr Paul Durand'), ops: await member('ops', 'Léa Roux'), finance: await member('finance', 'Marc Girard'), support: await member('support', 'Inès Faure'), assistant: await member('medical_assistant', 'Nora Blanc'),
  };
  patient = await signUp(stack);
  closedPatient = await signUp(stack);
  for (const role of STAFF_ROLES) browsers[role] = await signedIn(staffOf(role));
  browsers.patient = await signedIn(patient);
  browsers.closedPatient = await signedIn(closedPatient);
});
afterAll(async () => {
  await stack?.stop();
});

/** Every page of the case, for the patient and for each staff role, in both languages. */
async function renderAll(phase: string): Promise<{ portal: Record<Lang, string>; console: Record<StaffRole, Record<Lang, string>>; mine: Record<Lang, string> }> {
  const s = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === phase);
  const p = browsers.patient;
  const portal = await check(p, 'patient', `/cases/${reference}`, phase);
  await check(p, 'patient', '/cases', phase);
  await check(p, 'patient', `/cases/${reference}/questionnaire`, phase);
  await check(p, 'patient', `/cases/${reference}/messages`, phase);
  if (!['follow_up', 'closed'].includes(phase)) await check(p, 'patient', `/cases/${reference}/withdraw`, phase);
  if (s.amountDueCents > s.amountPaidCents) await check(p, 'patient', `/pay/${reference}?purpose=study_fee&amountCents=${s.amountDueCents - s.amountPaidCents}`, phase);
  const accepted = s.treatment.estimates.find((e) => e.status === 'accepted');
  if (accepted) await check(p, 'patient', `/pay/${reference}?purpose=${encodeURIComponent(`Estimate ${accepted.number}`)}&amountCents=${accepted.totalCents}`, phase);

  const consolePages = {} as Record<StaffRole, Record<Lang, string>>;
  let mine = { en: '', fr: '' };
  for (const role of STAFF_ROLES) {
    const b = browsers[role];
    await check(b, role, '/console', phase);
    await check(b, role, '/console/tasks', phase);
    consolePages[role] = await check(b, role, `/console/cases/${reference}`, phase);
    if (isAllowed('worklist.mine', { kind: 'staff', role })) mine = await check(b, role, '/console/mine', phase);
    if (isAllowed('money_owed.read', { kind: 'staff', role })) await check(b, role, '/console/money-owed', phase);
  }
  return { portal, console: consolePages, mine };
}

const step = async (res: Promise<request.Response> | request.Response, status = 200) => {
  const r = await res;
  if (r.status !== status) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r;
};
const until = (done: (s: CaseState) => boolean) => waitForState(stack.app, patient.auth, reference, done);
const at = (phase: Phase) => until((s) => s.phase === phase);

describe('the page check', () => {
  it('finds raw codes, UUIDs and repeated sentences in the visible text only', () => {
    const page = `<html><head><title>listed_nationality</title></head><body><main>
<p data-x="guarantee_pending">Visa: listed_nationality</p><p>Owner 0f8fad5b-d9cb-469f-a165-70867728950e</p>
<p>Transport is not included here. Transport is not included here.</p><a href="/x?kind=gp_letter">Download gp_letter.pdf</a>
<script>const phase = 'in_stay';</script><p>Language (2-letter code, e.g. fr, en)</p><p>Language (2-letter code, e.g. fr, en)</p></main></body></html>`;
    expect(problemsOf(page)).toEqual([
      'raw code "listed_nationality" in: Visa: listed_nationality',
      'UUID in: Owner 0f8fad5b-d9cb-469f-a165-70867728950e',
      'printed 2 times: "Transport is not included here."',
    ]);
    // A status code left in English on a French page.
    expect(problemsOf('<html><body><p>Statut : guaranteed ; payé 10,00 €</p></body></html>', 'fr')).toEqual(['raw code "guaranteed" in: Statut : guaranteed ; payé 10,00 €']);
  });
});

describe('formatDate', () => {
  it('says Paris time, and the patient’s own where it differs at that instant', () => {
    const instant = '2026-12-04T14:30:00Z';
    expect(formatDate('fr', instant, true)).toBe('4 décembre 2026 à 15:30 (heure de Paris)');
    expect(formatDate('en', instant, true)).toBe('4 December 2026, 15:30 (Paris time)');
    expect(formatDate('fr', instant, true, 'SN')).toBe('4 décembre 2026 à 15:30 (heure de Paris) — 14:30 heure locale (Sénégal)');
    expect(formatDate('en', instant, true, 'SN')).toBe('4 December 2026, 15:30 (Paris time) — 14:30 local time (Senegal)');
    // Morocco keeps Paris's winter offset: nothing to add; a country of several zones adds nothing either.
    expect(formatDate('en', instant, true, 'MA')).toBe('4 December 2026, 15:30 (Paris time)');
    expect(formatDate('en', instant, true, 'US')).toBe('4 December 2026, 15:30 (Paris time)');
    // Another day there: the day too.
    expect(formatDate('en', '2026-12-04T22:30:00Z', true, 'AE')).toBe('4 December 2026, 23:30 (Paris time) — 5 December 2026, 02:30 local time (United Arab Emirates)');
    // A calendar day is that day; an instant without its time is its day in Paris.
    expect(formatDate('fr', '2026-12-01')).toBe('1er décembre 2026');
    expect(formatDate('en', '2026-12-31T23:30:00Z')).toBe('1 January 2027');
  });
});

describe('every page in French and English, across the phases of a case', () => {
  it('shows no raw code, no UUID and no sentence twice, from the file to the follow-up', async () => {
    // A medical opinion closed by its report, meanwhile.
    const closing = (async () => {
      closedReference = await openCase(stack, closedPatient, 'medical_opinion');
      await toReportPending(stack, closedPatient, team, closedReference, 'medical_opinion', studyFees.medical_opinion.amountCents);
      await step(call(stack, team.mdt, 'post', `/cases/${closedReference}/report`, { kind: 'mdt', strategy: 'confirm_home_treatment', summary: 'The treatment proposed at home is the right one.' }));
    })();

    reference = await openCase(stack, patient, 'proton_therapy', { patient: { ...validCase().patient, nationality: 'MA', countryOfResidence: 'SN' } });
    await step(call(stack, patient, 'post', `/cases/${reference}/messages`, { body: 'Hello, my scans are on their way.' }), 201);
    await renderAll('file_collection');

    await fillFile(stack, patient, reference, 'proton_therapy');
    await step(call(stack, patient, 'post', `/cases/${reference}/submit`));
    await at('completeness_review');
    await renderAll('completeness_review');

    await step(call(stack, team.admission, 'post', `/cases/${reference}/review`, { decision: 'complete' }));
    await at('coordinator_assignment');
    await step(call(stack, team.admission, 'put', `/cases/${reference}/coordinator`, { coordinatorId: team.care.userId }));
    await at('contents_review');
    await renderAll('contents_review');

    await step(call(stack, team.care, 'post', `/cases/${reference}/approve`));
    const fee = (await at('fee_payment')).amountDueCents;
    // Waiting on the patient: in her coordinator's "My cases", not in the coordinator's worklist.
    const feePages = await renderAll('fee_payment');
    expect(feePages.mine.en).toContain(`href="/console/cases/${reference}"`);
    expect(feePages.mine.en).toContain('Amina Benali');
    expect((await browsers.care_coordinator.get('/console', 'en')).text).not.toContain(`href="/console/cases/${reference}"`);

    // 50 € too much: money to return for finance.
    await step(pay(stack, reference, fee + 5_000, `pay-fee-${reference}`));
    await at('report_pending');
    await renderAll('report_pending');

    await step(call(stack, team.mdt, 'post', `/cases/${reference}/report`, { kind: 'mdt', strategy: 'treatment_here', summary: 'Proton therapy indicated: 30 fractions.' }));
    await at('treatment_planning');
    await renderAll('treatment_planning');

    const estimate = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
    await step(call(stack, patient, 'put', `/cases/${reference}/coverage`, { hasEhic: true }));
    await until((s) => s.treatment.coverage?.notices.includes('ehic_not_planned_care') === true);
    const review = await renderAll('estimate_review');
    // Travel and living costs are said once (the coverage notice), not twice.
    for (const lang of ['en', 'fr'] as const) expect(visibleLines(review.portal[lang]).join('\n').match(/transport/gi)).toHaveLength(1);
    expect(review.console.care_coordinator.fr).toContain('Émis : en attente de la réponse du patient');

    await step(call(stack, patient, 'post', `/cases/${reference}/estimates/${estimate.number}/accept`));
    await renderAll('guarantee_pending');

    await step(pay(stack, reference, estimate.totalCents, `pay-${estimate.number}`, `Estimate ${estimate.number}`));
    await at('stay_preparation');
    await renderAll('stay_preparation');

    const proof = await upload(stack, patient, reference, 'proof_of_relationship');
    const proofId = (proof.body as { items: { documentId: string }[] }).items[0].documentId;
    await until((s) => s.documents.some((d) => d.documentId === proofId));
    await step(call(stack, patient, 'put', `/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA', proofDocumentId: proofId }));
    await step(call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: 10 }));
    await until((s) => s.phase === 'awaiting_arrival' && s.treatment.visa !== null && s.treatment.companions[0]?.certificateDocumentId !== null);
    const arrival = await renderAll('awaiting_arrival');
    expect(arrival.portal.fr).toContain('Visa nécessaire : nationalité soumise au visa de court séjour');
    expect(arrival.portal.en).toContain('Visa required: nationality subject to a short-stay visa');
    const care = arrival.console.care_coordinator;
    expect(care.fr).toContain('Visa nécessaire : nationalité soumise au visa de court séjour');
    expect(care.fr).toContain('Karim Benali (famille, Maroc)');
    expect(care.en).toContain('Karim Benali (family, Morocco)');
    expect(care.en).toContain('for 10 days · At the Orsay site (proton therapy centre), Campus universitaire');
    expect(visibleLines(arrival.portal.fr)).toContain("Sur le site d'Orsay (centre de protonthérapie) : Campus universitaire, bâtiment 101, 91400 Orsay · Plan d'accès");
    expect(care.en).toContain('14 March 1978'); // the date of birth
    expect(care.en).toContain('+212 6 12 34 56 78');
    // Every deadline says its zone, and the patient's own time (Senegal is behind Paris).
    expect(care.fr).toMatch(/à \d\d:\d\d \(heure de Paris\) — \d\d:\d\d heure locale \(Sénégal\)/);
    expect(arrival.portal.en).toMatch(/\d\d:\d\d \(Paris time\) — \d\d:\d\d local time \(Senegal\)/);

    await step(call(stack, team.care, 'post', `/cases/${reference}/arrived`));
    await at('in_stay');
    await step(request(stack.app).post(`/cases/${reference}/requests`).set(patient.auth).set('Idempotency-Key', crypto.randomUUID()).send({ kind: 'interpreter', details: 'Arabic, for the consultations.' }), 201);
    await until((s) => s.treatment.tasks.length === 1);
    const stay = await renderAll('in_stay');
    expect(stay.console.support.fr).toContain('État : En cours');
    expect((await browsers.support.get('/console/tasks', 'en')).text).toContain('Amina Benali');

    await step(call(stack, team.care, 'post', `/cases/${reference}/discharge`, {}));
    await at('follow_up');
    await step(call(stack, team.care, 'post', `/cases/${reference}/follow-ups`, { at: new Date(Date.now() + 30 * 86_400_000).toISOString(), description: 'MRI and consultation' }));
    await until((s) => s.treatment.followUps.length === 1);
    const after = await renderAll('follow_up');
    const careAfter = after.console.care_coordinator;
    // French typography: a (no-break) space before the colon; English has none.
    expect(careAfter.fr).toMatch(/\(heure de Paris\) — [^<]* heure locale \(Sénégal\)<\/time>\u00a0: MRI and consultation/);
    expect(careAfter.en).toMatch(/\(Paris time\) — [^<]* local time \(Senegal\)<\/time>: MRI and consultation/);
    expect(after.portal.fr).toMatch(/heure locale \(Sénégal\)<\/time>\u00a0: MRI and consultation/);
    // A document's language in words, not its code.
    expect(careAfter.fr).toMatch(/ · Français · /);
    expect(careAfter.en).toMatch(/ · French · /);
    expect(careAfter.en).not.toMatch(/ · fr · /);
    // Messages and the timeline say Paris time and the patient's own, as deadlines do.
    const inZones = (lang: Lang) => (lang === 'fr' ? /\(heure de Paris\) — [^<]* heure locale \(Sénégal\)<\/time><\/p><p class="body">Hello, my scans/ : /\(Paris time\) — [^<]* local time \(Senegal\)<\/time><\/p><p class="body">Hello, my scans/);
    for (const lang of ['en', 'fr'] as const) {
      expect(careAfter[lang]).toMatch(inZones(lang));
      expect((await browsers.patient.get(`/cases/${reference}/messages`, lang)).text).toMatch(inZones(lang));
    }
    expect(careAfter.en).toMatch(/\(Paris time\) — [^<]* local time \(Senegal\)<\/time> · /);

    // The closed case, for its patient and for staff; and the public pages.
    await closing;
    await waitForState(stack.app, closedPatient.auth, closedReference, (s) => s.phase === 'closed');
    await check(browsers.closedPatient, 'patient', `/cases/${closedReference}`, 'closed');
    await check(browsers.closedPatient, 'patient', '/cases', 'closed');
    for (const role of STAFF_ROLES) await check(browsers[role], role, `/console/cases/${closedReference}`, 'closed');
    const anonymous = request.agent(stack.app);
    for (const url of ['/login', '/register', '/forgot-password']) {
      await check({ get: (u, lang) => anonymous.get(u).set('Accept', HTML).set('Accept-Language', LANGS[lang]) }, 'anonymous', url, 'public');
    }

    expect(failures).toEqual([]);
  });

  it('one word for the worklist: the heading and the navigation agree, in both languages', async () => {
    for (const [lang, word] of [['en', 'Worklist'], ['fr', 'Liste de travail']] as const) {
      const page = (await browsers.admission_coordinator.get('/console', lang)).text;
      expect(page).toMatch(new RegExp(`<h1>${word} ?: `));
      expect(page).toContain(`<a href="/console">${word}</a>`);
      expect(page).not.toMatch(/Corbeille/);
    }
    // "My cases" is in the navigation of care coordinators only.
    expect((await browsers.care_coordinator.get('/console', 'fr')).text).toContain('<a href="/console/mine">Mes dossiers</a>');
    expect((await browsers.admission_coordinator.get('/console', 'en')).text).not.toContain('/console/mine');
    expect((await browsers.admission_coordinator.get('/console/mine', 'en')).status).toBe(403);
  });
});
