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
 * it is durable. One batcher per primary, in one process (the visit store's); the Worker, whose requests
 * cannot wait on each other's I/O, writes each visit on its own.
 */
export function createVisitBatcher(
  writeBatch: (batch: NewVisit[]) => Promise<VisitOutcome[]>,
  options: { maxBatchSize?: number; maxConcurrentBatches?: number } = {},
): VisitWriter {
  const maxBatchSize = options.maxBatchSize ?? 64;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  const waiting: { visit: NewVisit; resolve: (outcome: VisitOutcome) => void; reject: (error: unknown) => void }[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < maxConcurrentBatches && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatchSize);
      inFlight += 1;
      writeBatch(batch.map((entry) => entry.visit))
        .then(
          (outcomes) => {
            batch.forEach((entry, index) => {
              const outcome = outcomes[index];
              if (outcome === undefined) entry.reject(new Error('recordVisits returned fewer outcomes than visits'));
              else entry.resolve(outcome);
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
    record(visit) {
      return new Promise<VisitOutcome>((resolve, reject) => {
        waiting.push({ visit, resolve, reject });
        pump();
      });
    },
  };
}
