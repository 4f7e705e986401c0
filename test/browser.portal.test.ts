// The patient portal in a real browser (Debian's chromium driven by playwright-core, JavaScript on):
// registration through the pages, the emailed confirmation link, sign-in, a new case, the questionnaire
// with an error shown then fixed, one upload per checklist item through the file inputs (with the
// progress bar), a refused upload and its reason, the file sent, the status in plain words, the
// language switch, and the main pages at phone width. axe-core checks every main page (no serious or
// critical violation); screenshots go to the git-ignored test-results/screenshots/.
import type { Browser, Locator, Page } from 'playwright-core';
import { login, PASSWORD, uniqueEmail } from './support/actors';
import { checkAccessibility, expectNoHorizontalScroll, newPage, runningBrowserProcesses, screenshot, startBrowser } from './support/browser';
import { waitForState } from './support/cases';
import { issueEstimate, makeTeam, toTreatmentPlanning } from './support/pathway';
import { startStack, type ListeningStack } from './support/stack';

jest.setTimeout(180_000);

let stack: ListeningStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ listen: true, env: { PATHWAY_REMINDER_AFTER: '1h', PATHWAY_FEE_REMINDER_AFTER: '1h', PATHWAY_REPORT_SLA: '1h' } });
  browser = await startBrowser();
});

afterAll(async () => {
  if (browser?.isConnected()) await browser.close();
  await stack?.stop();
});

const PASSPHRASE = 'a long passphrase for the browser';
const email = uniqueEmail('browser.patient');
let reference = '';

/** A PDF of about `kb` kilobytes (big enough for the upload to report progress), unique by its seed. */
const pdfOf = (seed: string, kb = 1) => Buffer.concat([Buffer.from(`%PDF-1.4\n% ${seed}\n`, 'latin1'), Buffer.alloc(kb * 1024, 0x20), Buffer.from('\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1')]);
const DICOM = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'ascii'), Buffer.from('browser test image', 'ascii')]);

/** Waits until the element's text is (or, for a RegExp, matches) the expected one. */
async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = (await locator.innerText()).trim();
    if (typeof expected === 'string' ? text === expected : expected.test(text)) return;
    if (Date.now() > deadline) throw new Error(`expected ${String(expected)}, got "${text}"`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reloads until a checklist item shows this status (the document reaches the workflow just after the upload answers). */
async function reloadUntilBadge(page: Page, item: string, status: string): Promise<void> {
  const badge = page.locator(`#item-${item} .badge`);
  for (let i = 0; i < 60 && (await badge.innerText()).trim() !== status; i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  expect((await badge.innerText()).trim()).toBe(status);
}

/** Reloads until the text shows (the workflow moves asynchronously). */
async function reloadUntil(page: Page, text: string | RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.getByText(text).first().isVisible()) return;
    if (Date.now() > deadline) throw new Error(`"${String(text)}" never showed on ${page.url()}`);
    await page.waitForTimeout(300);
    await page.reload();
  }
}

async function signIn(page: Page, lang: 'en' | 'fr' = 'en'): Promise<void> {
  await page.goto(`${stack.baseUrl}/login`);
  await page.getByLabel(lang === 'en' ? 'Email address' : 'Adresse e-mail').fill(email);
  await page.getByLabel(lang === 'en' ? 'Password' : 'Mot de passe').fill(PASSPHRASE);
  await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : 'Se connecter' }).click();
  await page.waitForURL(/\/cases$/);
}

