import type { DatabaseStatus } from '../data/database';
import type { ReplicaHealth } from './read-routing';
import type { VisitStore } from './visit-store';

export type { DatabaseStatus, ReplicaHealth };

/** What GET /health reports: the process is stopping, or how its databases answered. */
export type Readiness = { state: 'draining' } | { state: 'checked'; database: DatabaseStatus; replicas: ReplicaHealth[] };

/** Readiness: whether this instance should get traffic (a load balancer's question). */
export interface HealthProbe {
  check(): Promise<Readiness>;
}

/**
 * The store's databases, each within `timeoutMs` (HEALTH_TIMEOUT_MS), unless the process has been
 * asked to stop: then readiness turns 503 at once, so load balancers move on while it drains.
 */
export function createHealthProbe(options: { store: VisitStore; timeoutMs: number; isDraining?: () => boolean }): HealthProbe {
  const isDraining = options.isDraining ?? (() => false);
  return {
    async check() {
      if (isDraining()) return { state: 'draining' };
      const health = await options.store.checkHealth(options.timeoutMs);
      return { state: 'checked', ...health };
    },
  };
}
