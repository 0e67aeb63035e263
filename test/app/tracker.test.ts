import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKER_SCRIPT } from '../../src/app/routes/tracker/script';
import { launchChromium } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { startTestServer, type TestServer, waitFor } from '../support/server';
import { registerSite } from '../support/sites';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const countEvents = async (database: TestDatabase) =>
  Number((await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM site_events'))[0]?.n ?? 0);

describe('the tracker script', () => {
  it('stays within 1.5 KB gzip', () => {
    expect(gzipSync(TRACKER_SCRIPT, { level: 9 }).length).toBeLessThanOrEqual(1_536);
  });
});

describe.each(RUNTIMES)('GET /script.js and /pixel.gif on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database);
    await registerSite(database, 'example.com');
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('serves the script for other sites to load, cached for a day, with an ETag that answers 304', async () => {
    const response = await fetch(`${server.url}/script.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('max-age=86400');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await response.text()).toBe(TRACKER_SCRIPT);
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await fetch(`${server.url}/script.js`, { headers: { 'if-none-match': `W/${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await fetch(`${server.url}/script.js`, { headers: { 'if-none-match': '"stale"' } });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
  });

  it('answers every pixel with a 200 GIF that is never cached, recording only valid page views', async () => {
    const before = await countEvents(database);
    const pixels = [
      '?site=example.com&url=https%3A%2F%2Fexample.com%2Fnewsletter%3Futm_medium%3Demail&ref=',
      '',
      '?site=unregistered.example&url=https%3A%2F%2Funregistered.example%2F',
      '?site=example.com&url=not-a-url',
      '?site=https://example.com/&url=https%3A%2F%2Fexample.com%2F',
      `?site=example.com&url=${'x'.repeat(5_000)}`,
      '?site=example.com&site=other&url[]=1',
    ];
    for (const query of pixels) {
      const response = await fetch(`${server.url}/pixel.gif${query}`, { headers: { 'user-agent': CHROME } });
      expect(response.status, query).toBe(200);
      expect(response.headers.get('content-type'), query).toBe('image/gif');
      expect(response.headers.get('cache-control'), query).toBe('no-store');
      const image = new Uint8Array(await response.arrayBuffer());
      expect(new TextDecoder().decode(image.slice(0, 6)), query).toBe('GIF89a');
    }
    expect(await countEvents(database)).toBe(before + 1);
    const [row] = await database.query<{ path: string; utm_medium: string }>(
      'SELECT path, utm_medium FROM site_events ORDER BY id DESC LIMIT 1',
    );
    expect(row).toEqual({ path: '/newsletter', utm_medium: 'email' });
  });
});

describe('the tracker in headless Chromium, on pages of other origins', () => {
  let database: TestDatabase;
  let service: TestServer;
  let pages: Server;
  let browser: Browser;
  let registered: string;
  let unregistered: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestServer(database);
    // A site of its own: every path is a page that loads the tracker from the service.
    pages = createServer((request, response) => {
      const host = request.headers.host ?? '';
      const site = host.startsWith('localhost:') ? host : `localhost:${host.split(':')[1]}`;
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!doctype html><title>page</title><img src="${service.url}/pixel.gif?site=${site}&url=${encodeURIComponent(`http://${host}/no-js`)}" alt="">` +
          `<script defer src="${service.url}/script.js" data-site="${site}"></script>${request.url}`,
      );
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const { port } = pages.address() as AddressInfo;
    registered = `http://localhost:${port}`;
    // The same server under another name: another origin, which is not the site's.
    unregistered = `http://127.0.0.1:${port}`;
    await registerSite(database, `localhost:${port}`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await service?.stop();
    await database?.drop();
  });

  // By path: two beacons sent moments apart may arrive, and commit, in either order.
  const eventsOf = (paths: string[]) =>
    database.query<{ path: string; referrer_host: string | null }>(
      `SELECT path, referrer_host FROM site_events WHERE path IN (${paths.map(() => '?').join(', ')}) ORDER BY path, id`,
      paths,
    );

  it('records the landing page with its referrer and a History API navigation; another origin stores nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('**/pixel.gif*', (route) => route.abort());
    await page.goto(`${registered}/landing`, { referer: 'https://news.example/item' });
    await page.evaluate(() => history.pushState({}, '', '/second'));
    // A jump to a fragment of the same page is not a page view; the next navigation is.
    await page.evaluate(() => {
      location.hash = 'section';
    });
    await page.evaluate(() => history.pushState({}, '', '/third'));
    const paths = ['/landing', '/second', '/third'];
    await waitFor('three page views', async () => (await eventsOf(paths)).some((event) => event.path === '/third'));
    expect(await eventsOf(paths)).toEqual([
      { path: '/landing', referrer_host: 'news.example' },
      { path: '/second', referrer_host: null },
      { path: '/third', referrer_host: null },
    ]);

    const elsewhere = await context.newPage();
    await elsewhere.route('**/pixel.gif*', (route) => route.abort());
    // Refused with 403 and no CORS headers: the browser reports a failed request, whose answer it hides.
    const isEvent = (request: { url(): string }) => request.url().endsWith('/api/event');
    const answered = Promise.race([
      elsewhere.waitForEvent('requestfailed', { predicate: isEvent }),
      elsewhere.waitForEvent('requestfinished', { predicate: isEvent }),
    ]);
    await elsewhere.goto(`${unregistered}/third-origin`);
    await answered;
    expect(await eventsOf(['/third-origin'])).toEqual([]);
    await context.close();
  });

  it('records a page view through the pixel with scripts disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${registered}/without-script`);
    await waitFor('the pixel page view', async () => (await eventsOf(['/no-js'])).length === 1);
    await context.close();
  });
});
