import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../src/dev/stack/stack';

/**
 * The three tiers as local processes (`npm run stack`): nginx → app replicas → MariaDB,
 * driven through nginx over real HTTP, with replicas stopped and killed under load.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
// compose.yml requires one, as production does; the visit list and the metrics take it.
const ADMIN_TOKEN = 'stack-test-admin-token-0123456789abcdef';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
let dataDir: string;
let stack: Stack;
const lines: string[] = [];

async function start(): Promise<Stack> {
  return startStack({
    root,
    // STATS_CACHE_TTL_MS=0: the checks compare /api/stats with what was just written (the cache
    // has its own tests); compose.yml passes the variable through, as in a real deployment.
    // RATE_LIMIT=off: the load below comes from one address (nginx-config.test.ts checks the zone).
    env: { ...process.env, DATABASE_URL: '', STATS_CACHE_TTL_MS: '0', ADMIN_TOKEN, RATE_LIMIT: 'off' },
    replicas: 3,
    proxyPort: 0,
    dataDir,
    write: (line) => lines.push(line),
  });
}

async function stats(): Promise<{ total: number; server_stats: { server_id: string; requests: number }[] }> {
  const response = await fetch(`${stack.url}/api/stats`);
  expect(response.status).toBe(200);
  return (await response.json()) as { total: number; server_stats: { server_id: string; requests: number }[] };
}

async function countVisits(where = '1 = 1'): Promise<number> {
  const connection = await mysql.createConnection({ uri: stack.databaseUrl });
  try {
    const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM visits WHERE ${where}`);
    return Number((rows as { n: number }[])[0]?.n);
  } finally {
    await connection.end();
  }
}

/**
 * Bounded load: `workers` concurrent loops of GET / through nginx until `stop()` is called,
 * at most `maxRequests` in all and never longer than `maxMs`.
 */
