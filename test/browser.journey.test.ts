// The whole story across roles, each person in their own browser (Debian's chromium driven by
// playwright-core): a patient registers and sends a file with an item missing; the admission
// coordinator marks it incomplete; the patient sees what is missing, adds it and sends it again; the
// coordinator finds it complete and assigns a care coordinator, who approves it; a finance user records
// the fee's payment; the MDT secretariat submits the report; the patient reads it. Every page is checked
// by axe-core (no serious or critical violation); screenshots go to test-results/screenshots/.
import type { Browser, Locator, Page } from 'playwright-core';
import type { StaffRole } from '../api/policy';
import { studyFees } from '../config/fees';
import { PASSWORD, staff, uniqueEmail } from './support/actors';
import { checkAccessibility, expectNoHorizontalScroll, newPage, runningBrowserProcesses, screenshot, startBrowser } from './support/browser';
import { startStack, type ListeningStack } from './support/stack';

jest.setTimeout(240_000);

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

const pdfOf = (seed: string) => Buffer.from(`%PDF-1.4\n% ${seed}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`, 'latin1');

/** Reloads until the text shows (the workflow moves asynchronously). */
/** Reloads until the text (a substring, any case) or the element `find` gives is visible. */
async function reloadUntil(page: Page, text: string | RegExp | ((page: Page) => Locator), timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const target = () => (typeof text === 'function' ? text(page) : page.getByText(text)).first();
  for (;;) {
    if (await target().isVisible()) return;
    if (Date.now() > deadline) throw new Error(`"${String(text)}" never showed on ${page.url()}`);
    await page.waitForTimeout(300);
    await page.reload();
  }
}

