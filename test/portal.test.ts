// The web portal at route level: pages in French and English, the CSP, CSRF, and the patient's path
// from registration to the stay through the pages (forms posted as a browser without JavaScript would).
import request from 'supertest';
import type { CaseState } from '../workflows/definitions';
import { linkTokenFor, PASSWORD, uniqueEmail } from './support/actors';
import { waitForState } from './support/cases';
import { CALM_TIMINGS, inDays, issueEstimate, makeTeam, pdf, toGuaranteed, toTreatmentPlanning, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(120_000);

let stack: Stack;
let team: Team;

beforeAll(async () => {
  stack = await startStack({ env: CALM_TIMINGS });
  team = await makeTeam(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A browser: keeps cookies, asks for HTML. */
function browser() {
  const agent = request.agent(stack.app);
  return {
    agent,
    get: (url: string, lang = 'en-GB,en;q=0.9') => agent.get(url).set('Accept', HTML).set('Accept-Language', lang),
    /** Posts a form with the CSRF token of the page it was on. */
    post: (url: string, form: Record<string, string>, csrf: string) => agent.post(url).set('Accept', HTML).type('form').send({ ...form, _csrf: csrf }),
  };
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no CSRF token in the page:\n${page.slice(0, 500)}`);
  return decode(token);
}

async function signIn(b: ReturnType<typeof browser>, email: string): Promise<void> {
  const page = await b.get('/login');
  const res = await b.post('/portal/login', { email, password: PASSWORD }, csrfOf(page.text));
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/cases');
}

describe('pages, languages and headers', () => {
  test('the sign-in page is in English by default and in French for a French browser; the switch link sets the language', async () => {
    const b = browser();
    const en = await b.get('/login');
    expect(en.status).toBe(200);
    expect(en.headers['content-type']).toMatch(/text\/html/);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Sign in');
    expect(en.text).toContain('href="#main"');

    const fr = await b.get('/login', 'fr-FR,fr;q=0.9,en;q=0.5');
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain('Connexion');

    const switched = await b.get('/lang/fr?next=%2Flogin');
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe('/login');
    const after = await b.get('/login', 'en-GB');
    expect(after.text).toContain('<html lang="fr">');
    // Only a path on this site is followed back.
    expect((await b.get('/lang/en?next=https%3A%2F%2Fevil.example')).headers.location).toBe('/');
  });

  test('pages forbid inline scripts and styles; the JSON API keeps answering API clients at the same paths', async () => {
    const page = await browser().get('/login');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toMatch(/\sstyle=/);

    const api = await request(stack.app).get('/cases/INT-2026-000001');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('unauthenticated');
    const apiVerify = await request(stack.app).get('/auth/verify-email').query({ token: 'x'.repeat(40) });
    expect(apiVerify.headers['content-type']).toMatch(/json/);

    const css = await request(stack.app).get('/assets/portal.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
  });

  test('a form without a valid CSRF token is refused with 403; with it, it is accepted', async () => {
    const b = browser();
    const page = await b.get('/login');
    const none = await b.agent.post('/portal/login').set('Accept', HTML).type('form').send({ email: 'a@example.test', password: 'x' });
    expect(none.status).toBe(403);
    expect(none.text).toContain('reload the page');
    const forged = await b.post('/portal/login', { email: 'a@example.test', password: 'x' }, 'forged-token');
    expect(forged.status).toBe(403);
    const real = await b.post('/portal/login', { email: 'nobody@example.test', password: 'wrong password here' }, csrfOf(page.text));
    expect(real.status).toBe(401);
    expect(real.text).toContain('The email address or the password is wrong.');
  });
});

describe('the patient path through the pages', () => {
  test('register → confirm → sign in → open a case → questionnaire errors → upload refused → submit; the status in plain words', async () => {
    const b = browser();
    const email = uniqueEmail('portal');

    const form = await b.get('/register');
    const bad = await b.post('/portal/register', { name: 'Amina Benali', email, password: 'short', kind: 'patient', language: 'en' }, csrfOf(form.text));
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-password-error"/);
    const registered = await b.post('/portal/register', { name: 'Amina Benali', email, password: PASSWORD, kind: 'patient', language: 'en' }, csrfOf(bad.text));
    expect(registered.status).toBe(200);
    expect(registered.text).toContain('a confirmation link is on its way');

    const token = await linkTokenFor(stack, email, /Confirm|Confirmez/);
    const verified = await b.get(`/auth/verify-email?token=${token}`);
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('Your email address is confirmed');

    await signIn(b, email);
    const none = await b.get('/cases');
    expect(none.text).toContain('You have no case yet.');

    const newCase = await b.get('/cases/new');
    const invalid = await b.post('/portal/cases', { requestType: 'proton_therapy', language: 'en', 'patient.firstName': 'Amina', 'patient.lastName': 'Benali', 'patient.email': 'not-an-email', 'patient.nationality': 'MA', 'patient.countryOfResidence': 'MA', idempotencyKey: 'portal-test-key-1' }, csrfOf(newCase.text));
    expect(invalid.status).toBe(400);
    expect(invalid.text).toMatch(/id="f-patient\.email-error"/);
    const created = await b.post('/portal/cases', { requestType: 'proton_therapy', language: 'en', 'patient.firstName': 'Amina', 'patient.lastName': 'Benali', 'patient.email': email, 'patient.nationality': 'MA', 'patient.countryOfResidence': 'MA', reason: 'Chordoma', idempotencyKey: 'portal-test-key-2' }, csrfOf(invalid.text));
    expect(created.status).toBe(303);
    const casePath = String(created.headers.location);
    const reference = /INT-\d{4}-\d{6}/.exec(casePath)![0];

    // The case page: the checklist with each item's status, in plain words.
    let page = await b.get(casePath);
    for (let i = 0; i < 40 && !page.text.includes('We are waiting for you'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      page = await b.get(casePath);
    }
    expect(page.status).toBe(200);
    expect(page.text).toContain('We are waiting for you: answer the questionnaire');
    expect(page.text).toContain("Doctor&#39;s letter (history and clinical situation)");
    expect(page.text).toContain('badge-missing');

    // Questionnaire: the error is shown next to its field.
    const q = await b.get(`/cases/${reference}/questionnaire`);
    const qBad = await b.post(`/portal/cases/${reference}/questionnaire`, { firstName: 'Amina', email: 'nope' }, csrfOf(q.text));
    expect(qBad.status).toBe(400);
    expect(qBad.text).toMatch(/<p class="error" id="f-email-error">[^<]+<\/p>\s*<input type="email" id="f-email" name="email" aria-describedby="f-email-error" aria-invalid="true"/);
    const qOk = await b.post(`/portal/cases/${reference}/questionnaire`, { firstName: 'Amina', lastName: 'Benali', email }, csrfOf(qBad.text));
    expect(qOk.status).toBe(303);

    // An upload refused by content: the reason is shown next to the item's form.
    page = await b.get(casePath);
    const action = decode(/action="(\/portal\/cases\/[^"]+documents\?[^"]+item=gp_letter)"/.exec(page.text)![1]);
    const refused = await b.agent.post(action).set('Accept', HTML).field('kind', 'gp_letter').field('language', 'fr').attach('files', Buffer.from('just some text, not a document'), 'letter.pdf');
    expect(refused.status).toBe(415);
    expect(refused.text).toContain('id="upload-error-gp_letter"');
    expect(refused.text).toContain('letter.pdf: The content is not a PDF, JPEG, PNG or DICOM file');
    // Without the CSRF token in the query, an upload is refused before anything is read.
    const noToken = await b.agent.post(`/portal/cases/${reference}/documents?item=gp_letter`).set('Accept', HTML).field('kind', 'gp_letter').field('language', 'fr').attach('files', pdf('x'), 'letter.pdf');
    expect(noToken.status).toBe(403);
    // The script's request (Accept: JSON) gets the target to go to.
    const accepted = await b.agent.post(action).set('Accept', 'application/json').field('kind', 'gp_letter').field('language', 'fr').attach('files', pdf(`portal-${reference}`), 'letter.pdf');
    expect(accepted.status).toBe(200);
    expect(accepted.body.redirect).toBe(`/cases/${reference}?done=upload#item-gp_letter`);

    page = await b.get(casePath);
    const submitted = await b.post(`/portal/cases/${reference}/submit`, {}, csrfOf(page.text));
    expect(submitted.status).toBe(303);
    const loginBody = await request(stack.app).post('/auth/login').send({ email, password: PASSWORD });
    await waitForState(stack.app, { Authorization: `Bearer ${loginBody.body.accessToken}` }, reference, (s: CaseState) => s.phase === 'completeness_review');
    const after = await b.get(casePath);
    expect(after.text).toContain('The admission team is checking your file.');

    const fr = await b.get(casePath, 'fr');
    expect(fr.text).toContain("L&#39;équipe d&#39;admission vérifie votre dossier.");

    // A message to the coordinators.
    const m = await b.get(`/cases/${reference}/messages`);
    const sent = await b.post(`/portal/cases/${reference}/messages`, { body: 'Hello, my scans are on their way.' }, csrfOf(m.text));
    expect(sent.status).toBe(303);
    expect((await b.get(`/cases/${reference}/messages?done=message`)).text).toContain('Hello, my scans are on their way.');

    // Another user's browser sees nothing of it.
    const other = browser();
    const otherEmail = uniqueEmail('other');
    await request(stack.app).post('/auth/register').send({ email: otherEmail, password: PASSWORD, name: 'Other', kind: 'patient', language: 'en' });
    const otherToken = await linkTokenFor(stack, otherEmail, /Confirm|Confirmez/);
    await request(stack.app).get('/auth/verify-email').query({ token: otherToken });
    await signIn(other, otherEmail);
    expect((await other.get(casePath)).status).toBe(404);
  });

  test('an estimate is accepted from its form; the arrival date before the guarantee shows the refusal in plain words', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team);
    const estimate = await issueEstimate(stack, team, patient, reference, [{ code: 'consultation', quantity: 1 }]);
    const b = browser();
    await signIn(b, patient.email);
    let page = await b.get(`/cases/${reference}`);
    expect(page.text).toContain('Your estimate is ready: please read it, then accept or decline it.');
    expect(page.text).toContain(`href="/cases/${reference}/documents/${estimate.documentId}"`);
    const pdfRes = await b.get(`/cases/${reference}/documents/${estimate.documentId}`);
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers['content-type']).toMatch(/application\/pdf/);
    expect(pdfRes.headers['content-disposition']).toMatch(/^inline/);

    const accepted = await b.post(`/portal/cases/${reference}/estimates/${estimate.number}/accept`, {}, csrfOf(page.text));
    expect(accepted.status).toBe(303);
    await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'guarantee_pending');
    page = await b.get(`/cases/${reference}`);
    expect(page.text).toContain('Before treatment can start, the estimate must be paid in full or guaranteed by your insurer.');
    expect(page.text).toContain(`/pay/${reference}?purpose=${estimate.number}&amp;amountCents=${estimate.totalCents}`);

    const arrival = await b.post(`/portal/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: '10' }, csrfOf(page.text));
    expect(arrival.status).toBe(409);
    expect(arrival.text).toContain('You can set your arrival date only once your estimate is paid in full or guaranteed by your insurer.');

    // The development provider's page delivers the signed payment.
    const payPage = await b.get(`/pay/${reference}?purpose=${estimate.number}&amountCents=${estimate.totalCents}`);
    expect(payPage.status).toBe(200);
    expect(payPage.text).toContain('Pay (test provider)');
    const paid = await b.post(`/portal/pay/${reference}`, { purpose: estimate.number, amountCents: String(estimate.totalCents) }, csrfOf(payPage.text));
    expect(paid.status).toBe(200);
    expect(paid.text).toContain('Payment received');
    const s = await waitForState(stack.app, patient.auth, reference, (x) => x.phase === 'stay_preparation');
    expect(s.payments.some((p) => p.purpose === estimate.number && p.amountCents === estimate.totalCents)).toBe(true);

    page = await b.get(`/cases/${reference}`);
    const set = await b.post(`/portal/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: '10' }, csrfOf(page.text));
    expect(set.status).toBe(303);
    await waitForState(stack.app, patient.auth, reference, (x) => x.treatment.arrival !== null);
    page = await b.get(`/cases/${reference}`);
    expect(page.text).toContain('Practical information');

    // An interpreter request.
    const asked = await b.post(`/portal/cases/${reference}/requests`, { kind: 'interpreter', details: 'Arabic, for the first consultation.' }, csrfOf(page.text));
    expect(asked.status).toBe(303);
    expect((await b.get(String(asked.headers.location))).text).toContain('Arabic, for the first consultation.');
  });

  test('coverage, companions with their proof, then withdrawal with a confirmation step', async () => {
    const { patient, reference } = await toTreatmentPlanning(stack, team);
    const b = browser();
    await signIn(b, patient.email);
    let page = await b.get(`/cases/${reference}`);
    expect(page.text).toContain('Your health insurance');
    expect(page.text).toContain('Companions travelling with you');
    // The MDT's report, in words, and the fee paid for the study.
    expect(page.text).toContain('Report from our physicians');
    expect(page.text).toContain('The team proposes treatment at our centre.');
    expect(page.text).toContain('Treatment here proposed.');
    expect(page.text).toMatch(/Paid: €[\d,.]+ · [^<]+ · service fees<\/li>/);

    // Coverage: an empty form, then a mistyped number, each refused next to the form; then the route's notice.
    const empty = await b.post(`/portal/cases/${reference}/coverage`, { frenchSocialSecurityNumber: '', declaredTreatingPhysician: '', hadEhic: 'false' }, csrfOf(page.text));
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Give your social security number and your treating physician, or tick the EHIC box.');
    const badNir = await b.post(`/portal/cases/${reference}/coverage`, { frenchSocialSecurityNumber: '2 55 08 14 168 025 39', declaredTreatingPhysician: 'Dr Martin', hadEhic: 'false' }, csrfOf(empty.text));
    expect(badNir.status).toBe(400);
    expect(badNir.text).toMatch(/<p class="error" id="f-frenchSocialSecurityNumber-error">Not a valid French social security number/);
    expect(badNir.text).toMatch(/id="f-frenchSocialSecurityNumber" name="frenchSocialSecurityNumber" aria-describedby="f-frenchSocialSecurityNumber-hint f-frenchSocialSecurityNumber-error" aria-invalid="true"/);
    const nir = await b.post(`/portal/cases/${reference}/coverage`, { frenchSocialSecurityNumber: '2 55 08 14 168 025 38', declaredTreatingPhysician: 'Dr Martin', hadEhic: 'false' }, csrfOf(badNir.text));
    expect(nir.status).toBe(303);
    expect(nir.headers.location).toBe(`/cases/${reference}?done=coverage#coverage`);
    await waitForState(stack.app, patient.auth, reference, (s) => s.treatment.coverage?.route === 'french_insured');
    page = await b.get(String(nir.headers.location));
    expect(page.text).toContain('Your insurance details were saved.');
    expect(page.text).toContain('You are covered by the French Assurance Maladie: show your Carte Vitale at every visit.');
    expect(page.text).toContain('You declared: social security number given, treating physician Dr Martin');
    expect(page.text).not.toContain('>french_insured<');
    const frPage = await b.get(`/cases/${reference}`, 'fr-FR');
    expect(frPage.text).toContain("Vous êtes affilié(e) à l&#39;Assurance Maladie");

    // The EHIC box alone.
    const ehic = await b.post(`/portal/cases/${reference}/coverage`, { hasEhic: 'true', hadEhic: 'false' }, csrfOf(page.text));
    expect(ehic.status).toBe(303);
    await waitForState(stack.app, patient.auth, reference, (s) => s.treatment.coverageDeclaration.hasEhic === true);
    page = await b.get(`/cases/${reference}`);
    expect(page.text).toMatch(/id="f-hasEhic" name="hasEhic" value="true" checked/);

    // Companions: the proof is uploaded in the companions block, then chosen in the companion form.
    const uploadAction = decode(/action="(\/portal\/cases\/[^"]+documents\?[^"]+item=companions)"/.exec(page.text)![1]);
    const uploaded = await b.agent.post(uploadAction).set('Accept', HTML).field('kind', 'proof_of_relationship').field('language', 'fr').attach('files', pdf(`proof-${reference}`), 'livret.pdf');
    expect(uploaded.status).toBe(303);
    expect(uploaded.headers.location).toBe(`/cases/${reference}?done=upload#item-companions`);
    const withProof = await waitForState(stack.app, patient.auth, reference, (s) => s.documents.some((d) => d.kind === 'proof_of_relationship'));
    const proofId = withProof.documents.find((d) => d.kind === 'proof_of_relationship')!.documentId;
    page = await b.get(`/cases/${reference}`);
    expect(page.text).toMatch(new RegExp(`<option value="${proofId}" selected>Proof of family relationship \\(1\\)</option>`));

    // A proof of the wrong kind for the relationship: the workflow's reason, on the proof field.
    const wrong = await b.post(`/portal/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'other', nationality: 'ma', proofDocumentId: proofId }, csrfOf(page.text));
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/<p class="error" id="f-companion-proof-error">A companion who is not family needs a letter justifying the companion&#39;s presence uploaded to the case; then choose it as the proof\./);
    expect(wrong.text).toContain('value="Karim Benali"');
    const missingName = await b.post(`/portal/cases/${reference}/companions`, { fullName: '', relationship: 'family', nationality: 'MA', proofDocumentId: '' }, csrfOf(wrong.text));
    expect(missingName.status).toBe(400);
    expect(missingName.text).toContain('id="f-companion-fullName-error"');
    const ok = await b.post(`/portal/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'ma', proofDocumentId: proofId }, csrfOf(missingName.text));
    expect(ok.status).toBe(303);
    const withCompanion = await waitForState(stack.app, patient.auth, reference, (s) => s.treatment.companions.length === 1);
    expect(withCompanion.treatment.companions[0]).toMatchObject({ fullName: 'Karim Benali', relationship: 'family', nationality: 'MA', proofDocumentId: proofId });
    page = await b.get(String(ok.headers.location));
    expect(page.text).toContain('The companion was saved.');
    expect(page.text).toMatch(/Karim Benali · Family member[^<]*· Morocco · <span class="badge badge-provided">proof on file<\/span>/);

    // Withdrawal: a link to a confirmation page; a reason is required; then the case says so.
    expect(page.text).toContain(`href="/cases/${reference}/withdraw"`);
    const confirm = await b.get(`/cases/${reference}/withdraw`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('A service fee paid for a study that has not started yet is refunded.');
    expect(confirm.text).toContain('No, keep my case');
    const noReason = await b.post(`/portal/cases/${reference}/withdraw`, { reason: '' }, csrfOf(confirm.text));
    expect(noReason.status).toBe(400);
    expect(noReason.text).toMatch(/<p class="error" id="f-reason-error">Required\.<\/p>/);
    const withdrawn = await b.post(`/portal/cases/${reference}/withdraw`, { reason: 'Treated at home after all.' }, csrfOf(noReason.text));
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.headers.location).toBe(`/cases/${reference}?done=withdrawn`);
    await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'withdrawn');
    page = await b.get(String(withdrawn.headers.location));
    expect(page.text).toContain('Your request was withdrawn.');
    expect(page.text).toContain('You withdrew this request.');
    expect(page.text).not.toContain(`href="/cases/${reference}/withdraw"`);
    expect(page.text).not.toContain('Your health insurance');
    // The confirmation page of a withdrawn case goes back to the case.
    const again = await b.get(`/cases/${reference}/withdraw`);
    expect(again.status).toBe(303);
  });

  test('the session cookie is HttpOnly and SameSite=Lax; signing out ends it', async () => {
    const { patient, reference } = await toGuaranteed(stack, team);
    const b = browser();
    const page = await b.get('/login');
    const res = await b.post('/portal/login', { email: patient.email, password: PASSWORD }, csrfOf(page.text));
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('parcours_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const casePage = await b.get(`/cases/${reference}`);
    expect(casePage.text).toContain('Tell us your arrival date');
    const out = await b.post('/portal/logout', {}, csrfOf(casePage.text));
    expect(out.status).toBe(303);
    const again = await b.get(`/cases/${reference}`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/login\?next=/);
  });
});
