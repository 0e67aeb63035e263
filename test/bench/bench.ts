import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { type Stack, StackError, startStack } from '../../src/dev/stack/stack';
import { benchAbuse } from './abuse';

/**
 * `npm run bench [-- --rows 10k,1m,10m] [--duration 10] [--connections 32]`
 *
 * Starts the local three-tier stack (nginx → 2 replicas → MariaDB/MySQL) on a data directory
 * per size, seeds it with set-based SQL, then loads each endpoint through nginx and prints
 * requests/s, p50/p99 latency, errors, each replica's peak RSS, and whether the rows the
 * home page inserted equal its successful responses. Every run is bounded in time.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '10m': 10_000_000 };
/** A tracked site's figures over 30 days: the read whose cost must not grow with its events. */
const SITE_STATS = 'GET /api/sites/…/stats (30 days)';
// The stack runs compose.yml's production environment, which requires a token; the visit list takes it.
const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123';
const ENDPOINTS = ['/', 'POST /api/event', '/api/visits', '/api/stats', SITE_STATS, '/health'] as const;
/** The site the event load sends page views of; registered by the bench before it loads. */
const BENCH_SITE = 'bench.example';
const EVENT_BODY = JSON.stringify({
  site: BENCH_SITE,
  url: `https://${BENCH_SITE}/pricing?utm_source=bench`,
  referrer: 'https://news.example/',
  width: 1280,
});
// A person's browser: a page view without one is a bot's, stored but rolled up nowhere.
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHUNK = 100_000;
const WARM_UP_REQUESTS = 2_000;
const WARM_UP_SECONDS = 10;

interface EndpointResult {
  endpoint: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  ok: number;
}

interface SizeResult {
  size: string;
  rows: number;
  seedSeconds: number;
  endpoints: EndpointResult[];
  replicaPeakRssMb: Record<string, number>;
  homeRowsInserted: number;
  homeSuccesses: number;
  eventRowsInserted: number;
  eventSuccesses: number;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const number = (value: number) => value.toLocaleString('en-US');

async function main(): Promise<void> {
  const sizes = argument('rows', '10k')
    .split(',')
    .map((size) => size.trim().toLowerCase());
  for (const size of sizes) {
    if (SIZES[size] === undefined)
      throw new StackError(`--rows: unknown size "${size}"; use any of ${Object.keys(SIZES).join(', ')}`);
  }
  const duration = Number(argument('duration', '10'));
  const connections = Number(argument('connections', '32'));
  if (!(duration > 0 && duration <= 120)) throw new StackError('--duration: seconds per endpoint, 1 to 120');
  if (!(connections > 0 && connections <= 256)) throw new StackError('--connections: 1 to 256');

  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await benchSize(size, SIZES[size] ?? 0, duration, connections));

