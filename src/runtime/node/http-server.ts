import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  server: Server;
  url: string;
  /**
   * Stops accepting connections, lets requests in flight finish, then closes every socket.
   * Resolves true when everything finished before the deadline, false when sockets were cut.
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
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}`, drain: (deadlineMs) => drain(server, deadlineMs) };
}

function drain(server: Server, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let finished = false;
    // A keep-alive socket that finishes its response after close() would otherwise stay
    // open until its timeout; sweep idle ones until the server has closed.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      if (finished) return;
      server.closeAllConnections();
      finish(false);
    }, deadlineMs);
    function finish(clean: boolean) {
      if (finished) return;
      finished = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(clean);
    }
    server.close(() => finish(true));
    server.closeIdleConnections();
  });
}
