import { Buffer } from 'node:buffer';

/**
 * Stands in for iconv-lite (540 KiB, a third of the Worker and a sixth of the Node service) in
 * both bundles (deploy/wrangler.jsonc "alias", src/dev/build.ts). mysql2 asks iconv-lite for the
 * few encodings Buffer lacks: legacy 8-bit and CJK character sets, UTF-16BE/UTF-32, and CESU-8
 * for utf8mb3 columns. The connection's character set is utf8mb4 on both runtimes (Hyperdrive
 * carries UTF-8 only), and so are the tables, so the only other one ever needed is CESU-8, for
 * utf8mb3 text such as information_schema's: utf8mb3 holds the Basic Multilingual Plane only,
 * where CESU-8 and UTF-8 are the same bytes (the bundled operator commands connect the same way).
 */

const UTF8_ALIASES = new Set(['cesu8', 'cesu-8', 'utf8', 'utf-8']);

function unsupported(encoding: string): Error {
  return new Error(
    `The service decodes UTF-8 text only (its connections are utf8mb4; Hyperdrive supports nothing else), but MySQL sent ${encoding}. ` +
      'Store text as utf8mb4 (see db/migrations/0001).',
  );
}

export interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

export interface Encoder {
  write(text: string): Buffer;
  end(): Buffer | undefined;
}

export function getDecoder(encoding: string): Decoder {
  if (!UTF8_ALIASES.has(encoding.toLowerCase())) throw unsupported(encoding);
  const decoder = new TextDecoder('utf-8');
  return {
    write: (bytes) => decoder.decode(bytes, { stream: true }),
    end: () => decoder.decode(),
  };
}

export function getEncoder(encoding: string): Encoder {
  if (!UTF8_ALIASES.has(encoding.toLowerCase())) throw unsupported(encoding);
  return { write: (text) => Buffer.from(text, 'utf8'), end: () => undefined };
}