  say('\n## Results\n');
  say(`${connections} connections, ${duration} s per endpoint, through nginx to 2 replicas, all on this machine.`);
  say(`Stats cache: ${describeCache(process.env)}.\n`);
  say('| rows | endpoint | req/s | p50 ms | p99 ms | errors | non-2xx |');
  say('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const result of results) {
    for (const endpoint of result.endpoints) {
      say(
        `| ${result.size} | \`${endpoint.endpoint}\` | ${number(Math.round(endpoint.requestsPerSecond))} | ${endpoint.p50} | ${endpoint.p99} | ${endpoint.errors} | ${endpoint.non2xx} |`,
      );
    }
  }
  say('');
  for (const result of results) {
    const rss = Object.entries(result.replicaPeakRssMb)
      .map(([name, mb]) => `${name} ${mb} MB`)
      .join(', ');
    const lost = result.homeSuccesses - result.homeRowsInserted;
    const lostEvents = result.eventSuccesses - result.eventRowsInserted;
    say(
      `${result.size}: peak RSS ${rss}; GET / succeeded ${number(result.homeSuccesses)} times and inserted ${number(result.homeRowsInserted)} rows (${lost === 0 ? 'none lost, none doubled' : `MISMATCH ${lost}`}); POST /api/event succeeded ${number(result.eventSuccesses)} times and inserted ${number(result.eventRowsInserted)} rows (${lostEvents === 0 ? 'none lost, none doubled' : `MISMATCH ${lostEvents}`}); seeding took ${result.seedSeconds} s`,
    );
  }
  const baseline = results[0];
  if (baseline !== undefined && results.length > 1) {
    say(`\np50 relative to ${baseline.size}:`);
    for (const result of results.slice(1)) {
      const ratios = result.endpoints.map((endpoint, index) => {
        const base = baseline.endpoints[index]?.p50 ?? 0;
        return `${endpoint.endpoint} ${base > 0 ? (endpoint.p50 / base).toFixed(2) : 'n/a'}×`;
      });
      say(`  ${result.size}: ${ratios.join(', ')}`);
    }
  }
  say(`\n# one abusive client and 31 polite ones, RATE_LIMIT=120/min, ${duration} s`);
  const abuse = await benchAbuse({
    root,
    dataDir: join(root, '.data', 'bench', sizes[0] ?? '10k'),
    seconds: duration,
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? '', LOG_LEVEL: 'warn', ADMIN_TOKEN: BENCH_ADMIN_TOKEN },
    say,
  });
  const allowed = Math.round(abuse.limitPerMinute + (abuse.limitPerMinute / 60) * abuse.seconds);
  say(
    `abusive client (8 connections from 127.0.0.1): ${number(abuse.abusive.sent)} sent, ${number(abuse.abusive.admitted)} served (its limit allows about ${allowed} in ${abuse.seconds} s), ${number(abuse.abusive.limited)} refused with 429, ${abuse.abusive.other} other`,
  );
  say(
    `polite clients (${abuse.polite.clients}, one page view a second each): ${number(abuse.polite.sent)} sent, ${number(abuse.polite.admitted)} served, ${abuse.polite.limited} refused, ${abuse.polite.other} other, p50 ${abuse.polite.p50Ms} ms`,
  );
  const file = join(root, '.data', 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ connections, duration, cache: describeCache(process.env), results, abuse }, null, 2));
  say(`\nraw figures: ${file}`);
}

/** The cache settings the replicas inherit from this environment (compose.yml passes both through). */
function describeCache(env: NodeJS.ProcessEnv): string {
  const ttl = env.STATS_CACHE_TTL_MS || '2000 (default)';
  return `STATS_CACHE_TTL_MS=${ttl}${env.REDIS_URL ? ', shared through REDIS_URL' : ', in process'}`;
}

async function benchSize(size: string, rows: number, duration: number, connections: number): Promise<SizeResult> {
  say(`\n# ${size} visits`);
  const dataDir = join(root, '.data', 'bench', size);
  await mkdir(dataDir, { recursive: true });
  const stack = await startStack({
    root,
    // RATE_LIMIT=off: every connection comes from this one address.
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      RATE_LIMIT: 'off',
    },
    dataDir,
    proxyPort: 0,
    write: (line) => {
      // Keep the bench output to progress and results; the stack's own lines are in its logs.
      if (/stack +\|/.test(line) || /error|fail/i.test(line)) say(line);
    },
  });
  try {
    const seedSeconds = (await seed(stack.databaseUrl, rows)) + (await seedSiteEvents(stack.databaseUrl, rows));
    const endpoints: EndpointResult[] = [];
    let homeRowsInserted = 0;
    let homeSuccesses = 0;
    let eventRowsInserted = 0;
    let eventSuccesses = 0;
    await registerBenchSite(stack.databaseUrl);
    for (const endpoint of ENDPOINTS) {
      // A warm-up so JIT, pools and buffer caches are in their steady state; its rate sets the
      // measured run's request count. Both runs send a fixed count, which, unlike a duration,
      // lets every request finish: the rows GET / inserted then match its successes exactly.
      const warmUp = await load(stack, endpoint, { amount: WARM_UP_REQUESTS, seconds: WARM_UP_SECONDS }, connections);
      const amount = Math.max(connections, Math.round(warmUp.requestsPerSecond * duration));
      const table = endpoint === '/' ? 'visits' : endpoint === 'POST /api/event' ? 'site_events' : undefined;
      const before = table === undefined ? 0 : await countRows(stack.databaseUrl, table);
      const result = await load(stack, endpoint, { amount, seconds: duration }, connections);
      if (table === 'visits') {
        homeRowsInserted = (await countRows(stack.databaseUrl, table)) - before;
        homeSuccesses = result.ok;
      } else if (table === 'site_events') {
        eventRowsInserted = (await countRows(stack.databaseUrl, table)) - before;
        eventSuccesses = result.ok;
      }
      endpoints.push(result);
      say(
        `  ${endpoint.padEnd(12)} ${number(Math.round(result.requestsPerSecond)).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}  non-2xx ${result.non2xx}`,
      );
    }
    const replicaPeakRssMb: Record<string, number> = {};
    for (const replica of stack.replicas) replicaPeakRssMb[replica.name] = await peakRssMb(replica.process.child.pid);
    return {
      size,
      rows,
      seedSeconds,
      endpoints,
      replicaPeakRssMb,
      homeRowsInserted,
      homeSuccesses,
      eventRowsInserted,
      eventSuccesses,
    };
  } finally {
    await stack.stop();
  }
}

