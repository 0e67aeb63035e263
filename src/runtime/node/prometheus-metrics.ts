import type { Pool } from 'mysql2/promise';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AppMetrics } from '../../app/metrics';
import { readPoolStats } from './pool-stats';
import { type CounterSeries, type HistogramSeries, TalliedCounter, TalliedHistogram } from './tallied-metrics';

/**
 * The Node runtime's AppMetrics, with prom-client. Each call makes its own Registry (never the
 * global default one), so several apps in one process (the tests) count separately.
 * docs/metrics-and-logs.md lists every metric.
 */

// Seconds, from a fast cached read to a request that is about to time out at the proxy.
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// Node's HTTP parser accepts only known methods; anything else is folded anyway, so the label
// can never grow with what clients send.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

/** A pool reported by the gauges, under its `pool` label: `primary`, or a read replica's host:port. */
export interface NamedPool {
  name: string;
  pool: Pool;
}

export interface PrometheusMetricsOptions {
  /** The pools whose occupancy is reported at each scrape; without any, no pool gauges. */
  pools?: readonly NamedPool[];
}

export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  // Process CPU, memory, event-loop delay, GC: collected at scrape time, nothing per request.
  collectDefaultMetrics({ register: registry });

  const requestLabels = ['method', 'route', 'status'] as const;
  // Touched on every request and every query: tallied (see tallied-metrics.ts).
  const requests = new TalliedCounter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, matched route pattern and status.',
    labelNames: requestLabels,
    registers: [registry],
  });
  const requestDuration = new TalliedHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to its response being ready, by method, route pattern and status.',
    labelNames: requestLabels,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const queryDuration = new TalliedHistogram({
    name: 'db_query_duration_seconds',
    help: 'Duration of each data-access call (one or more statements), by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  const visits = new Counter({
    name: 'visits_recorded_total',
    help: 'Visits to GET /: recorded, or duplicate (a replayed request id, not counted again).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Both series exist from the start, so rate() and alerts see a 0 rather than no data.
  const visitSeries = { recorded: visits.labels({ outcome: 'recorded' }), duplicate: visits.labels({ outcome: 'duplicate' }) };
  visitSeries.recorded.inc(0);
  visitSeries.duplicate.inc(0);

  if (options.pools !== undefined && options.pools.length > 0) registerPoolGauges(registry, options.pools);

  // Each label set's series, found once. Bounded: methods, route patterns and statuses are few.
  const requestSeries = new Map<string, { count: CounterSeries; duration: HistogramSeries }>();
  const querySeries = new Map<string, HistogramSeries>();

  return {
    observeRequest({ method, route, status, durationMs }) {
      const knownMethod = KNOWN_METHODS.has(method) ? method : 'OTHER';
      const key = `${knownMethod} ${status} ${route}`;
      let series = requestSeries.get(key);
      if (series === undefined) {
        const labels = { method: knownMethod, route, status: String(status) };
        series = { count: requests.series(labels), duration: requestDuration.series(labels) };
        requestSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(durationMs / 1000);
    },
    observeQuery(operation, durationMs, outcome) {
      const key = `${operation} ${outcome}`;
      let series = querySeries.get(key);
      if (series === undefined) {
        series = queryDuration.series({ operation, outcome });
        querySeries.set(key, series);
      }
      series.observe(durationMs / 1000);
    },
    visitRecorded(outcome) {
      visitSeries[outcome].inc();
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Gauges read from the pool when scraped, so they cost nothing between scrapes. */
function registerPoolGauges(registry: Registry, pools: readonly NamedPool[]): void {
  const gauge = (name: string, help: string, read: (stats: ReturnType<typeof readPoolStats>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const { name: pool, pool: source } of pools) this.set({ pool }, read(readPoolStats(source)));
      },
    });
  gauge('db_pool_connections_max', 'The most connections the pool may open (DB_POOL_SIZE).', (stats) => stats.limit);
  gauge('db_pool_connections_open', 'Connections the pool holds open, busy or idle.', (stats) => stats.open);
  gauge('db_pool_connections_in_use', 'Connections lent out to a query or transaction.', (stats) => stats.inUse);
  gauge(
    'db_pool_requests_waiting',
    'Requests waiting for a free connection (at most DB_QUEUE_LIMIT, then they fail fast).',
    (stats) => stats.waiting,
  );
}
