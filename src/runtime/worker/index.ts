import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionContext } from 'hono';
import { ConfigError } from '../../config/variables';
import type { VisitDatabase } from '../../data/visit-database';
import { coloOf, type WorkerEnv } from './env';
import { openRequestDatabase, type RequestDatabase } from './request-database';
import { createWorkerApp, type WorkerApp } from './worker-app';

/**
 * The Cloudflare Worker: the same app as on Node, with a MySQL connection per request made
 * from the Hyperdrive binding (deploy/wrangler.jsonc). `npm run dev:edge` runs it locally.
 */

/** Built on the isolate's first request and reused: it holds no I/O object, only configuration. */
let worker: WorkerApp | undefined;

/**
 * The connection of the request being served. Each request runs inside its own scope, so the
 * visit store, built once per isolate, reaches the request's connection without being handed a
 * request (AsyncLocalStorage, which hono/context-storage uses for the same purpose).
 */
const requestScope = new AsyncLocalStorage<RequestDatabase>();

function currentDatabase(): VisitDatabase {
  const scope = requestScope.getStore();
  if (scope === undefined) throw new Error('no database was opened for this request');
  return scope.database();
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    try {
      worker ??= createWorkerApp({ env, colo: coloOf(request), database: currentDatabase });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return misconfigured(error);
    }
    const app = worker.app;
    const requestDatabase = openRequestDatabase(env.HYPERDRIVE, worker.connectTimeoutMs);
    let response: Response;
    try {
      response = await requestScope.run(requestDatabase, () => app.fetch(request, env, ctx));
    } catch (error) {
      ctx.waitUntil(requestDatabase.close());
      throw error;
    }
    if (response.status === 503) {
      // Answered as failed (the database did not take the request in time): its connection is
      // dropped, not ended, so a transaction still open on it is rolled back, not committed later.
      requestDatabase.abort();
      return response;
    }
    if (response.body === null) {
      // The response leaves now; the connection is closed after it, within the request's lifetime.
      ctx.waitUntil(requestDatabase.close());
      return response;
    }
    // A body may still be reading the database as it streams (the CSV export): the connection
    // is closed once the body is sent, or the client has gone.
    const { readable, writable } = new TransformStream();
    ctx.waitUntil(
      response.body
        .pipeTo(writable)
        .catch(() => {})
        .finally(() => requestDatabase.close()),
    );
    return new Response(readable, response);
  },
};

/**
 * Node refuses to start with a bad variable; a Worker cannot, so each request answers 500 and
 * logs which variables to fix, in the app's JSON log format.
 */
function misconfigured(error: ConfigError): Response {
  console.error(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      msg: 'invalid configuration: fix these variables ("vars" in deploy/wrangler.jsonc, secrets with npx wrangler secret put) and deploy again',
      problems: error.problems,
    }),
  );
  return Response.json({ error: 'internal_error' }, { status: 500 });
}
