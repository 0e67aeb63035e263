import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeName, type RuntimeServer, startRuntime } from '../support/runtimes';
import { getJson, type TestServer, waitFor } from '../support/server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { readWranglerConfig } from '../support/worker';

/** What /info says about the runtime and the database, which differ by runtime. */
function expectedInfo(runtime: RuntimeName, database: TestDatabase) {
  if (runtime === 'node') {
    return {
      runtime: { name: 'node', version: process.versions.node },
      database: { host: `${database.settings.host}:${database.settings.port}`, name: database.name },
    };
  }
  return {
    // workerd has no version of its own that a Worker can read: its compatibility date stands in.
    runtime: { name: 'workerd', version: readWranglerConfig().compatibility_date },
    // The Hyperdrive binding's host (a *.hyperdrive.local name under wrangler dev), not the origin's.
    database: { host: expect.stringMatching(/^[\w.-]+:\d+$/), name: database.name },
  };
}

describe.each(RUNTIMES)('on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database, { env: { SERVER_ID: 'info-check', APP_ENV: 'staging', LOG_LEVEL: 'debug' } });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('GET /info', () => {
    it('says which instance, runtime and environment answered, without credentials', async () => {
      const { status, body } = await getJson<Record<string, unknown>>(`${server.url}/info`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        server_id: 'info-check',
        environment: 'staging',
        debug: true,
        ...expectedInfo(runtime, database),
        app_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        uptime_seconds: expect.any(Number),
      });
      expect(new Date(String(body.timestamp)).toISOString()).toBe(body.timestamp);
      const { user, password } = server.databaseLogin;
      expect(JSON.stringify(body)).not.toContain(user === '' ? '\u0000' : `${user}@`);
      expect(JSON.stringify(body)).not.toContain(password === '' ? '\u0000' : password);
      expect(JSON.stringify(body)).not.toMatch(/password/i);
    });
  });

  describe('health', () => {
    it('is healthy with a reachable database', async () => {
      const { status, body } = await getJson(`${server.url}/health`);
      expect(status).toBe(200);
      expect(body).toEqual({ status: 'healthy', server_id: 'info-check', database: 'connected', environment: 'staging' });
    });

    it('rejects parameters it does not take', async () => {
      const { status, body } = await getJson(`${server.url}/health?verbose=1`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_request', issues: [{ field: 'verbose' }] });
    });

    describe('when the database goes away and comes back', () => {
      let proxy: TcpProxy;
      let viaProxy: RuntimeServer;

      beforeAll(async () => {
        proxy = await startTcpProxy(database.settings.host, database.settings.port);
        viaProxy = await startRuntime(runtime, database, {
          env: { HEALTH_TIMEOUT_MS: '500' },
          databaseAddress: { host: '127.0.0.1', port: proxy.port },
        });
      });

      afterAll(async () => {
        await viaProxy?.stop();
        await proxy?.close();
      });

      it('answers 503 while unreachable and 200 again once it returns; liveness stays 200', async () => {
        expect((await fetch(`${viaProxy.url}/health`)).status).toBe(200);
        await proxy.cut();

        await waitFor('readiness to fail', async () => (await fetch(`${viaProxy.url}/health`)).status === 503);
        const down = await getJson(`${viaProxy.url}/health`);
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ status: 'unhealthy', database: 'unreachable', server_id: 'test-server' });
        const live = await getJson(`${viaProxy.url}/health/live`);
        expect(live).toMatchObject({ status: 200, body: { status: 'alive' } });

        // A page that needs the database fails cleanly: 503 JSON with Retry-After and a request id, no stack trace.
        const page = await fetch(`${viaProxy.url}/api/visits`);
        expect(page.status).toBe(503);
        expect(page.headers.get('retry-after')).toBe('5');
        const error = (await page.json()) as Record<string, unknown>;
        expect(error).toEqual({
          error: 'database_unavailable',
          message: 'the database is unreachable or overloaded: try again in 5 s',
          request_id: page.headers.get('x-request-id'),
        });

        await proxy.restore();
        await waitFor('readiness to recover', async () => (await fetch(`${viaProxy.url}/health`)).status === 200);
        expect((await fetch(`${viaProxy.url}/`)).status).toBe(200);
      });

      it('answers 503 "unreachable" within HEALTH_TIMEOUT_MS when the database accepts connections but never answers', async () => {
        expect((await fetch(`${viaProxy.url}/health`)).status).toBe(200);
        proxy.stall();
        try {
          for (let probe = 0; probe < 3; probe++) {
            const started = performance.now();
            const hung = await getJson(`${viaProxy.url}/health`);
            const waitedMs = performance.now() - started;
            expect(hung.status).toBe(503);
            expect(hung.body).toMatchObject({ status: 'unhealthy', database: 'unreachable' });
            // HEALTH_TIMEOUT_MS is 500 here: the answer comes at the deadline, not when the database does.
            expect(waitedMs).toBeGreaterThanOrEqual(450);
            expect(waitedMs).toBeLessThan(1_500);
          }
          // Probes that arrive while others wait share the next SELECT 1; each still answers at
          // its own deadline, not when the probe it joined gives up (about twice as late).
          const overlapping = await Promise.all(
            [0, 20, 40, 60].map(async (delayMs) => {
              await new Promise((resolve) => setTimeout(resolve, delayMs));
              const started = performance.now();
              const response = await fetch(`${viaProxy.url}/health`);
              await response.arrayBuffer();
              return { status: response.status, waitedMs: performance.now() - started };
            }),
          );
          for (const probe of overlapping) {
            expect(probe.status).toBe(503);
            expect(probe.waitedMs).toBeLessThan(900);
          }
          expect((await fetch(`${viaProxy.url}/health/live`)).status).toBe(200);
        } finally {
          // The hang ends the way a restarted database ends one: every connection is reset.
          await proxy.cut();
          await proxy.restore();
        }
        await waitFor('readiness to recover', async () => (await fetch(`${viaProxy.url}/health`)).status === 200);
      });
    });
  });

  describe('errors', () => {
    it('answers an unknown path with 404 JSON', async () => {
      const { status, body, headers } = await getJson(`${server.url}/no/such/page`);
      expect(status).toBe(404);
      expect(body).toMatchObject({ error: 'not_found', message: expect.stringContaining('/api/visits') });
      expect(headers.get('x-request-id')).toBeTruthy();
    });

    it('keeps a request id given by the proxy', async () => {
      const response = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'nginx-abc123' } });
      expect(response.headers.get('x-request-id')).toBe('nginx-abc123');
    });

    it('makes its own request id when the given one is unusable', async () => {
      for (const given of ['has space', 'x'.repeat(65), 'semi;colon']) {
        const response = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': given } });
        const id = response.headers.get('x-request-id');
        expect(id, given).toMatch(/^[0-9a-f-]{36}$/);
        await response.arrayBuffer();
      }
    });

    it('sends the security headers on every answer, JSON and errors included, with a policy that allows no style there', async () => {
      for (const [path, status] of [
        ['/health/live', 200],
        ['/api/visits?limit=0', 400],
        ['/no/such/page', 404],
      ] as const) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, path).toBe(status);
        expect(response.headers.get('content-type'), path).toBe('application/json');
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
        expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
        expect(response.headers.get('strict-transport-security'), path).toBe('max-age=15552000; includeSubDomains');
        expect(response.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
        expect(response.headers.get('content-security-policy'), path).toBe(
          "default-src 'none'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
        );
        expect(response.headers.get('x-request-id'), path).toBeTruthy();
        await response.arrayBuffer();
      }
    });

    it('answers an unexpected failure with 500, the request id and no internals', async () => {
      const broken = await createTestDatabase();
      const brokenServer = await startRuntime(runtime, broken);
      try {
        await broken.query('DROP TABLE visits');
        const response = await fetch(`${brokenServer.url}/`);
        const text = await response.text();
        expect(response.status).toBe(500);
        expect(JSON.parse(text)).toEqual({ error: 'internal_error', request_id: response.headers.get('x-request-id') });
        expect(text).not.toMatch(/visits|SELECT|INSERT|at .*\.ts/);
        // …while the log line carries the detail and the same request id (workerd hands its
        // console output over asynchronously, hence the wait).
        const logged = expect.objectContaining({ level: 'error', request_id: response.headers.get('x-request-id'), path: '/' });
        await waitFor('the error log line', () => brokenServer.logs.some((line) => logged.asymmetricMatch(line)));
        expect(brokenServer.logs).toContainEqual(logged);
      } finally {
        await brokenServer.stop();
        await broken.drop();
      }
    });
  });
});

