import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/app/routes/operations';
import { launchChromium } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestServer, type TestServer } from '../support/server';
import { registerSite } from '../support/sites';

/**
 * The dashboard and /docs in a real headless Chromium (Debian's, driven by playwright-core; no
 * browser is downloaded): no console errors or CSP violations, the chart drawn with bars, and a
 * layout that holds from a phone to a desktop. Screenshots go to test-artifacts/ (git-ignored).
 */

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');
const VIEWPORTS = [
  { name: 'phone', width: 375, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

// Real user agents are long; the last one has no break opportunity at all.
const USER_AGENTS = [
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  `unbroken-${'x'.repeat(150)}`,
];

const ADMIN_TOKEN = 'browser-sign-in-token-0123456789abcdef';

interface PageProblems {
  console: string[];
  csp: string[];
}

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

/** Opens a page at one viewport, recording console errors, uncaught errors and CSP violations. */
async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport });
  const problems: PageProblems = { console: [], csp: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.console.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.console.push(`uncaught: ${error.message}`));
  // Injected by the browser's debugging protocol, which the page's CSP does not govern.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations ??= [];
      window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return { page, problems };
}

async function collectCspViolations(page: Page, problems: PageProblems): Promise<void> {
  problems.csp.push(...(await page.evaluate(() => window.cspViolations ?? [])));
}

/** No horizontal scrolling: the page is never wider than the window. */
async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
    innerWidth: window.innerWidth,
  }));
}

/** How many lines each element's text takes, by distinct line-box tops. */
async function lineCounts(page: Page, selector: string): Promise<number[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size;
    }),
  );
}

async function expectVisible(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, `${selector} is not rendered`).not.toBeNull();
  expect(box?.width ?? 0, `${selector} has no width`).toBeGreaterThan(0);
  expect(box?.height ?? 0, `${selector} has no height`).toBeGreaterThan(0);
  expect(await page.locator(selector).first().isVisible(), `${selector} is hidden`).toBe(true);
}

/** The values measured on the page; none at all would make a min or max over them pass vacuously. */
function measured<T>(values: T[], what: string): T[] {
  expect(values.length, `no ${what} found on the page`).toBeGreaterThan(0);
  return values;
}

