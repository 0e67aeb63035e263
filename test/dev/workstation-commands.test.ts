import { execFile, spawn } from 'node:child_process';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../db/paths';
import { withoutOverridden } from '../../src/dev/edge/wrangler';
import { listenOnce } from '../../src/dev/host';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { getJson, waitFor } from '../support/server';

const run = promisify(execFile);

describe('npm run dev:edge arguments', () => {
  const defaults = [
    { flag: '--local', unless: '--remote' },
    { flag: '--ip', value: '127.0.0.1' },
  ];

  it('keeps its defaults when the user gives none', () => {
    expect(withoutOverridden(defaults, [])).toEqual(['--local', '--ip', '127.0.0.1']);
    expect(withoutOverridden(defaults, ['--port', '8788'])).toEqual(['--local', '--ip', '127.0.0.1']);
  });

  it("lets the user's own value win, in either spelling", () => {
    expect(withoutOverridden(defaults, ['--ip', '0.0.0.0'])).toEqual(['--local']);
    expect(withoutOverridden(defaults, ['--ip=0.0.0.0'])).toEqual(['--local']);
    expect(withoutOverridden(defaults, ['--remote'])).toEqual(['--ip', '127.0.0.1']);
  });
});

describe("npm test's prerequisite check", () => {
  const check = (env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'test/support/check-prerequisites.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );

  it('passes on a machine that has everything (this one: CI installs it)', async () => {
    expect(await check({})).toEqual({ code: 0, output: '' });
  });

  it('fails at once with one message naming everything missing and the line that installs it', async () => {
    const closedPort = await listenOnce();
    const started = Date.now();
    const result = await check({ CHROMIUM_PATH: '/nonexistent/chromium', TEST_REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.output).toContain('npm test needs programs this machine lacks:');
    expect(result.output).toContain('Chromium at /nonexistent/chromium');
    expect(result.output).toContain(`Redis answering at redis://127.0.0.1:${closedPort}`);
    expect(result.output).toMatch(/Debian\/Ubuntu: sudo apt-get install -y .*chromium/);
    expect(result.output).toContain('macOS: brew install --cask chromium');
  });
});

/** A workstation command as its npm script runs it, with its output collected. */
function startScript(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm run dev and npm run db:studio', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('npm run dev serves, restarts when a file it loaded changes, and stops on Ctrl-C', async () => {
    const dev = startScript('src/dev/watch.ts', [], {
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'warn',
      SERVER_ID: 'watching',
    });
    try {
      const served = () => [...dev.output().matchAll(/serving (http:\/\/[\d.]+:\d+)/g)].map((match) => match[1]);
      await waitFor('the server to start', () => served().length === 1, 60_000);
      expect((await getJson(`${served()[0]}/info`)).body).toMatchObject({ server_id: 'watching' });
      // A file the server loaded, touched without changing it.
      const now = new Date();
      await utimes(join(PROJECT_ROOT, 'src/version.ts'), now, now);
      await waitFor('the server to restart', () => served().length === 2, 30_000);
      expect((await getJson(`${served()[1]}/health`)).status).toBe(200);
    } finally {
      dev.child.kill('SIGINT');
    }
    expect(await dev.exited).toBe(0);
  });

  it('npm run db:studio refuses a database it cannot reach, saying what to check', async () => {
    const closedPort = await listenOnce();
    const studio = startScript('src/dev/studio.ts', [], { DATABASE_URL: `mysql://nobody:x@127.0.0.1:${closedPort}/nothing` });
    expect(await studio.exited).toBe(1);
    expect(studio.output()).toContain(`could not connect to nothing on 127.0.0.1:${closedPort}`);
    expect(studio.output()).toContain('Check DATABASE_URL');
  });

  it('npm run db:studio opens Drizzle Studio on the configured database', async () => {
    const port = await listenOnce();
    const studio = startScript('src/dev/studio.ts', ['--port', String(port)], { DATABASE_URL: database.url });
    try {
      await waitFor('Drizzle Studio to come up', () => /Drizzle Studio is up and running/.test(studio.output()), 60_000);
      expect(studio.output()).toContain(`Drizzle Studio on ${database.name}`);
    } finally {
      studio.child.kill('SIGINT');
    }
    expect(await studio.exited).toBe(0);
  });
});
