import { randomBytes } from 'node:crypto';
import { DrizzleQueryError, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, errorFields } from '../../src/app/logging/logger';
import { ConfigError } from '../../src/config/variables';
import { createNodePool, type NodePool } from '../../src/runtime/node/mysql-pool';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import { slowQueryLog } from '../../src/runtime/node/slow-query-log';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestServer, type TestServer, waitFor } from '../support/server';
import { type ServiceProcess, startServiceProcess } from '../support/service-process';

/**
 * What the service writes to its log: one line per request, one per slow statement (its SQL
 * shape, never its values), readable lines in development, and never a database password.
 */

type LogLine = Record<string, unknown>;

describe('the request log', () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, { env: { LOG_LEVEL: 'info', SERVER_ID: 'log-check' } });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const requestLine = async (requestId: string): Promise<LogLine> => {
    await waitFor(`the request line of ${requestId}`, () => server.logs.some((line) => line.request_id === requestId));
    const lines = server.logs.filter((line) => line.msg === 'request' && line.request_id === requestId);
    expect(lines).toHaveLength(1);
    return lines[0] as LogLine;
  };

  it('writes one info line per request with its route pattern, status and duration', async () => {
    const response = await fetch(`${server.url}/api/visits?limit=5&server_id=log-check`, {
      headers: { 'x-request-id': 'log-line-1' },
    });
    expect(response.status).toBe(200);
    const line = await requestLine('log-line-1');
    expect(line).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'request',
      server_id: 'log-check',
      request_id: 'log-line-1',
      method: 'GET',
      route: '/api/visits',
      path: '/api/visits',
      status: 200,
      duration_ms: expect.any(Number),
    });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
    expect(line.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('names no route for an unknown path, and logs failures with their status', async () => {
    await fetch(`${server.url}/nothing/here`, { headers: { 'x-request-id': 'log-line-404' } });
    expect(await requestLine('log-line-404')).toMatchObject({ route: 'unmatched', path: '/nothing/here', status: 404 });
    await fetch(`${server.url}/api/stats?date=yesterday`, { headers: { 'x-request-id': 'log-line-400' } });
    expect(await requestLine('log-line-400')).toMatchObject({ route: '/api/stats', status: 400 });
  });

  it('is silent at LOG_LEVEL=warn (the benchmark runs so)', async () => {
    const quiet = await startTestServer(database, { env: { LOG_LEVEL: 'warn' } });
    try {
      expect((await fetch(`${quiet.url}/health/live`)).status).toBe(200);
      expect(quiet.logs).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});

describe('the slow query log', () => {
  let database: TestDatabase;
  let timed: NodePool;
  let server: TestServer;
  const lines: LogLine[] = [];
  let threshold = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as LogLine), { server_id: 'slow-check' });
    // The threshold is read per statement, so each test can set its own.
    const log = (limit: () => number) => (statement: Parameters<ReturnType<typeof slowQueryLog>>[0]) =>
      slowQueryLog(logger, limit())(statement);
    timed = createNodePool(
      database.settings,
      { size: 4, queueLimit: 100, connectTimeoutMs: 5_000 },
      { observeStatement: log(() => threshold) },
    );
    // The service as main.ts wires it: its own pool, every statement timed against SLOW_QUERY_MS.
    server = await startTestServer(database, { env: { SLOW_QUERY_MS: '0', LOG_LEVEL: 'warn', SERVER_ID: 'slow-check' } });
  });

  afterAll(async () => {
    await server?.stop();
    await timed?.close();
    await database?.drop();
  });

  it('at SLOW_QUERY_MS=0 logs every statement with its SQL shape and none of its values', async () => {
    const lines = server.logs as LogLine[];
    lines.length = 0;
    const userAgent = `ua-marker-${randomBytes(6).toString('hex')}`;
    const requestId = `rid-marker-${randomBytes(6).toString('hex')}`;
    const response = await fetch(`${server.url}/`, { headers: { 'user-agent': userAgent, 'x-request-id': requestId } });
    expect(response.status).toBe(200);

    await waitFor('the visit insert in the slow query log', () =>
      lines.some((line) => /insert into `visits`/i.test(String(line.statement))),
    );
    const insert = lines.find((line) => /insert into `visits`/i.test(String(line.statement)));
    expect(insert).toMatchObject({
      level: 'warn',
      msg: 'slow query',
      server_id: 'slow-check',
      threshold_ms: 0,
      duration_ms: expect.any(Number),
      statement: expect.stringMatching(/values \(.*\?.*\)/i),
    });
    // The transaction around it, and the dashboard's reads, are there too.
    const statements = lines.map((line) => String(line.statement));
    expect(statements).toContain('START TRANSACTION');
    expect(statements).toContain('COMMIT');
    expect(statements.some((statement) => /^select .* from `visits`/i.test(statement))).toBe(true);
    // Values never: not the user agent, not the request id, not the client address.
    const text = JSON.stringify(lines);
    expect(text).not.toContain(userAgent);
    expect(text).not.toContain(requestId);
    expect(text).not.toContain('127.0.0.1');
  });

  it('logs only statements at or over the threshold, and says when one failed', async () => {
    threshold = 200;
    lines.length = 0;
    await timed.db.execute(sql`SELECT 1`);
    await timed.db.execute(sql`SELECT SLEEP(${0.25})`);
    await expect(timed.db.execute(sql`SELECT SLEEP(${0.25}) FROM no_such_table`)).rejects.toThrow();
    await timed.db.execute(sql`SELECT SLEEP(${0.25})`);
    expect(lines.map((line) => line.statement)).toEqual(['SELECT SLEEP(?)', 'SELECT SLEEP(?)']);
    expect(lines.every((line) => Number(line.duration_ms) >= 200)).toBe(true);

    threshold = 0;
    lines.length = 0;
    await expect(timed.db.execute(sql`SELECT x FROM no_such_table WHERE id = ${42}`)).rejects.toThrow();
    expect(lines).toEqual([expect.objectContaining({ statement: 'SELECT x FROM no_such_table WHERE id = ?', failed: true })]);
  });
});

