import type { Server } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { answerMalformedRequests } from './malformed-requests';

export interface RunningServer {
  server: Server;
  url: string;
  /**
   * Stops accepting connections and answers every request from then on, on the connections
   * already open, with `Connection: close`, so each client closes its own socket after its
   * answer; at the deadline the sockets still open are closed. Resolves true when every
   * connection had closed before the deadline, false when some were cut.
   */
  drain(deadlineMs: number): Promise<boolean>;
}

export async function startHttpServer(
  app: Hono,
  options: { host: string; port: number; keepAliveTimeoutMs: number },
): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(created as Server));
    created.once('error', reject);
  });
  // Node must keep idle upstream connections open longer than nginx does, or nginx may
  // reuse a socket Node has just closed and answer 502.
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + 1_000;
  answerMalformedRequests(server);
  let draining = false;
  // Once draining, every answer tells the client to close: closing an idle keep-alive socket
  // ourselves would race a request the client is sending on it (a reset, ~1 per connection).
  server.prependListener('request', (_request, response) => {
    if (draining) response.shouldKeepAlive = false;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    drain: (deadlineMs) => {
      draining = true;
      return drain(server, deadlineMs);
    },
  };
}

/**
 * How long after the drain begins idle keep-alive sockets are left open: a client busy on a
 * socket sends its next request within it and gets `Connection: close` with the answer; one
 * that has sent nothing since is taken to be gone, and its socket is closed (checked every
 * 100 ms from then on, until the deadline closes everything).
 */
const IDLE_GRACE_MAX_MS = 1_000;

function drain(server: Server, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let finished = false;
    let sweep: ReturnType<typeof setInterval> | undefined;
    const grace = setTimeout(
      () => {
        server.closeIdleConnections();
        sweep = setInterval(() => server.closeIdleConnections(), 100);
      },
      Math.min(IDLE_GRACE_MAX_MS, deadlineMs / 4),
    );
    const deadline = setTimeout(() => {
      if (finished) return;
      server.closeAllConnections();
      finish(false);
    }, deadlineMs);
    function finish(clean: boolean) {
      if (finished) return;
      finished = true;
      clearTimeout(grace);
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(clean);
    }
    // net.Server's close, not http.Server's: since Node 19 the latter also closes every idle
    // keep-alive socket at once, racing the requests clients are sending on them (measured: one
    // ECONNRESET per connection). This stops accepting and waits for the sockets to end.
    NetServer.prototype.close.call(server, () => finish(true));
  });
}
