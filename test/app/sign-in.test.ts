import { generateSignedCookie } from 'hono/cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { registerSite } from '../support/sites';

const TOKEN = 'sign-in-test-token-0123456789abcdef';
const OTHER_TOKEN = 'a-token-this-server-does-not-have-00';
const COOKIE = '__Host-vt-session';

describe.each(RUNTIMES)('signing in from a browser on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;
  let address = 0;
  // Every test signs in from addresses of its own, so the per-address limit of one does not spill into another.
  const nextAddress = () => `198.51.100.${++address}`;

  const signIn = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...server.clientHeaders(nextAddress()), ...headers },
      body: new URLSearchParams(form),
    });
  const sessionOf = (response: Response) => /^([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const withCookie = (path: string, cookie: string) => fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' });

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database, {
      // RATE_LIMIT on (a test server has it off by default), for the sign-in limit.
      env: { ADMIN_TOKEN: TOKEN, RATE_LIMIT: '120/min', ...(runtime === 'node' ? { TRUST_PROXY: 'loopback' } : {}) },
    });
    await registerSite(database, 'example.com');
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('shows a browser the sign-in form instead of a private dashboard, posting back to where it was going', async () => {
    const response = await fetch(`${server.url}/sites/example.com?range=7d`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self'");
    const page = await response.text();
    expect(page).toContain('<form method="post" action="/sign-in">');
    expect(page).toContain('name="next" value="/sites/example.com?range=7d"');
    expect(page).toContain('type="password" name="token"');
    // The API says it in JSON.
    const api = await fetch(`${server.url}/api/sites/example.com/stats`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { message: string }).message).toContain('sign in at /sign-in');
  });

  it('opens a signed, HttpOnly, SameSite=Strict session for the right token, and it opens the private pages', async () => {
    const response = await signIn({ token: TOKEN, next: '/sites/example.com?range=7d' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sites/example.com?range=7d');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${COOKIE}=[^;]+; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Strict$`));
    expect(cookie).not.toContain(TOKEN);
    const session = sessionOf(response);
    for (const path of ['/sites/example.com', '/api/sites/example.com/stats', '/api/visits']) {
      const allowed = await withCookie(path, session);
      expect(allowed.status, path).toBe(200);
      await allowed.arrayBuffer();
    }
    const page = await (await withCookie('/sites', session)).text();
    expect(page).toContain('href="/sites/example.com"');
    expect(page).toContain('<form method="post" action="/sign-out">');
  });

  it('refuses a wrong token with the form again, and sets no cookie', async () => {
    const response = await signIn({ token: OTHER_TOKEN, next: '/sites' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('That is not one of this server&#39;s tokens.');
  });

  it('takes no cookie it did not sign, nor one past its expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await generateSignedCookie('vt-session', String(now + 3600), OTHER_TOKEN, {
      prefix: 'host',
      secure: true,
      path: '/',
    });
    const expired = await generateSignedCookie('vt-session', String(now - 1), TOKEN, { prefix: 'host', secure: true, path: '/' });
    const good = sessionOf(await signIn({ token: TOKEN }));
    const tampered = good.replace(/=(\d)/, (_, digit: string) => `=${(Number(digit) + 1) % 10}`);
    for (const cookie of [forged, expired, tampered, `vt-session=${good.split('=').slice(1).join('=')}`]) {
      const refused = await withCookie('/api/sites/example.com/stats', /^[^;]+/.exec(cookie)?.[0] ?? '');
      expect(refused.status, cookie).toBe(401);
      await refused.arrayBuffer();
    }
  });

  it('goes only to paths on this server after signing in', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'sites']) {
      const response = await signIn({ token: TOKEN, next });
      expect(response.status, next).toBe(303);
      expect(response.headers.get('location'), next).toBe('/sites');
      await response.arrayBuffer();
    }
  });

  it('refuses forms from other sites, bodies that are not the form, and oversized ones', async () => {
    const crossSite = await signIn({ token: TOKEN }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: string }).error).toBe('forbidden_origin');
    const missing = await signIn({ next: '/sites' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { issues: { field: string }[] }).issues.map((issue) => issue.field)).toEqual(['token']);
    const extra = await signIn({ token: TOKEN, remember: 'yes' });
    expect(extra.status).toBe(400);
    await extra.arrayBuffer();
    const huge = await signIn({ token: 'x'.repeat(5000) });
    expect(huge.status).toBe(413);
    await huge.arrayBuffer();
  });

  it('limits attempts per client address, and another address is not held back', async () => {
    const headers = server.clientHeaders('192.0.2.77');
    const attempt = () =>
      fetch(`${server.url}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ token: OTHER_TOKEN }),
      });
    for (let index = 0; index < 10; index++) {
      const response = await attempt();
      expect(response.status, `attempt ${index + 1}`).toBe(401);
      await response.arrayBuffer();
    }
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many sign-in attempts');
    // Even the right token waits: the limit is on attempts, not on failures.
    const rightButLimited = await fetch(`${server.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token: TOKEN }),
    });
    expect(rightButLimited.status).toBe(429);
    await rightButLimited.arrayBuffer();
    const elsewhere = await signIn({ token: TOKEN });
    expect(elsewhere.status).toBe(303);
    await elsewhere.arrayBuffer();
  });

  it('signs out: the cookie is cleared and the form comes next', async () => {
    const response = await fetch(`${server.url}/sign-out`, { method: 'POST', redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sign-in');
    expect(response.headers.get('set-cookie')).toMatch(
      new RegExp(`^${COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict$`),
    );
    await response.arrayBuffer();
  });
});

describe('signing in on a workstation without ADMIN_TOKEN', () => {
  let database: TestDatabase;
  let server: RuntimeServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime('node', database);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('says there is nothing to sign in to, and everything is open', async () => {
    const page = await (await fetch(`${server.url}/sign-in`)).text();
    expect(page).toContain('No ADMIN_TOKEN is set');
    expect(page).not.toContain('<form method="post" action="/sign-in">');
    const response = await fetch(`${server.url}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }),
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('set-cookie')).toBeNull();
    await response.arrayBuffer();
  });
});
