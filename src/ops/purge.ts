import type { Database } from '../data/database';
import {
  countExpired,
  DEFAULT_PURGE_BATCH_SIZE,
  type PurgeCounts,
  purgeExpired,
  purgeVisitorState,
  type VisitorStateCounts,
} from '../data/retention';
import { deleteSiteData, unregisteredSiteIds } from '../data/sites';
import { retentionCutoff, visitorStateCutoff } from '../domain/retention';

export interface PurgeOptions {
  db: Database;
  retentionDays: number;
  now: Date;
  dryRun: boolean;
  batchSize?: number;
  progress: (message: string) => void;
}

/** Besides what a purge deletes by age, whatever it does: the working state and removed sites' data. */
interface AlwaysPurged {
  visitorState: VisitorStateCounts;
  /** Ids of sites removed through the admin API whose recorded data was deleted. */
  removedSites: number[];
}

export type PurgeOutcome =
  | ({ kind: 'keep-forever' } & AlwaysPurged)
  | { kind: 'dry-run'; cutoff: Date; wouldDelete: PurgeCounts }
  | ({ kind: 'purged'; cutoff: Date; deleted: PurgeCounts } & AlwaysPurged);

/** `npm run db:purge`'s work, printing a line per step and per batch. */
export async function runPurge(options: PurgeOptions): Promise<PurgeOutcome> {
  const { progress } = options;
  const cutoff = retentionCutoff(options.now, options.retentionDays);
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  // Tracked sites' visitor state is working state: purged whatever RETENTION_DAYS says.
  const purgeState = async () => {
    const before = visitorStateCutoff(options.now);
    const state = await purgeVisitorState(options.db, before, {
      batchSize,
      onBatch: (batch) => progress(`${batch.table}: deleted ${batch.deleted} (${batch.total} so far)`),
    });
    progress(
      `visitor state from before ${before}: ${state.siteVisitorValues} site_visitor_values rows and ${state.visitorKeys} visitor keys deleted (those days' visitor hashes can no longer be linked to anyone)`,
    );
    return state;
  };
  // A site removed through the admin API loses only its row (the service may not delete data):
  // its data goes here.
  const purgeRemovedSites = async () => {
    const removed = await unregisteredSiteIds(options.db);
    for (const siteId of removed) {
      await deleteSiteData(
        options.db,
        siteId,
        (table, deleted) => progress(`removed site ${siteId}: ${table}: deleted ${deleted}`),
        batchSize,
      );
    }
    progress(
      removed.length === 0
        ? 'no data of removed sites left'
        : `the data of ${removed.length} removed site(s) deleted (ids ${removed.join(', ')})`,
    );
    return removed;
  };
  const alwaysPurged = async (): Promise<AlwaysPurged> => ({
    visitorState: await purgeState(),
    removedSites: await purgeRemovedSites(),
  });
  if (cutoff === undefined) {
    progress('RETENTION_DAYS is 0 (keep forever): no visits or page views purged. Set RETENTION_DAYS=N to keep N whole days.');
    return { kind: 'keep-forever', ...(await alwaysPurged()) };
  }
  const when = cutoff.toISOString();
  if (options.dryRun) {
    const wouldDelete = await countExpired(options.db, cutoff);
    progress(
      `dry run: would delete ${wouldDelete.visits} visits, ${wouldDelete.bucketVisitors} bucket_visitors rows and ${wouldDelete.siteEvents} site events from before ${when} (RETENTION_DAYS=${options.retentionDays}); nothing deleted. Run without --dry-run to delete them.`,
    );
    return { kind: 'dry-run', cutoff, wouldDelete };
  }
  progress(
    `deleting visits, bucket_visitors rows and site events from before ${when} (RETENTION_DAYS=${options.retentionDays}), ${batchSize} rows per batch`,
  );
  const started = performance.now();
  const deleted = await purgeExpired(options.db, cutoff, {
    batchSize,
    onBatch: (batch) => progress(`${batch.table}: deleted ${batch.deleted} (${batch.total} so far)`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  progress(
    `done in ${seconds} s: ${deleted.visits} visits, ${deleted.bucketVisitors} bucket_visitors rows and ${deleted.siteEvents} site events deleted; visit_counters kept, and the sites' rollups, so totals and figures still include them`,
  );
  return { kind: 'purged', cutoff, deleted, ...(await alwaysPurged()) };
}
