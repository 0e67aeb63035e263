import type { LogFormat, LogLevel } from '../../config/service';
import { formatPretty } from './pretty-log';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether a line of this level would be written: lets a caller skip building its fields. */
  isEnabled(level: LogLevel): boolean;
}

/**
 * One JSON object per line, so the lines of several replicas can be merged and searched; or,
 * with format `pretty` (development), one compact line for a person (src/app/logging/pretty-log.ts).
 * `write` is the runtime's sink (stdout on Node, console.log in workerd).
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void,
  base: LogFields = {},
  format: LogFormat = 'json',
): Logger {
  const log =
    (entryLevel: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[entryLevel] < RANK[level]) return;
      write(
        format === 'pretty'
          ? formatPretty(new Date(), entryLevel, message, { ...base, ...fields })
          : JSON.stringify({ time: new Date().toISOString(), level: entryLevel, msg: message, ...base, ...fields }),
      );
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    isEnabled: (entryLevel) => RANK[entryLevel] >= RANK[level],
  };
}

export function errorFields(error: unknown): LogFields {
  return error instanceof Error
    ? {
        error: withoutParameterValues(error.message),
        error_name: error.name,
        stack: error.stack === undefined ? undefined : withoutParameterValues(error.stack),
        cause: error.cause instanceof Error ? error.cause.message : undefined,
      }
    : { error: String(error) };
}

/**
 * Drizzle's query errors end their message with the statement's parameter values ("params: …"):
 * visitors' addresses and user agents. The statement's shape stays; the values never reach a log.
 */
function withoutParameterValues(text: string): string {
  return text.replace(/^params: .*$/m, 'params: (not logged)');
}
