// The staff console at route level: each role signs in through the same page and lands on its
// worklist; filters; the case page shows only the actions of the role at the case's phase; forms
// post as a browser without JavaScript would, and a refusal shows the server's own message.
import request from 'supertest';
import { studyFees } from '../config/fees';
import type { CaseState } from '../workflows/definitions';
import { PASSWORD, signUp, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, fillFile, makeTeam, openCase, toReportPending, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

let stack: Stack;
let team: Team;
let patient: Actor;
/** Submitted with items missing: waits on the admission team. */
let incomplete: string;
/** A sample analysis from Senegal, also in completeness review (filters, overdue). */
let analysis: string;
/** A complete proton therapy file, taken through the console from coordinator assignment to the report. */
let full: string;

beforeAll(async () => {
  stack = await startStack({ env: { ...CALM_TIMINGS, RATE_LIMIT_AUTH_PER_15_MIN: '1000' } });
  team = await makeTeam(stack);
  patient = await signUp(stack);
  incomplete = await openCase(stack, patient, 'proton_therapy');
  analysis = await openCase(stack, patient, 'sample_analysis', { patient: { ...validCase().patient, nationality: 'SN', countryOfResidence: 'SN' } });
  full = await openCase(stack, patient, 'proton_therapy');
  await fillFile(stack, patient, full, 'proton_therapy');
  for (const reference of [incomplete, analysis, full]) {
    expect((await call(stack, patient, 'post', `/cases/${reference}/submit`)).status).toBe(200);
    await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'completeness_review');
  }
  expect((await call(stack, team.admission, 'post', `/cases/${full}/review`, { decision: 'complete' })).status).toBe(200);
  await waitForState(stack.app, patient.auth, full, (s) => s.phase === 'coordinator_assignment');
});
afterAll(async () => {
  await stack?.stop();
});

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no CSRF token in the page:\n${page.slice(0, 500)}`);
  return decode(token);
}

type Browser = ReturnType<typeof browser>;
/** A browser: keeps cookies, asks for HTML, posts URL-encoded forms (repeated fields as a browser sends them). */
function browser() {
  const agent = request.agent(stack.app);
  return {
    get: (url: string, lang = 'en-GB,en;q=0.9') => agent.get(url).set('Accept', HTML).set('Accept-Language', lang),
    post: (url: string, form: Record<string, string | string[]>, csrf: string) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...form, _csrf: csrf })) for (const x of [v].flat()) params.append(k, x);
      return agent.post(url).set('Accept', HTML).type('form').send(params.toString());
    },
  };
}

const browsers = new Map<string, Browser>();
/** A signed-in browser for this staff member (one per person, reused). */
async function as(actor: Actor, landing = '/console'): Promise<Browser> {
  const known = browsers.get(actor.email);
  if (known) return known;
  const b = browser();
  const page = await b.get('/login');
  const res = await b.post('/portal/login', { email: actor.email, password: PASSWORD }, csrfOf(page.text));
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(landing);
  browsers.set(actor.email, b);
  return b;
}

const stateOf = async (reference: string): Promise<CaseState> => (await request(stack.app).get(`/cases/${reference}`).set(patient.auth)).body as CaseState;
const formAction = (reference: string, path: string) => `action="/portal/console/cases/${reference}/${path}"`;

describe('worklists', () => {
  test('staff land on their worklist after sign-in; the page keeps the CSP and has no inline code', async () => {
    const b = await as(team.admission);
    const page = await b.get('/console');
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'self'(;|$)/);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).toContain('<caption id="worklist-caption">');
    expect(page.text).toContain('<th scope="col">');
    expect(page.text).toContain('Worklist: Admission coordinator');
    // The header leads staff home to the console, not to the patients' case list.
    expect(page.text).toContain('<a href="/console">Worklist</a>');
    expect(page.text).not.toContain('href="/cases"');
  });

  test("each role's worklist shows the cases waiting on it", async () => {
    const admission = await (await as(team.admission)).get('/console');
    for (const reference of [incomplete, analysis]) expect(admission.text).toContain(`href="/console/cases/${reference}"`);
    expect(admission.text).not.toContain(`href="/console/cases/${full}"`);

    // Any care coordinator may take a complete file nobody has taken yet.
    const care = await (await as(team.care)).get('/console');
    expect(care.text).toContain(`href="/console/cases/${full}"`);
    expect(care.text).not.toContain(`href="/console/cases/${incomplete}"`);

    // Ops see every open case, with whom it waits on.
    const ops = await (await as(team.ops)).get('/console');
    for (const reference of [incomplete, analysis, full]) expect(ops.text).toContain(`href="/console/cases/${reference}"`);
    expect(ops.text).toContain('Every open case, overdue first');

    // Nothing waits on support in the worklist: their work is tasks.
    const support = await (await as(team.support)).get('/console');
    expect(support.text).toContain('your work comes as tasks');
    const tasks = await (await as(team.support)).get('/console/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.text).toContain('No open task.');

    // The patient side is not let in.
    const p = browser();
    const login = await p.get('/login');
    const signedIn = await p.post('/portal/login', { email: patient.email, password: PASSWORD }, csrfOf(login.text));
    expect(signedIn.headers.location).toBe('/cases');
    const refused = await p.get('/console');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('The console is for hospital staff.');
  });

  test('filters by request type and country; a wrong filter is shown next to its field; overdue cases come first, said in words', async () => {
    const b = await as(team.admission);
    const byType = await b.get('/console?requestType=sample_analysis');
    expect(byType.text).toContain(`href="/console/cases/${analysis}"`);
    expect(byType.text).not.toContain(`href="/console/cases/${incomplete}"`);
    expect(byType.text).toMatch(/<option value="sample_analysis" selected>/);

    const byCountry = await b.get('/console?country=sn');
    expect(byCountry.text).toContain(`href="/console/cases/${analysis}"`);
    expect(byCountry.text).not.toContain(`href="/console/cases/${incomplete}"`);

    const byPhase = await b.get('/console?phase=file_collection');
    expect(byPhase.text).toContain('No case matches.');

    const wrong = await b.get('/console?country=X');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('id="f-country-error"');
    expect(wrong.text).toContain('aria-invalid="true"');
    // A value the API itself refuses is shown the same way, with the API's message.
    const unknown = await b.get('/console?phase=bogus');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('id="f-phase-error"');

    // The analysis case is past its deadline: listed first, marked "Overdue".
    await stack.db.case.update({ where: { reference: analysis }, data: { nextDeadline: new Date(Date.now() - 3_600_000) } });
    const page = await b.get('/console');
    expect(page.text.indexOf(`/console/cases/${analysis}"`)).toBeLessThan(page.text.indexOf(`/console/cases/${incomplete}"`));
    expect(page.text).toMatch(/<strong class="overdue">Overdue<\/strong>/);
    const fr = await b.get('/console', 'fr-FR,fr');
    expect(fr.text).toContain('En retard');
  });
});

describe('the case page and its actions', () => {
  test('a completeness check refused by the server shows its message; the missing-items picker sends the list', async () => {
    const b = await as(team.admission);
    let page = await b.get(`/console/cases/${incomplete}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Completeness review');
    expect(page.text).toContain('name="missingItems" value="gp_letter"');

    // "Complete" while items are missing: the workflow refuses, and the page says why.
    const refused = await b.post(`/portal/console/cases/${incomplete}/review`, { decision: 'complete' }, csrfOf(page.text));
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('The file cannot be complete');
    expect(refused.text).toContain('role="alert"');

    // Nothing picked and no message: each field says what is wrong.
    const empty = await b.post(`/portal/console/cases/${incomplete}/review`, { decision: 'incomplete', message: '' }, csrfOf(refused.text));
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="missing-error"');
    expect(empty.text).toContain('id="f-review-message-error"');

    const sent = await b.post(`/portal/console/cases/${incomplete}/review`, { decision: 'incomplete', missingItems: ['gp_letter', 'imaging_report'], message: 'Please add the letter and the imaging report.' }, csrfOf(empty.text));
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/console/cases/${incomplete}?done=review`);
    const s = await waitForState(stack.app, patient.auth, incomplete, (x) => x.phase === 'file_collection');
    expect(s.lastRequest?.missingItems).toEqual(['gp_letter', 'imaging_report']);
    page = await b.get(String(sent.headers.location));
    expect(page.text).toContain('The completeness review was recorded.');
    expect(page.text).not.toContain(formAction(incomplete, 'review'));
  });

  test('assign a coordinator from a list; another care coordinator is refused with the server message; the coordinator approves; finance records the fee; the MDT reports', async () => {
    // The admission coordinator picks the care coordinator by name.
    const admission = await as(team.admission);
    let page = await admission.get(`/console/cases/${full}`);
    expect(page.text).toContain(formAction(full, 'coordinator'));
    expect(page.text).toContain(`<option value="${team.care.userId}"`);
    const assigned = await admission.post(`/portal/console/cases/${full}/coordinator`, { coordinatorId: team.care.userId }, csrfOf(page.text));
    expect(assigned.status).toBe(303);
    await waitForState(stack.app, patient.auth, full, (s) => s.phase === 'contents_review');
    await eventually(async () => expect((await (await as(team.care)).get('/console')).text).toContain(`href="/console/cases/${full}"`));
    expect((await (await as(team.care2)).get('/console')).text).not.toContain(`href="/console/cases/${full}"`);

    // Another care coordinator may open the page, but the workflow refuses their approval.
    const care2 = await as(team.care2);
    page = await care2.get(`/console/cases/${full}`);
    const notTheirs = await care2.post(`/portal/console/cases/${full}/approve`, {}, csrfOf(page.text));
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.text).toContain('Only the case&#39;s care coordinator may approve the contents');

    const care = await as(team.care);
    page = await care.get(`/console/cases/${full}`);
    expect(page.text).toContain('<dd>You</dd>');
    const approved = await care.post(`/portal/console/cases/${full}/approve`, {}, csrfOf(page.text));
    expect(approved.status).toBe(303);
    await waitForState(stack.app, patient.auth, full, (s) => s.phase === 'fee_payment');

    // Finance records the bank transfer of the fee; the same form sent twice counts once.
    const fee = studyFees.proton_therapy.amountCents;
    const finance = await as(team.finance);
    page = await finance.get(`/console/cases/${full}`);
    expect(page.text).toContain(formAction(full, 'payments'));
    const key = decode(/name="paymentKey" value="([^"]+)"/.exec(page.text)![1]);
    const badAmount = await finance.post(`/portal/console/cases/${full}/payments`, { amount: 'lots', purpose: 'study_fee', receivedOn: '2026-01-02', paymentId: '', paymentKey: key }, csrfOf(page.text));
    expect(badAmount.status).toBe(400);
    expect(badAmount.text).toContain('id="f-payment-amount-error"');
    const form = { amount: (fee / 100).toFixed(2), purpose: 'study_fee', receivedOn: new Date().toISOString().slice(0, 10), paymentId: '', paymentKey: key };
    const paid = await finance.post(`/portal/console/cases/${full}/payments`, form, csrfOf(badAmount.text));
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(`/console/cases/${full}?done=payment`);
    await waitForState(stack.app, patient.auth, full, (s) => s.phase === 'report_pending');
    const again = await finance.post(`/portal/console/cases/${full}/payments`, form, csrfOf(page.text));
    expect(again.status).toBe(303);
    expect((await stateOf(full)).amountPaidCents).toBe(fee);
    expect(await stack.db.payment.count({ where: { case: { reference: full } } })).toBe(1);

    // The admission coordinator sees no MDT action; the MDT does, and submits its report.
    page = await admission.get(`/console/cases/${full}`);
    expect(page.text).not.toContain(formAction(full, 'report'));
    expect(page.text).not.toContain('Submit the report');
    expect(page.text).toContain(formAction(full, 'coordinator')); // reassigning is still possible
    const mdt = await as(team.mdt);
    await eventually(async () => expect((await mdt.get('/console')).text).toContain(`href="/console/cases/${full}"`));
    page = await mdt.get(`/console/cases/${full}`);
    // The physicians open the file first: the study starts (a withdrawal no longer refunds the fee).
    expect(page.text).toContain(formAction(full, 'study/open'));
    const opened = await mdt.post(`/portal/console/cases/${full}/study/open`, {}, csrfOf(page.text));
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/console/cases/${full}?done=study`);
    page = await mdt.get(String(opened.headers.location));
    expect(page.text).toContain('The file is open: the study has started.');
    expect(page.text).not.toContain(formAction(full, 'study/open'));
    expect(page.text).toMatch(/File opened .*: the study has started\./);
    expect(page.text).toContain(formAction(full, 'report'));
    const noSummary = await mdt.post(`/portal/console/cases/${full}/report`, { kind: 'mdt', strategy: 'treatment_here', summary: '' }, csrfOf(page.text));
    expect(noSummary.status).toBe(400);
    expect(noSummary.text).toContain('id="f-report-summary-error"');
    // Treatment here keeps the case open: the next test messages the patient on it (a home-treatment
    // report closes the case, and a closed case takes no messages).
    const reported = await mdt.post(`/portal/console/cases/${full}/report`, { kind: 'mdt', strategy: 'treatment_here', summary: 'Proton therapy indicated: 30 fractions.' }, csrfOf(noSummary.text));
    expect(reported.status).toBe(303);
    const s = await waitForState(stack.app, patient.auth, full, (x) => x.report !== null);
    expect(s.report).toMatchObject({ kind: 'mdt', strategy: 'treatment_here' });
  });

  test('finance sees the money to return (in French too) and records a refund from the case page, once however often the form is sent', async () => {
    // A medical opinion whose fee was paid with 250 EUR too much.
    const reference = await openCase(stack, patient, 'medical_opinion');
    await toReportPending(stack, patient, team, reference, 'medical_opinion', studyFees.medical_opinion.amountCents + 25_000);
    await waitForState(stack.app, patient.auth, reference, (s) => s.moneyBack?.owedCents === 25_000);

    const finance = await as(team.finance);
    let page = await finance.get('/console/money-owed');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/console/cases/${reference}#action-refund"`);
    expect(page.text).toContain('Paid more than was due');
    expect((await finance.get('/console')).text).toContain('href="/console/money-owed"');
    const fr = await finance.get('/console/money-owed', 'fr-FR,fr;q=0.9');
    expect(fr.text).toContain('Payé plus que la somme due');
    expect(fr.text).toContain('Sommes à rembourser');
    // Not a list for the coordinators.
    expect((await (await as(team.care)).get('/console/money-owed')).status).toBe(403);
    expect((await (await as(team.care)).get('/console')).text).not.toContain('href="/console/money-owed"');

    page = await finance.get(`/console/cases/${reference}`);
    expect(page.text).toContain(formAction(reference, 'refunds'));
    expect(page.text).toContain('value="250.00"');
    const refundKey = decode(/name="refundKey" value="([^"]+)"/.exec(page.text)![1]);
    const tooMuch = await finance.post(`/portal/console/cases/${reference}/refunds`, { amount: '300', method: 'bank_transfer', reference: 'VIR-CONSOLE-1', refundKey }, csrfOf(page.text));
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.text).toContain('more than what is owed back');
    const form = { amount: '250,00', method: 'bank_transfer', reference: 'VIR-CONSOLE-1', refundKey };
    const done = await finance.post(`/portal/console/cases/${reference}/refunds`, form, csrfOf(tooMuch.text));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/console/cases/${reference}?done=refund`);
    expect((await finance.post(`/portal/console/cases/${reference}/refunds`, form, csrfOf(page.text))).status).toBe(303);
    const after = await waitForState(stack.app, patient.auth, reference, (s) => s.moneyBack?.owedCents === 0);
    expect(after.moneyBack?.refunds).toEqual([expect.objectContaining({ amountCents: 25_000, method: 'bank_transfer', reference: 'VIR-CONSOLE-1' })]);
    expect(await stack.db.refund.count({ where: { case: { reference } } })).toBe(1);
    page = await finance.get(`/console/cases/${reference}?done=refund`);
    expect(page.text).toContain('The refund was recorded.');
    expect(page.text).not.toContain(formAction(reference, 'refunds'));
    expect((await finance.get('/console/money-owed')).text).not.toContain(`href="/console/cases/${reference}#action-refund"`);
  });

  test('the case page shows the checklist, downloadable documents, the timeline and messages; ops get the Temporal UI link', async () => {
    const care = await as(team.care);
    let page = await care.get(`/console/cases/${full}`);
    expect(page.text).toContain('Checklist');
    expect(page.text).toContain('Timeline');
    const href = /href="(\/console\/cases\/[^"]+\/documents\/[^"]+)"/.exec(page.text)![1];
    const download = await care.get(href);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toMatch(/application\/pdf/);

    const sent = await care.post(`/portal/console/cases/${full}/messages`, { body: 'Hello, I am your care coordinator.' }, csrfOf(page.text));
    expect(sent.status).toBe(303);
    page = await care.get(String(sent.headers.location));
    expect(page.text).toContain('Hello, I am your care coordinator.');
    const empty = await care.post(`/portal/console/cases/${full}/messages`, { body: '  ' }, csrfOf(page.text));
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="f-message-body-error"');

    const ops = await as(team.ops);
    page = await ops.get(`/console/cases/${full}`);
    const link = `${stack.config.temporal.uiUrl}/namespaces/${stack.config.temporal.namespace}/workflows/case-${full}`;
    expect(page.text).toContain(`href="${link}"`);
    expect(page.text).toContain('Open this workflow in the Temporal UI');
    expect((await care.get(`/console/cases/${full}`)).text).not.toContain('Temporal UI');
  });

  test("a care coordinator raises a request for the patient (the kinds the case's phase takes; the same form twice raises one); ops cancel a case with a reason", async () => {
    // `full` is in treatment planning (before arrival): medical questions and billing come later.
    const care = await as(team.care);
    let page = await care.get(`/console/cases/${full}`);
    expect(page.text).toContain(formAction(full, 'requests'));
    expect(page.text).toContain('<option value="interpreter"');
    expect(page.text).not.toContain('<option value="medical_question"');
    const requestKey = decode(/name="requestKey" value="([^"]+)"/.exec(page.text)![1]);
    const noDetails = await care.post(`/portal/console/cases/${full}/requests`, { kind: 'interpreter', details: '', requestKey }, csrfOf(page.text));
    expect(noDetails.status).toBe(400);
    expect(noDetails.text).toContain('id="f-request-details-error"');
    const form = { kind: 'interpreter', details: 'Arabic, for the first consultation (asked by phone)', requestKey };
    const raised = await care.post(`/portal/console/cases/${full}/requests`, form, csrfOf(noDetails.text));
    expect(raised.status).toBe(303);
    expect(raised.headers.location).toBe(`/console/cases/${full}?done=request`);
    expect((await care.post(`/portal/console/cases/${full}/requests`, form, csrfOf(page.text))).status).toBe(303);
    const withTask = await waitForState(stack.app, patient.auth, full, (x) => x.treatment.tasks.length > 0);
    expect(withTask.treatment.tasks).toEqual([expect.objectContaining({ kind: 'interpreter', team: 'support', requestedBy: team.care.userId })]);
    // Not a form for the MDT.
    expect((await (await as(team.mdt)).get(`/console/cases/${full}`)).text).not.toContain(formAction(full, 'requests'));

    // Ops cancel a duplicate; the reason is required and reaches the patient.
    const duplicate = await openCase(stack, patient, 'medical_opinion');
    const ops = await as(team.ops);
    page = await ops.get(`/console/cases/${duplicate}`);
    expect(page.text).toContain(formAction(duplicate, 'cancel'));
    expect((await (await as(team.finance)).get(`/console/cases/${duplicate}`)).text).not.toContain(formAction(duplicate, 'cancel'));
    const noReason = await ops.post(`/portal/console/cases/${duplicate}/cancel`, { reason: '' }, csrfOf(page.text));
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('id="f-cancel-reason-error"');
    const cancelled = await ops.post(`/portal/console/cases/${duplicate}/cancel`, { reason: 'Duplicate of an earlier request' }, csrfOf(noReason.text));
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.location).toBe(`/console/cases/${duplicate}?done=cancel`);
    await waitForState(stack.app, patient.auth, duplicate, (x) => x.phase === 'cancelled');
    await stack.smtp.waitFor((m) => m.subject.includes(duplicate) && m.text.includes('Duplicate of an earlier request'));
    expect((await ops.get(`/console/cases/${duplicate}`)).text).not.toContain(formAction(duplicate, 'cancel'));
  });
});
