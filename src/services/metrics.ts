import type { VisitOutcome } from '../domain/visit';

/**
 * What the visit store reports about its database work. Runtime-agnostic: the Node runtime
 * implements it with prom-client (src/runtime/node/prometheus-metrics.ts, as part of the app's
 * metrics); the Worker passes none, and then nothing is measured.
 */

/**
 * The data-access calls that are timed, one label value each: a fixed list keeps the label's
 * cardinality bounded (never the SQL text).
 */
export type QueryOperation = 'record_visit' | 'list_visits' | 'request_counts' | 'unique_visitors' | 'check_database';

export type QueryOutcome = 'ok' | 'error';

export interface StoreMetrics {
  observeQuery(operation: QueryOperation, durationMs: number, outcome: QueryOutcome): void;
  visitRecorded(outcome: VisitOutcome): void;
}

/**
 * Runs one named data-access call and reports its duration and outcome: `error` when it threw,
 * or when `failed` says its result is a failure (a health probe answers rather than throws).
 */
export async function timeQuery<T>(
  metrics: StoreMetrics | undefined,
  operation: QueryOperation,
  run: () => Promise<T>,
  failed: (result: T) => boolean = () => false,
): Promise<T> {
  if (metrics === undefined) return run();
  const started = performance.now();
  try {
    const result = await run();
    metrics.observeQuery(operation, performance.now() - started, failed(result) ? 'error' : 'ok');
    return result;
  } catch (error) {
    metrics.observeQuery(operation, performance.now() - started, 'error');
    throw error;
  }
}