test('a patient registers, confirms by the emailed link, opens a case, fills and sends the file', async () => {
  const page = await newPage(browser, { viewport: 'desktop', locale: 'en-GB' });
  try {
    // ---- registration, with a password too short first ----
    await page.goto(`${stack.baseUrl}/`);
    await page.waitForURL(/\/login$/);
    await checkAccessibility(page, 'login');
    await screenshot(page, 'portal-login');
    await page.getByRole('link', { name: 'Create an account' }).first().click();
    await page.waitForURL(/\/register$/);
    await checkAccessibility(page, 'register');
    await page.getByLabel('Full name').fill('Amina Benali');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('I am').selectOption('patient');
    await page.getByLabel('Language for our emails').selectOption('en');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('alert').getByText('Please correct the following:').waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await checkAccessibility(page, 'register with an error');
    await page.getByLabel('Password').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByText('a confirmation link is on its way').waitFor();

    // ---- the emailed link, opened in the browser ----
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /Confirm/i.test(m.subject));
    const link = /https?:\/\/\S+token=[\w.-]+/.exec(mail.text)?.[0];
    expect(link && new URL(link).origin).toBe(stack.baseUrl);
    await page.goto(link!);
    await page.getByText('Your email address is confirmed').waitFor();
    await checkAccessibility(page, 'email confirmed');

    // ---- sign in, open a case ----
    await signIn(page);
    await page.getByText('You have no case yet.').waitFor();
    await checkAccessibility(page, 'my cases (none)');
    await page.getByRole('link', { name: 'Open a new case' }).click();
    await checkAccessibility(page, 'new case');
    await page.getByLabel('What do you ask us for?').selectOption('proton_therapy');
    await page.getByLabel('Language for our messages').selectOption('en');
    await page.getByLabel('First name').fill('Amina');
    await page.getByLabel('Last name').fill('Benali');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Nationality (2-letter country code, e.g. MA)').fill('MA');
    await page.getByLabel('Country of residence (2-letter code)').fill('MA');
    await page.getByLabel('Reason for the request').fill('Skull base chordoma: proton therapy after surgery?');
    await page.getByRole('button', { name: 'Open the case' }).click();
    await page.waitForURL(/\/cases\/INT-\d{4}-\d{6}$/);
    reference = /INT-\d{4}-\d{6}/.exec(page.url())![0];
    await reloadUntil(page, 'We are waiting for you: answer the questionnaire');
    await expectText(page.getByRole('heading', { level: 1 }), `Case ${reference}`);
    await checkAccessibility(page, 'case: file to collect');
    await screenshot(page, 'portal-case-file');

    // ---- questionnaire: an error shown next to its field, then fixed ----
    await page.getByRole('link', { name: 'Answer the questionnaire' }).first().click();
    await page.waitForURL(/\/questionnaire$/);
    const answers: Record<string, string> = {
      'First name': 'Amina', 'Last name': 'Benali', 'Date of birth': '1978-03-14', 'Place of birth': 'Casablanca', 'Nationality (2-letter country code)': 'MA',
      'Phone (international format, e.g. +212 6 12 34 56 78)': '+212 6 12 34 56 78', 'Email address': 'not an address', 'Postal address': '12 rue des Orangers, Casablanca',
      "Referring doctor's name": 'Dr Youssef Alaoui', "Referring doctor's hospital or practice": 'CHU Ibn Rochd', "Referring doctor's phone": '+212 5 22 00 00 00',
      "Referring doctor's email": 'y.alaoui@chu.example.ma', 'Reason for the request': 'Second opinion before surgery', 'Name of the disease': 'Chordoma', 'Location of the disease': 'Skull base',
    };
    for (const [label, value] of Object.entries(answers)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByLabel('Sex').selectOption('female');
    await page.getByRole('button', { name: 'Save my answers' }).click();
    const summary = page.getByRole('alert');
    await summary.getByText('Please correct the following:').waitFor();
    const emailField = page.getByLabel('Email address', { exact: true });
    expect(await emailField.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await emailField.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${errorId}`).innerText()).toMatch(/email/i);
    // The summary links to the field.
    await summary.getByRole('link', { name: /^Email address:/ }).click();
    expect(await page.evaluate('document.activeElement.id')).toBe('f-email');
    await checkAccessibility(page, 'questionnaire with an error');
    await screenshot(page, 'portal-questionnaire-error');
    await emailField.fill(email);
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByText('Your answers were saved.').waitFor();

    // ---- one upload per item, through the file inputs; first a refused one ----
    const gp = page.locator('#item-gp_letter');
    await gp.getByLabel(/^Files \(PDF, JPEG, PNG or DICOM\): /).setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just some text, not a document') });
    await gp.getByRole('button', { name: 'Upload' }).click();
    const refusal = gp.getByRole('alert');
    await refusal.getByText(/^Your file was refused: /).waitFor();
    expect(await refusal.innerText()).toContain('letter.pdf: The content is not a PDF, JPEG, PNG or DICOM file');
    await checkAccessibility(page, 'case: upload refused');
    await screenshot(page, 'portal-upload-refused');

    const files: Record<string, { name: string; buffer: Buffer }> = {
      gp_letter: { name: 'gp-letter.pdf', buffer: pdfOf(`gp-${reference}`, 3072) },
      imaging_report: { name: 'imaging.pdf', buffer: pdfOf(`imaging-${reference}`) },
      dicom_images: { name: 'scan.dcm', buffer: Buffer.concat([DICOM, Buffer.from(reference)]) },
      radiotherapy_reports: { name: 'radiotherapy.pdf', buffer: pdfOf(`radio-${reference}`) },
    };
    for (const [item, file] of Object.entries(files)) {
      const form = page.locator(`#item-${item}`);
      await form.getByLabel(/^Files \(PDF, JPEG, PNG or DICOM\): /).setInputFiles({ ...file, mimeType: file.name.endsWith('.dcm') ? 'application/dicom' : 'application/pdf' });
      // The script shows the progress bar while it sends: note what it shows (kept across the page change).
      await page.evaluate(`(() => {
        const bar = document.querySelector('#item-${item} progress');
        sessionStorage.removeItem('progressShown');
        sessionStorage.removeItem('progressMax');
        new MutationObserver(() => {
          if (!bar.hidden) sessionStorage.setItem('progressShown', 'yes');
          sessionStorage.setItem('progressMax', String(Math.max(Number(sessionStorage.getItem('progressMax') || 0), bar.value)));
        }).observe(bar, { attributes: true, attributeFilter: ['hidden', 'value'] });
      })()`);
      await form.getByRole('button', { name: 'Upload' }).click();
      await page.waitForURL((url) => url.search === '?done=upload' && url.hash === `#item-${item}`);
      await page.getByText('Your file was received.').waitFor();
      // The JSON answer of the script's request led here: it ran, and showed its bar.
      expect(await page.evaluate("sessionStorage.getItem('progressShown')")).toBe('yes');
      if (item === 'gp_letter') expect(Number(await page.evaluate("sessionStorage.getItem('progressMax')"))).toBe(100);
      await reloadUntilBadge(page, item, 'Provided');
    }
    // Treatments never received: "none".
    for (const item of ['operation_reports', 'chemotherapy_reports']) {
      await page.locator(`#item-${item}`).getByRole('button', { name: 'I have none (never received this treatment)' }).click();
      await page.waitForURL((url) => url.hash === `#item-${item}`);
      await reloadUntilBadge(page, item, 'Declared: none');
    }
    expect(await page.locator('.checklist .badge-missing').count()).toBe(0);
    await checkAccessibility(page, 'case: file complete');

    // ---- send the file; the status in plain words ----
    await page.getByRole('button', { name: 'Send my file to the admission team' }).click();
    await page.getByText('Your file was sent to the admission team.').waitFor();
    await reloadUntil(page, 'The admission team is checking your file.');
    expect(await page.getByRole('button', { name: 'Send my file to the admission team' }).count()).toBe(0);
    await checkAccessibility(page, 'case: file sent');
    await screenshot(page, 'portal-case-status');

    // ---- a message to the coordinators ----
    await page.getByRole('link', { name: 'Secure messages' }).click();
    await page.getByLabel('Your message').fill('Hello, my scans are on their way.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your message was sent.').waitFor();
    expect(await page.locator('.messages').innerText()).toContain('Hello, my scans are on their way.');
    await checkAccessibility(page, 'messages');

    // ---- the language switch, both ways ----
    await page.goto(`${stack.baseUrl}/cases/${reference}`);
    await page.getByRole('link', { name: 'Lire cette page en français' }).click();
    await page.waitForURL(new RegExp(`/cases/${reference}$`));
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await expectText(page.getByRole('heading', { level: 1 }), `Dossier ${reference}`);
    await page.getByText("L'équipe d'admission vérifie votre dossier.").waitFor();
    await checkAccessibility(page, 'case (French)');
    await page.getByRole('link', { name: 'Read this page in English' }).click();
    await page.waitForURL(new RegExp(`/cases/${reference}$`));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByText('The admission team is checking your file.').waitFor();
  } finally {
    await page.context().close();
  }
});

