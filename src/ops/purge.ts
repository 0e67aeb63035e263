import type { Database } from '../data/database';
import { countExpired, DEFAULT_PURGE_BATCH_SIZE, type PurgeCounts, purgeExpired } from '../data/retention';
import { retentionCutoff } from '../domain/retention';

export interface PurgeOptions {
  db: Database;
  retentionDays: number;
  now: Date;
  dryRun: boolean;
  batchSize?: number;
  progress: (message: string) => void;
}

export type PurgeOutcome =
  | { kind: 'keep-forever' }
  | { kind: 'dry-run'; cutoff: Date; wouldDelete: PurgeCounts }
  | { kind: 'purged'; cutoff: Date; deleted: PurgeCounts };

/** `npm run db:purge`'s work, printing a line per step and per batch. */
export async function runPurge(options: PurgeOptions): Promise<PurgeOutcome> {
  const { progress } = options;
  const cutoff = retentionCutoff(options.now, options.retentionDays);
  if (cutoff === undefined) {
    progress('RETENTION_DAYS is 0 (keep forever): nothing to purge. Set RETENTION_DAYS=N to keep N whole days.');
    return { kind: 'keep-forever' };
  }
  const when = cutoff.toISOString();
  if (options.dryRun) {
    const wouldDelete = await countExpired(options.db, cutoff);
    progress(
      `dry run: would delete ${wouldDelete.visits} visits and ${wouldDelete.bucketVisitors} bucket_visitors rows from before ${when} (RETENTION_DAYS=${options.retentionDays}); nothing deleted. Run without --dry-run to delete them.`,
    );
    return { kind: 'dry-run', cutoff, wouldDelete };
  }
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  progress(
    `deleting visits and bucket_visitors rows from before ${when} (RETENTION_DAYS=${options.retentionDays}), ${batchSize} rows per batch`,
  );
  const started = performance.now();
  const deleted = await purgeExpired(options.db, cutoff, {
    batchSize,
    onBatch: (batch) => progress(`${batch.table}: deleted ${batch.deleted} (${batch.total} so far)`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  progress(
    `done in ${seconds} s: ${deleted.visits} visits and ${deleted.bucketVisitors} bucket_visitors rows deleted; visit_counters kept, so totals and hourly counts still include them`,
  );
  return { kind: 'purged', cutoff, deleted };
}
