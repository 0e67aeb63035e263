import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor';

/** A cursor made by hand from any JSON value, the way encodeCursor would wrap it. */
function forge(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

describe('encodeCursor / decodeCursor', () => {
  it('round-trips a position', () => {
    const position = { visitedAt: new Date('2026-05-10T12:34:56.789Z'), id: 42 };
    const decoded = decodeCursor(encodeCursor(position));
    expect(decoded?.id).toBe(42);
    expect(decoded?.visitedAt.toISOString()).toBe('2026-05-10T12:34:56.789Z');
  });

  it('round-trips the extremes: id 1, the largest safe id, the epoch and dates far out', () => {
    for (const position of [
      { visitedAt: new Date(0), id: 1 },
      { visitedAt: new Date('1999-12-31T23:59:59.999Z'), id: Number.MAX_SAFE_INTEGER },
      { visitedAt: new Date('9999-12-31T23:59:59.999Z'), id: 7 },
    ]) {
      const decoded = decodeCursor(encodeCursor(position));
      expect(decoded).toEqual(position);
    }
  });

  it('uses only the URL-safe base64 alphabet, with no padding, even where plain base64 has + or /', () => {
    const start = Date.parse('2026-05-10T00:00:00.000Z');
    let sawUnsafeInPlainBase64 = false;
    for (let i = 1; i <= 500; i++) {
      const position = { visitedAt: new Date(start + i * 7_919), id: i * 104_729 };
      const plain = btoa(JSON.stringify([position.visitedAt.toISOString(), position.id]));
      if (/[+/=]/.test(plain)) sawUnsafeInPlainBase64 = true;
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(cursor)).toBe(cursor);
      expect(decodeCursor(cursor)).toEqual(position);
    }
    expect(sawUnsafeInPlainBase64).toBe(true);
  });

  it('is the same cursor for the same position', () => {
    const position = { visitedAt: new Date('2026-05-10T12:00:00.000Z'), id: 9 };
    expect(encodeCursor(position)).toBe(encodeCursor({ ...position, visitedAt: new Date(position.visitedAt) }));
  });
});

describe('decodeCursor rejects', () => {
  const valid = encodeCursor({ visitedAt: new Date('2026-05-10T12:34:56.789Z'), id: 42 });

  it('a cursor that was cut short or had characters added', () => {
    expect(decodeCursor(valid.slice(0, -2))).toBeUndefined();
    expect(decodeCursor(valid.slice(3))).toBeUndefined();
    expect(decodeCursor(`${valid}AAAA`)).toBeUndefined();
  });

  it('a cursor with a tampered character', () => {
    // The first character carries the opening '[' of the JSON array.
    const tampered = `${valid[0] === 'x' ? 'y' : 'x'}${valid.slice(1)}`;
    expect(decodeCursor(tampered)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['standard base64 characters', 'WyIyMDI2LTA1LTEwVDEyOjM0OjU2Ljc4OVoiLDQyXQ+/'],
    ['padding', `${forge(['2026-05-10T12:34:56.789Z', 42])}==`],
    ['spaces', ' abc '],
    ['non-base64', '!!!'],
    ['not JSON', btoa('hello').replace(/=+$/, '')],
    ['longer than 200 characters', 'A'.repeat(201)],
  ])('a malformed cursor (%s)', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });

  it.each([
    ['an object', { visitedAt: '2026-05-10T12:34:56.789Z', id: 42 }],
    ['a one-element array', ['2026-05-10T12:34:56.789Z']],
    ['a three-element array', ['2026-05-10T12:34:56.789Z', 42, 1]],
    ['reversed elements', [42, '2026-05-10T12:34:56.789Z']],
    ['null', null],
    ['a string', '2026-05-10T12:34:56.789Z'],
  ])('valid base64 JSON of the wrong shape (%s)', (_label, value) => {
    expect(decodeCursor(forge(value))).toBeUndefined();
  });

  it.each([
    '2026-05-10T12:34:56Z', // no milliseconds
    '2026-05-10T12:34:56.789+00:00',
    '2026-05-10T14:34:56.789+02:00',
    '2026-05-10 12:34:56.789Z',
    '2026-05-10',
    '2026-02-30T00:00:00.000Z',
    'May 10, 2026',
    '1778416496789',
    'not a date',
    '',
  ])('a non-canonical or invalid timestamp %j', (timestamp) => {
    expect(decodeCursor(forge([timestamp, 42]))).toBeUndefined();
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1.5],
    ['unsafe', 2 ** 53],
    ['a string', '42'],
    ['null', null],
  ])('an id that is %s', (_label, id) => {
    expect(decodeCursor(forge(['2026-05-10T12:34:56.789Z', id]))).toBeUndefined();
  });

  it('accepts the forged form of a valid position (so the checks above are not vacuous)', () => {
    expect(decodeCursor(forge(['2026-05-10T12:34:56.789Z', 42]))).toEqual({
      visitedAt: new Date('2026-05-10T12:34:56.789Z'),
      id: 42,
    });
    expect(forge(['2026-05-10T12:34:56.789Z', 42])).toBe(valid);
  });
});