describe('the Worker in workerd', () => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    // SERVER_ID unset: the Worker names itself.
    first = await startRuntime('workerd', database, { env: { SERVER_ID: '' } });
    second = await startRuntime('workerd', database, { env: { SERVER_ID: '' } });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  });

  it('names itself after its data centre (request.cf.colo) and an instance id of its own', async () => {
    const one = (await getJson<{ server_id: string }>(`${first.url}/info`)).body.server_id;
    const other = (await getJson<{ server_id: string }>(`${second.url}/info`)).body.server_id;
    expect(one).toMatch(/^[A-Z]{3}-[0-9a-f]{8}$/);
    expect(other).toMatch(/^[A-Z]{3}-[0-9a-f]{8}$/);
    expect(one.slice(0, 3)).toBe(other.slice(0, 3));
    expect(one).not.toBe(other);

    // The same name on every request the instance serves, and on the visits it records.
    expect((await getJson<{ server_id: string }>(`${first.url}/health`)).body.server_id).toBe(one);
    expect((await fetch(`${first.url}/`)).status).toBe(200);
    const [row] = await database.query<{ server_id: string }>('SELECT server_id FROM visits ORDER BY id DESC LIMIT 1');
    expect(row?.server_id).toBe(one);
  });
});

describe('the Worker in workerd with a bad variable', () => {
  let database: TestDatabase;
  let worker: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    worker = await startRuntime('workerd', database, { env: { APP_TIMEZONE: 'Mars/Olympus' } });
  });

  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
  });

  // Node refuses to start (test/config.test.ts); a Worker cannot, so it refuses every request.
  it('answers 500 and logs which variable to fix', async () => {
    for (const path of ['/', '/health/live']) {
      const { status, body } = await getJson(`${worker.url}${path}`);
      expect(status).toBe(500);
      expect(body).toEqual({ error: 'internal_error' });
    }
    const logged = expect.objectContaining({ level: 'error', problems: [expect.stringContaining('APP_TIMEZONE')] });
    await waitFor('the configuration error in the log', () => worker.logs.some((line) => logged.asymmetricMatch(line)));
    expect(worker.logs).toContainEqual(logged);
    expect(await database.query('SELECT id FROM visits')).toEqual([]);
  });
});
