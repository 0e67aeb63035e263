import type { ReadCache } from '../../src/app/cache';
import { createLogger } from '../../src/app/logger';
import { parseConfig } from '../../src/config';
import { startHttpServer } from '../../src/runtime/node/http-server';
import { createNodeApp } from '../../src/runtime/node/node-app';
import type { TestDatabase } from './database';

export interface TestServer {
  url: string;
  /** The JSON log lines the app wrote, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The Node app on 127.0.0.1, a free port, over real HTTP, on a test database. */
export async function startTestServer(
  database: TestDatabase,
  options: { env?: Record<string, string>; clock?: () => Date; statsCache?: ReadCache } = {},
): Promise<TestServer> {
  // No stats cache by default: the contract tests read figures right after writing them
  // (test/stats-cache.test.ts covers the cache).
  const config = parseConfig(
    { APP_ENV: 'test', SERVER_ID: 'test-server', LOG_LEVEL: 'error', STATS_CACHE_TTL_MS: '0', ...options.env },
    { serverId: 'unused' },
  );
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(JSON.parse(line) as Record<string, unknown>), {
    server_id: config.serverId,
  });
  const app = createNodeApp({
    config,
    settings: database.settings,
    db: database.db,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.statsCache ? { statsCache: options.statsCache } : {}),
  });
  const running = await startHttpServer(app, { host: '127.0.0.1', port: 0, keepAliveTimeoutMs: 5_000 });
  return {
    url: running.url,
    logs,
    stop: async () => {
      await running.drain(2_000);
    },
  };
}

/** Polls `probe` until it returns true, failing after `timeoutMs`. Tests never sleep blindly. */
export async function waitFor(description: string, probe: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}
