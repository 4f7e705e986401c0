// Browser tests: playwright-core driving Debian's chromium (installed by `./temporal-dev.sh setup`;
// never a browser download), axe-core for accessibility, screenshots under the git-ignored
// test-results/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { AxeResults, ImpactValue, Result, RunOptions } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../lib/databaseUrl';

/** Debian's chromium, or the binary CHROMIUM_PATH names. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const screenshotDir = path.join(projectRoot(), 'test-results', 'screenshots');

/** Flags for headless chromium as root in a container on a machine with no network but loopback. */
const CHROMIUM_ARGS = [
  '--no-sandbox', // root in a container: chromium's sandbox cannot start
  '--disable-dev-shm-usage', // a container's /dev/shm is often too small
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // No calls home: this network refuses them, and they slow every start.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** Launches headless chromium. Close it with `browser.close()` (in afterAll) so nothing keeps running. */
export async function startBrowser(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium is missing at ${chromiumPath}: run ./temporal-dev.sh setup (it installs Debian's chromium with apt-get), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export type Viewport = 'desktop' | 'phone';
export type Locale = 'fr-FR' | 'en-GB';

const VIEWPORTS: Record<Viewport, { viewport: { width: number; height: number }; deviceScaleFactor: number; isMobile: boolean; hasTouch: boolean }> = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

export interface PageOptions {
  viewport?: Viewport;
  /** Sets navigator.language and the Accept-Language header. */
  locale?: Locale;
}

/**
 * A page in its own context (own cookies and storage), desktop 1280×800 or phone 390×844, French by
 * default. The page's Content-Security-Policy applies as in a real browser: axe is injected in a way
 * CSP does not block (see checkAccessibility), so a page that breaks its own CSP still fails.
 */
export async function newPage(browser: Browser, opts: PageOptions = {}): Promise<Page> {
  const locale = opts.locale ?? 'fr-FR';
  const context = await browser.newContext({ ...VIEWPORTS[opts.viewport ?? 'desktop'], locale, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Impacts that make checkAccessibility fail unless told otherwise. */
export const DEFAULT_FAIL_ON: ImpactValue[] = ['serious', 'critical'];

export interface AccessibilityOptions {
  /** Impact levels that fail the check (default serious and critical; every level is reported). */
  failOn?: ImpactValue[];
  /** axe rule IDs not to run, each with a reason in the calling test. */
  disableRules?: string[];
}

export interface AccessibilityReport {
  violations: Result[];
  /** The violations at a failing level (empty when the check passed). */
  failing: Result[];
  /** The violations as text, one line per rule and one per element. */
  text: string;
}

let axeSource: string | undefined;

/** Describes axe violations readably: rule, impact, help and link, then each offending element. */
export function formatViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s*\n\s*/g, ' ') ?? n.html}`);
      return [`  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})`, ...nodes].join('\n');
    })
    .join('\n');
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA, plus best practices) on the page as it is now. Throws with
 * the list of violations when any is at a failing level (serious or critical by default); returns the
 * report, with every level, otherwise.
 *
 * axe is injected through the DevTools protocol (page.evaluate of its source), which the page's
 * Content-Security-Policy does not govern: no `bypassCSP` is needed and the page's own CSP stays on.
 */
export async function checkAccessibility(page: Page, label: string, opts: AccessibilityOptions = {}): Promise<AccessibilityReport> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const injected = await page.evaluate(`${axeSource}\n;typeof window.axe === 'object'`);
  if (injected !== true) throw new Error(`${label}: axe-core could not be injected in the page.`);
  const runOptions: RunOptions = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    rules: Object.fromEntries((opts.disableRules ?? []).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const results = await page.evaluate(async (options) => {
    const w = globalThis as unknown as { axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> }; document: unknown };
    const r = await w.axe.run(w.document, options);
    return { violations: r.violations };
  }, runOptions);
  const failOn = opts.failOn ?? DEFAULT_FAIL_ON;
  const failing = results.violations.filter((v) => v.impact != null && failOn.includes(v.impact));
  const text = formatViolations(results.violations);
  if (failing.length > 0) {
    throw new Error(`${label}: ${failing.length} accessibility violation(s) at level ${failOn.join('/')} on ${page.url()}:\n${formatViolations(failing)}`);
  }
  return { violations: results.violations, failing, text };
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`Screenshot name "${name}": use letters, digits, '.', '_' and '-' only.`);
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: o.fullPage ?? true });
  // The docs keep a few of them (the README shows them): SAVE_DOCS_SCREENSHOTS=1 refreshes those.
  const docsCopy = path.join(projectRoot(), 'docs', 'screenshots', `${name}.png`);
  if (process.env.SAVE_DOCS_SCREENSHOTS === '1' && fs.existsSync(docsCopy)) fs.copyFileSync(file, docsCopy);
  return file;
}

/**
 * IDs of chromium processes this process started and that are still running (Linux /proc), to show
 * a test left no browser behind.
 */
export function runningBrowserProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces, so read from the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid && state !== 'Z' && /chrom/i.test(comm)) pids.push(Number(entry));
  }
  return pids;
}

/** No horizontal scrolling: the page fits the window's width. */
export async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  // A string: this project's TypeScript has no DOM types (the code runs in the page).
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  if (scrollWidth > innerWidth) throw new Error(`${label}: the page scrolls sideways (${scrollWidth} px wide in a ${innerWidth} px window)`);
}
