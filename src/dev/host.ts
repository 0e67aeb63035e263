import { access } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Small questions about this machine, for the private database and the local stack. */

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Binds and releases a port on 127.0.0.1: proves it is free and, for port 0, lets the OS pick one. */
export function listenOnce(port = 0): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolvePromise(chosen));
    });
  });
}
