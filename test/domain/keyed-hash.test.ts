import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webCryptoHashing } from '../../src/domain/keyed-hash';
import { nodeHashing } from '../../src/runtime/node/node-hashing';

// A Worker and a Node replica may record into one database: a visitor must hash the same on both.
describe('keyed hash', () => {
  const secret = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1';
  const messages = ['3\n203.0.113.7\nMozilla/5.0', '', 'ünïcödé \u{1F600}\n::1'];

  it.each(messages)('gives the same HMAC-SHA-256 on WebCrypto and node:crypto for %j', async (message) => {
    const web = await (await webCryptoHashing(secret))(message);
    const node = await (await nodeHashing(secret))(message);
    expect(web).toMatch(/^[0-9a-f]{64}$/);
    expect(node).toBe(web);
    // And it is the HMAC of the UTF-8 bytes, not something merely equal between the two.
    expect(web).toBe(createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(message, 'utf8')).digest('hex'));
  });

  it('differs with the secret', async () => {
    const message = messages[0] ?? '';
    expect(await (await nodeHashing(`${secret}x`))(message)).not.toBe(await (await nodeHashing(secret))(message));
  });
});
