import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ServiceProcess, startServiceProcess } from '../support/service-process';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * SIGTERM, as an orchestrator sends it: under keep-alive load no connection is reset and every
 * request in flight is answered; with the database hung the process still exits by
 * SHUTDOWN_TIMEOUT_MS and a small margin. The real entry point, as a child process.
 */

const SHUTDOWN_TIMEOUT_MS = 3_000;

describe('SIGTERM', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('drains keep-alive clients without a reset: every request gets an answer or a refused connection', async () => {
    const service = await startServiceProcess({ DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const get = (url: string) =>
      new Promise<number>((resolve, reject) => {
        request(url, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
    const outcomes: string[] = [];
    let running = true;
    const deadline = Date.now() + 15_000;
    const loops = Array.from({ length: 16 }, async () => {
      while (running && Date.now() < deadline && outcomes.length < 20_000) {
        try {
          outcomes.push(String(await get(`${service.url}/api/stats`)));
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'unknown';
          outcomes.push(code);
          // The server has stopped listening: the loop is done.
          if (code === 'ECONNREFUSED') return;
        }
      }
    });
    try {
      // Under way on every connection before the signal.
      const started = Date.now();
      while (outcomes.length < 500 && Date.now() - started < 10_000) await new Promise((resolve) => setImmediate(resolve));
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    }
    const tally = outcomes.reduce<Record<string, number>>((counts, outcome) => {
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      return counts;
    }, {});
    // 200 (served, with Connection: close once draining) or a refused new connection; never a reset.
    expect(
      Object.keys(tally).filter((outcome) => outcome !== '200' && outcome !== 'ECONNREFUSED'),
      JSON.stringify(tally),
    ).toEqual([]);
    expect(tally['200']).toBeGreaterThan(500);
  }, 40_000);

  it('exits by SHUTDOWN_TIMEOUT_MS and a second even while the database hangs', async () => {
    const proxy: TcpProxy = await startTcpProxy(database.settings.host, database.settings.port);
    let service: ServiceProcess | undefined;
    try {
      const url = new URL(database.url);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      service = await startServiceProcess({
        DATABASE_URL: url.toString(),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        DB_REQUEST_TIMEOUT_MS: '1000',
      });
      const home = await fetch(`${service.url}/`);
      expect(home.status).toBe(200);
      await home.arrayBuffer();
      proxy.stall();
      // A visit the hung database holds: answered 503 at its deadline, its connection still stuck.
      const held = await fetch(`${service.url}/`);
      expect(held.status).toBe(503);
      await held.arrayBuffer();
      const signalled = performance.now();
      service.child.kill('SIGTERM');
      const code = await service.exited;
      const tookMs = performance.now() - signalled;
      expect([0, 1]).toContain(code);
      expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_500);
    } finally {
      if (service !== undefined && service.child.exitCode === null) service.child.kill('SIGKILL');
      await proxy.close();
    }
  }, 40_000);
});
