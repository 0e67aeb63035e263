import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { waitFor } from '../support/server';
import { registerSite } from '../support/sites';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * What clients see when the database hangs or goes away, and how fast the service recovers,
 * against real servers through a TCP relay a test can stall (a hung server: connections open,
 * nothing answered, as under SIGSTOP) and cut (a dead one). Figures for docs/failures.md.
 */

const REQUEST_TIMEOUT_MS = 1_000;
const HEALTH_TIMEOUT_MS = 400;
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface Answer {
  path: string;
  status: number;
  ms: number;
  retryAfter: string | null;
  requestId: string | null;
  body: string;
}

describe.each(RUNTIMES)('database faults on %s', (runtime) => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: RuntimeServer;

  const ask = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const started = performance.now();
    const response = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    return {
      path,
      status: response.status,
      ms: performance.now() - started,
      retryAfter: response.headers.get('retry-after'),
      requestId: response.headers.get('x-request-id'),
      body,
    };
  };
  const pageView = (path: string) =>
    ask('/api/event', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      body: JSON.stringify({ site: 'faults.example', url: `https://faults.example${path}` }),
    });
  const visitsWithIds = async (ids: string[]) => {
    if (ids.length === 0) return 0;
    const rows = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits WHERE request_id IN (?)', [ids]);
    return Number(rows[0]?.n);
  };
  const recovered = async () => {
    const [health, home] = await Promise.all([ask('/health'), ask('/')]);
    return health.status === 200 && home.status === 200;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await registerSite(database, 'faults.example');
    proxy = await startTcpProxy(database.settings.host, database.settings.port);
    server = await startRuntime(runtime, database, {
      env: {
        DB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HEALTH_TIMEOUT_MS: String(HEALTH_TIMEOUT_MS),
        DB_CONNECT_TIMEOUT_MS: '2000',
      },
      databaseAddress: { host: '127.0.0.1', port: proxy.port },
    });
    expect((await ask('/')).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 with Retry-After within the request deadline while the database hangs, records none of them, and recovers', async () => {
    proxy.stall();
    let answers: Answer[];
    try {
      answers = await Promise.all([
        ...Array.from({ length: 8 }, () => ask('/', { headers: { 'user-agent': CHROME } })),
        ask('/api/visits'),
        ask('/api/stats'),
        pageView('/hung'),
        ask('/health'),
        ask('/health/live'),
      ]);
    } finally {
      // The server is resumed: the relay's half-sent bytes are gone, so its connections are reset.
      await proxy.cut();
      await proxy.restore();
    }
    const resumedAt = performance.now();
    const byPath = (path: string) => answers.filter((answer) => answer.path === path);

    for (const answer of [...byPath('/'), ...byPath('/api/visits'), ...byPath('/api/stats'), ...byPath('/api/event')]) {
      expect(answer.status, `${answer.path} ${answer.body}`).toBe(503);
      expect(answer.retryAfter, answer.path).toBe('5');
      expect(answer.ms, answer.path).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      expect(answer.ms, answer.path).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
    }
    for (const answer of byPath('/')) {
      expect(answer.body).toContain('Temporarily unavailable');
      expect(answer.body).not.toMatch(/at .*\.ts|SELECT|INSERT/);
    }
    expect(JSON.parse(byPath('/api/visits')[0]?.body ?? '{}')).toMatchObject({ error: 'database_unavailable' });
    const [health] = byPath('/health');
    expect(health?.status).toBe(503);
    expect(health?.ms).toBeLessThan(HEALTH_TIMEOUT_MS + 600);
    const [live] = byPath('/health/live');
    expect(live?.status).toBe(200);
    expect(live?.ms).toBeLessThan(500);

    await waitFor('recovery after the hang', recovered, 3_000);
    const recoveryMs = performance.now() - resumedAt;
    expect(recoveryMs).toBeLessThan(3_000);
    // Every visit answered 503 was left unwritten: a retry will not count it twice.
    expect(await visitsWithIds(byPath('/').map((answer) => answer.requestId ?? ''))).toBe(0);
  }, 20_000);

  it('answers 503 at once while the database is down, and 200 again within 3 s of its return', async () => {
    await proxy.cut();
    try {
      const answers = await Promise.all([ask('/'), ask('/api/visits'), pageView('/down'), ask('/health'), ask('/health/live')]);
      for (const answer of answers.slice(0, 3)) {
        expect(answer.status, `${answer.path} ${answer.body}`).toBe(503);
        expect(answer.retryAfter).toBe('5');
        expect(answer.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
      }
      expect(answers[3]?.status).toBe(503);
      expect(answers[4]?.status).toBe(200);
      expect(await visitsWithIds([answers[0]?.requestId ?? ''])).toBe(0);
    } finally {
      await proxy.restore();
    }
    const restoredAt = performance.now();
    await waitFor('recovery after the outage', recovered, 3_000);
    expect(performance.now() - restoredAt).toBeLessThan(3_000);
  }, 20_000);
});

describe('pool exhaustion on node', () => {
  let database: TestDatabase;
  let server: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime('node', database, { env: { DB_POOL_SIZE: '2', DB_QUEUE_LIMIT: '5' } });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('answers a burst beyond the queue with 503 and Retry-After, never 500, keeps /health 200, and serves again once it ends', async () => {
    // A session that holds the visits table: every read of it waits, so the pool's 2 connections
    // and 5 queue places fill up deterministically, whatever the machine's speed.
    const blocker = await database.connection();
    await blocker.query('LOCK TABLES visits WRITE');
    let answers: { status: number; retryAfter: string | null; body: string }[];
    try {
      const burst = Array.from({ length: 50 }, async (_, index) => {
        // Each a different page, so that no two share a read (concurrent requests for the same one do).
        const response = await fetch(`${server.url}/api/visits?limit=${index + 1}`);
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
      });
      const refused: number[] = [];
      for (const answer of burst) void answer.then((settled) => settled.status === 503 && refused.push(settled.status));
      await waitFor('the queue to overflow', () => refused.length >= 40, 5_000);
      // The probe has a connection of its own: a busy pool is not a broken database.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await blocker.query('UNLOCK TABLES');
      answers = await Promise.all(burst);
    } finally {
      blocker.release();
    }
    expect([...new Set(answers.map((answer) => answer.status))].sort()).toEqual([200, 503]);
    for (const answer of answers.filter((candidate) => candidate.status === 503)) {
      expect(answer.retryAfter).toBe('5');
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'database_unavailable' });
    }
    const after = await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.url}/api/visits`)));
    expect(after.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    await Promise.all(after.map((response) => response.arrayBuffer()));
  });
});