test('the main patient pages fit a phone screen, without sideways scrolling, in French', async () => {
  expect(reference).not.toBe('');
  const page = await newPage(browser, { viewport: 'phone', locale: 'fr-FR' });
  try {
    await page.goto(`${stack.baseUrl}/login`);
    await expectNoHorizontalScroll(page, 'login (phone)');
    await checkAccessibility(page, 'login (phone)');
    await page.goto(`${stack.baseUrl}/register`);
    await expectNoHorizontalScroll(page, 'register (phone)');
    await signIn(page, 'fr');
    const pages: [string, string][] = [
      ['/cases', 'mes dossiers'],
      ['/cases/new', 'nouveau dossier'],
      [`/cases/${reference}`, 'dossier'],
      [`/cases/${reference}/questionnaire`, 'questionnaire'],
      [`/cases/${reference}/messages`, 'messagerie'],
      [`/cases/${reference}/withdraw`, 'retrait'],
    ];
    for (const [path, label] of pages) {
      await page.goto(`${stack.baseUrl}${path}`);
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      await expectNoHorizontalScroll(page, `${label} (phone)`);
      await checkAccessibility(page, `${label} (phone)`);
    }
    await page.goto(`${stack.baseUrl}/cases/${reference}`);
    await page.getByText("L'équipe d'admission vérifie votre dossier.").waitFor();
    await screenshot(page, 'portal-case-phone');
  } finally {
    await page.context().close();
  }
});

