/**
 * HMAC-SHA-256 under a secret, as lowercase hex. Both runtimes have WebCrypto; Node also has a
 * synchronous HMAC (node:crypto), which src/runtime/node passes in instead: WebCrypto's sign()
 * runs on libuv's thread pool, and under a stream of tracked page views the malloc arenas of
 * those threads kept ~20 MB more resident per replica for no gain (docs/benchmark.md).
 * Both give the same digest for the same secret and message (test/domain/keyed-hash.test.ts).
 */
export type KeyedHash = (message: string) => string | Promise<string>;

/** Makes the keyed hash for a secret (UTF-8 bytes of the string, as both implementations read it). */
export type KeyedHashing = (secret: string) => Promise<KeyedHash>;

export const webCryptoHashing: KeyedHashing = async (secret) => {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return async (message) => toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message))));
};

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
