import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { findDatabaseServerBinary } from '../../src/dev/local-database';
import { findNginx } from '../../src/dev/stack/stack';
import { findExecutable, searchDirectories } from '../../src/ops/programs';

/**
 * `npm test` runs this first: the suites talk to real programs (a MySQL-compatible server and
 * its client programs, nginx, Redis, Chromium), and a missing one should stop the run in
 * seconds with one message saying what to install, not fail one suite after minutes.
 */

interface Missing {
  what: string;
  /** Package names; `undefined` where the fix is not an install. */
  debian?: string;
  macos?: string;
  note?: string;
}

const CLIENT_DIRECTORIES = ['/usr/bin', '/usr/local/bin', '/usr/local/mysql/bin', '/opt/homebrew/bin'];

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1_000);
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function missingPrerequisites(): Promise<Missing[]> {
  const missing: Missing[] = [];
  if (!process.env.TEST_DATABASE_URL && findDatabaseServerBinary() === undefined) {
    missing.push({
      what: 'a MySQL-compatible server (mariadbd or mysqld; or set TEST_DATABASE_URL to a server the tests may use)',
      debian: 'mariadb-server',
      macos: 'mariadb',
    });
  }
  const clientDirectories = searchDirectories(CLIENT_DIRECTORIES);
  for (const [what, names] of [
    ['the dump program (db:backup)', ['mariadb-dump', 'mysqldump']],
    ['the command-line client (db:restore)', ['mariadb', 'mysql']],
  ] as const) {
    if (findExecutable(names, clientDirectories) === undefined) {
      missing.push({ what: `${what}: ${names.join(' or ')}`, debian: 'mariadb-client', macos: 'mariadb' });
    }
  }
  if (findNginx() === undefined)
    missing.push({ what: 'nginx (the proxy tier of npm run stack)', debian: 'nginx', macos: 'nginx' });
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    const installed = findExecutable(['redis-server'], searchDirectories(['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']));
    missing.push(
      installed === undefined
        ? {
            what: `Redis answering at ${redisUrl} (the shared stats cache)`,
            debian: 'redis-server',
            macos: 'redis',
            note: 'then start it as below',
          }
        : {
            what: `Redis answering at ${redisUrl} (the shared stats cache): it is installed but not running`,
            note: `start it: redis-server --daemonize yes --bind 127.0.0.1 --port ${new URL(redisUrl).port || 6379} --save '' --appendonly no (or set TEST_REDIS_URL)`,
          },
    );
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    missing.push({
      what: `Chromium at ${chromium} (the dashboard's browser check)`,
      debian: 'chromium',
      note: 'macOS: brew install --cask chromium, then CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium',
    });
  }
  return missing;
}

const missing = await missingPrerequisites();
if (missing.length > 0) {
  const unique = (names: (string | undefined)[]) => [...new Set(names.filter((name) => name !== undefined))];
  const debian = unique(missing.map((entry) => entry.debian));
  const macos = unique(missing.map((entry) => entry.macos));
  const lines = [
    `npm test needs ${missing.length === 1 ? 'a program' : 'programs'} this machine lacks:`,
    ...missing.map((entry) => `  - ${entry.what}${entry.note ? `; ${entry.note}` : ''}`),
    'Install them, then run npm test again:',
    ...(debian.length > 0 ? [`  Debian/Ubuntu: sudo apt-get install -y ${debian.join(' ')}`] : []),
    ...(macos.length > 0 ? [`  macOS: brew install ${macos.join(' ')}`] : []),
    '  (CI: .ci/run installs all of them.)',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
}
