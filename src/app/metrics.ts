/**
 * What the handlers report to a metrics backend. Runtime-agnostic: the Node runtime implements
 * it with prom-client (src/runtime/node/prometheus-metrics.ts); the Worker passes none, and then
 * nothing is measured and GET /metrics does not exist.
 */

/**
 * The data-access calls that are timed, one label value each: a fixed list keeps the label's
 * cardinality bounded (never the SQL text).
 */
export type QueryOperation = 'record_visit' | 'list_visits' | 'request_counts' | 'unique_visitors' | 'check_database';

export type QueryOutcome = 'ok' | 'error';

export interface ObservedRequest {
  method: string;
  /** The matched route pattern (`/api/visits`), or UNMATCHED_ROUTE: never the raw path. */
  route: string;
  status: number;
  durationMs: number;
}

export interface MetricsPage {
  contentType: string;
  body: string;
}

export interface AppMetrics {
  observeRequest(request: ObservedRequest): void;
  observeQuery(operation: QueryOperation, durationMs: number, outcome: QueryOutcome): void;
  visitRecorded(outcome: 'recorded' | 'duplicate'): void;
  /** The scrape page; absent where nothing can scrape this instance (a Worker). */
  render?(): Promise<MetricsPage>;
}

/** The route label of a request no route matched (404s), so unknown paths share one label. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Runs one named data-access call and reports its duration and outcome: `error` when it threw,
 * or when `failed` says its result is a failure (a health probe answers rather than throws).
 */
export async function timeQuery<T>(
  metrics: AppMetrics | undefined,
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