/** Loads one endpoint for `seconds`, or for exactly `amount` requests (then `seconds` is a 3× safety bound). */
async function load(
  stack: Stack,
  endpoint: string,
  limit: { seconds: number; amount?: number },
  connections: number,
): Promise<EndpointResult> {
  // autocannon notices that an amount is reached only on its once-a-second tick, so its own
  // duration overstates a short run by up to a second; the rate is measured here instead, up
  // to the last response.
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const isEvent = endpoint.startsWith('POST ');
    const instance = autocannon(
      {
        url: `${stack.url}${isEvent ? endpoint.slice('POST '.length) : endpoint === SITE_STATS ? siteStatsPath() : endpoint}`,
        ...(isEvent
          ? { method: 'POST' as const, body: EVENT_BODY, headers: { 'content-type': 'text/plain', 'user-agent': BROWSER } }
          : endpoint === '/api/visits'
            ? { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } }
            : {}),
        connections,
        // autocannon takes either; an amount replaces the duration rather than capping it.
        ...(limit.amount === undefined ? { duration: limit.seconds } : { amount: limit.amount }),
        timeout: 10,
      },
      (error, finished) => {
        clearTimeout(bound);
        if (error) reject(error);
        else resolve(finished);
      },
    );
    instance.on('response', () => {
      lastResponseAt = performance.now();
    });
    const bound = setTimeout(() => instance.stop(), limit.seconds * 3_000);
  });
  const seconds = Math.max(lastResponseAt - startedAt, 1) / 1_000;
  return {
    endpoint,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ok: result['2xx'],
  };
}

async function countRows(url: string, table: 'visits' | 'site_events'): Promise<number> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number((rows as { n: number }[])[0]?.n ?? 0);
  } finally {
    await connection.end();
  }
}

/** Registers the site the event load sends page views of (as npm run site would), once per data directory. */
async function registerBenchSite(url: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    // Public, so its figures need no token.
    await connection.query('INSERT IGNORE INTO sites (domain, name, is_public, created_at) VALUES (?, ?, 1, UTC_TIMESTAMP(3))', [
      BENCH_SITE,
      'Benchmark',
    ]);
    await connection.query('UPDATE sites SET is_public = 1 WHERE domain = ?', [BENCH_SITE]);
  } finally {
    await connection.end();
  }
}

async function peakRssMb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

// 0..9 as a derived table; cross joins of it number rows in plain SQL that runs on MySQL 8.4
// and MariaDB 10.11 alike (no sequence engine, no recursive CTE depth limit).
const DIGITS =
  '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
const NUMBERS = `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n FROM ${DIGITS} a, ${DIGITS} b, ${DIGITS} c, ${DIGITS} e, ${DIGITS} f`;
const BUCKET = "TIMESTAMPADD(MINUTE, FLOOR(TIMESTAMPDIFF(MINUTE, '2000-01-01', visited_at) / 15) * 15, '2000-01-01')";

/** The bench site's stats for the 30 days up to today (UTC, the site's zone). */
function siteStatsPath(): string {
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  return `/api/sites/${BENCH_SITE}/stats?from=${day(29)}&to=${day(0)}`;
}

