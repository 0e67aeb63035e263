import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { registerSite } from '../support/sites';

const TOKEN = 'test-admin-token-0123456789abcdef0123';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

// Today's page views: 3 × /pricing from a newsletter, 2 × / and one /docs, by three people.
const VIEWS: { path: string; agent: string; address: string; referrer?: string }[] = [
  { path: '/pricing?utm_source=news', agent: CHROME, address: '203.0.113.1', referrer: 'https://news.example/' },
  { path: '/pricing?utm_source=news', agent: CHROME, address: '203.0.113.2', referrer: 'https://news.example/' },
  { path: '/pricing?utm_source=news', agent: FIREFOX, address: '203.0.113.3', referrer: 'https://news.example/' },
  { path: '/', agent: CHROME, address: '203.0.113.1' },
  { path: '/', agent: CHROME, address: '203.0.113.1' },
  { path: '/docs?utm_source==HYPERLINK("http://evil.example")', agent: FIREFOX, address: '203.0.113.3' },
];

describe.each(RUNTIMES)('the sites read API on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database, {
      env: {
        ADMIN_TOKEN: `old-token-that-is-still-valid-000000, ${TOKEN}`,
        // So that X-Forwarded-For names the client (clientHeaders); workerd has CF-Connecting-IP.
        ...(runtime === 'node' ? { TRUST_PROXY: 'loopback' } : {}),
      },
    });
    await registerSite(database, 'example.com');
    await registerSite(database, 'open.example', { isPublic: true, timeZone: 'Europe/Berlin' });
    for (const view of VIEWS) {
      const response = await fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': view.agent, ...server.clientHeaders(view.address) },
        body: JSON.stringify({ site: 'example.com', url: `https://example.com${view.path}`, referrer: view.referrer }),
      });
      expect(response.status).toBe(202);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('lists public sites to anyone and every site to an administrator', async () => {
    const anyone = await answer(await get('/api/sites'));
    expect(anyone.status).toBe(200);
    expect((anyone.body.sites as { domain: string }[]).map((site) => site.domain)).toEqual(['open.example']);
    const admin = await answer(await get('/api/sites', ADMIN));
    expect(admin.body.sites).toEqual([
      expect.objectContaining({ domain: 'example.com', public: false, time_zone: 'UTC' }),
      expect.objectContaining({ domain: 'open.example', public: true, time_zone: 'Europe/Berlin' }),
    ]);
    // Either token of a rotation works.
    const old = await get('/api/sites', { authorization: 'Bearer old-token-that-is-still-valid-000000' });
    expect(((await old.json()) as { sites: unknown[] }).sites).toHaveLength(2);
  });

  it("refuses a private site's figures without the token, and does not tell it from an unknown site", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token-wrong-token' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      for (const path of ['/api/sites/example.com/stats', '/api/sites/example.com/live', '/api/sites/nowhere.example/stats']) {
        const refused = await answer(await get(path, headers));
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(refused.body).toEqual({
          error: 'unauthorized',
          message: 'send Authorization: Bearer <ADMIN_TOKEN>, or sign in at /sign-in',
        });
      }
    }
    const csv = await get('/api/sites/example.com/export.csv');
    expect(csv.status).toBe(401);
    await csv.arrayBuffer();
    const unknown = await answer(await get('/api/sites/nowhere.example/stats', ADMIN));
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.message)).toContain('npm run site -- add nowhere.example');
    // A public site needs no token.
    expect((await get('/api/sites/open.example/stats')).status).toBe(200);
  });

  it("answers today's figures exactly: totals, 24 hours, and top lists from the rollups", async () => {
    const { status, body } = await answer(await get('/api/sites/example.com/stats', ADMIN));
    expect(status).toBe(200);
    expect(body).toMatchObject({ site: 'example.com', from: today(), to: today(), timezone: 'UTC', pageviews: 6, visitors: 3 });
    const series = body.series as { pageviews: number }[];
    expect(series).toHaveLength(24);
    expect(series.reduce((total, hour) => total + hour.pageviews, 0)).toBe(6);
    const top = body.top as Record<string, { value: string; pageviews: number; visitors: number }[]>;
    expect(top.pages).toEqual([
      { value: '/pricing', pageviews: 3, visitors: 3 },
      { value: '/', pageviews: 2, visitors: 1 },
      { value: '/docs', pageviews: 1, visitors: 1 },
    ]);
    expect(top.referrers).toEqual([{ value: 'news.example', pageviews: 3, visitors: 3 }]);
    expect(top.utm_sources).toEqual([
      { value: 'news', pageviews: 3, visitors: 3 },
      { value: '=HYPERLINK("http://evil.example")', pageviews: 1, visitors: 1 },
    ]);
    expect(top.browsers).toEqual([
      { value: 'Chrome', pageviews: 4, visitors: 2 },
      { value: 'Firefox', pageviews: 2, visitors: 1 },
    ]);
    const limited = await answer(await get('/api/sites/example.com/stats?limit=1', ADMIN));
    expect((limited.body.top as Record<string, unknown[]>).pages).toEqual([{ value: '/pricing', pageviews: 3, visitors: 3 }]);
  });

  it('reports a longer range per day, and the same views in another time zone', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const week = await answer(await get(`/api/sites/example.com/stats?from=${yesterday}&to=${today()}`, ADMIN));
    expect(week.body).toMatchObject({ pageviews: 6, visitors: 3 });
    expect((week.body.series as { start: string; pageviews: number }[]).map((day) => day.pageviews)).toEqual([0, 6]);
    // Tokyo's day that holds now, from the quarter-hour counters.
    const tokyoToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const tokyo = await answer(await get(`/api/sites/example.com/stats?tz=Asia/Tokyo&from=${tokyoToday}`, ADMIN));
    expect(tokyo.body).toMatchObject({ timezone: 'Asia/Tokyo', pageviews: 6 });
  });

  it('refuses bad ranges and parameters, naming the field', async () => {
    const cases: [string, string][] = [
      ['from=2026-11-24&to=2026-11-01', 'to'],
      ['from=2024-01-01&to=2026-01-01', 'from'],
      ['from=2026-02-30', 'from'],
      ['limit=0', 'limit'],
      ['tz=Mars/Olympus', 'tz'],
      ['debug=1', 'debug'],
    ];
    for (const [query, field] of cases) {
      const refused = await answer(await get(`/api/sites/example.com/stats?${query}`, ADMIN));
      expect(refused.status, query).toBe(400);
      expect(
        (refused.body.issues as { field: string }[]).map((issue) => issue.field),
        query,
      ).toEqual([field]);
    }
    const badSite = await answer(await get('/api/sites/not%20a%20domain/stats', ADMIN));
    expect(badSite.status).toBe(400);
    expect((badSite.body.issues as { field: string }[])[0]?.field).toBe('site');
  });

  it('counts the people of the last five minutes', async () => {
    expect(await answer(await get('/api/sites/example.com/live', ADMIN))).toEqual({
      status: 200,
      body: { site: 'example.com', visitors: 3, window_seconds: 300 },
    });
  });

  it('exports the day figures as CSV, a formula-looking value kept as text', async () => {
    const response = await get('/api/sites/example.com/export.csv', ADMIN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain(`example.com-${today()}-${today()}.csv`);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe('date,dimension,value,pageviews,visitors');
    expect(lines).toContain(`${today()},total,,6,3`);
    expect(lines).toContain(`${today()},pages,/pricing,3,3`);
    expect(lines).toContain(`${today()},utm_sources,"'=HYPERLINK(""http://evil.example"")",1,1`);
    // The site as a whole first, then each dimension in turn.
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual([
      'total',
      'pages',
      'pages',
      'pages',
      'referrers',
      'utm_sources',
      'utm_sources',
      'browsers',
      'browsers',
      'os',
      'os',
      'devices',
      ...(runtime === 'workerd' ? ['countries'] : []),
    ]);
  });

  it('renders the dashboard: cards, chart, top lists, switcher, CSV link and snippet, under the strict CSP', async () => {
    const response = await get('/sites/example.com', ADMIN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    const page = await response.text();
    expect(page).toContain(`<style nonce="${nonce}">`);
    expect(page).not.toMatch(/<script(?! defer src=)|\sstyle="/);
    expect(page).toMatch(/Page views<\/div><div class="figure">6<\/div>/);
    expect(page).toMatch(/Visitors<\/div><div class="figure">3<\/div>/);
    expect(page).toMatch(/Live now \(5 min\)<\/div><div class="figure">3<\/div>/);
    expect(page).toContain('<td>/pricing<svg');
    expect(page).toContain('news.example');
    expect(page).toContain(`href="/api/sites/example.com/export.csv?from=${today()}&amp;to=${today()}"`);
    expect(page).toContain('href="/sites/open.example"');
    expect(page).toContain(`&lt;script defer src=&quot;${server.url}/script.js&quot; data-site=&quot;example.com&quot;`);
    // Behind a proxy that terminates TLS, the snippet says https.
    const proxied = await (await get('/sites/example.com', { ...ADMIN, 'x-forwarded-proto': 'https' })).text();
    expect(proxied).toContain(`src=&quot;${server.url.replace('http:', 'https:')}/script.js&quot;`);
    // 24 hourly bars for today; a week is 7 daily bars.
    expect(
      (await (await get('/sites/example.com?range=7d', ADMIN)).text()).match(/ page views, \d+ visitors<\/title>/g),
    ).toHaveLength(7);
    expect(page.match(/ page views, \d+ visitors<\/title>/g)).toHaveLength(24);
  });

  it('keeps private dashboards private, lists what each may see, and refuses bad ranges', async () => {
    const refused = await get('/sites/example.com');
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    const index = await (await get('/sites')).text();
    expect(index).toContain('href="/sites/open.example"');
    expect(index).not.toContain('href="/sites/example.com"');
    expect(await (await get('/sites', ADMIN)).text()).toContain('href="/sites/example.com"');
    const incomplete = await answer(await get('/sites/example.com?range=custom&from=2026-11-01', ADMIN));
    expect(incomplete).toEqual({
      status: 400,
      body: { error: 'invalid_request', issues: [{ field: 'to', message: 'required with range=custom' }] },
    });
    const custom = await get(`/sites/example.com?range=custom&from=${today()}&to=${today()}`, ADMIN);
    expect(custom.status).toBe(200);
    await custom.arrayBuffer();
  });

  it('with ADMIN_TOKEN set, keeps the visit list and the metrics to administrators, and the rest public', async () => {
    const privatePaths = ['/api/visits', ...(runtime === 'node' ? ['/metrics'] : [])];
    for (const path of privatePaths) {
      const refused = await get(path);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate'), path).toBe('Bearer');
      expect(await refused.json(), path).toEqual({
        error: 'unauthorized',
        message: 'send Authorization: Bearer <ADMIN_TOKEN>, or sign in at /sign-in',
      });
      const allowed = await get(path, ADMIN);
      expect(allowed.status, path).toBe(200);
      await allowed.arrayBuffer();
    }
    for (const path of ['/api/stats', '/info', '/health/live', '/openapi.json', '/api/sites']) {
      const open = await get(path);
      expect(open.status, path).toBe(200);
      await open.arrayBuffer();
    }
  });
});
