import type { TestDatabase } from './database';
import { startTestServer, type TestServer } from './server';
import { startWorkerServer } from './worker';

/**
 * The contract suite runs every API and page behaviour against each runtime the service ships
 * on, so that they cannot drift: `describe.each(RUNTIMES)` and `startRuntime(runtime, …)`.
 */
export const RUNTIMES = ['node', 'workerd'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export interface RuntimeServer extends TestServer {
  runtime: RuntimeName;
  /**
   * Headers by which what stands in front of the runtime names the client: X-Forwarded-For
   * from a trusted proxy on Node (start it with TRUST_PROXY=loopback), CF-Connecting-IP from
   * Cloudflare's edge in workerd.
   */
  clientHeaders(address: string): Record<string, string>;
  /** Who this server logs in to the database as: never to be seen in a response. */
  databaseLogin: { user: string; password: string };
}

export interface RuntimeOptions {
  /** Variables for the app, as in the environment on Node or `vars` in wrangler.jsonc. */
  env?: Record<string, string>;
  /** Reach the database at this address instead of its own, e.g. through a TCP proxy a test can cut. */
  databaseAddress?: { host: string; port: number };
}

/** Either runtime on 127.0.0.1 and a free port, serving the given test database. */
export async function startRuntime(
  runtime: RuntimeName,
  database: TestDatabase,
  options: RuntimeOptions = {},
): Promise<RuntimeServer> {
  if (runtime === 'node') {
    const server = await startNodeServer(database, options);
    const { user, password } = database.settings;
    return {
      ...server,
      runtime,
      clientHeaders: (address) => ({ 'x-forwarded-for': address }),
      databaseLogin: { user, password },
    };
  }
  const server = await startWorkerServer(database, options);
  const login = new URL(await database.appUserUrl());
  return {
    ...server,
    runtime,
    clientHeaders: (address) => ({ 'cf-connecting-ip': address }),
    databaseLogin: { user: decodeURIComponent(login.username), password: decodeURIComponent(login.password) },
  };
}

async function startNodeServer(database: TestDatabase, options: RuntimeOptions): Promise<TestServer> {
  if (options.databaseAddress === undefined) return startTestServer(database, options);
  // A pool of its own to the other address, with a short connect timeout so failures show fast.
  return startTestServer(database, {
    ...options,
    env: { DB_POOL_SIZE: '4', DB_QUEUE_LIMIT: '100', DB_CONNECT_TIMEOUT_MS: '1000', ...options.env },
  });
}
