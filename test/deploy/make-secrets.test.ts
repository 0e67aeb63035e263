import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * deploy/make-secrets.sh, run with sh in a copy of the checkout's layout (the script reads the
 * .env beside compose.yml), as a person runs it before `docker compose up`.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const SECRETS = ['admin_token', 'backup_password', 'db_password', 'migrate_password', 'mysql_root_password'];
let checkout: string;

beforeEach(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'visit-tracker-make-secrets-'));
  await mkdir(join(checkout, 'deploy'));
  await cp(join(root, 'deploy/make-secrets.sh'), join(checkout, 'deploy/make-secrets.sh'));
});

afterEach(async () => {
  await rm(checkout, { recursive: true, force: true });
});

const makeSecrets = (env: Record<string, string> = {}) =>
  run('sh', [join(checkout, 'deploy/make-secrets.sh')], { env: { PATH: process.env.PATH ?? '', ...env } });
const secret = (name: string) => readFile(join(checkout, 'secrets', name), 'utf8');

describe('deploy/make-secrets.sh', () => {
  it('writes a random value per secret, in a directory only its owner enters, each file readable by the containers', async () => {
    const { stdout } = await makeSecrets();
    expect((await readdir(join(checkout, 'secrets'))).sort()).toEqual(SECRETS);
    const values = await Promise.all(SECRETS.map(secret));
    for (const value of values) expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(values).size).toBe(SECRETS.length);
    expect((await stat(join(checkout, 'secrets'))).mode & 0o777).toBe(0o700);
    for (const name of SECRETS) expect((await stat(join(checkout, 'secrets', name))).mode & 0o777).toBe(0o644);
    expect(stdout).toContain('secrets/admin_token written from 32 random bytes');
    expect(stdout).toContain('next: docker compose up --build');
  });

  it('keeps a file that exists, so a second run changes no password', async () => {
    await makeSecrets();
    const before = await Promise.all(SECRETS.map(secret));
    const { stdout } = await makeSecrets({ DB_PASSWORD: 'a-new-one' });
    expect(await Promise.all(SECRETS.map(secret))).toEqual(before);
    expect(stdout).toContain('secrets/db_password kept (it exists)');
  });

  it("takes each value from the environment first, then from .env, as they are (a deployment's passwords)", async () => {
    await writeFile(
      join(checkout, '.env'),
      [
        '# a comment',
        'MIGRATE_PASSWORD=from-dotenv',
        "ADMIN_TOKEN='quoted-token-0123456789abcdef0123456789'",
        'DB_PASSWORD=ignored',
        '',
      ].join('\n'),
    );
    const { stdout } = await makeSecrets({ DB_PASSWORD: `it's a \\ "password"`, SECRETS_DIR: 'secrets' });
    expect(await secret('db_password')).toBe(`it's a \\ "password"`);
    expect(await secret('migrate_password')).toBe('from-dotenv');
    expect(await secret('admin_token')).toBe('quoted-token-0123456789abcdef0123456789');
    expect(await secret('mysql_root_password')).toMatch(/^[0-9a-f]{64}$/);
    expect(stdout).toContain('secrets/db_password written from DB_PASSWORD in the environment');
    expect(stdout).toContain('secrets/migrate_password written from MIGRATE_PASSWORD in .env');
  });
});
