import type { StoreMetrics } from '../services/metrics';

/**
 * What the app reports to a metrics backend: the store's database work (src/services/metrics.ts)
 * and every request. Runtime-agnostic: the Node runtime implements it with prom-client
 * (src/runtime/node/prometheus-metrics.ts); the Worker passes none, and then nothing is
 * measured and GET /metrics does not exist.
 */

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

export interface AppMetrics extends StoreMetrics {
  observeRequest(request: ObservedRequest): void;
  /** The scrape page; absent where nothing can scrape this instance (a Worker). */
  render?(): Promise<MetricsPage>;
}

/** The route label of a request no route matched (404s), so unknown paths share one label. */
export const UNMATCHED_ROUTE = 'unmatched';
