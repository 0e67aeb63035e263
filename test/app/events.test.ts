import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { registerSite } from '../support/sites';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const PAGE_VIEW = {
  site: 'example.com',
  url: 'https://example.com/pricing?utm_source=news&utm_campaign=launch',
  referrer: 'https://news.ycombinator.com/',
  width: 1280,
};

describe.each(RUNTIMES)('POST /api/event on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/event`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'text/plain', ...headers },
    });
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const events = async () => Number((await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM site_events'))[0]?.n ?? 0);

  beforeAll(async () => {
    database = await createTestDatabase();
    // 500 concurrent page views through the local workerd (a connection each, no Hyperdrive
    // pool) take ~6 s, past the 5 s a request may wait by default; this suite is about their
    // exactness, so they may wait (test/faults covers the deadline).
    server = await startRuntime(runtime, database, { env: { DB_REQUEST_TIMEOUT_MS: '60000' } });
    await registerSite(database, 'example.com');
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('records a page view from the site with 202 and CORS for its origin, keeping only the path and the UTM parameters', async () => {
    const before = await events();
    const response = await post(PAGE_VIEW, {
      origin: 'https://www.example.com',
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(await answer(response)).toEqual({ status: 202, body: { status: 'accepted' } });
    // Acknowledged only once committed: the row is there as soon as the answer is.
    expect(await events()).toBe(before + 1);
    const [row] = await database.query<Record<string, unknown>>('SELECT * FROM site_events ORDER BY id DESC LIMIT 1');
    expect(row).toMatchObject({
      path: '/pricing',
      utm_source: 'news',
      utm_campaign: 'launch',
      utm_medium: null,
      referrer_host: 'news.ycombinator.com',
      browser: 'Safari',
      os: 'iOS',
      device: 'mobile',
      is_bot: 0,
    });
    const [counted] = await database.query<{ pageviews: number; visitors: number }>(
      'SELECT SUM(pageviews) AS pageviews, SUM(visitors) AS visitors FROM site_counters',
    );
    expect(Number(counted?.pageviews)).toBeGreaterThanOrEqual(1);
    expect(Number(counted?.visitors)).toBeGreaterThanOrEqual(1);
  });

  it('answers a preflight from the site, and refuses one from anywhere else', async () => {
    const allowed = await fetch(`${server.url}/api/event`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
    await allowed.arrayBuffer();
    for (const origin of ['https://elsewhere.example', 'https://blog.example.com', 'https://example.com:8443', 'null']) {
      const refused = await fetch(`${server.url}/api/event`, { method: 'OPTIONS', headers: { origin } });
      expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(await answer(refused), origin).toMatchObject({ status: 403, body: { error: 'forbidden_origin' } });
    }
  });

  it('refuses other origins, unknown sites, bad bodies and big bodies, storing nothing and never a 500', async () => {
    const before = await events();
    const elsewhere = await post(PAGE_VIEW, { origin: 'https://example.com.evil.test' });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(await answer(elsewhere)).toMatchObject({ status: 403, body: { error: 'forbidden_origin' } });
    expect(await answer(await post({ ...PAGE_VIEW, site: 'unregistered.example' }))).toMatchObject({
      status: 403,
      body: { error: 'unknown_site', message: expect.stringContaining('npm run site -- add unregistered.example') },
    });
    const refusals: [unknown, string][] = [
      ['not json', 'body'],
      ['[1,2]', 'body'],
      ['null', 'body'],
      [{ url: PAGE_VIEW.url }, 'site'],
      [{ site: 'example.com' }, 'url'],
      [{ ...PAGE_VIEW, site: 42 }, 'site'],
      [{ ...PAGE_VIEW, site: 'https://example.com/' }, 'site'],
      [{ ...PAGE_VIEW, url: '/pricing' }, 'url'],
      [{ ...PAGE_VIEW, url: 'javascript:alert(1)' }, 'url'],
      [{ ...PAGE_VIEW, url: `https://example.com/${'x'.repeat(3_000)}` }, 'url'],
      [{ ...PAGE_VIEW, width: -1 }, 'width'],
      [{ ...PAGE_VIEW, width: 1.5 }, 'width'],
      [{ ...PAGE_VIEW, referrer: 7 }, 'referrer'],
      [{ ...PAGE_VIEW, extra: true }, 'extra'],
    ];
    for (const [body, field] of refusals) {
      const { status, body: answered } = await answer(await post(body));
      expect(status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answered.error).toBe('invalid_request');
      expect(
        (answered.issues as { field: string }[]).map((issue) => issue.field),
        JSON.stringify(body).slice(0, 80),
      ).toContain(field);
    }
    const huge = await answer(await post({ ...PAGE_VIEW, referrer: `https://news.example/${'r'.repeat(5_000)}` }));
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    // Without a Content-Length (chunked), the body is counted as it arrives.
    const chunks = (text: string, times: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let index = 0; index < times; index++) controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const chunkedPost = (body: ReadableStream<Uint8Array>) =>
      fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
        duplex: 'half',
      } as RequestInit);
    const chunkedHuge = await answer(await chunkedPost(chunks('x'.repeat(1_000), 5)));
    expect(chunkedHuge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    const chunkedSmall = await answer(await chunkedPost(chunks('{"site":', 1)));
    expect(chunkedSmall).toMatchObject({ status: 400, body: { issues: [{ field: 'body' }] } });
    const query = await answer(
      await fetch(`${server.url}/api/event?debug=1`, { method: 'POST', body: JSON.stringify(PAGE_VIEW) }),
    );
    expect(query).toMatchObject({ status: 400, body: { issues: [{ field: 'debug' }] } });
    expect(await events()).toBe(before);
  });

  it('counts 500 concurrent page views across 3 paths exactly, in the events and in every rollup', async () => {
    const paths = ['/a', '/b', '/c'];
    for (const table of ['site_events', 'site_counters', 'site_day_values', 'site_visitor_values']) {
      await database.query(`DELETE FROM ${table}`);
    }
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        post(
          { site: 'example.com', url: `https://example.com${paths[index % 3]}` },
          { 'user-agent': `${CHROME} person/${index % 10}` },
        ).then((response) => response.status),
      ),
    );
    expect(answers.filter((status) => status === 202)).toHaveLength(500);
    const byPath = await database.query<{ path: string; n: number }>(
      'SELECT path, COUNT(*) AS n FROM site_events GROUP BY path ORDER BY path',
    );
    expect(byPath.map((row) => [row.path, Number(row.n)])).toEqual([
      ['/a', 167],
      ['/b', 167],
      ['/c', 166],
    ]);
    // Every (user agent, path) pair occurs: each path has all ten visitors, each counted once.
    const rolledUp = await database.query<{ dimension: number; value: string; pageviews: number; visitors: number }>(
      'SELECT dimension, value, SUM(pageviews) AS pageviews, SUM(visitors) AS visitors FROM site_day_values GROUP BY dimension, value ORDER BY dimension, value',
    );
    const figures = rolledUp.map((row) => [Number(row.dimension), row.value, Number(row.pageviews), Number(row.visitors)]);
    // A country where the runtime tells one (workerd's request.cf does, even locally); Node without a proxy's header does not.
    const countries = figures.filter(([dimension]) => dimension === 9);
    expect(countries.map(([, , pageviews, visitors]) => [pageviews, visitors])).toEqual(runtime === 'workerd' ? [[500, 10]] : []);
    expect(figures.filter(([dimension]) => dimension !== 9)).toEqual([
      [0, '', 500, 10],
      [1, '/a', 167, 10],
      [1, '/b', 167, 10],
      [1, '/c', 166, 10],
      [6, 'Chrome', 500, 10],
      [7, 'Windows', 500, 10],
      [8, 'desktop', 500, 10],
    ]);
    const [counted] = await database.query<{ pageviews: number; visitors: number }>(
      'SELECT SUM(pageviews) AS pageviews, SUM(visitors) AS visitors FROM site_counters',
    );
    expect(Number(counted?.pageviews)).toBe(500);
    // Ten user agents from one address: ten visitors, each counted once.
    expect(Number(counted?.visitors)).toBe(10);
  });
});

describe('the country of a page view on Node', () => {
  let database: TestDatabase;
  const countryOf = async (url: string, headers: Record<string, string>) => {
    const response = await fetch(`${url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME, ...headers },
      body: JSON.stringify(PAGE_VIEW),
    });
    expect(response.status).toBe(202);
    const [row] = await database.query<{ country: string | null }>('SELECT country FROM site_events ORDER BY id DESC LIMIT 1');
    return row?.country;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await registerSite(database, 'example.com');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('is read from COUNTRY_HEADER when a trusted proxy sends it, and never from anyone else', async () => {
    const behindProxy = await startRuntime('node', database, {
      env: { TRUST_PROXY: 'loopback', COUNTRY_HEADER: 'CF-IPCountry' },
    });
    try {
      expect(await countryOf(behindProxy.url, { 'cf-ipcountry': 'de' })).toBe('DE');
      // Unknown ("XX"), Tor ("T1") and noise are no country.
      expect(await countryOf(behindProxy.url, { 'cf-ipcountry': 'XX' })).toBeNull();
      expect(await countryOf(behindProxy.url, { 'cf-ipcountry': 'Germany' })).toBeNull();
    } finally {
      await behindProxy.stop();
    }
    // The same header from a peer that is not a trusted proxy is the client's claim: ignored.
    const direct = await startRuntime('node', database, { env: { COUNTRY_HEADER: 'CF-IPCountry' } });
    try {
      expect(await countryOf(direct.url, { 'cf-ipcountry': 'DE' })).toBeNull();
    } finally {
      await direct.stop();
    }
  });
});
