import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of the database that a test can cut, stall and restore, to see how the
 * service behaves when its database becomes unreachable or hangs, and comes back.
 */
export interface TcpProxy {
  port: number;
  /** Refuse new connections and reset the open ones. */
  cut(): Promise<void>;
  /**
   * A database that hangs: connections are still accepted and stay open, but nothing is relayed
   * either way any more, so no query (and no new connection's handshake) is ever answered.
   * `cut()` then `restore()` ends it.
   */
  stall(): void;
  /** Accept and relay connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;
  let stalled = false;

  /** Relays `from` to `to` while the proxy is not stalled; what arrives while stalled is dropped. */
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (!stalled) to.write(chunk);
    });
    from.on('end', () => to.end());
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        relay(client, upstream);
        relay(upstream, client);
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        port = (created.address() as { port: number }).port;
        server = created;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      if (server === undefined) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    port,
    cut: stop,
    stall: () => {
      stalled = true;
    },
    restore: async () => {
      stalled = false;
      await listen();
    },
    close: stop,
  };
}
