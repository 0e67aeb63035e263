import { unstable_readConfig, unstable_startWorker } from 'wrangler';
import { LOCAL_CONNECTION_STRING_VARIABLE, LOCAL_WORKER_DEFAULTS, WRANGLER_CONFIG } from '../../src/dev/edge/wrangler';
import type { TestDatabase } from './database';
import type { TestServer } from './server';

/** deploy/wrangler.jsonc as wrangler reads it. */
export function readWranglerConfig() {
  return unstable_readConfig({ config: WRANGLER_CONFIG });
}

/**
 * The Worker, built from deploy/wrangler.jsonc exactly as `npm run dev:edge` builds it, in
 * workerd on 127.0.0.1 and a free port, with the test database behind its Hyperdrive binding.
 * `env` overrides the config's plain variables, as `vars` do in production.
 */
export async function startWorkerServer(
  database: TestDatabase,
  options: { env?: Record<string, string>; databaseAddress?: { host: string; port: number } } = {},
): Promise<TestServer> {
  // No network here: wrangler would otherwise try to download request.cf data and send metrics.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  // No stats cache by default: the contract tests read figures right after writing them
  // (test/stats-cache.test.ts covers the cache). The deadline is npm run dev:edge's.
  const variables = {
    APP_ENV: 'test',
    SERVER_ID: 'test-server',
    LOG_LEVEL: 'error',
    STATS_CACHE_TTL_MS: '0',
    ...LOCAL_WORKER_DEFAULTS,
    ...options.env,
  };
  const logs: Record<string, unknown>[] = [];
  const previous = process.env[LOCAL_CONNECTION_STRING_VARIABLE];
  const connectionString = new URL(await database.appUserUrl());
  if (options.databaseAddress !== undefined) {
    connectionString.hostname = options.databaseAddress.host;
    connectionString.port = String(options.databaseAddress.port);
  }
  process.env[LOCAL_CONNECTION_STRING_VARIABLE] = connectionString.toString();
  try {
    const worker = await unstable_startWorker({
      config: WRANGLER_CONFIG,
      bindings: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { type: 'plain_text', value }])),
      dev: {
        server: { hostname: '127.0.0.1', port: 0 },
        inspector: false,
        watch: false,
        persist: false,
        logLevel: 'none',
        // The app's console.log lines: one JSON object each, like Node's stdout.
        structuredLogsHandler: (log: { message: string }) => {
          const line = parseLogLine(log.message);
          if (line !== undefined) logs.push(line);
        },
      },
    });
    await worker.ready;
    const url = (await worker.url).origin;
    return { url, logs, stop: () => worker.dispose() };
  } finally {
    if (previous === undefined) delete process.env[LOCAL_CONNECTION_STRING_VARIABLE];
    else process.env[LOCAL_CONNECTION_STRING_VARIABLE] = previous;
  }
}

function parseLogLine(message: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
