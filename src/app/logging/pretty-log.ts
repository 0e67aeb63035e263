import type { LogLevel } from '../../config/service';

/**
 * A log entry for a person at a terminal (LOG_FORMAT=pretty, the default in development):
 * `10:57:10 info  request method=GET route=/ status=200 duration_ms=3.1`. No colours, so it
 * reads the same in a file or a CI log. A multi-line value (a stack trace) follows on its own
 * indented lines instead of being escaped into one.
 */
export function formatPretty(time: Date, level: LogLevel, message: string, fields: Readonly<Record<string, unknown>>): string {
  let line = `${clock(time)} ${level.padEnd(5)} ${message}`;
  let trailer = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string' && value.includes('\n')) {
      trailer += `\n  ${key}:\n${value.replace(/^/gm, '    ')}`;
      continue;
    }
    line += ` ${key}=${formatValue(value)}`;
  }
  return line + trailer;
}

function clock(time: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
}

/** Bare when unambiguous; quoted (JSON) when the value has spaces, quotes or `=`, or is not a scalar. */
function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return value !== '' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
