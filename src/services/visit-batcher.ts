import type { NewVisit, VisitOutcome } from '../domain/visit';
import { OverloadedError } from './availability';
import { DeadlineError } from './deadline';

/** The most writes one batcher lets wait: ~40 full batches, a few seconds of a busy replica's. */
export const MAX_WAITING = 2_560;

/** Records one visit and says, once it is committed, whether it was new or a replay. */
export interface VisitWriter {
  /** `deadline` (epoch ms): not written if still waiting then. */
  record(visit: NewVisit, deadline?: number): Promise<VisitOutcome>;
}

/**
 * Group commit for visits, in the application. A visit is written at once when fewer than
 * `maxConcurrentBatches` batches are in flight; otherwise it waits for one to finish and goes
 * with everything else that arrived meanwhile (up to `maxBatchSize`) as one transaction
 * (src/data/visit-writes.ts). So a quiet service writes each visit alone, with no added delay, and a busy
 * one spends a handful of round trips on many visits instead of five on each. Every promise
 * resolves only after its visit's transaction has committed: no visit is acknowledged before
 * it is durable. A write that waited past its deadline is dropped unwritten, and at most
 * `maxWaiting` wait: the database's slowness becomes refusals (503), not an ever longer queue.
 * One batcher per primary and kind of write, in one process (the visit store's and
 * the site tracker's page views); the Worker, whose requests cannot wait on each other's I/O,
 * writes each on its own.
 */
export function createVisitBatcher<Item = NewVisit, Outcome = VisitOutcome>(
  writeBatch: (batch: Item[]) => Promise<Outcome[]>,
  options: { maxBatchSize?: number; maxConcurrentBatches?: number; maxWaiting?: number; clock?: () => number } = {},
): { record(item: Item, deadline?: number): Promise<Outcome> } {
  const maxBatchSize = options.maxBatchSize ?? 64;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  const maxWaiting = options.maxWaiting ?? MAX_WAITING;
  const clock = options.clock ?? Date.now;
  const waiting: {
    item: Item;
    deadline: number;
    resolve: (outcome: Outcome) => void;
    reject: (error: unknown) => void;
  }[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < maxConcurrentBatches && waiting.length > 0) {
      const now = clock();
      const taken = waiting.splice(0, maxBatchSize);
      // An item whose request has been answered already (its deadline passed while it waited)
      // is not written: the answer said it failed, and it must not be recorded afterwards.
      const batch = taken.filter((entry) => {
        if (entry.deadline > now) return true;
        entry.reject(new DeadlineError('the database did not take it in time; it was not recorded'));
        return false;
      });
      if (batch.length === 0) continue;
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
    record(item, deadline = Number.POSITIVE_INFINITY) {
      // Bounded: past this, the database is not keeping up, and waiting longer helps nobody.
      if (waiting.length >= maxWaiting) {
        return Promise.reject(new OverloadedError(`${maxWaiting} writes already wait for the database`));
      }
      return new Promise<Outcome>((resolve, reject) => {
        waiting.push({ item, deadline, resolve, reject });
        pump();
      });
    },
  };
}
