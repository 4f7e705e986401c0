// What ops read in the Temporal Web UI (the dev server's own UI, on free ports, driven in Debian's
// chromium through playwright-core): a case's "Current details" panel reads as intended (where it stands
// first, a small table, every line visible, no UUID, no patient data), and the ops saved view shows
// the cases waiting on a role with the columns that say where each stands (lib/temporalUiViews.ts).
//
// Screenshots go to the git-ignored test-results/screenshots/; with SAVE_DOCS_SCREENSHOTS=1 also to
// docs/screenshots/ (the README shows them).
import type { Browser, Frame, Page } from 'playwright-core';
import { startDevServer, type DevServer } from '../harness/devServer';
import { freePort } from '../harness/ports';
import { startTemporalUi, type TemporalUi } from '../harness/temporalUi';
import { columnsScript, OPS_COLUMNS, OPS_VIEWS, savedViewUrl } from '../lib/temporalUiViews';
import { searchAttributes, type CaseState } from '../workflows/definitions';
import { parisClock } from '../workflows/parisTime';
import { SESSION_COOKIE } from '../lib/sessionCookie';
import { staff, uniqueEmail } from './support/actors';
import { newPage, runningBrowserProcesses, screenshot, startBrowser } from './support/browser';
import { waitForState } from './support/cases';
import { call, CALM_TIMINGS, inDays, makeTeam, QUESTIONNAIRE, state, toGuaranteed } from './support/pathway';
import { startStack, type ListeningStack } from './support/stack';

jest.setTimeout(240_000);

let server: DevServer;
let ui: TemporalUi;
let stack: ListeningStack;
let browser: Browser;

beforeAll(async () => {
  // This file's own dev server and the Web UI server configured as ./temporal-dev.sh runs it
  // (deploy/temporal/ui/parcours.yaml): its codec endpoint is the API's /codec, with credentials.
  server = await startDevServer();
  const uiPort = await freePort();
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const uiOrigins = [uiUrl, `http://localhost:${uiPort}`].join(',');
  // The API listens: the UI's codec calls (payloads are encrypted) go to its /codec from the browser.
  stack = await startStack({ listen: true, temporal: { address: server.address, uiUrl }, env: { ...CALM_TIMINGS, CODEC_ALLOWED_ORIGINS: uiOrigins } });
  ui = await startTemporalUi({ temporalAddress: server.address, apiUrl: stack.baseUrl, port: uiPort });
  browser = await startBrowser();
});

