import type { Logger } from '../../app/logging/logger';
import type { StatementObserver } from './statement-timing';

/**
 * One warn line per statement that took `thresholdMs` (SLOW_QUERY_MS) or longer, with its SQL
 * shape: the text with `?` placeholders, never the values (addresses, user agents). 0 logs
 * every statement.
 */
export function slowQueryLog(logger: Logger, thresholdMs: number): StatementObserver {
  return ({ sql, durationMs, failed }) => {
    if (durationMs < thresholdMs) return;
    logger.warn('slow query', {
      duration_ms: Math.round(durationMs * 10) / 10,
      threshold_ms: thresholdMs,
      statement: sql,
      ...(failed ? { failed: true } : {}),
    });
  };
}
