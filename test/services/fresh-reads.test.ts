import { describe, expect, it } from 'vitest';
import { createFreshReads } from '../../src/services/fresh-reads';

/**
 * The home page's shared reads (src/services/fresh-reads.ts): callers share loads, but none gets a
 * result from a load that started before its own call (that load could miss its visit).
 */

/** Loads that finish only when the test says so, numbered in the order they start. */
function controlledLoads() {
  const started: { generation: number; finish: () => void }[] = [];
  const load = () =>
    new Promise<number>((resolve) => {
      const generation = started.length + 1;
      started.push({ generation, finish: () => resolve(generation) });
    });
  return { started, load };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('fresh reads', () => {
  it('shares the next load between callers that arrive while loads run, never an older one', async () => {
    const reads = createFreshReads(1);
    const { started, load } = controlledLoads();
    const a = reads.read('k', load);
    expect(started).toHaveLength(1);
    const b = reads.read('k', load);
    const c = reads.read('k', load);
    // b and c arrived after load 1 started: they wait for load 2 rather than share load 1.
    expect(started).toHaveLength(1);
    started[0]?.finish();
    expect(await a).toBe(1);
    await tick();
    expect(started).toHaveLength(2);
    // d arrives after load 2 started: it may not share it.
    const d = reads.read('k', load);
    started[1]?.finish();
    expect(await b).toBe(2);
    expect(await c).toBe(2);
    await tick();
    started[2]?.finish();
    expect(await d).toBe(3);
    expect(started).toHaveLength(3);
  });

  it('starts at once while fewer than maxInFlight loads run, and keeps keys apart', async () => {
    const reads = createFreshReads(2);
    const { started, load } = controlledLoads();
    const first = reads.read('k', load);
    const second = reads.read('k', load);
    const other = reads.read('other', load);
    expect(started).toHaveLength(3);
    for (const entry of started) entry.finish();
    expect([await first, await second, await other]).toEqual([1, 2, 3]);
  });

  it('passes a failed load to everyone who shared it, then loads afresh', async () => {
    const reads = createFreshReads(1);
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await tick();
      if (calls <= 2) throw new Error(`load ${calls} failed`);
      return calls;
    };
    const first = reads.read('k', failing);
    const shared = [reads.read('k', failing), reads.read('k', failing)];
    await expect(first).rejects.toThrow('load 1 failed');
    await expect(Promise.all(shared)).rejects.toThrow('load 2 failed');
    expect(await reads.read('k', failing)).toBe(3);
  });
});
