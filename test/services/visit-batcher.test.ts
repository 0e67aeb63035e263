import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisitWriter } from '../../src/data/visit-writes';
import { createVisitBatcher } from '../../src/services/visit-batcher';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { emptyVisitTables, expectCountersToMatchRows, newVisit as visit } from '../support/visits';

/**
 * Group commit (src/services/visit-batcher.ts) against the real write transaction: every visit
 * written once, in shared transactions, and every promise settled only after its own transaction.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(async () => {
  await emptyVisitTables(database);
});

afterAll(async () => {
  await database?.drop();
});

describe('the visit batcher', () => {
  it('gathers concurrent visits into shared transactions, and every visit is written once', async () => {
    const sizes: number[] = [];
    const writer = createVisitWriter(database.handle);
    const batcher = createVisitBatcher(
      async (batch) => {
        sizes.push(batch.length);
        return writer.recordVisits(batch);
      },
      { maxBatchSize: 50, maxConcurrentBatches: 2 },
    );
    const visits = Array.from({ length: 300 }, (_, index) =>
      visit({
        ipAddress: `203.0.113.${index % 40}`,
        isBot: index % 7 === 0,
        visitedAt: new Date(Date.UTC(2026, 10, 20, 10, index % 30)),
      }),
    );
    const outcomes = await Promise.all(visits.map((entry) => batcher.record(entry)));
    expect(outcomes).toEqual(visits.map(() => 'recorded'));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(300);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    // The first visit is written at once, alone: no waiting for a batch to fill.
    expect(sizes[0]).toBe(1);
    await expectCountersToMatchRows(database);
  });

  it('fails exactly the visits of a batch whose transaction failed, and keeps going', async () => {
    let calls = 0;
    const writer = createVisitWriter(database.handle);
    const batcher = createVisitBatcher(
      async (batch) => {
        calls += 1;
        if (calls === 2) throw new Error('the database went away');
        return writer.recordVisits(batch);
      },
      { maxBatchSize: 10, maxConcurrentBatches: 1 },
    );
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => batcher.record(visit())));
    // Batches: [1], then [10] (fails), then [1].
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', ...Array(10).fill('rejected'), 'fulfilled']);
    const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(rows?.n)).toBe(2);
    expect(await batcher.record(visit())).toBe('recorded');
  });
});