describe('the dashboard and /docs in headless Chromium', () => {
  let database: TestDatabase;
  let server: TestServer;
  // The same data behind ADMIN_TOKEN, for signing in.
  let privateServer: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    database = await createTestDatabase();
    server = await startTestServer(database, { env: { SERVER_ID: 'browser-check' } });
    for (const userAgent of USER_AGENTS) {
      const response = await fetch(`${server.url}/`, { headers: { 'user-agent': userAgent } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    // A tracked site with a page view whose long path must wrap on a phone.
    await registerSite(database, 'tracked.example');
    const view = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENTS[0] ?? '' },
      body: JSON.stringify({ site: 'tracked.example', url: `https://tracked.example/very/long/path/${'segment-'.repeat(12)}` }),
    });
    expect(view.status).toBe(202);
    privateServer = await startTestServer(database, { env: { SERVER_ID: 'browser-check', ADMIN_TOKEN } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await privateServer?.stop();
    await server?.stop();
    await database?.drop();
  });

  describe.each(VIEWPORTS)('at $name width ($width×$height)', (viewport) => {
    it('shows the dashboard: styled, no errors or CSP violations, a chart with bars, no horizontal scrolling', async () => {
      const { page, problems } = await openPage(browser, viewport);
      const response = await page.goto(`${server.url}/`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${viewport.name}.png`), fullPage: true });

      // The nonce'd style block applied: the CSP allowed it.
      expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('1024px');
      for (const selector of ['h1', '#served-by', '#total', '#servers', 'svg.chart', '#latest', 'footer a[href="/docs"]']) {
        await expectVisible(page, selector);
      }
      const chart = await page.locator('svg.chart').boundingBox();
      expect(chart?.width ?? 0).toBeGreaterThan(viewport.width / 2);
      const bars = await page
        .locator('svg.chart rect.bar')
        .evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect().height).filter((height) => height > 0));
      expect(bars.length, 'bars drawn for the hours with visits').toBeGreaterThanOrEqual(1);
      // Labels legible however far the chart is scaled down, and the peak label not cut off.
      const labels = await page
        .locator('svg.chart text.tick')
        .evaluateAll((texts) =>
          texts.map((text) => ({ height: text.getBoundingClientRect().height, left: text.getBoundingClientRect().left })),
        );
      expect(
        Math.min(...measured(labels, 'chart labels').map((label) => label.height)),
        'chart label height in px',
      ).toBeGreaterThanOrEqual(9);
      expect(Math.min(...labels.map((label) => label.left))).toBeGreaterThanOrEqual((chart?.x ?? 0) - 1);
      // A visit's time breaks at most once, between date and time.
      const timeCells = measured(await lineCounts(page, '#latest tbody td:first-child'), 'latest visit times');
      expect(Math.max(...timeCells)).toBeLessThanOrEqual(2);
      const overflow = await horizontalOverflow(page);
      expect(overflow.scrollWidth, 'page wider than the window').toBeLessThanOrEqual(overflow.innerWidth);

      await collectCspViolations(page, problems);
      expect(problems).toEqual({ console: [], csp: [] });
      await page.close();
    });

    it('shows /docs: every operation, no errors or CSP violations, no horizontal scrolling', async () => {
      const { page, problems } = await openPage(browser, viewport);
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      // The dashboard's link leads to the docs.
      await Promise.all([page.waitForURL(`${server.url}/docs`), page.click('footer a[href="/docs"]')]);
      await page.screenshot({ path: join(ARTIFACTS, `docs-${viewport.name}.png`), fullPage: true });

      expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('1024px');
      await expectVisible(page, '#contents');
      for (const operation of OPERATIONS) await expectVisible(page, `#op-${operation.operationId}`);
      await expectVisible(page, '#errors');
      await expectVisible(page, '#schema-VisitsPage');
      // Field and parameter names are never broken letter by letter to fit a column.
      expect(Math.max(...measured(await lineCounts(page, 'table.fields td:first-child code'), 'field names'))).toBe(1);
      const overflow = await horizontalOverflow(page);
      expect(overflow.scrollWidth, 'page wider than the window').toBeLessThanOrEqual(overflow.innerWidth);

      await collectCspViolations(page, problems);
      expect(problems).toEqual({ console: [], csp: [] });
      await page.close();
    });

    it("shows a tracked site's dashboard from the home page's link: styled, no errors or CSP violations, no horizontal scrolling", async () => {
      const { page, problems } = await openPage(browser, viewport);
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await Promise.all([page.waitForURL(`${server.url}/sites`), page.click('footer a[href="/sites"]')]);
      await Promise.all([page.waitForURL(`${server.url}/sites/tracked.example`), page.click('a[href="/sites/tracked.example"]')]);
      await page.screenshot({ path: join(ARTIFACTS, `site-${viewport.name}.png`), fullPage: true });
      expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('1152px');
      await expectVisible(page, 'svg.chart');
      expect(await page.locator('svg.chart rect').count()).toBe(24);
      await expectVisible(page, 'td:has-text("/very/long/path")');
      const overflow = await horizontalOverflow(page);
      expect(overflow.scrollWidth, 'page wider than the window').toBeLessThanOrEqual(overflow.innerWidth);
      await collectCspViolations(page, problems);
      expect(problems).toEqual({ console: [], csp: [] });
      await page.close();
    });
  });

  it('signs in through the form, keeps the session across pages and the range form, and signs out', async () => {
    const { page, problems } = await openPage(browser, { width: 1280, height: 800 });
    const dashboard = `${privateServer.url}/sites/tracked.example`;
    const response = await page.goto(dashboard, { waitUntil: 'load' });
    expect(response?.status()).toBe(401);
    await page.fill('input[name="token"]', 'not-the-token-not-the-token-not-the-token');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Sign in")')]);
    expect(await page.locator('.notice').textContent()).toContain('not one of this server');
    await page.fill('input[name="token"]', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(dashboard), page.click('button:has-text("Sign in")')]);
    await expectVisible(page, 'svg.chart');
    // The session is a cookie the page's script cannot read.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // The custom range is a form too: the pages' CSP lets it post to this server.
    const today = new Date().toISOString().slice(0, 10);
    await page.fill('input[name="from"]', today);
    await page.fill('input[name="to"]', today);
    await Promise.all([page.waitForURL(/range=custom/), page.click('button:has-text("Show")')]);
    await expectVisible(page, 'svg.chart');
    await Promise.all([page.waitForURL(`${privateServer.url}/sign-in`), page.click('button:has-text("Sign out")')]);
    const after = await page.goto(dashboard, { waitUntil: 'load' });
    expect(after?.status()).toBe(401);
    await collectCspViolations(page, problems);
    // The browser reports each 401 it was meant to get (the private page twice, the wrong token once); nothing else.
    const unexpected = problems.console.filter((line) => !line.includes('status of 401 (Unauthorized)'));
    expect(problems.console.length - unexpected.length).toBe(3);
    expect({ console: unexpected, csp: problems.csp }).toEqual({ console: [], csp: [] });
    await page.close();
  });
});