function steadyLoad(workers: number, maxRequests: number, maxMs: number) {
  const outcomes: { status: number; ok: boolean }[] = [];
  let running = true;
  const deadline = Date.now() + maxMs;
  const loops = Array.from({ length: workers }, async () => {
    while (running && outcomes.length < maxRequests && Date.now() < deadline) {
      try {
        const response = await fetch(`${stack.url}/`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        outcomes.push({ status: response.status, ok: response.status === 200 });
      } catch {
        outcomes.push({ status: 0, ok: false });
      }
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

async function until(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'visit-tracker-stack-'));
  stack = await start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local three-tier stack', () => {
  it('starts each tier only after the one below is healthy', () => {
    const at = (what: string) => {
      const event = stack.events.find((candidate) => candidate.what === what);
      if (event === undefined) throw new Error(`no ${what} event in ${JSON.stringify(stack.events)}`);
      return event.at;
    };
    expect(at('migrate:started')).toBeGreaterThanOrEqual(at('db:healthy'));
    for (const replica of stack.replicas) {
      expect(at(`${replica.name}:started`)).toBeGreaterThanOrEqual(at('migrate:completed'));
      expect(at('proxy:started')).toBeGreaterThanOrEqual(at(`${replica.name}:healthy`));
    }
    expect(lines.some((line) => /^app-1 +\| /.test(line) || /app-1 +\|/.test(line))).toBe(true);
  });

  it('spreads requests over every replica', async () => {
    const before = await stats();
    const servedBy = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${stack.url}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-upstream')).toBeNull();
      servedBy.add(/id="served-by">([^<]+)</.exec(await response.text())?.[1] ?? '');
    }
    const after = await stats();
    expect(after.total - before.total).toBe(30);
    expect([...servedBy].sort()).toEqual(['app-1', 'app-2', 'app-3']);
    for (const replica of stack.replicas) {
      const served = after.server_stats.find((server) => server.server_id === replica.name)?.requests ?? 0;
      expect(served, replica.name).toBeGreaterThan(0);
    }
  });

  it("records the caller's address, not one it claims in X-Forwarded-For", async () => {
    const response = await fetch(`${stack.url}/`, {
      headers: { 'x-forwarded-for': '203.0.113.99', 'user-agent': 'spoof-check' },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, passed through the app
    const visits = (await (await fetch(`${stack.url}/api/visits?limit=50`, { headers: ADMIN })).json()) as {
      visits: { ip_address: string; user_agent: string }[];
    };
    const mine = visits.visits.find((visit) => visit.user_agent === 'spoof-check');
    // compose.yml runs APP_ENV=production, where IP_ANONYMIZE defaults to truncate: the
    // caller's network, 127.0.0.1 → 127.0.0.0, and never the claimed 203.0.113.99 (or .0).
    expect(mine?.ip_address).toBe('127.0.0.0');
  });

  it('registers a site through the admin API, and its dashboard names the proxy, port included, in the snippet', async () => {
    const added = await fetch(`${stack.url}/api/sites`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ domain: 'stack.example' }),
    });
    expect(added.status).toBe(201);
    await added.arrayBuffer();
    const signedOut = await fetch(`${stack.url}/sites/stack.example`);
    expect(signedOut.status).toBe(401);
    await signedOut.arrayBuffer();
    const page = await (await fetch(`${stack.url}/sites/stack.example`, { headers: ADMIN })).text();
    expect(page).toContain(`src=&quot;${stack.url}/script.js&quot; data-site=&quot;stack.example&quot;`);
  });

  it('serves no metrics and names no replica to clients; each replica serves its own metrics to the scraper', async () => {
    const proxied = await fetch(`${stack.url}/metrics`, { headers: ADMIN });
    expect(proxied.status).toBe(404);
    expect(proxied.headers.get('x-upstream')).toBeNull();
    await proxied.arrayBuffer();
    const replica = stack.replicas[0];
    const response = await fetch(`${replica?.url}/metrics`, { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^http_requests_total\{method="GET",route="\/",status="200"\} \d+$/m);
  });

  it('loses no request when a replica is stopped with SIGTERM under load, and counts each success once', async () => {
    const rowsBefore = await countVisits();
    const load = steadyLoad(16, 3_000, 20_000);
    await until('some load', () => load.outcomes.length >= 100);
    const victim = stack.replicas[0];
    if (victim === undefined) throw new Error('no replica');
    victim.process.child.kill('SIGTERM');
    const exit = await victim.process.exited;
    const atExit = load.outcomes.length;
    await until('load after the replica left', () => load.outcomes.length >= atExit + 100);
    const outcomes = await load.stop();

    expect(exit.code).toBe(0);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect((await countVisits()) - rowsBefore).toBe(outcomes.length);
  }, 60_000);

  it('routes to the survivors when a replica is killed, losing at most what was in flight to it', async () => {
    const rowsBefore = await countVisits();
    const workers = 16;
    const load = steadyLoad(workers, 3_000, 20_000);
    await until('some load', () => load.outcomes.length >= 100);
    const victim = stack.replicas[1];
    if (victim === undefined) throw new Error('no replica');
    victim.process.child.kill('SIGKILL');
    await victim.process.exited;
    const atKill = load.outcomes.length;
    await until('load after the kill', () => load.outcomes.length >= atKill + 200);
    const outcomes = await load.stop();

    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    const succeeded = outcomes.length - failed;
    // At most the requests in flight to the killed replica can fail.
    expect(failed).toBeLessThanOrEqual(workers);
    // Every success was recorded exactly once; a failure was recorded at most once.
    const rows = (await countVisits()) - rowsBefore;
    expect(rows).toBeGreaterThanOrEqual(succeeded);
    expect(rows).toBeLessThanOrEqual(outcomes.length);
    // The survivor took the traffic after the kill.
    const late = outcomes.slice(atKill + 50);
    expect(late.every((outcome) => outcome.ok)).toBe(true);
  }, 60_000);

  it('keeps the data across a full stop and start', async () => {
    const before = (await stats()).total;
    expect(before).toBeGreaterThan(0);
    await stack.stop();
    await expect(fetch(`${stack.url}/health/live`)).rejects.toThrow();
    stack = await start();
    expect((await stats()).total).toBe(before);
  }, 120_000);

  it('says what to set when compose.yml requires a variable that is missing, before starting anything', async () => {
    const { ADMIN_TOKEN: _, ...withoutToken } = process.env;
    const lines: string[] = [];
    await expect(
      startStack({
        root,
        // No secret file either (a checkout where deploy/make-secrets.sh ran has secrets/admin_token).
        env: { ...withoutToken, DATABASE_URL: '', SECRETS_DIR: join(dataDir, 'no-secrets') },
        proxyPort: 0,
        dataDir,
        write: (line) => lines.push(line),
      }),
    ).rejects.toThrow(
      /needs:\n {2}ADMIN_TOKEN: set ADMIN_TOKEN in \.env, or write \S+\/no-secrets\/admin_token \(sh deploy\/make-secrets\.sh writes it\)\nDo that/,
    );
    expect(lines.filter((line) => /build|db:/.test(line))).toEqual([]);
  });

  it("reads the admin token from compose.yml's secret file, and stops on a bad setting before starting anything", async () => {
    const { ADMIN_TOKEN: _, ...withoutToken } = process.env;
    const secrets = join(dataDir, 'secrets');
    await mkdir(secrets, { recursive: true });
    await writeFile(join(secrets, 'admin_token'), ADMIN_TOKEN);
    const lines: string[] = [];
    const started = startStack({
      root,
      env: { ...withoutToken, DATABASE_URL: '', SECRETS_DIR: secrets, RATE_LIMIT: 'lots' },
      proxyPort: 0,
      dataDir,
      write: (line) => lines.push(line),
    });
    // The token was found (no word of it); the bad value is named.
    await expect(started).rejects.toThrow(/^the replicas would not start: Invalid configuration:\n {2}- RATE_LIMIT: /);
    await expect(started).rejects.not.toThrow(/ADMIN_TOKEN/);
    expect(lines.filter((line) => /build|db:/.test(line))).toEqual([]);
  });
});
