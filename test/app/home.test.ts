import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENT_MAX_LENGTH } from '../../src/domain/visit';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, startRuntime } from '../support/runtimes';
import { startTestServer, type TestServer } from '../support/server';

async function visit(
  server: TestServer,
  headers: Record<string, string> = {},
): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await fetch(`${server.url}/`, { headers });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The dashboard's total visits, as shown (1,234 → 1234). */
function shownTotal(html: string): number {
  const shown = /<div class="total" id="total">([\d,]+)<\/div>/.exec(html)?.[1];
  if (shown === undefined) throw new Error('the dashboard shows no total');
  return Number(shown.replaceAll(',', ''));
}

async function lastStored(database: TestDatabase): Promise<{ ip_address: string; user_agent: string; server_id: string }> {
  const [row] = await database.query<{ ip_address: string; user_agent: string; server_id: string }>(
    'SELECT ip_address, user_agent, server_id FROM visits ORDER BY id DESC LIMIT 1',
  );
  if (row === undefined) throw new Error('no visit stored');
  return row;
}

describe.each(RUNTIMES)('on %s', (runtime) => {
  let database: TestDatabase;
  let direct: TestServer; // no proxy in front: the socket peer (or CF-Connecting-IP) is the client

  beforeAll(async () => {
    database = await createTestDatabase();
    direct = await startRuntime(runtime, database, { env: { SERVER_ID: 'replica-1' } });
  });

  afterAll(async () => {
    await direct?.stop();
    await database?.drop();
  });

  describe('GET /', () => {
    it('records the visit and renders the dashboard with it', async () => {
      const page = await visit(direct, { 'user-agent': 'dashboard-check/1.0' });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.html.startsWith('<!doctype html>')).toBe(true);
      expect(page.html).toContain('<span class="badge" id="served-by">replica-1</span>');
      // People only: a user agent like this one is software, counted with the bots.
      const [people] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits WHERE is_bot = 0');
      expect(shownTotal(page.html)).toBe(Number(people?.n));
      expect(page.html).toContain('dashboard-check/1.0');
      expect(page.html).toContain('<svg class="chart"');
      for (const link of ['/api/visits', '/api/stats', '/info', '/health']) expect(page.html).toContain(`href="${link}"`);
      expect(await lastStored(database)).toEqual({
        ip_address: '127.0.0.1',
        user_agent: 'dashboard-check/1.0',
        server_id: 'replica-1',
      });
    });

    it('answers HEAD like GET, with the same headers and no body, and records nothing', async () => {
      const [before] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
      const response = await fetch(`${direct.url}/`, { method: 'HEAD', headers: { 'user-agent': 'link-checker/1.0' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("style-src 'nonce-");
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).toBe('');
      const [after] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
      expect(Number(after?.n)).toBe(Number(before?.n));
    });

    it('answers 200 concurrent visits, each counted once', async () => {
      const [before] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
      const statuses = await Promise.all(
        Array.from({ length: 200 }, async (_, index) => {
          const response = await fetch(`${direct.url}/`, { headers: { 'user-agent': `burst-check/${index}` } });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      const [after] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
      expect(Number(after?.n) - Number(before?.n)).toBe(200);
    });

    it("counts a person's visit in the total it shows, exactly once", async () => {
      const browser = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0' };
      const first = await visit(direct, browser);
      const second = await visit(direct, browser);
      expect(shownTotal(second.html)).toBe(shownTotal(first.html) + 1);
      const [people] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits WHERE is_bot = 0');
      expect(shownTotal(second.html)).toBe(Number(people?.n));
      // A query string (a link's UTM tags) is not a reason to refuse the page.
      const tagged = await fetch(`${direct.url}/?utm_source=newsletter&utm_medium=email`, { headers: browser });
      expect(tagged.status).toBe(200);
      expect(shownTotal(await tagged.text())).toBe(shownTotal(second.html) + 1);
    });

    it('sends security headers, a CSP that allows only its own style block, and a request id', async () => {
      const page = await visit(direct);
      expect(page.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(page.html).toContain(`<style nonce="${nonce}">`);
      expect(page.html).not.toContain('<script');
    });

    it('escapes a user agent that carries markup', async () => {
      const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
      const page = await visit(direct, { 'user-agent': hostile });
      expect(page.html).not.toContain('<script>alert');
      expect(page.html).not.toContain('<img src=x');
      expect(page.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect((await lastStored(database)).user_agent).toBe(hostile);
    });

    it('stores SQL-looking text literally', async () => {
      const sqlish = "Robert'); DROP TABLE visits; -- \\' OR 1=1 #";
      expect((await visit(direct, { 'user-agent': sqlish })).status).toBe(200);
      expect((await lastStored(database)).user_agent).toBe(sqlish);
      const [tables] = await database.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'visits'",
      );
      expect(Number(tables?.n)).toBe(1);
    });

    it('keeps 4-byte UTF-8 characters intact', async () => {
      const emoji = 'Fox 🦊 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍💻';
      // Headers travel as bytes; fetch would refuse non-Latin-1, so send the UTF-8 bytes raw.
      const raw = Buffer.from(emoji, 'utf8').toString('latin1');
      const page = await visit(direct, { 'user-agent': raw });
      expect(page.status).toBe(200);
      expect((await lastStored(database)).user_agent).toBe(emoji);
      expect(page.html).toContain(emoji);
      const [latest] = (await (await fetch(`${direct.url}/api/visits?limit=1`)).json()).visits;
      expect(latest.user_agent).toBe(emoji);
    });

    it('truncates an 8 KB user agent to the column size instead of failing', async () => {
      const long = `Mozilla/5.0 ${'x'.repeat(8 * 1024)}`;
      const page = await visit(direct, { 'user-agent': long });
      expect(page.status).toBe(200);
      const stored = (await lastStored(database)).user_agent;
      expect(stored).toHaveLength(USER_AGENT_MAX_LENGTH);
      expect(long.startsWith(stored)).toBe(true);
    });
  });
});

describe('client address on node', () => {
  let database: TestDatabase;
  let direct: TestServer; // trusts no proxy
  let behindProxy: TestServer; // trusts 127.0.0.1 as its proxy

  beforeAll(async () => {
    database = await createTestDatabase();
    direct = await startTestServer(database, { env: { SERVER_ID: 'replica-1' } });
    behindProxy = await startTestServer(database, { env: { SERVER_ID: 'replica-2', TRUST_PROXY: '127.0.0.1' } });
  });

  afterAll(async () => {
    await direct?.stop();
    await behindProxy?.stop();
    await database?.drop();
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    await visit(direct, { 'x-forwarded-for': '203.0.113.66' });
    expect((await lastStored(database)).ip_address).toBe('127.0.0.1');
  });

  it('uses X-Forwarded-For when the peer is a trusted proxy', async () => {
    await visit(behindProxy, { 'x-forwarded-for': '203.0.113.7' });
    expect(await lastStored(database)).toMatchObject({ ip_address: '203.0.113.7', server_id: 'replica-2' });
  });

  it('takes the right-most untrusted hop, so a client cannot prepend a fake address', async () => {
    await visit(behindProxy, { 'x-forwarded-for': '6.6.6.6, 198.51.100.23, 127.0.0.1' });
    expect((await lastStored(database)).ip_address).toBe('198.51.100.23');
  });

  it('records IPv6 clients in canonical form', async () => {
    await visit(behindProxy, { 'x-forwarded-for': '2001:DB8:0:0:0:0:0:1' });
    expect((await lastStored(database)).ip_address).toBe('2001:db8::1');
    await visit(behindProxy, { 'x-forwarded-for': '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' });
    expect((await lastStored(database)).ip_address).toBe('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('falls back to the proxy address when the header is garbage', async () => {
    await visit(behindProxy, { 'x-forwarded-for': 'not-an-ip' });
    expect((await lastStored(database)).ip_address).toBe('127.0.0.1');
  });
});

describe('client address on workerd', () => {
  let database: TestDatabase;
  // TRUST_PROXY is set, and must make no difference: at the edge CF-Connecting-IP is the client.
  let worker: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    worker = await startRuntime('workerd', database, { env: { SERVER_ID: 'edge-1', TRUST_PROXY: 'loopback' } });
  });

  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
  });

  it('records the CF-Connecting-IP that Cloudflare sets as the client', async () => {
    await visit(worker, { 'cf-connecting-ip': '203.0.113.7' });
    expect(await lastStored(database)).toMatchObject({ ip_address: '203.0.113.7', server_id: 'edge-1' });
  });

  it('ignores X-Forwarded-For, which any client can send', async () => {
    await visit(worker, { 'cf-connecting-ip': '198.51.100.23', 'x-forwarded-for': '6.6.6.6' });
    expect((await lastStored(database)).ip_address).toBe('198.51.100.23');
    await visit(worker, { 'x-forwarded-for': '6.6.6.6' });
    expect((await lastStored(database)).ip_address).toBe('127.0.0.1');
  });

  it('records IPv6 clients in canonical form', async () => {
    await visit(worker, { 'cf-connecting-ip': '2001:DB8:0:0:0:0:0:1' });
    expect((await lastStored(database)).ip_address).toBe('2001:db8::1');
  });
});
