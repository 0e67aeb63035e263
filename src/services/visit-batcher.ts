import type { NewVisit, VisitOutcome } from '../domain/visit';

/** Records one visit and says, once it is committed, whether it was new or a replay. */
export interface VisitWriter {
  record(visit: NewVisit): Promise<VisitOutcome>;
}

/**
 * Group commit for visits, in the application. A visit is written at once when fewer than
 * `maxConcurrentBatches` batches are in flight; otherwise it waits for one to finish and goes
 * with everything else that arrived meanwhile (up to `maxBatchSize`) as one transaction
 * (src/data/visit-writes.ts). So a quiet service writes each visit alone, with no added delay, and a busy
 * one spends a handful of round trips on many visits instead of five on each. Every promise
 * resolves only after its visit's transaction has committed: no visit is acknowledged before
 * it is durable. One batcher per primary and kind of write, in one process (the visit store's and
 * the site tracker's page views); the Worker, whose requests cannot wait on each other's I/O,
 * writes each on its own.
 */
export function createVisitBatcher<Item = NewVisit, Outcome = VisitOutcome>(
  writeBatch: (batch: Item[]) => Promise<Outcome[]>,
  options: { maxBatchSize?: number; maxConcurrentBatches?: number } = {},
): { record(item: Item): Promise<Outcome> } {
  const maxBatchSize = options.maxBatchSize ?? 64;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  const waiting: { item: Item; resolve: (outcome: Outcome) => void; reject: (error: unknown) => void }[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < maxConcurrentBatches && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatchSize);
      inFlight += 1;
      writeBatch(batch.map((entry) => entry.item))
        .then(
          (outcomes) => {
            batch.forEach((entry, index) => {
              // By position: an outcome may itself be undefined (a write that reports nothing).
              if (index >= outcomes.length) entry.reject(new Error('the batch write returned fewer outcomes than items'));
              else entry.resolve(outcomes[index] as Outcome);
            });
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };

  return {
    record(item) {
      return new Promise<Outcome>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
