import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnce } from '../../src/dev/host';
import { renderLocalNginxConfig } from '../../src/dev/stack/nginx-config';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import { waitFor } from '../support/server';

const run = promisify(execFile);
const configPath = fileURLToPath(new URL('../../deploy/nginx/nginx.conf', import.meta.url));
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
    expect(block('location = /nginx-status')).toMatch(/deny all;/);
    expect(block('upstream app_replicas')).toMatch(/least_conn;/);
  });

  // 127.0.0.1, where the stack test calls from, is itself a private address, so a live request
  // cannot show the refusal: the rules are evaluated here as nginx does, first match wins.
  it('admits private networks only to /metrics and /nginx-status', () => {
    const rules = (header: string) =>
      [...block(header).matchAll(/^\s*(allow|deny)\s+([^;]+);/gm)].map((match) => ({
        action: match[1] as string,
        target: match[2] as string,
      }));
    const admits = (header: string, address: string) => {
      const parsed = ipaddr.parse(address);
      const rule = rules(header).find(
        ({ target }) => target === 'all' || (parsed.kind() === 'ipv4' && parsed.match(ipaddr.parseCIDR(target))),
      );
      return rule?.action === 'allow';
    };
    for (const header of ['location = /metrics', 'location = /nginx-status']) {
      expect(rules(header).at(-1), header).toEqual({ action: 'deny', target: 'all' });
      for (const { action, target } of rules(header).slice(0, -1)) {
        expect(action).toBe('allow');
        expect(['loopback', 'private']).toContain(ipaddr.parse(target.split('/')[0] as string).range());
      }
      for (const address of ['127.0.0.1', '10.1.2.3', '172.30.250.7', '192.168.1.20']) {
        expect(admits(header, address), `${header} from ${address}`).toBe(true);
      }
      // IPv6 clients are refused too; nginx itself shows that below, since no IPv4 rule can match them.
      for (const address of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '100.64.0.1']) {
        expect(admits(header, address), `${header} from ${address}`).toBe(false);
      }
    }
    // An exact-match location: no prefix or regex location can take the path over.
    const metrics = block('location = /metrics');
    expect(metrics).toMatch(/proxy_pass http:\/\/app_replicas;/);
    expect(metrics).toMatch(/proxy_next_upstream off;/);
    expect(source.match(/location\s+[^{]*metrics/g)).toEqual(['location = /metrics']);
  });

  it('refuses /metrics and /nginx-status to an IPv6 client and admits loopback IPv4, as nginx itself decides', async () => {
    // A stand-in replica: whatever reaches it was let through.
    const replica = createServer((_request, response) => response.end('from the replica'));
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
    const status = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.status;
    };
    try {
      await waitFor(
        `nginx to listen (${errors})`,
        async () => (await status(`http://127.0.0.1:${port}/health/live`).catch(() => 0)) === 200,
      );
      for (const path of ['/metrics', '/nginx-status']) {
        expect(await status(`http://127.0.0.1:${port}${path}`), `${path} from 127.0.0.1`).toBe(200);
        expect(await status(`http://[::1]:${port}${path}`), `${path} from ::1`).toBe(403);
      }
      // The public paths answer IPv6 clients as usual.
      expect(await status(`http://[::1]:${port}/health/live`)).toBe(200);
    } finally {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
      await new Promise((resolve) => replica.close(resolve));
    }
  });
});