/** Reloads until a checklist item of the patient's case page shows this status. */
async function reloadUntilBadge(page: Page, item: string, status: string): Promise<void> {
  const badge = page.locator(`#item-${item} .badge`);
  for (let i = 0; i < 60 && (await badge.innerText()).trim() !== status; i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  expect((await badge.innerText()).trim()).toBe(status);
}

async function signIn(page: Page, email: string, password: string, home: RegExp): Promise<void> {
  await page.goto(`${stack.baseUrl}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(home);
}

/** A staff member (made as `npm run staff:add` does, password set from the emailed link) signed in to the console. */
async function staffPage(role: StaffRole, viewport: 'desktop' | 'phone' = 'desktop'): Promise<Page> {
  const actor = await staff(stack, role);
  const page = await newPage(browser, { viewport, locale: 'en-GB' });
  await signIn(page, actor.email, PASSWORD, /\/console$/);
  return page;
}

/** Opens the case from the console's worklist (it must be there, waiting on this role). */
async function openFromWorklist(page: Page, reference: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/console`);
  await reloadUntil(page, reference);
  await page.getByRole('link', { name: reference }).click();
  await page.waitForURL(new RegExp(`/console/cases/${reference}$`));
}

test('a case from registration to the report, across the patient, admission, care coordination, finance and the MDT', async () => {
  const started = Date.now();
  const email = uniqueEmail('journey.patient');
  const passphrase = 'a long passphrase for the journey';
  const patient = await newPage(browser, { viewport: 'desktop', locale: 'en-GB' });
  const staffPages: Page[] = [];
  try {
    // ---- the patient registers, confirms, opens a case ----
    await patient.goto(`${stack.baseUrl}/register`);
    await patient.getByLabel('Full name').fill('Amina Benali');
    await patient.getByLabel('Email address').fill(email);
    await patient.getByLabel('Password').fill(passphrase);
    await patient.getByLabel('Language for our emails').selectOption('en');
    await patient.getByRole('button', { name: 'Create my account' }).click();
    await patient.getByText('a confirmation link is on its way').waitFor();
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /Confirm/i.test(m.subject));
    await patient.goto(/https?:\/\/\S+token=[\w.-]+/.exec(mail.text)![0]);
    await patient.getByText('Your email address is confirmed').waitFor();
    await signIn(patient, email, passphrase, /\/cases$/);
    await patient.getByRole('link', { name: 'Open a new case' }).click();
    await patient.getByLabel('What do you ask us for?').selectOption('medical_opinion');
    await patient.getByLabel('First name').fill('Amina');
    await patient.getByLabel('Last name').fill('Benali');
    await patient.getByLabel('Email address').fill(email);
    await patient.getByLabel('Nationality (2-letter country code, e.g. MA)').fill('MA');
    await patient.getByLabel('Country of residence (2-letter code)').fill('MA');
    await patient.getByRole('button', { name: 'Open the case' }).click();
    await patient.waitForURL(/\/cases\/INT-\d{4}-\d{6}$/);
    const reference = /INT-\d{4}-\d{6}/.exec(patient.url())![0];
    await reloadUntil(patient, 'We are waiting for you: answer the questionnaire');

    // ---- questionnaire, two documents, three "none"; the imaging report is left out; sent ----
    await patient.getByRole('link', { name: 'Answer the questionnaire' }).first().click();
    const answers: Record<string, string> = {
      'First name': 'Amina', 'Last name': 'Benali', 'Date of birth': '1978-03-14', 'Place of birth': 'Casablanca', 'Nationality (2-letter country code)': 'MA',
      'Phone (international format, e.g. +212 6 12 34 56 78)': '+212 6 12 34 56 78', 'Email address': email, 'Postal address': '12 rue des Orangers, Casablanca',
      'Reason for the request': 'Second opinion on a breast tumour', 'Name of the disease': 'Invasive ductal carcinoma', 'Location of the disease': 'Left breast',
    };
    for (const [label, value] of Object.entries(answers)) await patient.getByLabel(label, { exact: true }).fill(value);
    await patient.getByLabel('Sex').selectOption('female');
    await patient.getByRole('button', { name: 'Save my answers' }).click();
    await patient.getByText('Your answers were saved.').waitFor();
    for (const item of ['gp_letter', 'pathology_report']) {
      const form = patient.locator(`#item-${item}`);
      await form.getByLabel(/^Files \(PDF, JPEG, PNG or DICOM\): /).setInputFiles({ name: `${item}.pdf`, mimeType: 'application/pdf', buffer: pdfOf(`${item}-${reference}`) });
      await form.getByRole('button', { name: 'Upload' }).click();
      await patient.waitForURL((url) => url.hash === `#item-${item}` && url.search === '?done=upload');
      await reloadUntilBadge(patient, item, 'Provided');
    }
    for (const item of ['operation_reports', 'chemotherapy_reports', 'radiotherapy_reports']) {
      await patient.locator(`#item-${item}`).getByRole('button', { name: 'I have none (never received this treatment)' }).click();
      await patient.waitForURL((url) => url.hash === `#item-${item}`);
      await reloadUntilBadge(patient, item, 'Declared: none');
    }
    expect((await patient.locator('#item-imaging_report .badge').innerText()).trim()).toBe('Missing');
    await patient.getByRole('button', { name: 'Send my file to the admission team' }).click();
    await patient.getByText('Your file was sent to the admission team.').waitFor();
    await reloadUntil(patient, 'The admission team is checking your file.');

    // ---- the admission coordinator: "complete" is refused while an item is missing; marked incomplete ----
    const admission = await staffPage('admission_coordinator');
    staffPages.push(admission);
    await reloadUntil(admission, reference);
    await checkAccessibility(admission, 'console worklist');
    await screenshot(admission, 'console-worklist');
    await openFromWorklist(admission, reference);
    await checkAccessibility(admission, 'console case (completeness review)');
    await screenshot(admission, 'console-case');
    await admission.getByRole('button', { name: 'Mark the file complete' }).click();
    await admission.locator('#action-review-complete').getByRole('alert').getByText(/Imaging report/).waitFor();
    await checkAccessibility(admission, 'console case (refusal shown)');
    await admission.getByRole('checkbox', { name: /^Imaging report/ }).check();
    await admission.getByLabel('Message to the patient (what to add)').fill('Please add the report of your latest scan (CT or MRI).');
    await admission.getByRole('button', { name: 'Send the list to the patient' }).click();
    await admission.waitForURL(/\?done=review/);

    // ---- the patient sees what is missing, adds it, sends the file again ----
    await reloadUntil(patient, 'Message from our team: Please add the report of your latest scan (CT or MRI).');
    expect((await patient.locator('#item-imaging_report .badge').innerText()).trim()).toBe('Missing');
    // The email says so too, naming the missing item.
    await stack.smtp.waitFor((m) => m.to.includes(email) && m.text.includes('Imaging report') && m.text.includes('Please add the report of your latest scan'));
    await checkAccessibility(patient, 'case: file sent back');
    await screenshot(patient, 'portal-case-incomplete');
    const imaging = patient.locator('#item-imaging_report');
    await imaging.getByLabel(/^Files \(PDF, JPEG, PNG or DICOM\): /).setInputFiles({ name: 'ct-report.pdf', mimeType: 'application/pdf', buffer: pdfOf(`imaging-${reference}`) });
    await imaging.getByRole('button', { name: 'Upload' }).click();
    await patient.waitForURL((url) => url.hash === '#item-imaging_report' && url.search === '?done=upload');
    await reloadUntilBadge(patient, 'imaging_report', 'Provided');
    await patient.getByRole('button', { name: 'Send my file to the admission team' }).click();
    await reloadUntil(patient, 'The admission team is checking your file.');

    // ---- the admission coordinator finds it complete and assigns the care coordinator ----
    const care = await staff(stack, 'care_coordinator');
    await admission.reload();
    await admission.getByRole('button', { name: 'Mark the file complete' }).click();
    await admission.waitForURL(/\?done=review/);
    // The form itself: the text "Assign" shows on the page before the form does.
    await reloadUntil(admission, (p) => p.getByLabel('Care coordinator', { exact: true }));
    await admission.getByLabel('Care coordinator', { exact: true }).selectOption({ label: 'Test care_coordinator' });
    await admission.getByRole('button', { name: 'Assign' }).click();
    await admission.waitForURL(/\?done=coordinator/);

    // ---- the care coordinator approves the contents ----
    const carePage = await newPage(browser, { viewport: 'desktop', locale: 'en-GB' });
    staffPages.push(carePage);
    await signIn(carePage, care.email, PASSWORD, /\/console$/);
    await openFromWorklist(carePage, reference);
    await checkAccessibility(carePage, 'console case (contents review)');
    await carePage.getByRole('button', { name: 'Approve the contents' }).click();
    await carePage.waitForURL(/\?done=approve/);
    await reloadUntil(patient, 'We are waiting for the payment of the service fees');

    // ---- finance records the fee's payment (a bank transfer) ----
    const finance = await staffPage('finance');
    staffPages.push(finance);
    await finance.goto(`${stack.baseUrl}/console/cases/${reference}`);
    await checkAccessibility(finance, 'console case (finance)');
    const fee = studyFees.medical_opinion.amountCents;
    expect(await finance.getByLabel('Amount received (euros, e.g. 1500.00)').inputValue()).toBe((fee / 100).toFixed(2));
    await finance.getByLabel('What it pays').selectOption('study_fee');
    await finance.getByLabel('Bank reference of the transfer (optional)').fill(`TRF-${reference}`);
    await finance.getByRole('button', { name: 'Record the payment' }).click();
    await finance.waitForURL(/\?done=payment/);
    await reloadUntil(patient, 'Our physicians are studying your file.');

    // ---- the MDT secretariat submits the report ----
    // On a phone: the console fits the screen too.
    const mdt = await staffPage('mdt', 'phone');
    staffPages.push(mdt);
    await openFromWorklist(mdt, reference);
    await checkAccessibility(mdt, 'console case (report)');
    await expectNoHorizontalScroll(mdt, 'console case on a phone');
    await mdt.goto(`${stack.baseUrl}/console`);
    await expectNoHorizontalScroll(mdt, 'console worklist on a phone');
    await screenshot(mdt, 'console-worklist-phone');
    await mdt.goto(`${stack.baseUrl}/console/cases/${reference}`);
    await mdt.getByLabel('Strategy').selectOption('confirm_home_treatment');
    await mdt.getByRole('textbox', { name: 'Summary' }).fill('The board confirms the surgery proposed in Casablanca, followed by adjuvant radiotherapy.');
    await mdt.getByRole('button', { name: 'Submit the report' }).click();
    await mdt.waitForURL(/\?done=report/);

    // ---- the patient reads it ----
    await patient.goto(`${stack.baseUrl}/cases/${reference}`);
    await reloadUntil(patient, 'Your case is complete. You can still read its documents.');
    const report = patient.getByRole('region', { name: 'Report from our physicians' });
    expect(await report.innerText()).toContain('The team confirms the treatment proposed in your country.');
    expect(await report.innerText()).toContain('The board confirms the surgery proposed in Casablanca, followed by adjuvant radiotherapy.');
    expect(await patient.locator('#pay-h').count()).toBe(1);
    await checkAccessibility(patient, 'case: report');
    await screenshot(patient, 'portal-report');
    // In French too.
    await patient.getByRole('link', { name: 'Lire cette page en français' }).click();
    await patient.getByText('Compte rendu de nos médecins').waitFor();
    await patient.getByText('L’équipe confirme le traitement proposé dans votre pays.').waitFor();
    await checkAccessibility(patient, 'case: report (French)');
    expect(Date.now() - started).toBeLessThan(240_000);
  } finally {
    for (const p of staffPages) await p.context().close();
    await patient.context().close();
  }
});

test('closing the browser leaves no chromium process running', async () => {
  await browser.close();
  const deadline = Date.now() + 5000;
  while (runningBrowserProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(runningBrowserProcesses()).toEqual([]);
});
