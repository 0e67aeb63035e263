import { describe, expect, it } from 'vitest';
import { createRecentMap, memoizeRecent } from '../../src/domain/recent-map';

describe('createRecentMap', () => {
  it('keeps between capacity and twice capacity keys, dropping the oldest generation whole', () => {
    const recent = createRecentMap<number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('c', 3); // a and b become the older generation
    recent.set('d', 4);
    recent.set('e', 5); // c and d become the older one, a and b are gone
    expect([recent.get('a'), recent.get('b')]).toEqual([undefined, undefined]);
    expect([recent.get('e'), recent.get('d'), recent.get('c')]).toEqual([5, 4, 3]);
  });

  it('moves a key read from the older generation up, so a key in use survives rotations', () => {
    const recent = createRecentMap<number>(2);
    recent.set('kept', 1);
    recent.set('x', 2);
    recent.set('y', 3); // kept and x older
    expect(recent.get('kept')).toBe(1); // moved up beside y
    recent.set('z', 4); // rotation: y and kept older
    expect(recent.get('kept')).toBe(1);
    expect(recent.get('x')).toBeUndefined();
  });
});

describe('memoizeRecent', () => {
  it('computes each recent key once, and keys over the length limit every time', () => {
    const seen: string[] = [];
    const length = memoizeRecent(
      (key) => {
        seen.push(key);
        return key.length;
      },
      10,
      4,
    );
    expect([length('ab'), length('ab'), length('abcdef'), length('abcdef')]).toEqual([2, 2, 6, 6]);
    expect(seen).toEqual(['ab', 'abcdef', 'abcdef']);
  });

  it('remembers falsy values (a user agent that is not a bot)', () => {
    let calls = 0;
    const never = memoizeRecent(
      () => {
        calls += 1;
        return false;
      },
      10,
      100,
    );
    never('Mozilla/5.0');
    never('Mozilla/5.0');
    expect(calls).toBe(1);
  });
});
