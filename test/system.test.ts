import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSettings } from '../src/config';
import { createNodeDatabase } from '../src/runtime/node/database';
import { createTestDatabase, type TestDatabase } from './support/database';
import { getJson, startTestServer, type TestServer, waitFor } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { env: { SERVER_ID: 'info-check', APP_ENV: 'staging', LOG_LEVEL: 'debug' } });
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
      runtime: { name: 'node', version: process.versions.node },
      app_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: { host: `${database.settings.host}:${database.settings.port}`, name: database.name },
      uptime_seconds: expect.any(Number),
    });
    expect(new Date(String(body.timestamp)).toISOString()).toBe(body.timestamp);
    expect(JSON.stringify(body)).not.toContain(database.settings.user === '' ? '\u0000' : `${database.settings.user}@`);
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
    let viaProxy: TestServer;
    let close: () => Promise<void>;

    beforeAll(async () => {
      proxy = await startTcpProxy(database.settings.host, database.settings.port);
      const settings: DatabaseSettings = { ...database.settings, host: '127.0.0.1', port: proxy.port };
      const pooled = createNodeDatabase(settings, { size: 4, queueLimit: 100, connectTimeoutMs: 1_000 });
      close = pooled.close;
      viaProxy = await startTestServer({ ...database, settings, db: pooled.db }, { env: { HEALTH_TIMEOUT_MS: '500' } });
    });

    afterAll(async () => {
      await viaProxy?.stop();
      await close?.();
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

      // A page that needs the database fails cleanly: JSON, a request id, no stack trace.
      const page = await fetch(`${viaProxy.url}/api/visits`);
      expect(page.status).toBe(500);
      const error = (await page.json()) as Record<string, unknown>;
      expect(error).toEqual({ error: 'internal_error', request_id: page.headers.get('x-request-id') });

      await proxy.restore();
      await waitFor('readiness to recover', async () => (await fetch(`${viaProxy.url}/health`)).status === 200);
      expect((await fetch(`${viaProxy.url}/`)).status).toBe(200);
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

  it('answers an unexpected failure with 500, the request id and no internals', async () => {
    const broken = await createTestDatabase();
    const brokenServer = await startTestServer(broken);
    try {
      await broken.query('DROP TABLE visits');
      const response = await fetch(`${brokenServer.url}/`);
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: 'internal_error', request_id: response.headers.get('x-request-id') });
      expect(text).not.toMatch(/visits|SELECT|INSERT|at .*\.ts/);
      // …while the log line carries the detail and the same request id.
      expect(brokenServer.logs).toContainEqual(
        expect.objectContaining({ level: 'error', request_id: response.headers.get('x-request-id'), path: '/' }),
      );
    } finally {
      await brokenServer.stop();
      await broken.drop();
    }
  });
});
