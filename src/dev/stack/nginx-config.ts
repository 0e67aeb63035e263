import { nginxRate, type RateLimitSetting } from '../../domain/rate-limit';
import type { RateLimit } from '../../domain/token-buckets';

/**
 * Renders deploy/nginx/nginx.conf for processes on this host. Only what differs from the
 * container is rewritten: the servers of `upstream app_replicas`, the listen address, the
 * pid file and the temp paths (so nginx needs no root-owned directories), and the access
 * log, which goes to a file: Node gives children socket pairs, not pipes, for stdio, and
 * nginx cannot open /dev/stdout on a socket. Every other line, timeouts, retries, headers
 * and limits, is the file Compose uses.
 */
export interface LocalNginxOptions {
  /** host:port of each app replica. */
  upstreams: readonly string[];
  /** Where the proxy listens, e.g. 127.0.0.1:8080. */
  listen: string;
  /** A writable directory for the pid file and temp files. */
  runDir: string;
  /** RATE_LIMIT as the replicas read it: its values in the `recording` zone, or no limits at all. Default: the file's. */
  rateLimit?: RateLimitSetting;
}

/** RATE_LIMIT's values over the file's limit_req lines, or none of them when it is `off` (as render-nginx-conf.sh does). */
export function withRateLimit(source: string, rateLimit: RateLimitSetting): string {
  if (rateLimit === 'off') return source.replace(/^.*limit_req.*\n/gm, '');
  return source
    .replace(/rate=\d+r\/[ms]/g, `rate=${nginxRate(rateLimit)}`)
    .replace(/burst=\d+/g, `burst=${rateLimit.burst}`)
    .replace(RETRY_AFTER, `$1${requestIntervalSeconds(rateLimit)}$2`);
}

/** The 429 page's Retry-After line in deploy/nginx/nginx.conf. */
const RETRY_AFTER = /(add_header Retry-After )\d+( always; # seconds per request at RATE_LIMIT)/;

/** How long a refused client waits for the next request the rate admits, in whole seconds (at least 1). */
function requestIntervalSeconds(limit: RateLimit): number {
  return Math.max(1, Math.ceil(60 / limit.perMinute));
}

export function renderLocalNginxConfig(source: string, options: LocalNginxOptions): string {
  if (options.upstreams.length === 0) throw new Error('renderLocalNginxConfig: at least one upstream is needed');
  const upstream = /(upstream\s+app_replicas\s*\{)([\s\S]*?)(\n\s*\})/.exec(source);
  if (upstream === null) throw new Error('deploy/nginx/nginx.conf has no `upstream app_replicas { … }` block');
  const serverLines = /^[ \t]*server\s+[^;]+;[ \t]*$/gm;
  const firstServer = serverLines.exec(upstream[2] ?? '');
  if (firstServer === null) throw new Error('`upstream app_replicas` in deploy/nginx/nginx.conf has no server line');
  const indent = /^[ \t]*/.exec(firstServer[0])?.[0] ?? '    ';
  // Keep the first server line's parameters (max_fails, fail_timeout) for every local replica;
  // drop `resolve`, which needs a DNS name and nginx 1.27.3 or later.
  const parameters = firstServer[0]
    .trim()
    .replace(/^server\s+\S+/, '')
    .replace(/\bresolve\b/, '')
    .replace(/;$/, '')
    .trim();
  const servers = options.upstreams
    .map((address) => `${indent}server ${address}${parameters ? ` ${parameters}` : ''};`)
    .join('\n');
  let replacedServers = false;
  const body = (upstream[2] ?? '').replace(serverLines, () => {
    if (replacedServers) return '';
    replacedServers = true;
    return servers;
  });
  const temp = (kind: string) => `    ${kind}_temp_path ${options.runDir}/${kind};`;
  const limited = options.rateLimit === undefined ? source : withRateLimit(source, options.rateLimit);
  const withUpstream = limited.replace(upstream[0], `${upstream[1]}${body}${upstream[3]}`);
  const rewrites: [RegExp, string, string][] = [
    [/^(\s*)listen\s+8080;/m, `$1listen ${options.listen};`, 'listen 8080;'],
    [/^pid\s+[^;]+;/m, `pid ${options.runDir}/nginx.pid;`, 'pid'],
    [/^(\s*)access_log\s+\/dev\/stdout\s/m, `$1access_log ${options.runDir}/access.log `, 'access_log /dev/stdout'],
  ];
  return rewrites
    .reduce((text, [pattern, replacement, name]) => replaceDirective(text, pattern, replacement, name), withUpstream)
    .replace(/^http\s*\{/m, ['http {', ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp)].join('\n'));
}

function replaceDirective(source: string, pattern: RegExp, replacement: string, name: string): string {
  if (!pattern.test(source)) throw new Error(`deploy/nginx/nginx.conf: expected a \`${name}\` directive to rewrite`);
  return source.replace(pattern, replacement);
}