describe('error lines', () => {
  it("keep a failed query's SQL but not its parameter values", () => {
    const failure = new DrizzleQueryError('insert into `visits` (`ip_address`) values (?)', ['203.0.113.77'], new Error('boom'));
    const fields = errorFields(failure);
    expect(fields.error).toContain('insert into `visits`');
    expect(JSON.stringify(fields)).not.toContain('203.0.113.77');
    expect(fields.cause).toBe('boom');
  });
});

describe('LOG_FORMAT and SLOW_QUERY_MS', () => {
  const config = (env: Record<string, string>) => parseNodeSettings(env, 'x');

  it('logs JSON everywhere but in development, unless told otherwise', () => {
    expect(config({ APP_ENV: 'development' }).log.format).toBe('pretty');
    expect(config({}).log.format).toBe('pretty'); // APP_ENV defaults to development
    // Production requires a token; it has nothing to do with the logs.
    const ADMIN_TOKEN = 'logs-test-admin-token-0123456789abcdef';
    for (const environment of ['test', 'staging', 'production']) {
      expect(config({ APP_ENV: environment, ADMIN_TOKEN }).log.format).toBe('json');
    }
    expect(config({ APP_ENV: 'development', LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(config({ APP_ENV: 'production', LOG_FORMAT: 'Pretty', ADMIN_TOKEN }).log.format).toBe('pretty');
  });

  it('defaults the slow query threshold to 500 ms and rejects bad values by name', () => {
    expect(config({}).pool.slowQueryMs).toBe(500);
    expect(config({ SLOW_QUERY_MS: '0' }).pool.slowQueryMs).toBe(0);
    expect(() => config({ SLOW_QUERY_MS: 'fast' })).toThrow(/SLOW_QUERY_MS: expected a whole number/);
    expect(() => config({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => config({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: expected one of: json, pretty/);
  });

  it('writes a compact, colourless line in pretty format, with a stack on lines of its own', () => {
    const written: string[] = [];
    const logger = createLogger('debug', (line) => written.push(line), { server_id: 'vm' }, 'pretty');
    logger.info('request', { method: 'GET', route: '/api/visits', status: 200, duration_ms: 3.1, skipped: undefined });
    logger.error('unhandled error', { error: 'connect ECONNREFUSED', stack: 'Error: boom\n    at a.ts:1' });
    expect(written[0]).toMatch(
      /^\d{2}:\d{2}:\d{2} info {2}request server_id=vm method=GET route=\/api\/visits status=200 duration_ms=3\.1$/,
    );
    expect(written[1]).toMatch(
      /^\d{2}:\d{2}:\d{2} error unhandled error server_id=vm error="connect ECONNREFUSED"\n {2}stack:\n {4}Error: boom\n {8}at a\.ts:1$/,
    );
    // No ANSI colour codes.
    expect(written.join('')).not.toContain('\u001b[');
  });
});

describe('secrets in the logs of `npm start`', () => {
  let database: TestDatabase;
  let appUserUrl: URL;

  beforeAll(async () => {
    database = await createTestDatabase();
    appUserUrl = new URL(await database.appUserUrl());
  });

  afterAll(async () => {
    await database?.drop();
  });

  /** Drives a few requests and waits until the service has logged the last of them. */
  async function drive(service: ServiceProcess, paths: readonly string[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const [index, path] of paths.entries()) {
      const response = await fetch(`${service.url}${path}`, { headers: { 'x-request-id': `secret-check-${index}` } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    await waitFor('the last request line', () => service.output().includes(`secret-check-${paths.length - 1}`));
    return statuses;
  }

  async function stop(service: ServiceProcess): Promise<void> {
    service.child.kill('SIGTERM');
    await service.exited;
  }

  it('never prints the password, in JSON lines from start-up to shutdown, slow queries included', async () => {
    const password = decodeURIComponent(appUserUrl.password);
    expect(password.length).toBeGreaterThanOrEqual(16);
    const service = await startServiceProcess({
      DATABASE_URL: appUserUrl.toString(),
      APP_ENV: 'staging',
      LOG_LEVEL: 'debug',
      SLOW_QUERY_MS: '0',
    });
    try {
      const statuses = await drive(service, ['/', '/api/visits', '/api/stats', '/info', '/health', '/metrics', '/nope']);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 404]);
    } finally {
      await stop(service);
    }
    const output = service.output();
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    const parsed = logLines.map((line) => JSON.parse(line) as LogLine);
    expect(parsed.filter((line) => line.msg === 'request')).toHaveLength(7);
    expect(parsed.some((line) => line.msg === 'slow query')).toBe(true);
    expect(output).toContain('serving http://'); // the start-up lines are in the output checked
    expect(output).not.toContain(password);
    expect(output).not.toContain(appUserUrl.toString());
  });

  it('never prints the password when the database refuses it, in pretty development lines', async () => {
    const wrong = new URL(appUserUrl);
    wrong.password = `wrong-${randomBytes(12).toString('hex')}`;
    const service = await startServiceProcess({ DATABASE_URL: wrong.toString(), APP_ENV: 'development', LOG_LEVEL: 'info' });
    try {
      const statuses = await drive(service, ['/', '/health']);
      // A database that refuses the credentials is unavailable (503 with Retry-After), not a bug (500).
      expect(statuses).toEqual([503, 503]);
    } finally {
      await stop(service);
    }
    const output = service.output();
    // The error path really ran and was logged, with the driver's own message.
    expect(output).toMatch(/^\d{2}:\d{2}:\d{2} warn {2}database unavailable .*Access denied/m);
    expect(output).toMatch(/^\d{2}:\d{2}:\d{2} info {2}request .*route=\/ .*status=503/m);
    expect(output).not.toContain(wrong.password);
  });

  it('never prints the password when the configuration is refused', async () => {
    const password = `cfg-${randomBytes(12).toString('hex')}`;
    const failure = await startServiceProcess({ DATABASE_URL: `mysql://user:${password}@127.0.0.1:notaport/db` }).then(
      () => new Error('the service started with a bad DATABASE_URL'),
      (error: unknown) => error,
    );
    expect(String(failure)).toMatch(/DATABASE_URL/);
    expect(String(failure)).not.toContain(password);
  });
});
