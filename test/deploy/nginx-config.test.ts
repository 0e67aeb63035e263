import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnce } from '../../src/dev/host';
import { renderLocalNginxConfig, withRateLimit } from '../../src/dev/stack/nginx-config';
import { parseRateLimit } from '../../src/domain/rate-limit';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import { waitFor } from '../support/server';

const run = promisify(execFile);
const configPath = fileURLToPath(new URL('../../deploy/nginx/nginx.conf', import.meta.url));
const renderScript = fileURLToPath(new URL('../../deploy/nginx/render-nginx-conf.sh', import.meta.url));
let source: string;
let runDir: string;

beforeAll(async () => {
  source = await readFile(configPath, 'utf8');
  runDir = await mkdtemp(join(tmpdir(), 'visit-tracker-nginx-'));
});

afterAll(async () => {
  await rm(runDir, { recursive: true, force: true });
});

/** The text of a block such as `upstream app_replicas` or `location = /`. */
function block(header: string): string {
  const start = source.indexOf(`${header} {`);
  if (start === -1) throw new Error(`no "${header}" block`);
  return source.slice(start, source.indexOf('}', start));
}

describe('deploy/nginx/nginx.conf', () => {
  it('passes nginx -t as the local stack renders it', async () => {
    const rendered = renderLocalNginxConfig(source, {
      upstreams: ['127.0.0.1:3101', '127.0.0.1:3102'],
      listen: '127.0.0.1:18080',
      runDir,
    });
    const file = join(runDir, 'nginx.conf');
    await writeFile(file, rendered);
    const { stderr } = await run('nginx', ['-t', '-p', runDir, '-c', file]).catch((error: { stderr?: string }) => {
      throw new Error(`nginx -t failed:\n${error.stderr}`);
    });
    expect(stderr).toContain('syntax is ok');
    expect(stderr).toContain('test is successful');
    // Only the topology changed: the upstream lists both replicas with the shared parameters.
    expect(rendered).toMatch(
      /server 127\.0\.0\.1:3101 max_fails=1 fail_timeout=5s;\s+server 127\.0\.0\.1:3102 max_fails=1 fail_timeout=5s;/,
    );
    expect(rendered).not.toContain('server app:3000');
    expect(rendered.replace(/.*(server 127|listen 127|pid |_temp_path|access_log \/tmp).*\n/g, '')).toBe(
      source.replace(/.*(server app:3000|listen 8080|^pid |access_log \/dev\/stdout).*\n/gm, ''),
    );
  });

  it('closes idle upstream connections before Node does (no random 502s)', () => {
    const upstreamTimeout = Number(/keepalive_timeout\s+(\d+)s;/.exec(block('upstream app_replicas'))?.[1]) * 1000;
    const nodeTimeout = parseNodeSettings({}, 'x').http.keepAliveTimeoutMs;
    expect(upstreamTimeout).toBeGreaterThan(0);
    expect(nodeTimeout).toBeGreaterThan(upstreamTimeout);
    expect(source).toMatch(/proxy_http_version 1\.1;/);
    expect(source).toMatch(/proxy_set_header Connection "";/);
  });

  it('never retries the visit-recording page after a timeout, and tags every request with an id', () => {
    const home = block('location = /');
    expect(home).toMatch(/proxy_next_upstream error;/);
    expect(home).not.toMatch(/proxy_next_upstream[^;]*timeout/);
    expect(source).toMatch(/proxy_set_header X-Request-Id \$request_id;/);
    expect(source).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(block('upstream app_replicas')).toMatch(/least_conn;/);
  });

  it("serves the metrics and nginx's own status to no client, and names no replica in a response", () => {
    // An exact-match location: no prefix or regex location can take the path over.
    const metrics = block('location = /metrics');
    expect(metrics).toMatch(/return 404 /);
    expect(metrics).not.toMatch(/proxy_pass/);
    expect(source.match(/location\s+[^{]*metrics/g)).toEqual(['location = /metrics']);
    expect(source).not.toMatch(/stub_status/);
    expect(source).not.toMatch(/add_header\s+X-Upstream/i);
    // Which replica answered stays in the access log.
    expect(source).toMatch(/"upstream":"\$upstream_addr"/);
  });

  it('answers /metrics itself with 404 to every client, IPv4 or IPv6, without reaching a replica or naming one', async () => {
    // A stand-in replica that records what reaches it.
    const reached: string[] = [];
    const replica = createServer((request, response) => {
      reached.push(request.url ?? '');
      response.statusCode = request.url === '/health/live' ? 200 : 404;
      response.end('from the replica');
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const replicaPort = (replica.address() as AddressInfo).port;
    const port = await listenOnce();
    const file = join(runDir, 'nginx-live.conf');
    const rendered = renderLocalNginxConfig(source, {
      upstreams: [`127.0.0.1:${replicaPort}`],
      listen: `127.0.0.1:${port}`,
      runDir,
    });
    // The same server, reachable over IPv6 loopback as well.
    await writeFile(
      file,
      rendered.replace(`listen 127.0.0.1:${port};`, `listen 127.0.0.1:${port};\n        listen [::1]:${port};`),
    );
    const nginx = spawn('nginx', ['-p', runDir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    nginx.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const answer = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return { status: response.status, upstream: response.headers.get('x-upstream') };
    };
    try {
      await waitFor(
        `nginx to listen (${errors})`,
        async () => (await answer(`http://127.0.0.1:${port}/health/live`).catch(() => ({ status: 0 }))).status === 200,
      );
      for (const base of [`http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
        expect(await answer(`${base}/metrics`), `${base}/metrics`).toEqual({ status: 404, upstream: null });
        // No stub_status any more: the path is the app's, which has no such page.
        expect((await answer(`${base}/nginx-status`)).status, `${base}/nginx-status`).toBe(404);
        expect(await answer(`${base}/health/live`), `${base}/health/live`).toEqual({ status: 200, upstream: null });
      }
      expect(reached).not.toContain('/metrics');
    } finally {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
      await new Promise((resolve) => replica.close(resolve));
    }
  });

  it('answers its own errors in JSON: no replica up is 503 with Retry-After, an oversized header 431', async () => {
    // A replica address nothing listens on.
    const deadPort = await listenOnce();
    const port = await listenOnce();
    const file = join(runDir, 'nginx-dead.conf');
    await writeFile(
      file,
      renderLocalNginxConfig(source, { upstreams: [`127.0.0.1:${deadPort}`], listen: `127.0.0.1:${port}`, runDir }),
    );
    const nginx = spawn('nginx', ['-p', runDir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const ask = async (path: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        return {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          type: response.headers.get('content-type'),
          body: (await response.json()) as { error: string },
        };
      };
      await waitFor('nginx to listen', async () => (await ask('/health').catch(() => undefined)) !== undefined);
      expect(await ask('/api/stats')).toEqual({
        status: 503,
        retryAfter: '5',
        type: 'application/json',
        body: { error: 'service_unavailable', message: expect.stringContaining('try again in 5 s') },
      });
      const oversized = await ask('/', { 'x-padding': 'a'.repeat(20_000) });
      expect([oversized.status, oversized.body.error]).toEqual([431, 'headers_too_large']);
    } finally {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
    }
  });

  it("limits the recording routes per address with RATE_LIMIT, rendered alike by Compose's script and npm run stack", async () => {
    for (const path of ['location = /', 'location = /api/event', 'location = /pixel.gif']) {
      expect(block(path), path).toMatch(/limit_req zone=recording burst=120 nodelay;/);
    }
    expect(source).toMatch(/limit_req_zone \$binary_remote_addr zone=recording:10m rate=120r\/m;/);
    for (const value of ['120/min', '5/s', 'off', ' 30/MIN ']) {
      const output = join(runDir, 'rendered.conf');
      await run('sh', [renderScript], {
        env: { PATH: process.env.PATH ?? '', RATE_LIMIT: value, NGINX_CONF_TEMPLATE: configPath, NGINX_CONF_OUTPUT: output },
      });
      const setting = parseRateLimit(value);
      if (setting === undefined) throw new Error(`${value} should parse`);
      expect(await readFile(output, 'utf8'), value).toBe(withRateLimit(source, setting));
    }
    expect(withRateLimit(source, 'off')).not.toMatch(/limit_req/);
    expect(withRateLimit(source, { burst: 5, perMinute: 300 })).toMatch(/rate=5r\/s;[\s\S]*burst=5 nodelay/);
    expect(withRateLimit(source, { burst: 7, perMinute: 7 })).toMatch(/add_header Retry-After 9 always;/);
    await expect(
      run('sh', [renderScript], {
        env: {
          PATH: process.env.PATH ?? '',
          RATE_LIMIT: 'lots',
          NGINX_CONF_TEMPLATE: configPath,
          NGINX_CONF_OUTPUT: join(runDir, 'x'),
        },
      }),
    ).rejects.toThrow(/expected a rate such as 120\/min or 5\/s, or off/);
  });

  it('answers 429 past the burst from one address, before the replica sees it', async () => {
    let reached = 0;
    const replica = createServer((_request, response) => {
      reached += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const port = await listenOnce();
    const file = join(runDir, 'nginx-limited.conf');
    await writeFile(
      file,
      renderLocalNginxConfig(source, {
        upstreams: [`127.0.0.1:${(replica.address() as AddressInfo).port}`],
        listen: `127.0.0.1:${port}`,
        runDir,
        rateLimit: { burst: 3, perMinute: 3 },
      }),
    );
    const nginx = spawn('nginx', ['-p', runDir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitFor(
        'nginx to listen',
        async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok === true,
      );
      const before = reached;
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let index = 0; index < 6; index++) {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        statuses.push(response.status);
        if (response.status === 429) refused = response;
        else await response.arrayBuffer();
      }
      // The first plus a burst of 3, then refused: nginx's burst is on top of the one request a rate admits.
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect(reached - before).toBe(4);
      // In the app's shape, and when to come back: 3 a minute admit one every 20 s.
      expect(refused?.headers.get('retry-after')).toBe('20');
      expect(refused?.headers.get('content-type')).toBe('application/json');
      expect(await refused?.json()).toEqual({ error: 'rate_limited', message: expect.stringContaining('Retry-After') });
    } finally {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
      await new Promise((resolve) => replica.close(resolve));
    }
  });
});