const SITE_PATHS = 20;
const SITE_REFERRERS = 10;

/**
 * Brings the bench site's page views to `rows`, over the last 30 days (20 pages, 10 referrers,
 * 5 campaigns, a few browsers, systems, devices and countries, 5,000 visitors a day), and builds
 * its rollups from them with set-based SQL, as migration 0005 does: the stats call then reads
 * exactly what it would after `rows` real page views.
 */
async function seedSiteEvents(url: string, rows: number): Promise<number> {
  await registerBenchSite(url);
  const connection = await mysql.createConnection({ uri: url, timezone: 'Z' });
  try {
    // The seeded ones only (their pages are /page-N): the event load adds page views of its own.
    const [[existing]] = (await connection.query(
      "SELECT COUNT(*) AS n FROM site_events WHERE path LIKE '/page-%'",
    )) as unknown as [{ n: number }[]];
    const present = Number(existing?.n ?? 0);
    if (present >= rows) {
      say(`  seed: ${number(present)} site events already present`);
      return 0;
    }
    const [[site]] = (await connection.query('SELECT id FROM sites WHERE domain = ?', [BENCH_SITE])) as unknown as [
      { id: number }[],
    ];
    const started = Date.now();
    const spanSeconds = 30 * 24 * 3600;
    const end = new Date();
    say('  seed: site events');
    for (let done = present; done < rows; ) {
      const count = Math.min(CHUNK, rows - done);
      await connection.query(
        `INSERT INTO site_events (site_id, occurred_at, path, referrer_host, utm_source, browser, os, device, country, visitor_hash, is_bot)
         SELECT ?, ? - INTERVAL FLOOR((n + ?) * ? / ?) SECOND, CONCAT('/page-', (n + ?) % ${SITE_PATHS}),
                IF((n + ?) % 3 = 0, CONCAT('ref-', (n + ?) % ${SITE_REFERRERS}, '.example'), NULL),
                IF((n + ?) % 7 = 0, CONCAT('campaign-', (n + ?) % 5), NULL),
                ELT(1 + (n + ?) % 4, 'Chrome', 'Firefox', 'Safari', 'Edge'), ELT(1 + (n + ?) % 4, 'Windows', 'macOS', 'Linux', 'iOS'),
                ELT(1 + (n + ?) % 3, 'desktop', 'mobile', 'tablet'), ELT(1 + (n + ?) % 10, 'DE', 'US', 'FR', 'GB', 'JP', 'BR', 'IN', 'NL', 'SE', 'PL'),
                LPAD(HEX((n + ?) % 5000), 16, '0'), 0
         FROM (${NUMBERS}) AS numbers WHERE n < ?`,
        [site?.id, end, done, spanSeconds, rows, ...Array<number>(10).fill(done), count],
      );
      done += count;
      progress(done, rows, started, 'site events');
    }
    process.stdout.write('\n');
    say('  seed: site rollups');
    const siteId = site?.id;
    await connection.query('DELETE FROM site_counters WHERE site_id = ?', [siteId]);
    await connection.query('DELETE FROM site_day_values WHERE site_id = ?', [siteId]);
    await connection.query(
      `INSERT INTO site_counters (site_id, bucket_start, shard, pageviews, visitors)
       SELECT site_id, TIMESTAMPADD(MINUTE, FLOOR(TIMESTAMPDIFF(MINUTE, '2000-01-01', occurred_at) / 15) * 15, '2000-01-01') AS bucket,
              id % 8, COUNT(*), 0
       FROM site_events WHERE site_id = ? GROUP BY bucket, id % 8`,
      [siteId],
    );
    const dimensions: [number, string][] = [
      [0, "''"],
      [1, 'path'],
      [2, 'referrer_host'],
      [3, 'utm_source'],
      [6, 'browser'],
      [7, 'os'],
      [8, 'device'],
      [9, 'country'],
    ];
    for (const [code, column] of dimensions) {
      await connection.query(
        `INSERT INTO site_day_values (site_id, dimension, day, value, pageviews, visitors)
         SELECT site_id, ${code}, DATE(occurred_at) AS day, ${column} AS value, COUNT(*), COUNT(DISTINCT visitor_hash)
         FROM site_events WHERE site_id = ? AND ${column} IS NOT NULL GROUP BY day, value`,
        [siteId],
      );
    }
    await connection.query('ANALYZE TABLE site_events, site_counters, site_day_values');
    return Math.round((Date.now() - started) / 1000);
  } finally {
    await connection.end();
  }
}

