import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logging/logger';
import { startHttpServer } from '../../src/runtime/node/http-server';
import { createNodeService } from '../../src/runtime/node/node-service';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import { type ReplicaPair, startReplicaPair } from '../support/replica-pair';
import { getJson, waitFor } from '../support/server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * DATABASE_READ_URL against a real MariaDB replica replicating from a real primary: which reads
 * go where, round-robin, fallback to the primary and /health while a replica is down.
 */

interface ReplicatedServer {
  url: string;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The Node service as main.ts wires it, with a short back-off so recovery shows quickly. */
async function startServer(pair: ReplicaPair, readUrls: string[]): Promise<ReplicatedServer> {
  const settings = parseNodeSettings(
    {
      APP_ENV: 'test',
      SERVER_ID: 'replica-test',
      LOG_LEVEL: 'info',
      DATABASE_URL: pair.primaryUrl,
      DATABASE_READ_URL: readUrls.join(','),
      DB_READ_TIMEOUT_MS: '1000',
      // Every /api/stats answer comes from the database, not from a cache in front of it.
      STATS_CACHE_TTL_MS: '0',
    },
    'unused',
  );
  if (settings.database === undefined) throw new Error('DATABASE_URL was not parsed');
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(settings.log.level, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const service = createNodeService({ settings, database: settings.database, logger, replicaBackoffMs: 200 });
  const running = await startHttpServer(service.app, { host: '127.0.0.1', port: 0, keepAliveTimeoutMs: 5_000 });
  return {
    url: running.url,
    logs,
    stop: async () => {
      await running.drain(2_000);
      await service.close();
    },
  };
}

const statsTotal = async (server: ReplicatedServer) => (await getJson<{ total: number }>(`${server.url}/api/stats`)).body.total;

async function primaryTotal(pair: ReplicaPair): Promise<number> {
  const [row] = await pair.primaryQuery<{ total: number }>('SELECT COUNT(*) AS total FROM visit_tracker.visits');
  return Number(row?.total);
}

/** A browser's user agent with a tag to find the visit by (a bot's would not be counted as a visit). */
const browser = (tag: string) => `Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0 ${tag}`;

async function visitHome(server: ReplicatedServer, tag: string): Promise<string> {
  const response = await fetch(`${server.url}/`, { headers: { 'user-agent': browser(tag) } });
  expect(response.status).toBe(200);
  return response.text();
}

const pageTotal = (html: string) => Number(/id="total">\s*([\d,]+)\s*</.exec(html)?.[1]?.replaceAll(',', ''));

const logLines = (server: ReplicatedServer, message: string) =>
  server.logs.filter((line) => String(line.msg).startsWith(message));

describe('read replicas (DATABASE_READ_URL)', () => {
  let pair: ReplicaPair;
  let server: ReplicatedServer;

  beforeAll(async () => {
    pair = await startReplicaPair();
    server = await startServer(pair, [pair.replicaUrl]);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await pair?.stop();
  });

  it('serves /api/visits and /api/stats from the replica, and the home page, with the own visit, from the primary', async () => {
    await visitHome(server, 'visit-before');
    await pair.waitUntilCaughtUp();
    const replicated = await primaryTotal(pair);
    expect(await statsTotal(server)).toBe(replicated);

    // The replica stops applying changes: whatever it serves from now on is the old state.
    await pair.pauseReplication();
    try {
      const html = await visitHome(server, 'visit-while-paused');
      expect(pageTotal(html)).toBe(replicated + 1);
      expect(html).toContain('visit-while-paused');
      expect(await primaryTotal(pair)).toBe(replicated + 1);

      expect(await statsTotal(server)).toBe(replicated);
      const page = await getJson<{ visits: { user_agent: string }[] }>(`${server.url}/api/visits?limit=500`);
      expect(page.status).toBe(200);
      expect(page.body.visits).toHaveLength(replicated);
      expect(page.body.visits.map((visit) => visit.user_agent)).not.toContain(browser('visit-while-paused'));
    } finally {
      await pair.resumeReplication();
    }

    await waitFor('the replica to catch up', async () => (await statsTotal(server)) === replicated + 1);
    const caughtUp = await getJson<{ visits: { user_agent: string }[] }>(`${server.url}/api/visits?limit=1`);
    expect(caughtUp.body.visits[0]?.user_agent).toBe(browser('visit-while-paused'));
  });

  it('reports the replica in /health', async () => {
    const { status, body } = await getJson(`${server.url}/health`);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'healthy',
      server_id: 'replica-test',
      environment: 'test',
      database: 'connected',
      replicas: [{ host: `127.0.0.1:${new URL(pair.replicaUrl).port}`, status: 'connected' }],
    });
  });

  it("reports the replica's pool in /metrics beside the primary's", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const replica = `127.0.0.1:${new URL(pair.replicaUrl).port}`;
    // The replica's pool is half the primary's (at least 2): DB_POOL_SIZE 10 by default.
    expect(text).toContain('db_pool_connections_max{pool="primary"} 10');
    expect(text).toContain(`db_pool_connections_max{pool="${replica}"} 5`);
    expect(text).toMatch(new RegExp(`db_pool_connections_open\\{pool="${replica.replaceAll('.', '\\.')}"\\} [1-9]`));
  });

