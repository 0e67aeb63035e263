/**
 * Shares reads between concurrent requests without ever serving one a result older than itself.
 * `read` resolves with the result of a load that started after it was called, so a request
 * that has just committed its visit always sees it. Up to `maxInFlight` loads of a key run at
 * once; callers beyond that wait for the next load, which starts as soon as one finishes and
 * answers all of them. A quiet service loads once per request, with no delay; a busy one
 * answers many page views per read. The Worker, whose requests cannot wait on each other's
 * I/O, reads for each request on its own (UNSHARED). The visit store uses it for the home page.
 */
export interface FreshReads {
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export const UNSHARED: FreshReads = {
  read: (_key, load) => load(),
};

interface KeyState {
  inFlight: number;
  /** The next load: not started yet, so everyone who joins it gets a result newer than their call. */
  next?: {
    load: () => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
    promise: Promise<unknown>;
  };
}

export function createFreshReads(maxInFlight = 1): FreshReads {
  const keys = new Map<string, KeyState>();

  const start = (key: string, state: KeyState, load: () => Promise<unknown>): Promise<unknown> => {
    state.inFlight += 1;
    return load().finally(() => {
      state.inFlight -= 1;
      const next = state.next;
      if (next !== undefined) {
        state.next = undefined;
        start(key, state, next.load).then(next.resolve, next.reject);
      } else if (state.inFlight === 0) {
        keys.delete(key);
      }
    });
  };

  return {
    read<T>(key: string, load: () => Promise<T>): Promise<T> {
      let state = keys.get(key);
      if (state === undefined) {
        state = { inFlight: 0 };
        keys.set(key, state);
      }
      if (state.next !== undefined) return state.next.promise as Promise<T>;
      if (state.inFlight < maxInFlight) return start(key, state, load) as Promise<T>;
      let resolve: (value: unknown) => void = () => {};
      let reject: (error: unknown) => void = () => {};
      const promise = new Promise<unknown>((settle, fail) => {
        resolve = settle;
        reject = fail;
      });
      state.next = { load, resolve, reject, promise };
      return promise as Promise<T>;
    },
  };
}
