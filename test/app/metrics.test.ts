import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startRuntime } from '../support/runtimes';
import { startTestServer, type TestServer, waitFor } from '../support/server';

/**
 * GET /metrics on Node: the real app over HTTP on a real database, driven through a few
 * endpoints, then scraped and read back as Prometheus text.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, the sample lines only (`name{a="b",…} value`). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:\\.|[^"\\])*)"/g)) {
      labels[label[1] as string] = label[2] as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; 0 when absent. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

async function scrape(server: TestServer): Promise<{ samples: Sample[]; contentType: string | null }> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  return { samples: parseSamples(await response.text()), contentType: response.headers.get('content-type') };
}

async function get(url: string, init?: RequestInit): Promise<number> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
}

describe('GET /metrics on Node', () => {
  let database: TestDatabase;
  let server: TestServer;
  let samples: Sample[];
  let contentType: string | null;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, { env: { DB_POOL_SIZE: '7' } });
    for (let i = 0; i < 3; i++) expect(await get(`${server.url}/`)).toBe(200);
    // A replay of one request id (a proxy retrying): answered, recorded once.
    for (let i = 0; i < 2; i++)
      expect(await get(`${server.url}/`, { headers: { 'x-request-id': 'metrics-replay-1' } })).toBe(200);
    expect(await get(`${server.url}/api/visits?limit=2`)).toBe(200);
    expect(await get(`${server.url}/api/visits?server_id=test-server`)).toBe(200);
    expect(await get(`${server.url}/api/visits?limit=0`)).toBe(400);
    expect(await get(`${server.url}/api/stats`)).toBe(200);
    expect(await get(`${server.url}/health`)).toBe(200);
    expect(await get(`${server.url}/no/such/page`)).toBe(404);
    expect(await get(`${server.url}/another-unknown-${Date.now()}`)).toBe(404);
    ({ samples, contentType } = await scrape(server));
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("answers in Prometheus' text format", () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(samples.length).toBeGreaterThan(0);
  });

  it('counts requests by method, route pattern and status, with unknown paths under one label', () => {
    const requests = (route: string, status: string) =>
      sampleValue(samples, 'http_requests_total', { method: 'GET', route, status });
    expect(requests('/', '200')).toBe(5);
    expect(requests('/api/visits', '200')).toBe(2);
    expect(requests('/api/visits', '400')).toBe(1);
    expect(requests('/api/stats', '200')).toBe(1);
    expect(requests('/health', '200')).toBe(1);
    expect(requests('unmatched', '404')).toBe(2);
    // Raw paths and query strings never become label values.
    const routes = new Set(
      samples.filter((sample) => sample.name === 'http_requests_total').map((sample) => sample.labels.route),
    );
    expect([...routes].sort()).toEqual(['/', '/api/stats', '/api/visits', '/health', 'unmatched']);
  });

  it('has a duration histogram per route whose count matches the requests', () => {
    const labels = { method: 'GET', route: '/', status: '200' };
    expect(sampleValue(samples, 'http_request_duration_seconds_count', labels)).toBe(5);
    expect(sampleValue(samples, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(5);
    expect(sampleValue(samples, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('times each named data-access call', () => {
    const calls = (operation: string) => sampleValue(samples, 'db_query_duration_seconds_count', { operation, outcome: 'ok' });
    expect(calls('record_visit')).toBe(5);
    // The dashboard's latest visits (5) and the two /api/visits pages.
    expect(calls('list_visits')).toBe(7);
    // The dashboard's counts (5) and /api/stats (1, no cache in tests).
    expect(calls('request_counts')).toBe(6);
    expect(calls('unique_visitors')).toBe(1);
    expect(calls('check_database')).toBe(1);
    expect(sampleValue(samples, 'db_query_duration_seconds_sum', { operation: 'record_visit', outcome: 'ok' })).toBeGreaterThan(
      0,
    );
    const operations = new Set(
      samples.filter((sample) => sample.name === 'db_query_duration_seconds_count').map((sample) => sample.labels.operation),
    );
    expect([...operations].sort()).toEqual([
      'check_database',
      'list_visits',
      'record_visit',
      'request_counts',
      'unique_visitors',
    ]);
  });

  it('counts the visits recorded, and the replays apart, matching the rows in the database', async () => {
    const [row] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(sampleValue(samples, 'visits_recorded_total', { outcome: 'recorded' })).toBe(Number(row?.n));
    expect(sampleValue(samples, 'visits_recorded_total', { outcome: 'recorded' })).toBe(4);
    expect(sampleValue(samples, 'visits_recorded_total', { outcome: 'duplicate' })).toBe(1);
  });

  it("reports the pool's size, open and busy connections and waiting requests", async () => {
    expect(sampleValue(samples, 'db_pool_connections_max')).toBe(7); // DB_POOL_SIZE
    const open = sampleValue(samples, 'db_pool_connections_open');
    expect(open).toBeGreaterThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(7);
    expect(sampleValue(samples, 'db_pool_connections_in_use')).toBe(0);
    expect(sampleValue(samples, 'db_pool_requests_waiting')).toBe(0);

    // A visit waiting for a table lock holds one of the app's connections: in use at the next scrape.
    const locker = await database.connection();
    let visit: Promise<number> | undefined;
    try {
      await locker.query('LOCK TABLES visits WRITE');
      visit = get(`${server.url}/`);
      let during: Sample[] = [];
      await waitFor('a connection in use', async () => {
        during = (await scrape(server)).samples;
        return sampleValue(during, 'db_pool_connections_in_use') > 0;
      });
      expect(sampleValue(during, 'db_pool_connections_in_use')).toBe(1);
      expect(sampleValue(during, 'db_pool_connections_open')).toBeGreaterThanOrEqual(1);
    } finally {
      await locker.query('UNLOCK TABLES');
      locker.release();
    }
    expect(await visit).toBe(200);
    expect(sampleValue((await scrape(server)).samples, 'db_pool_connections_in_use')).toBe(0);
  });

  it("includes Node's process metrics", () => {
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('counts its own scrapes, and refuses parameters it does not take', async () => {
    const before = sampleValue((await scrape(server)).samples, 'http_requests_total', { route: '/metrics', status: '200' });
    const after = sampleValue((await scrape(server)).samples, 'http_requests_total', { route: '/metrics', status: '200' });
    expect(after).toBe(before + 1);
    const refused = await fetch(`${server.url}/metrics?name=http_requests_total`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_request', issues: [{ field: 'name' }] });
  });

  it('keeps a registry per app: a second app in the same process starts from zero', async () => {
    const other = await startTestServer(database);
    try {
      const fresh = (await scrape(other)).samples;
      expect(sampleValue(fresh, 'visits_recorded_total', { outcome: 'recorded' })).toBe(0);
      expect(sampleValue(fresh, 'http_requests_total', { route: '/' })).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('GET /metrics on workerd', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('does not exist: nothing scrapes a Worker', async () => {
    const worker = await startRuntime('workerd', database);
    try {
      const response = await fetch(`${worker.url}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
      // The app itself still works there without metrics.
      expect((await fetch(`${worker.url}/`)).status).toBe(200);
    } finally {
      await worker.stop();
    }
  });
});
