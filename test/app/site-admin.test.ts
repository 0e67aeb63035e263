import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';

const TOKEN = 'site-admin-test-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe.each(RUNTIMES)('the admin API for sites on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const fieldsOf = (body: Record<string, unknown>) => (body.issues as { field: string }[]).map((issue) => issue.field);
  const pageView = (domain: string) =>
    fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      body: JSON.stringify({ site: domain, url: `https://${domain}/pricing` }),
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database, { env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('refuses anyone without the token, and changes nothing', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token-not-the-token-not-the' }] as Record<string, string>[]) {
      const add = await answer(await call('POST', '/api/sites', { domain: 'intruder.example' }, headers));
      expect(add.status).toBe(401);
      expect(add.body.error).toBe('unauthorized');
      const remove = await call('DELETE', '/api/sites/intruder.example?confirm=intruder.example', undefined, headers);
      expect(remove.status).toBe(401);
      await remove.arrayBuffer();
    }
    expect(await database.query("SELECT id FROM sites WHERE domain = 'intruder.example'")).toEqual([]);
  });

  it('registers a site, canonical and with its settings, and takes its page views from then on', async () => {
    expect((await pageView('admin.example')).status).toBe(403);
    const response = await call('POST', '/api/sites', {
      domain: 'WWW.Admin.Example',
      name: ' Admin site ',
      public: true,
      time_zone: 'Europe/Berlin',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/api/sites/admin.example/stats');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      domain: 'admin.example',
      name: 'Admin site',
      public: true,
      time_zone: 'Europe/Berlin',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await pageView('admin.example')).status).toBe(202);
    const again = await answer(await call('POST', '/api/sites', { domain: 'admin.example', public: false }));
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('site_exists');
    const listed = await answer(await call('GET', '/api/sites'));
    expect(listed.body.sites).toEqual([expect.objectContaining({ domain: 'admin.example', public: true })]);
  });

  it('refuses a body that is not a site, naming the field', async () => {
    const cases: [unknown, string][] = [
      ['not json', 'body'],
      [[{ domain: 'a.example' }], 'body'],
      [{}, 'domain'],
      [{ domain: 'https://a.example/' }, 'domain'],
      [{ domain: 'a.example', public: 'yes' }, 'public'],
      [{ domain: 'a.example', time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ domain: 'a.example', name: 'x'.repeat(101) }, 'name'],
      [{ domain: 'a.example', name: '   ' }, 'name'],
      [{ domain: 'a.example', owner: 'me' }, 'owner'],
    ];
    for (const [body, field] of cases) {
      const refused = await answer(await call('POST', '/api/sites', body));
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(refused.body), JSON.stringify(body)).toEqual([field]);
    }
    const huge = await call('POST', '/api/sites', { domain: 'a.example', name: 'x'.repeat(5000) });
    expect(huge.status).toBe(413);
    await huge.arrayBuffer();
    expect(await database.query("SELECT id FROM sites WHERE domain = 'a.example'")).toEqual([]);
  });

  it('removes a site only when confirmed: its page views are refused and its figures gone, its data left to the purge', async () => {
    const [site] = await database.query<{ id: number }>("SELECT id FROM sites WHERE domain = 'admin.example'");
    for (const [path, field, message] of [
      ['/api/sites/admin.example', 'confirm', 'is required'],
      ['/api/sites/admin.example?confirm=other.example', 'confirm', 'must repeat the domain'],
      ['/api/sites/not%20a%20site?confirm=x', 'site', 'is not a host name'],
    ] as const) {
      const refused = await answer(await call('DELETE', path));
      expect(refused.status, path).toBe(400);
      expect(fieldsOf(refused.body), path).toEqual([field]);
      expect(JSON.stringify(refused.body), path).toContain(message);
    }
    const removed = await answer(await call('DELETE', '/api/sites/Admin.Example?confirm=www.admin.example'));
    expect(removed).toEqual({
      status: 200,
      body: { removed: 'admin.example', message: expect.stringContaining('deleted by the next npm run db:purge') },
    });
    expect((await pageView('admin.example')).status).toBe(403);
    expect((await call('GET', '/api/sites/admin.example/stats')).status).toBe(404);
    expect((await call('DELETE', '/api/sites/admin.example?confirm=admin.example')).status).toBe(404);
    const events = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM site_events WHERE site_id = ?', [site?.id]);
    expect(Number(events[0]?.n)).toBe(1);
  });
});
