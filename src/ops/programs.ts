/**
 * Programs installed on this machine, the MySQL/MariaDB ones above all: finding them (the backup
 * commands' dump and client programs here; the private database's server, nginx for the local
 * stack, and what npm test needs, in src/dev and test/support), telling MariaDB's from MySQL's,
 * and handing them a connection without putting the password in argv (where `ps` shows it).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { DatabaseSettings } from '../config/database';

export type Flavour = 'mariadb' | 'mysql';

export interface DatabaseProgram {
  path: string;
  flavour: Flavour;
}

const execFileAsync = promisify(execFile);

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH's directories, then `extra` (where packages put programs PATH may not name). */
export function searchDirectories(extra: readonly string[]): string[] {
  return [...(process.env.PATH ?? '').split(delimiter).filter((entry) => entry !== ''), ...extra];
}

/** The first of `names` found in `directories` (earlier names win over earlier directories). */
export function findExecutable(names: readonly string[], directories: readonly string[]): string | undefined {
  for (const name of names) {
    for (const directory of directories) {
      const candidate = join(directory, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Which project a program comes from, by what its --version says. */
export async function identifyProgram(path: string): Promise<DatabaseProgram> {
  const { stdout } = await execFileAsync(path, ['--version']);
  return { path, flavour: /mariadb/i.test(stdout) ? 'mariadb' : 'mysql' };
}

/** A dump or client program of the backup commands. */
export type ClientProgram = DatabaseProgram;

/** MariaDB's names first: on MariaDB systems mysqldump and mysql are deprecated aliases of these. */
const PROGRAM_NAMES = {
  dump: ['mariadb-dump', 'mysqldump'],
  client: ['mariadb', 'mysql'],
} as const;

const EXTRA_DIRECTORIES = [
  '/usr/bin',
  '/usr/local/bin',
  '/usr/local/mysql/bin',
  '/opt/homebrew/bin',
  '/opt/homebrew/opt/mysql-client/bin',
];

export class ClientProgramNotFoundError extends Error {
  constructor(kind: keyof typeof PROGRAM_NAMES) {
    super(
      [
        `Neither ${PROGRAM_NAMES[kind].join(' nor ')} was found on PATH or in ${EXTRA_DIRECTORIES.join(', ')}.`,
        'Install the MariaDB or MySQL client tools, then run again:',
        '  - Debian/Ubuntu: apt-get install mariadb-client (or mysql-client)',
        '  - macOS: brew install mariadb (or brew install mysql-client)',
        '  - with Docker: docker compose --profile backup up -d backup (compose.yml runs mysqldump in a container)',
      ].join('\n'),
    );
    this.name = 'ClientProgramNotFoundError';
  }
}

export async function findClientProgram(kind: keyof typeof PROGRAM_NAMES): Promise<ClientProgram> {
  const path = findExecutable(PROGRAM_NAMES[kind], searchDirectories(EXTRA_DIRECTORIES));
  if (path === undefined) throw new ClientProgramNotFoundError(kind);
  return identifyProgram(path);
}

export interface DefaultsFile {
  /** Goes first on the command line: `--defaults-file=PATH`. */
  argument: string;
  remove(): Promise<void>;
}

/**
 * The connection in an option file of mode 0600 in a private temporary directory. It is the
 * only option file the program reads (--defaults-file), so a ~/.my.cnf cannot redirect the
 * dump. MYSQL_PWD would work too, but MySQL deprecates it.
 */
export async function writeDefaultsFile(settings: DatabaseSettings): Promise<DefaultsFile> {
  const directory = await mkdtemp(join(tmpdir(), 'visit-tracker-db-client-'));
  const path = join(directory, 'client.cnf');
  const lines = [
    '[client]',
    `host=${optionValue(settings.host)}`,
    `port=${settings.port}`,
    // "localhost" would otherwise mean the default unix socket, not TCP as for the service.
    'protocol=TCP',
    `user=${optionValue(settings.user)}`,
    `password=${optionValue(settings.password)}`,
  ];
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { argument: `--defaults-file=${path}`, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** A double-quoted option-file value; both flavours' parsers understand these escapes. */
function optionValue(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** DB_TLS for the command-line programs; the two flavours spell it differently. */
export function tlsArguments(program: ClientProgram, mode: DatabaseSettings['tls']): string[] {
  if (mode === 'off') return [];
  if (program.flavour === 'mysql') return [`--ssl-mode=${mode === 'verify' ? 'VERIFY_IDENTITY' : 'REQUIRED'}`];
  return mode === 'verify' ? ['--ssl', '--ssl-verify-server-cert'] : ['--ssl'];
}