afterAll(async () => {
  if (browser?.isConnected()) await browser.close();
  await ui?.stop();
  await stack?.stop();
  await server?.stop();
  expect(runningBrowserProcesses()).toEqual([]);
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A browser page on the Temporal UI, which decodes payloads through Parcours' codec server by its own
 * configuration (nothing set in the browser), and, when `signedInAs` is given, holds that staff
 * member's console session (the cookie the console sets at sign-in).
 */
async function uiPage(signedInAs?: { token: string; refreshToken: string; userId: string }): Promise<Page> {
  const page = await newPage(browser, { locale: 'en-GB' });
  if (signedInAs) {
    const session = Buffer.from(JSON.stringify({ ...signedInAs, accessToken: signedInAs.token, name: 'Ops', kind: 'staff', role: 'ops' })).toString('base64url');
    await page.context().addCookies([{ name: SESSION_COOKIE, value: session, url: stack.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  }
  return page;
}

/** Saves a screenshot of the window (not the whole page) under test-results/screenshots/, and refreshes the docs' copy when asked. */
const shoot = (page: Page, name: string) => screenshot(page, name, { fullPage: false });

/** The markdown panel (an iframe the UI renders at /render) under the heading with this name, once it has loaded and been sized. */
async function markdownPanel(page: Page, heading: string): Promise<Frame> {
  // The first markdown iframe after the heading (the UI's panels have no test IDs).
  const iframe = page.locator(`xpath=//*[self::h2 or self::h3][normalize-space()="${heading}"]/following::iframe[@title="output"][1]`);
  await iframe.waitFor();
  const frame = await (await iframe.elementHandle())?.contentFrame();
  await frame!.waitForLoadState('load');
  // The UI sizes the iframe from its content on load.
  await page.waitForFunction((el) => !!(el as { getAttribute(name: string): string | null } | null)?.getAttribute('height'), await iframe.elementHandle());
  return frame!;
}

/**
 * What of the panel's text is out of its window: each line of text that the iframe's height or width
 * cuts (the UI never scrolls it), with how many pixels are hidden.
 */
async function hiddenText(frame: Frame): Promise<string[]> {
  return frame.evaluate(`(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.textContent === '\\u00a0') continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5) out.push(JSON.stringify(node.textContent.trim()) + ': ' + Math.ceil(r.bottom - window.innerHeight) + ' px below, ' + Math.ceil(r.right - window.innerWidth) + ' px right');
      }
    }
    return out;
  })()`);
}

let reference = '';
let caseState: CaseState;

test("a case's current details read as intended: phase, who it waits for and the deadline in Paris first, then a table, all visible, no UUID, no patient data", async () => {
  const team = { ...(await makeTeam(stack)), care: await staff(stack, 'care_coordinator', uniqueEmail('claire'), 'Claire Martin') };
  // A case with much to show: guaranteed, arriving in 6 days from a country whose nationals need a visa (urgent).
  const guaranteed = await toGuaranteed(stack, team, { nationality: 'MA' });
  reference = guaranteed.reference;
  expect((await call(stack, guaranteed.patient, 'put', `/cases/${reference}/arrival`, { date: inDays(6), plannedStayDays: 14 })).status).toBe(200);
  caseState = await waitForState(stack.app, guaranteed.patient.auth, reference, (s) => s.phase === 'awaiting_arrival' && s.treatment.visa !== null);
  expect(caseState.treatment.visa).toMatchObject({ status: 'required', urgent: true });
  expect(caseState.coordinatorInitials).toBe('CM');
  const me = await state(stack, guaranteed.patient, reference);

  // Temporal holds the details encrypted: the UI shows them to ops signed in to the console, through the codec server.
  const page = await uiPage(await staff(stack, 'ops'));
  // The UI renders the panel once its codec call answers; on a loaded machine it may render before: look again.
  let details: Frame | undefined;
  let text = '';
  for (let attempt = 0; attempt < 5 && !text.includes(' · waits for '); attempt++) {
    await page.goto(`${ui.url}/namespaces/default/workflows/case-${reference}`);
    await page.getByTestId('user-metadata-tab').click();
    details = await markdownPanel(page, 'Current Details');
    text = await details.evaluate<string>('document.body.innerText');
  }
  if (!details) throw new Error('no Current Details panel');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);

  // Where the case stands, first: the phase (its CasePhase), who it waits for, the deadline in Paris time.
  expect(lines[0]).toMatch(new RegExp(`^awaiting_arrival · waits for the patient · due (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \\d{1,2} [A-Z][a-z]{2}( \\d{4})? \\d{2}:\\d{2} Paris$`));
  // On one line: the UI measures the panel once, so a line that wraps later would push text out of it.
  expect(await details.evaluate(`(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('p')); return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; })()`)).toBe(1);
  // Then a table (a row per line, label and value in cells), the coordinator by role and initials.
  const rows = Object.fromEntries((await details.locator('tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim())).filter((r) => r[0]));
  expect(rows).toMatchObject({ Coordinator: 'care coordinator CM', Visa: 'required, URGENT', Payment: expect.stringMatching(/^paid/) });
  expect(rows.Arrival).toMatch(/ · 14 days · orsay$/);
  expect(rows['Last event']).toMatch(/^visa_assessed|^\w+ · /);
  expect(await details.locator('sup, sub').count()).toBe(0); // no number drawn as a fraction
  // No UUID (staff, accounts), no patient data (name, e-mail, reason, diagnosis), no free text.
  expect(text).not.toMatch(UUID);
  for (const personal of [QUESTIONNAIRE.firstName, QUESTIONNAIRE.lastName, QUESTIONNAIRE.pathologyName, me.questionnaire.email, 'chordoma', 'Second opinion']) {
    expect(text.toLowerCase()).not.toContain(personal.toLowerCase());
  }
  // Nothing cut: every line of text lies inside the panel's window.
  expect(await hiddenText(details)).toEqual([]);

  // The summary and details the API set at the start: reference, request type, country; the rules and a link to the console.
  expect(await (await markdownPanel(page, 'Summary')).evaluate('document.body.innerText')).toBe(`${reference} · proton_therapy · MA`);
  const staticDetails = await markdownPanel(page, 'Details');
  expect(await staticDetails.evaluate('document.body.innerText')).toContain(`under rules version ${caseState.rulesVersion}`);
  expect(await staticDetails.locator('a').getAttribute('href')).toBe(`${stack.config.api.publicBaseUrl}/console/cases/${reference}`);
  expect(await hiddenText(staticDetails)).toEqual([]);
  await shoot(page, 'temporal-ui-current-details');
  await page.context().close();

  // Not signed in, the same UI asks the codec server and is refused: nothing decoded reaches the page.
  const anonymous = await uiPage();
  const refused = anonymous.waitForResponse((r) => r.url().startsWith(`${stack.baseUrl}/codec/decode`) && r.request().method() === 'POST');
  await anonymous.goto(`${ui.url}/namespaces/default/workflows/case-${reference}`);
  expect((await refused).status()).toBe(401);
  await anonymous.getByTestId('user-metadata-tab').click();
  await anonymous.waitForTimeout(1_000);
  const shown = [await anonymous.evaluate<string>('document.body.innerText'), ...(await Promise.all(anonymous.frames().map((f) => f.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => ''))))].join('\n');
  expect(shown).not.toContain(' · waits for ');
  expect(shown).not.toContain('care coordinator CM');
  await anonymous.context().close();
});

test('the ops saved view lists the cases waiting on a role with their phase, awaiting role, payment status and next deadline', async () => {
  expect(reference).not.toBe('');
  // The case's NextDeadline search attribute is its next deadline (the view's column shows it).
  const described = await stack.client.workflow.getHandle(`case-${reference}`).describe();
  expect(described.typedSearchAttributes.get(searchAttributes.NextDeadline)?.toISOString()).toBe(caseState.nextDeadline);

  // A wider window than the case page's: the list shows every column without scrolling sideways.
  const context = await browser.newContext({ viewport: { width: 1600, height: 700 }, locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${ui.url}/namespaces/default/workflows`);
  // The columns, as the docs tell ops to set them (the browser's console), then the view's link, opened once.
  await Promise.all([page.waitForEvent('load'), page.evaluate(columnsScript('default'))]);
  const view = OPS_VIEWS.find((v) => v.query.includes('"patient"'))!;
  // The list answers from the visibility store, a moment behind the workflow: wait for it, then open the link once.
  for (let i = 0; i < 40; i++) {
    const found: string[] = [];
    for await (const w of stack.client.workflow.list({ query: view.query })) found.push(w.workflowId);
    if (found.includes(`case-${reference}`)) break;
    await page.waitForTimeout(250);
  }
  await page.goto(savedViewUrl(ui.url, 'default', view));
  const row = page.locator('tr', { hasText: `case-${reference}` });
  await row.waitFor();
  // The overdue query of docs/operations.md compares it with a time (the list shows the case: visibility caught up).
  const overdueBy = async (at: string) => {
    const ids: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `ExecutionStatus="Running" AND NextDeadline < "${at}"` })) ids.push(w.workflowId);
    return ids.includes(`case-${reference}`);
  };
  await expect(overdueBy(new Date(Date.parse(caseState.nextDeadline!) + 60_000).toISOString())).resolves.toBe(true);
  await expect(overdueBy(new Date(Date.parse(caseState.nextDeadline!) - 60_000).toISOString())).resolves.toBe(false);
  // Times in the browser's zone (Paris for ops): the clock menu, top right, "Local".
  await page.locator('#timezones-menu-button, [aria-controls="timezones-menu"]').first().click();
  await page.locator('#timezones-menu').getByText('Local', { exact: true }).click();

  // The view is saved under its name, with its query; the columns are the ones set, with the case's values.
  await page.getByText(view.name, { exact: true }).waitFor();
  const headers = (await page.locator('thead th').allInnerTexts()).map((h) => h.trim()).filter((h) => h && h !== 'Select all Workflows');
  expect(headers).toEqual(OPS_COLUMNS);
  // Status, workflow ID, then the case's phase, awaiting role, payment status, next deadline (Paris time), request type.
  const cells = (await row.locator('td').allInnerTexts()).map((c) => c.trim()).filter((c) => c && !c.startsWith('Select Workflow'));
  expect(cells.slice(0, 5)).toEqual(['Running', `case-${reference}`, caseState.phase, caseState.awaitingRole, caseState.paymentStatus]);
  // The same time as the current details' deadline: Paris time.
  const c = parisClock(Date.parse(caseState.nextDeadline!));
  const pad = (n: number) => String(n).padStart(2, '0');
  expect(cells[5]).toMatch(new RegExp(`^${c.year}-${pad(c.month + 1)}-${pad(c.day)} CES?T ${pad(c.hour)}:${pad(c.minute)}`));
  expect(cells[6]).toBe('proton_therapy');
  await shoot(page, 'temporal-ui-ops-view');
  // By hand, as the docs tell: the list with the view's query, "Save as New", a name, "Save".
  const finance = OPS_VIEWS.find((v) => v.query.includes('"finance"'))!;
  await page.goto(`${ui.url}/namespaces/default/workflows?query=${encodeURIComponent(finance.query)}`);
  await page.getByRole('button', { name: 'Save as New', exact: true }).click();
  await page.getByTestId('save-view-modal-input').fill(finance.name);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText(finance.name, { exact: true }).waitFor();
  const saved = JSON.parse(await page.evaluate<string>(`localStorage.getItem('saved-workflow-queries')`)) as Record<string, { name: string; query: string }[]>;
  expect(saved.default.map(({ name, query }) => ({ name, query })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([finance, view].map(({ name, query }) => ({ name, query })));
  await context.close();
});