/**
 * Brings the visits table to `rows` rows, spread over the last 30 days across two servers,
 * with the summary tables updated chunk by chunk exactly as recordVisit would have.
 * Returns the seconds spent; 0 when the data is already there from an earlier run.
 */
async function seed(url: string, rows: number): Promise<number> {
  const connection = await mysql.createConnection({ uri: url, timezone: 'Z' });
  try {
    const [[existing]] = (await connection.query('SELECT COUNT(*) AS n FROM visits')) as unknown as [{ n: number }[]];
    const present = Number(existing?.n ?? 0);
    if (present >= rows) {
      say(`  seed: ${number(present)} visits already present`);
      return 0;
    }
    const started = Date.now();
    const spanSeconds = 30 * 24 * 3600;
    const end = new Date();
    for (let done = present; done < rows; ) {
      const count = Math.min(CHUNK, rows - done);
      const [[range]] = (await connection.query('SELECT COALESCE(MAX(id), 0) AS last FROM visits')) as unknown as [
        { last: number }[],
      ];
      await connection.query(
        `INSERT INTO visits (ip_address, user_agent, server_id, visited_at)
         SELECT CONCAT('10.', (n + ?) % 251, '.', (n + ?) % 199, '.', (n + ?) % 7),
                'Mozilla/5.0 (bench seed)', CONCAT('app-', 1 + (n + ?) % 2),
                ? - INTERVAL FLOOR((n + ?) * ? / ?) SECOND
         FROM (${NUMBERS}) AS numbers WHERE n < ?`,
        [done, done, done, done, end, done, spanSeconds, rows, count],
      );
      const first = Number(range?.last ?? 0) + 1;
      const last = first + count - 1;
      await connection.query(
        `INSERT INTO visit_counters (bucket_start, server_id, shard, requests)
         SELECT * FROM (SELECT ${BUCKET} AS bucket, server_id AS server, id % 8 AS shard, COUNT(*) AS added
                        FROM visits WHERE id BETWEEN ? AND ? GROUP BY bucket, server, shard) AS chunk
         ON DUPLICATE KEY UPDATE requests = requests + chunk.added`,
        [first, last],
      );
      // The all-time rows (see ALL_TIME_BUCKET in db/schema.ts).
      await connection.query(
        `INSERT INTO visit_counters (bucket_start, server_id, shard, requests)
         SELECT * FROM (SELECT '1000-01-01 00:00:00' AS bucket, server_id AS server, id % 8 AS shard, COUNT(*) AS added
                        FROM visits WHERE id BETWEEN ? AND ? GROUP BY server, shard) AS chunk
         ON DUPLICATE KEY UPDATE requests = requests + chunk.added`,
        [first, last],
      );
      await connection.query(
        `INSERT IGNORE INTO bucket_visitors (bucket_start, server_id, ip_address)
         SELECT DISTINCT ${BUCKET}, server_id, ip_address FROM visits WHERE id BETWEEN ? AND ?`,
        [first, last],
      );
      done += count;
      progress(done, rows, started);
    }
    process.stdout.write('\n');
    await connection.query('ANALYZE TABLE visits, visit_counters, bucket_visitors');
    return Math.round((Date.now() - started) / 1000);
  } finally {
    await connection.end();
  }
}

function progress(done: number, total: number, started: number, what = 'visits'): void {
  const fraction = done / total;
  const width = 30;
  const filled = Math.round(fraction * width);
  const elapsed = (Date.now() - started) / 1000;
  const eta = fraction > 0 ? Math.round(elapsed / fraction - elapsed) : 0;
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const line = `  seed [${bar}] ${Math.round(fraction * 100)}% ${number(done)}/${number(total)} ${what} · ${Math.round(elapsed)} s · ETA ${eta} s`;
  process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
}

main().catch((error: unknown) => {
  say(error instanceof StackError ? error.message : `bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