  it("reaches a replica whose URL has no password with the primary's", async () => {
    const withoutPassword = new URL(pair.replicaUrl);
    withoutPassword.password = '';
    const inheriting = await startServer(pair, [withoutPassword.toString()]);
    try {
      const { body } = await getJson<{ replicas: { status: string }[] }>(`${inheriting.url}/health`);
      expect(body.replicas).toEqual([{ host: `127.0.0.1:${withoutPassword.port}`, status: 'connected' }]);
    } finally {
      await inheriting.stop();
    }
  });

  it('takes turns between replicas', async () => {
    // The primary listed as a second replica: while the real one lags, the answers alternate.
    const twoReplicas = await startServer(pair, [pair.replicaUrl, pair.primaryUrl]);
    await pair.pauseReplication();
    try {
      await visitHome(twoReplicas, 'visit-round-robin');
      const totals = [];
      for (let request = 0; request < 4; request++) totals.push(await statsTotal(twoReplicas));
      const fresh = await primaryTotal(pair);
      expect(new Set(totals)).toEqual(new Set([fresh, fresh - 1]));
      expect(totals[0]).not.toBe(totals[1]);
      expect(totals[2]).toBe(totals[0]);
      expect(totals[3]).toBe(totals[1]);
    } finally {
      await pair.resumeReplication();
      await twoReplicas.stop();
    }
    await pair.waitUntilCaughtUp();
  });

  describe('when a replica becomes unreachable and comes back', () => {
    let proxy: TcpProxy;
    let viaProxy: ReplicatedServer;

    beforeAll(async () => {
      const replica = new URL(pair.replicaUrl);
      proxy = await startTcpProxy(replica.hostname, Number(replica.port));
      replica.port = String(proxy.port);
      viaProxy = await startServer(pair, [replica.toString()]);
    });

    afterAll(async () => {
      await viaProxy?.stop();
      await proxy?.close();
    });

    it('reads from the primary meanwhile, says so once, and returns to the replica', async () => {
      await pair.pauseReplication();
      try {
        await visitHome(viaProxy, 'visit-outage');
        const fresh = await primaryTotal(pair);
        expect(await statsTotal(viaProxy)).toBe(fresh - 1);

        await proxy.cut();
        for (let request = 0; request < 5; request++) {
          const { status, body } = await getJson<{ total: number }>(`${viaProxy.url}/api/stats`);
          expect(status).toBe(200);
          expect(body.total).toBe(fresh);
        }
        const health = await getJson(`${viaProxy.url}/health`);
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({
          status: 'degraded',
          database: 'connected',
          replicas: [{ host: `127.0.0.1:${proxy.port}`, status: 'unreachable' }],
        });
        expect(logLines(viaProxy, 'read replica unavailable')).toHaveLength(1);

        await proxy.restore();
        await waitFor('reads to return to the replica', async () => (await statsTotal(viaProxy)) === fresh - 1);
        expect(logLines(viaProxy, 'read replica answering again')).toHaveLength(1);
        expect(logLines(viaProxy, 'read replica unavailable')).toHaveLength(1);
        expect((await getJson(`${viaProxy.url}/health`)).body).toMatchObject({ status: 'healthy' });
      } finally {
        await pair.resumeReplication();
      }
    });
  });

  // Last: the replica does not come back from this.
  it('keeps answering from the primary when the replica server is killed', async () => {
    await visitHome(server, 'visit-before-crash');
    await pair.waitUntilCaughtUp();
    expect((await getJson(`${server.url}/api/visits?limit=1`)).status).toBe(200);

    await pair.killReplica();
    await visitHome(server, 'visit-after-crash');
    for (let request = 0; request < 5; request++) {
      const { status, body } = await getJson<{ visits: { user_agent: string }[] }>(`${server.url}/api/visits?limit=1`);
      expect(status).toBe(200);
      expect(body.visits[0]?.user_agent).toBe(browser('visit-after-crash'));
    }
    expect((await getJson(`${server.url}/api/stats`)).status).toBe(200);

    const health = await getJson(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      database: 'connected',
      replicas: [{ host: `127.0.0.1:${new URL(pair.replicaUrl).port}`, status: 'unreachable' }],
    });
    const warnings = logLines(server, 'read replica unavailable');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', replica: `127.0.0.1:${new URL(pair.replicaUrl).port}` });
    expect(JSON.stringify(server.logs)).not.toContain(new URL(pair.replicaUrl).password);
  });
});