test('the estimate page: insurance declared, a companion and their proof, the estimate accepted, then a withdrawal confirmed', async () => {
  // Reaching the estimate takes the staff's steps: taken through the API here (the journey test takes them in the console).
  const team = await makeTeam(stack);
  const { patient, reference: ref } = await toTreatmentPlanning(stack, team);
  const estimate = await issueEstimate(stack, team, patient, ref, [{ code: 'consultation', quantity: 1 }]);
  const page = await newPage(browser, { viewport: 'desktop', locale: 'en-GB' });
  try {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel('Email address').fill(patient.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/cases$/);
    await page.getByRole('link', { name: ref }).click();
    await page.getByText('Your estimate is ready: please read it, then accept or decline it.').waitFor();
    await page.getByRole('link', { name: 'View the estimate (PDF)' }).waitFor();
    await checkAccessibility(page, 'case: estimate');

    // Insurance: a mistyped social security number is refused next to its field, then the EHIC alone.
    const coverage = page.locator('#coverage');
    await coverage.getByLabel('French social security number (15 characters, as on the Carte Vitale)').fill('2 55 08 14 168 025 39');
    await coverage.getByLabel('Your declared treating physician (médecin traitant)').fill('Dr Martin');
    await coverage.getByRole('button', { name: 'Save my insurance details' }).click();
    const nir = page.getByLabel('French social security number (15 characters, as on the Carte Vitale)');
    expect(await nir.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-frenchSocialSecurityNumber-error').innerText()).toMatch(/^Not a valid French social security number/);
    await checkAccessibility(page, 'case: coverage error');
    await page.getByLabel('Your declared treating physician (médecin traitant)').fill('');
    await page.getByLabel('I have a European Health Insurance Card (EHIC)').check();
    await page.getByRole('button', { name: 'Save my insurance details' }).click();
    await page.getByText('Your insurance details were saved.').waitFor();
    await reloadUntil(page, 'You declared: EHIC card');
    expect(await page.locator('#coverage').innerText()).toContain('What this means for you');

    // A companion: the proof uploaded in the companions block, then chosen for them.
    const companions = page.locator('#item-companions');
    await companions.getByLabel('Kind of document').selectOption('proof_of_relationship');
    await companions.getByLabel('Files (PDF, JPEG, PNG or DICOM)').setInputFiles({ name: 'family-record.pdf', mimeType: 'application/pdf', buffer: pdfOf(`proof-${ref}`) });
    await companions.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL((url) => url.hash === '#item-companions');
    const proofId = (await waitForState(stack.app, patient.auth, ref, (x) => x.documents.some((d) => d.kind === 'proof_of_relationship'))).documents.find((d) => d.kind === 'proof_of_relationship')!.documentId;
    await page.reload();
    expect(await page.getByLabel('Proof document').inputValue()).toBe(proofId);
    await page.getByLabel('Full name of the companion').fill('Karim Benali');
    await page.getByLabel('Relationship').selectOption('family');
    await page.getByLabel('Nationality (2-letter country code)', { exact: true }).fill('MA');
    await page.getByRole('button', { name: 'Save the companion' }).click();
    await page.getByText('The companion was saved.').waitFor();
    await reloadUntil(page, 'proof on file');
    await checkAccessibility(page, 'case: estimate, coverage and companion');
    await screenshot(page, 'portal-estimate');

    // The same page on a phone.
    const phone = await newPage(browser, { viewport: 'phone', locale: 'en-GB' });
    try {
      await phone.context().addCookies(await page.context().cookies());
      await phone.goto(`${stack.baseUrl}/cases/${ref}`);
      await phone.getByText('Your estimate is ready').waitFor();
      await expectNoHorizontalScroll(phone, 'estimate (phone)');
      await checkAccessibility(phone, 'estimate (phone)');
    } finally {
      await phone.context().close();
    }

    await page.getByRole('button', { name: `Accept estimate ${estimate.number}` }).click();
    await reloadUntil(page, 'Before treatment can start, the estimate must be paid in full or guaranteed by your insurer.');

    // Withdrawal: a confirmation page first; "keep" goes back, a reason is required.
    await page.getByRole('link', { name: 'Withdraw this request…' }).click();
    await page.waitForURL(new RegExp(`/cases/${ref}/withdraw$`));
    await checkAccessibility(page, 'withdraw confirmation');
    await page.getByRole('link', { name: 'No, keep my case' }).click();
    await page.waitForURL(new RegExp(`/cases/${ref}$`));
    await page.getByRole('link', { name: 'Withdraw this request…' }).click();
    await page.getByRole('button', { name: 'Yes, withdraw my request' }).click();
    await page.getByRole('alert').getByText('Please correct the following:').waitFor();
    await page.getByLabel('Why do you withdraw? (it helps us improve)').fill('I will be treated at home after all.');
    await page.getByRole('button', { name: 'Yes, withdraw my request' }).click();
    await page.getByText('Your request was withdrawn.').waitFor();
    await reloadUntil(page, 'You withdrew this request.');
    expect(await page.getByRole('link', { name: 'Withdraw this request…' }).count()).toBe(0);
    const after = await login(stack, patient.email);
    expect((await waitForState(stack.app, after.auth, ref, (x) => x.phase === 'withdrawn')).phase).toBe('withdrawn');
  } finally {
    await page.context().close();
  }
});

test('closing the browser leaves no chromium process running', async () => {
  await browser.close();
  const deadline = Date.now() + 5000;
  while (runningBrowserProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(runningBrowserProcesses()).toEqual([]);
});
