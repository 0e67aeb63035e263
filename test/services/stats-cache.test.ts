import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logging/logger';
import { listenOnce } from '../../src/dev/host';
import { createRedisCache, type RedisReadCache } from '../../src/runtime/node/redis-cache';
import { createMemoryCache, type ReadCache } from '../../src/services/read-cache';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { getJson, startTestServer, type TestServer, waitFor } from '../support/server';

/**
 * /api/stats figures cached for STATS_CACHE_TTL_MS: in process, and shared through Redis
 * (the machine's Redis at 127.0.0.1:6379, or REDIS_URL). The home page never reads the cache.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Stats {
  total: number;
  unique_visitors: number;
}

let database: TestDatabase;
const servers: TestServer[] = [];
const caches: RedisReadCache[] = [];

async function start(env: Record<string, string>, statsCache?: ReadCache): Promise<TestServer> {
  const server = await startTestServer(database, { env, ...(statsCache ? { statsCache } : {}) });
  servers.push(server);
  return server;
}

async function stats(server: TestServer, query = ''): Promise<Stats> {
  const { status, body } = await getJson<Stats>(`${server.url}/api/stats${query}`);
  expect(status, JSON.stringify(server.logs.at(-1))).toBe(200);
  return body;
}

/** A person's visit (the dashboard counts people, not bots), and the page it got. */
async function visit(server: TestServer): Promise<string> {
  const response = await fetch(`${server.url}/`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' } });
  expect(response.status, JSON.stringify(server.logs.at(-1))).toBe(200);
  return response.text();
}

/** The dashboard's total, as shown. */
function pageTotal(html: string): number {
  const shown = /id="total">\s*([\d,]+)\s*</.exec(html)?.[1];
  expect(shown, 'the dashboard shows a total').toBeDefined();
  return Number(shown?.replaceAll(',', ''));
}

function redisCache(keyPrefix: string, url = REDIS_URL): { cache: RedisReadCache; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const cache = createRedisCache({ url, keyPrefix, logger });
  caches.push(cache);
  return { cache, logs };
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const cache of caches) await cache.close();
  await database?.drop();
});

describe('the in-process cache', () => {
  it('loads once for concurrent requests of the same key, and again after the TTL', async () => {
    let now = 0;
    const cache = createMemoryCache({ now: () => now });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return loads;
    };
    const values = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad('k', 1_000, load)));
    expect(values).toEqual(Array(10).fill(1));
    now = 999;
    expect(await cache.getOrLoad('k', 1_000, load)).toBe(1);
    now = 1_000;
    expect(await cache.getOrLoad('k', 1_000, load)).toBe(2);
    expect(await cache.getOrLoad('k', 0, load)).toBe(3);
  });

  it('keeps at most maxEntries keys, dropping the oldest', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    let loads = 0;
    const load = async () => ++loads;
    await cache.getOrLoad('a', 60_000, load);
    await cache.getOrLoad('b', 60_000, load);
    await cache.getOrLoad('c', 60_000, load);
    expect(await cache.getOrLoad('b', 60_000, load)).toBe(2);
    expect(await cache.getOrLoad('a', 60_000, load)).toBe(4);
  });

  it('serves /api/stats from the cache within the TTL while the home page shows the new visit', async () => {
    const server = await start({ SERVER_ID: 'cached', STATS_CACHE_TTL_MS: '60000' });
    const before = await stats(server, '?include_bots=false');
    const page = await visit(server);
    expect(pageTotal(page)).toBe(before.total + 1);
    expect((await stats(server, '?include_bots=false')).total).toBe(before.total);
  });

  it('shows new visits once the TTL has passed', async () => {
    const server = await start({ SERVER_ID: 'short-ttl', STATS_CACHE_TTL_MS: '200' });
    const before = await stats(server);
    await visit(server);
    await waitFor('/api/stats to include the new visit', async () => (await stats(server)).total === before.total + 1, 5_000);
  });
});

describe('the shared cache in Redis', () => {
  beforeAll(async () => {
    const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    await client.connect().catch((error: unknown) => {
      throw new Error(
        `these tests need Redis at ${REDIS_URL} (${error instanceof Error ? error.message : String(error)}): ` +
          'start redis-server (Debian: apt-get install redis-server) or set TEST_REDIS_URL',
      );
    });
    await client.quit();
  });

  it('lets a second replica serve the figures the first one computed', async () => {
    const prefix = `visit-tracker-test:${database.name}:shared:`;
    const env = { STATS_CACHE_TTL_MS: '60000' };
    const firstCache = redisCache(prefix).cache;
    const secondCache = redisCache(prefix).cache;
    const first = await start({ ...env, SERVER_ID: 'replica-1' }, firstCache);
    const second = await start({ ...env, SERVER_ID: 'replica-2' }, secondCache);
    await waitFor('both replicas to reach Redis', () => firstCache.isAvailable() && secondCache.isAvailable());
    const computed = await stats(first);
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      await waitFor('the figures to reach Redis', async () => (await client.keys(`${prefix}*`)).length === 1);
      await visit(first);
      // The second replica has never computed them: it can only have them from Redis.
      expect((await stats(second)).total).toBe(computed.total);
      await client.del(await client.keys(`${prefix}*`));
    } finally {
      client.destroy();
    }
  });

  it('keeps serving from the database when Redis is down, and says so once', async () => {
    const closedPort = await listenOnce();
    const { cache, logs } = redisCache(`visit-tracker-test:${database.name}:down:`, `redis://127.0.0.1:${closedPort}`);
    const server = await start({ SERVER_ID: 'no-redis', STATS_CACHE_TTL_MS: '1' }, cache);
    await waitFor('the outage to be logged', () =>
      logs.some((line) => line.msg === 'redis unavailable: serving stats from the database until it is back'),
    );
    for (let i = 0; i < 5; i++) {
      const before = await stats(server);
      await visit(server);
      await waitFor('the stats to move on', async () => (await stats(server)).total === before.total + 1, 5_000);
    }
    expect(logs.filter((line) => line.level === 'warn')).toHaveLength(1);
  });
});
