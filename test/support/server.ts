import { createLogger } from '../../src/app/logging/logger';
import { startHttpServer } from '../../src/runtime/node/http-server';
import { createNodeService } from '../../src/runtime/node/node-service';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import type { ReadCache } from '../../src/services/read-cache';
import type { TestDatabase } from './database';

export interface TestServer {
  url: string;
  /** The JSON log lines the app wrote, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Variables for the service, as in its environment. */
  env?: Record<string, string>;
  clock?: () => Date;
  statsCache?: ReadCache;
  /** Reach the database at this address instead of its own, e.g. through a TCP proxy a test can cut. */
  databaseAddress?: { host: string; port: number };
  /** Sees every statement on the primary with its values. */
  logQuery?: (query: string, params: unknown[]) => void;
}

/** The Node service, wired as main.ts wires it, on 127.0.0.1 and a free port, over real HTTP, on a test database. */
export async function startTestServer(database: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  // No stats cache by default: the contract tests read figures right after writing them
  // (test/services/stats-cache.test.ts covers the cache).
  const settings = parseNodeSettings(
    { APP_ENV: 'test', SERVER_ID: 'test-server', LOG_LEVEL: 'error', STATS_CACHE_TTL_MS: '0', ...options.env },
    'unused',
  );
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(settings.log.level, (line) => logs.push(JSON.parse(line) as Record<string, unknown>), {
    server_id: settings.instance.serverId,
  });
  const service = createNodeService({
    settings,
    database: { ...database.settings, ...options.databaseAddress },
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.statsCache ? { statsCache: options.statsCache } : {}),
    ...(options.logQuery ? { logQuery: options.logQuery } : {}),
  });
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
