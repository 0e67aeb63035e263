import { describe, expect, it } from 'vitest';
import { decodeHeaderText } from '../../src/domain/header-text';

/** What a runtime hands over for a header sent as UTF-8: each byte as one Latin-1 character. */
function asLatin1Bytes(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

function bytes(...values: number[]): string {
  return String.fromCharCode(...values);
}

describe('decodeHeaderText', () => {
  it.each(['', 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0', 'curl/8.5.0', '~!@#$%^&*()_+ \t'])(
    'returns ASCII %j unchanged',
    (text) => {
      expect(decodeHeaderText(text)).toBe(text);
    },
  );

  it.each([
    ['two-byte', 'café'],
    ['three-byte', 'Bücher – “Zitat” €'],
    ['CJK', '浏览器/1.0'],
    ['four-byte emoji', 'bot 🤖/2.0 😀'],
    ['mixed', 'Ünïcødé-Agent/1.0 (日本; 🚀)'],
  ])('decodes %s UTF-8 delivered byte by byte', (_label, text) => {
    const raw = asLatin1Bytes(text);
    expect(raw).not.toBe(text);
    expect(decodeHeaderText(raw)).toBe(text);
  });

  it('decodes a lone emoji from its four bytes', () => {
    expect(decodeHeaderText(bytes(0xf0, 0x9f, 0x98, 0x80))).toBe('😀');
  });

  it.each([
    ['a Latin-1 é (not UTF-8)', `caf${bytes(0xe9)}`],
    ['a truncated two-byte sequence', `ab${bytes(0xc3)}`],
    ['a truncated emoji', `x${bytes(0xf0, 0x9f, 0x98)}`],
    ['a stray continuation byte', `a${bytes(0x80)}b`],
    ['an overlong encoding of /', bytes(0xc0, 0xaf)],
    ['an encoded surrogate', bytes(0xed, 0xa0, 0x80)],
    ['a byte that never occurs in UTF-8', bytes(0xff, 0x41)],
  ])('keeps invalid UTF-8 as it came: %s', (_label, raw) => {
    expect(decodeHeaderText(raw)).toBe(raw);
  });

  it('leaves text that is already decoded (characters above U+00FF) alone', () => {
    expect(decodeHeaderText('Ω-agent')).toBe('Ω-agent');
    expect(decodeHeaderText('😀')).toBe('😀');
    // Even when it also contains what would otherwise look like UTF-8 bytes.
    const mixed = `Ω ${asLatin1Bytes('é')}`;
    expect(decodeHeaderText(mixed)).toBe(mixed);
  });
});
