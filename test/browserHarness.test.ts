// The browser-test harness itself (test/support/browser.ts): Debian's chromium driven by
// playwright-core against the stack served on a real port, axe-core, screenshots, and nothing left
// running afterwards.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { checkAccessibility, newPage, runningBrowserProcesses, screenshot, startBrowser } from './support/browser';
import { startStack, type ListeningStack } from './support/stack';

let stack: ListeningStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ listen: true });
  browser = await startBrowser();
});

afterAll(async () => {
  if (browser?.isConnected()) await browser.close();
  await stack?.stop();
});

/** The width in pixels of a PNG file (from its IHDR chunk), after checking it is one. */
function pngWidth(file: string): number {
  const png = fs.readFileSync(file);
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  return png.readUInt32BE(16);
}

const accessiblePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Harness check</title></head>
<body>
  <header><p>Parcours</p></header>
  <main>
    <h1>Your request</h1>
    <form>
      <label for="email">Email address</label>
      <input id="email" type="email" autocomplete="email">
      <button type="submit">Send</button>
    </form>
    <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="Parcours logo">
  </main>
</body></html>`;

// No lang, no title, an image with no text alternative, an unlabelled field, an empty button.
const brokenPage = `<!doctype html><html><head></head><body>
  <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">
  <input type="text">
  <button></button>
</body></html>`;

test('serves the app on a real port, with emailed links pointing at it', async () => {
  expect(stack.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(stack.config.api.publicBaseUrl).toBe(stack.baseUrl);
  const res = await fetch(`${stack.baseUrl}/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'harness@example.ma', password: 'a long passphrase here', name: 'Harness Check', kind: 'patient', language: 'en' }),
  });
  expect(res.status).toBeLessThan(300);
  const mail = await stack.smtp.waitFor((m) => m.to.includes('harness@example.ma'));
  const link = /https?:\/\/\S+token=[\w.-]+/.exec(mail.text)?.[0];
  expect(link && new URL(link).origin).toBe(stack.baseUrl);
  // The emailed link opens in the browser (whatever page the app answers it with).
  const page = await newPage(browser, { locale: 'en-GB' });
  try {
    const response = await page.goto(link!);
    expect(response?.status()).toBe(200);
  } finally {
    await page.context().close();
  }
});

test('chromium is running: headless, from the Debian path', () => {
  expect(browser.isConnected()).toBe(true);
  expect(browser.version()).toMatch(/^\d+\./);
  expect(runningBrowserProcesses().length).toBeGreaterThan(0);
});

test.each([
  ['phone', 390],
  ['desktop', 1280],
] as const)('a page served by the stack loads at %s width, is checked by axe and saved as a screenshot', async (viewport, width) => {
  const page = await newPage(browser, { viewport, locale: 'fr-FR' });
  try {
    const response = await page.goto(`${stack.baseUrl}/docs/`);
    expect(response?.status()).toBe(200);
    await page.locator('.swagger-ui .info .title').waitFor();
    // A phone's screen; Swagger UI has no <meta name="viewport">, so a phone lays it out 980 px wide, as a real one would.
    expect(await page.evaluate('screen.width')).toBe(width);
    expect(await page.evaluate('navigator.language')).toBe('fr-FR');
    // Swagger UI is third-party: its violations are reported, not failed on.
    const report = await checkAccessibility(page, `API docs (${viewport})`, { failOn: [] });
    expect(Array.isArray(report.violations)).toBe(true);
    const file = await screenshot(page, `harness-docs-${viewport}`);
    expect(file).toMatch(/test-results\/screenshots\/harness-docs-(phone|desktop)\.png$/);
    expect(pngWidth(file)).toBeGreaterThanOrEqual(width);
  } finally {
    await page.context().close();
  }
});

test("axe runs on a page under the app's strict Content-Security-Policy, which stays in force", async () => {
  const page = await newPage(browser);
  try {
    const response = await page.goto(`${stack.baseUrl}/health`);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    // An inline script is refused, as in a real browser...
    await page.addScriptTag({ content: 'window.inlineRan = true' }).catch(() => undefined);
    expect(await page.evaluate('window.inlineRan === true')).toBe(false);
    // ...yet axe is injected and runs (a bare JSON document has no title: axe says so).
    const report = await checkAccessibility(page, 'health JSON', { failOn: [] });
    expect(report.violations.map((v) => v.id)).toContain('document-title');
  } finally {
    await page.context().close();
  }
});

test('axe finds no violation, at any level, on a well-made page', async () => {
  const page = await newPage(browser, { viewport: 'phone', locale: 'en-GB' });
  try {
    await page.setContent(accessiblePage);
    expect(await page.evaluate('window.innerWidth')).toBe(390); // laid out at phone width
    const report = await checkAccessibility(page, 'well-made page', { failOn: ['minor', 'moderate', 'serious', 'critical'] });
    expect(report.violations).toEqual([]);
    expect(report.failing).toEqual([]);
    expect(pngWidth(await screenshot(page, 'harness-accessible-phone'))).toBe(390 * 2); // device pixels
  } finally {
    await page.context().close();
  }
});

test('axe fails a broken page with a readable list of its violations', async () => {
  const page = await newPage(browser);
  try {
    await page.setContent(brokenPage);
    const error = await checkAccessibility(page, 'broken page').then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    expect(message).toMatch(/^broken page: \d+ accessibility violation\(s\) at level serious\/critical/);
    for (const rule of ['image-alt', 'label', 'button-name', 'html-has-lang', 'document-title']) {
      expect(message).toContain(` ${rule}: `);
    }
    expect(message).toContain('[critical] image-alt: Images must have alternative text (https://dequeuniversity.com/rules/axe/');
    expect(message).toMatch(/\n {4}img: Fix any of the following:/);
  } finally {
    await page.context().close();
  }
});

test('closing the browser leaves no chromium process running', async () => {
  await browser.close();
  expect(browser.isConnected()).toBe(false);
  const deadline = Date.now() + 5000;
  while (runningBrowserProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(runningBrowserProcesses()).toEqual([]);
});
