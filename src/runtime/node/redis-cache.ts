import type * as Redis from '@redis/client';
import type { Logger } from '../../app/logging/logger';
import { withDeadline } from '../../services/deadline';
import { createMemoryCache, type JsonValue, type ReadCache } from '../../services/read-cache';

export interface RedisReadCache extends ReadCache {
  /** Whether Redis is connected and answering now. */
  isAvailable(): boolean;
  close(): Promise<void>;
}

/** How long a request waits for Redis before it computes the figures itself. */
const REDIS_TIMEOUT_MS = 100;

/**
 * Cache-aside through Redis, shared by every replica, in front of an in-process cache:
 * a replica asks Redis at most once per key per TTL (the in-process tier with its single
 * flight absorbs the rest), and a replica that computes the figures stores them for the
 * others with the same TTL. An entry can therefore be up to twice the TTL old. Redis is
 * an optimisation, never a dependency: when it is down or slow the figures come from the
 * database, and the outage is logged once when it starts and once when it ends.
 */
export function createRedisCache(options: { url: string; keyPrefix: string; logger: Logger }): RedisReadCache {
  const local = createMemoryCache();
  let available = false;
  let outageLogged = false;
  let client: ReturnType<typeof newClient> | undefined;
  let closed = false;

  const unavailable = (error: unknown) => {
    available = false;
    if (outageLogged) return;
    outageLogged = true;
    options.logger.warn('redis unavailable: serving stats from the database until it is back', {
      redis: describeRedis(options.url),
      error: error instanceof Error ? error.message : String(error),
    });
  };
  // The client is loaded here, not with the module: 1.2 MB that a replica without REDIS_URL never
  // parses (src/dev/build.ts puts it in a chunk of its own). Until it is connected, figures come
  // from the database, as during any outage.
  import('@redis/client').then((redis) => {
    if (closed) return;
    const connecting = newClient(redis, options.url);
    connecting.on('error', unavailable);
    connecting.on('ready', () => {
      available = true;
      if (outageLogged) options.logger.info('redis available again', { redis: describeRedis(options.url) });
      outageLogged = false;
    });
    client = connecting;
    connecting.connect().catch(unavailable);
  }, unavailable);

  const shared = async (key: string): Promise<string | null> => {
    if (!available || client === undefined) return null;
    try {
      return await withDeadline(client.get(key), REDIS_TIMEOUT_MS);
    } catch (error) {
      unavailable(error);
      return null;
    }
  };

  return {
    getOrLoad<T extends JsonValue>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      if (ttlMs <= 0) return load();
      const redisKey = `${options.keyPrefix}${key}`;
      return local.getOrLoad(key, ttlMs, async () => {
        const cached = await shared(redisKey);
        if (cached !== null) return JSON.parse(cached) as T;
        const value = await load();
        if (available && client !== undefined) {
          client.set(redisKey, JSON.stringify(value), { expiration: { type: 'PX', value: ttlMs } }).catch(unavailable);
        }
        return value;
      });
    },
    isAvailable: () => available,
    async close() {
      closed = true;
      if (client === undefined) return;
      client.off('error', unavailable);
      // destroy(), not close(): no waiting on a server that may be gone; it also ends a
      // reconnect loop. It throws when the client never opened, which is fine here.
      try {
        client.destroy();
      } catch {
        // already closed
      }
    },
  };
}

function newClient(redis: typeof Redis, url: string) {
  return redis.createClient({
    url,
    // Commands fail at once while disconnected instead of queueing behind a dead socket.
    disableOfflineQueue: true,
    socket: { connectTimeout: 1_000, reconnectStrategy: (retries) => Math.min(250 * 2 ** retries, 5_000) },
  });
}

/** host:port of a Redis URL, never its credentials. */
export function describeRedis(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}
