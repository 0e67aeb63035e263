import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedCounter, TalliedHistogram } from '../../../src/runtime/node/tallied-metrics';

/** The tallied metrics must expose exactly what prom-client's own write for the same observations. */

const observations: [string, number][] = [
  ['/', 0.0004],
  ['/', 0.003],
  ['/', 0.003],
  ['/health', 0.2],
  ['/health', 12],
  ['/', 0.01],
];

describe('tallied metrics', () => {
  it("write the same histogram and counter text as prom-client's own", async () => {
    const expected = new Registry();
    const actual = new Registry();
    const buckets = [0.001, 0.005, 0.01, 0.1, 1, 10];
    const help = 'a test histogram';
    const plainHistogram = new Histogram({ name: 'h_seconds', help, labelNames: ['route'], buckets, registers: [expected] });
    const plainCounter = new Counter({ name: 'c_total', help: 'a test counter', labelNames: ['route'], registers: [expected] });
    const talliedHistogram = new TalliedHistogram({
      name: 'h_seconds',
      help,
      labelNames: ['route'],
      buckets,
      registers: [actual],
    });
    const talliedCounter = new TalliedCounter({
      name: 'c_total',
      help: 'a test counter',
      labelNames: ['route'],
      registers: [actual],
    });
    for (const [route, seconds] of observations) {
      plainHistogram.observe({ route }, seconds);
      plainCounter.inc({ route });
      talliedHistogram.series({ route }).observe(seconds);
      talliedCounter.series({ route }).inc();
    }
    const text = await actual.metrics();
    expect(text).toBe(await expected.metrics());
    expect(text).toContain('h_seconds_bucket{le="+Inf",route="/health"} 2');
    expect(text).toContain('c_total{route="/"} 4');
  });
});
