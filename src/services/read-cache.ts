import { setBounded } from '../domain/bounded-map';

/**
 * A read-through cache for figures that are costly to compute and may be a little stale
 * (the /api/stats figures, src/services/visit-store.ts). Values are plain JSON so that a shared cache (Redis) can hold
 * them too. A TTL of 0 turns caching off.
 */
export interface ReadCache {
  getOrLoad<T extends JsonValue>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Computes every time: the Worker's default, and what a TTL of 0 means. */
export const NO_CACHE: ReadCache = {
  getOrLoad: (_key, _ttlMs, load) => load(),
};

interface Entry {
  value: JsonValue;
  expiresAt: number;
}

/**
 * In-process TTL cache with single flight: while one load for a key is running, other
 * requests for the same key wait for it instead of each querying the database (the
 * stampede a TTL cache otherwise causes every time an entry expires under load). Keys come
 * from request parameters (date, time zone), so the number of entries is capped; the
 * oldest entry goes first. workerd does not let one request wait on a promise another
 * request's I/O settles, so the Worker turns the single flight off.
 */
export function createMemoryCache(options: { maxEntries?: number; now?: () => number; singleFlight?: boolean } = {}): ReadCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const singleFlight = options.singleFlight ?? true;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<JsonValue>>();

  return {
    async getOrLoad<T extends JsonValue>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      if (ttlMs <= 0) return load();
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > now()) return entry.value as T;
      const running = inFlight.get(key);
      if (running !== undefined) return running as Promise<T>;
      const loading = load()
        .then((value) => {
          setBounded(entries, key, { value, expiresAt: now() + ttlMs }, maxEntries);
          return value;
        })
        .finally(() => inFlight.delete(key));
      if (singleFlight) inFlight.set(key, loading);
      return loading;
    },
  };
}
