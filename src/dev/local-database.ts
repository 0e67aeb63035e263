/**
 * Starts a private MySQL-compatible server (MariaDB's `mariadbd` or Oracle's `mysqld`) from a binary
 * already installed on the machine, so `npm start` and the tests need no database set-up.
 *
 * Everything the server writes lives under `dataDir`; a system-wide server and its configuration are
 * never touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { type DatabaseProgram, findExecutable, identifyProgram, searchDirectories } from '../ops/programs';
import { listenOnce, pathExists } from './host';

export interface LocalDatabaseOptions {
  /** Absolute path; the server's files live under it. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free port. */
  port: number;
  /** Created if missing, with CHARACTER SET utf8mb4. */
  database: string;
  /** Receives short progress lines. */
  log?: (message: string) => void;
  /** Appended to the server's command line, so they override its defaults (e.g. `--log-bin` for replication). */
  extraArguments?: readonly string[];
}

export interface LocalDatabase {
  /** mysql://USER:PASSWORD@127.0.0.1:PORT/DATABASE for the app user. */
  url: string;
  /** mysql://root@127.0.0.1:PORT/ (no database) for admin tasks. */
  rootUrl: string;
  port: number;
  /** Stops the server this call started; a no-op when an already running server was reused. */
  stop(): Promise<void>;
}

export class DatabaseServerNotFoundError extends Error {
  constructor() {
    super(
      [
        'No MySQL or MariaDB server binary (mariadbd or mysqld) was found on this machine.',
        'Ways forward:',
        '  - set DATABASE_URL to an existing server, e.g. DATABASE_URL=mysql://user:password@127.0.0.1:3306/visit_tracker',
        '  - install MariaDB or MySQL, e.g. `apt-get install mariadb-server` (or `brew install mariadb`)',
        '  - run the Compose stack instead: `docker compose up`',
      ].join('\n'),
    );
    this.name = 'DatabaseServerNotFoundError';
  }
}

export const APP_USER = 'visit_tracker';
export const APP_PASSWORD = 'visit_tracker_local';

const STARTUP_DEADLINE_MS = 60_000;
const INITIALISE_DEADLINE_MS = 120_000;
const STOP_DEADLINE_MS = 30_000;
const KILL_DEADLINE_MS = 5_000;
const POLL_INTERVAL_MS = 100;
const ERROR_LOG_TAIL_LINES = 20;
// Unix socket paths are limited to 104 (macOS) / 108 (Linux) bytes including the terminator.
const MAX_SOCKET_PATH_LENGTH = 100;

/** Where the server's files live inside `dataDir`. */
export interface LocalDatabasePaths {
  data: string;
  partialData: string;
  pidFile: string;
  stateFile: string;
  socket: string;
  errorLog: string;
  initialiseLog: string;
  secureFiles: string;
  /** The server's temporary files (sorts, GROUP BY tables): its own, not /tmp, which cleaners purge. */
  scratch: string;
}

interface ServerState {
  pid: number;
  port: number;
}

export function localDatabasePaths(dataDir: string): LocalDatabasePaths {
  return {
    data: join(dataDir, 'data'),
    partialData: join(dataDir, 'data.partial'),
    pidFile: join(dataDir, 'server.pid'),
    stateFile: join(dataDir, 'server.json'),
    socket: socketPathFor(dataDir),
    errorLog: join(dataDir, 'error.log'),
    initialiseLog: join(dataDir, 'initialise.log'),
    secureFiles: join(dataDir, 'files'),
    scratch: join(dataDir, 'tmp'),
  };
}

function socketPathFor(dataDir: string): string {
  const preferred = join(dataDir, 'server.sock');
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_LENGTH) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(tmpdir(), `visit-tracker-db-${digest}.sock`);
}

// ---------------------------------------------------------------------------------------------
// Finding the binaries
// ---------------------------------------------------------------------------------------------

const SERVER_BINARY_NAMES = ['mariadbd', 'mysqld'];
const EXTRA_SERVER_DIRECTORIES = ['/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin', '/usr/libexec'];

export function findDatabaseServerBinary(): string | undefined {
  return findExecutable(SERVER_BINARY_NAMES, searchDirectories(EXTRA_SERVER_DIRECTORIES));
}

/** mariadb-install-db usually lives in the bin/ or scripts/ next to the server's own directory. */
async function findMariadbInstallDb(serverPath: string): Promise<string> {
  const serverDirectory = dirname(await realpath(serverPath));
  const directories = [
    serverDirectory,
    resolve(serverDirectory, '../bin'),
    resolve(serverDirectory, '../scripts'),
    ...searchDirectories(['/usr/bin', '/usr/local/bin']),
  ];
  const found = findExecutable(['mariadb-install-db', 'mysql_install_db'], directories);
  if (found) return found;
  throw new Error(
    `Found the MariaDB server ${serverPath} but not mariadb-install-db, which is needed to create the data directory. ` +
      'Install the complete server package (e.g. `apt-get install mariadb-server`) or set DATABASE_URL to an existing server.',
  );
}

// ---------------------------------------------------------------------------------------------
// Starting
// ---------------------------------------------------------------------------------------------

export async function startLocalDatabase(options: LocalDatabaseOptions): Promise<LocalDatabase> {
  if (!isAbsolute(options.dataDir)) {
    throw new Error(`local database: dataDir must be an absolute path, got ${options.dataDir}`);
  }
  const log = options.log ?? (() => {});
  const paths = localDatabasePaths(options.dataDir);
  const where = displayPath(options.dataDir);

  const reused = await findRunningServer(paths);
  if (reused) {
    log(`local database: reusing the server already running on port ${reused.port} (data in ${where})`);
    return await prepareDatabase(reused.port, options.database, async () => {});
  }

  const serverPath = findDatabaseServerBinary();
  if (!serverPath) throw new DatabaseServerNotFoundError();
  const binary = await identifyProgram(serverPath);
  const port = await choosePort(options.port);

  await mkdir(options.dataDir, { recursive: true });
  await mkdir(paths.secureFiles, { recursive: true });
  await mkdir(paths.scratch, { recursive: true });
  if (!(await pathExists(paths.data))) {
    log(`local database: initialising data directory ${where} (first run, a few seconds)`);
    await initialiseDataDirectory(binary, paths);
  }

  log(`local database: starting ${binary.flavour} on 127.0.0.1:${port} (data in ${where})`);
  const startedAt = Date.now();
  const child = await spawnServer(binary, paths, port, options.extraArguments ?? []);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopServer(child, paths));
  try {
    await writeServerState(paths, { pid: child.pid ?? 0, port });
    await waitUntilReady(child, paths);
    await allowRootOverTcp(paths);
    const database = await prepareDatabase(port, options.database, stop);
    log(`local database: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    return database;
  } catch (error) {
    await stop();
    throw error;
  }
}

function displayPath(path: string): string {
  const fromWorkingDirectory = relative(process.cwd(), path);
  const isInside = fromWorkingDirectory !== '' && !fromWorkingDirectory.startsWith('..') && !isAbsolute(fromWorkingDirectory);
  return isInside ? fromWorkingDirectory : path;
}

async function prepareDatabase(port: number, database: string, stop: () => Promise<void>): Promise<LocalDatabase> {
  const rootUrl = `mysql://root@127.0.0.1:${port}/`;
  await createDatabaseAndAppUser(rootUrl, database);
  const url = `mysql://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { url, rootUrl, port, stop };
}

// Only SQL that both MySQL 8.4 and MariaDB 10.11 accept.
async function createDatabaseAndAppUser(rootUrl: string, database: string): Promise<void> {
  const connection = await mysql.createConnection(rootUrl);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(database)} CHARACTER SET utf8mb4`);
    // Both hosts: TCP clients arrive as 127.0.0.1 or, after name resolution, as localhost.
    for (const host of ['127.0.0.1', 'localhost']) {
      const account = `${mysql.escape(APP_USER)}@${mysql.escape(host)}`;
      await connection.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${mysql.escape(APP_PASSWORD)}`);
      await connection.query(`GRANT ALL PRIVILEGES ON *.* TO ${account}`);
    }
  } finally {
    await connection.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Reusing a server that is still running
// ---------------------------------------------------------------------------------------------

async function findRunningServer(paths: LocalDatabasePaths): Promise<ServerState | undefined> {
  const state = await readServerState(paths);
  const pid = (await readPidFile(paths)) ?? state?.pid;
  if (state && pid !== undefined && isProcessAlive(pid) && (await servesDataDirectory(state.port, paths.data))) {
    return { pid, port: state.port };
  }
  if (pid !== undefined && isProcessAlive(pid) && (await isServerProcessFor(pid, paths.data))) {
    throw new Error(
      `local database: a server (pid ${pid}) is running on ${paths.data} but does not answer on its recorded port. ` +
        `Stop it (kill ${pid}) and start again; its log is ${paths.errorLog}.`,
    );
  }
  await removeStaleFiles(paths);
  return undefined;
}

async function readServerState(paths: LocalDatabasePaths): Promise<ServerState | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(paths.stateFile, 'utf8'));
    if (isServerState(parsed)) return parsed;
  } catch {
    // Missing or unreadable: treated as no server.
  }
  return undefined;
}

function isServerState(value: unknown): value is ServerState {
  if (typeof value !== 'object' || value === null) return false;
  const { pid, port } = value as Record<string, unknown>;
  return Number.isInteger(pid) && Number.isInteger(port);
}

async function writeServerState(paths: LocalDatabasePaths, state: ServerState): Promise<void> {
  await writeFile(paths.stateFile, `${JSON.stringify(state)}\n`);
}

async function readPidFile(paths: LocalDatabasePaths): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(paths.pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Guards against a recycled pid or port: the server on the port must be using our data directory. */
async function servesDataDirectory(port: number, dataDirectory: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2_000 });
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@datadir AS datadir');
      const datadir = String(rows[0]?.datadir ?? '');
      return resolve(datadir) === resolve(dataDirectory);
    } finally {
      await connection.end();
    }
  } catch {
    return false;
  }
}

/** Best effort (Linux /proc): is `pid` a database server started on our data directory? */
async function isServerProcessFor(pid: number, dataDirectory: string): Promise<boolean> {
  try {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes(dataDirectory);
  } catch {
    return false;
  }
}

async function removeStaleFiles(paths: LocalDatabasePaths): Promise<void> {
  await rm(paths.pidFile, { force: true });
  await rm(paths.stateFile, { force: true });
  await rm(paths.socket, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Initialising the data directory
// ---------------------------------------------------------------------------------------------

/** Initialises into a scratch directory and renames it, so a failed first run is simply retried. */
async function initialiseDataDirectory(binary: DatabaseProgram, paths: LocalDatabasePaths): Promise<void> {
  await rm(paths.partialData, { recursive: true, force: true });
  const [command, args] =
    binary.flavour === 'mariadb'
      ? [await findMariadbInstallDb(binary.path), await mariadbInitialiseArguments(binary, paths)]
      : [binary.path, mysqlInitialiseArguments(paths)];
  const exitCode = await runToLog(command, args, paths.initialiseLog, INITIALISE_DEADLINE_MS);
  if (exitCode !== 0) {
    throw new Error(
      `local database: initialising ${paths.data} failed (exit code ${exitCode}). Last lines of ${paths.initialiseLog}:\n` +
        `${await tailOf(paths.initialiseLog)}\n` +
        'Fix the cause above, or set DATABASE_URL to an existing server.',
    );
  }
  await rename(paths.partialData, paths.data);
}

async function mariadbInitialiseArguments(binary: DatabaseProgram, paths: LocalDatabasePaths): Promise<string[]> {
  const installPrefix = resolve(dirname(await realpath(binary.path)), '..');
  return [
    // --no-defaults must come first; it keeps /etc/mysql (and its /var/lib/mysql paths) out of the picture.
    '--no-defaults',
    `--basedir=${installPrefix}`,
    `--datadir=${paths.partialData}`,
    // Password (here: empty) login for root over TCP instead of unix_socket authentication.
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    // A scratch directory of its own: initialisations running at once in the shared /tmp
    // (two test servers, or another run's) collide on temporary table names and fail.
    `--tmpdir=${await initialiseScratchDirectory(paths)}`,
    ...runAsRootArguments(),
  ];
}

async function initialiseScratchDirectory(paths: LocalDatabasePaths): Promise<string> {
  const scratch = join(dirname(paths.partialData), 'initialise.tmp');
  await mkdir(scratch, { recursive: true });
  return scratch;
}

function mysqlInitialiseArguments(paths: LocalDatabasePaths): string[] {
  return [
    '--no-defaults',
    '--initialize-insecure',
    `--datadir=${paths.partialData}`,
    ...runAsRootArguments(),
    secureFilePrivArgument(paths),
  ];
}

// mariadbd and mysqld refuse to run as root unless told to explicitly.
function runAsRootArguments(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

function mysqlOnlyServerArguments(paths: LocalDatabasePaths): string[] {
  // MySQL's X Protocol plugin would otherwise claim port 33060 and clash with any second server.
  return ['--mysqlx=OFF', secureFilePrivArgument(paths)];
}

// MySQL package builds default to /var/lib/mysql-files and refuse to start (or initialise) if it is missing.
function secureFilePrivArgument(paths: LocalDatabasePaths): string {
  return `--secure-file-priv=${paths.secureFiles}`;
}

function runToLog(command: string, args: readonly string[], logFile: string, deadlineMs: number): Promise<number> {
  return withLogFile(logFile, 'w', (fd) => {
    const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
    return new Promise<number>((resolvePromise, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolvePromise(code ?? (signal ? 128 : 1));
      });
    });
  });
}

async function withLogFile<T>(logFile: string, flags: 'a' | 'w', use: (fd: number) => Promise<T> | T): Promise<T> {
  const handle = await open(logFile, flags);
  try {
    return await use(handle.fd);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Running the server
// ---------------------------------------------------------------------------------------------

async function choosePort(requested: number): Promise<number> {
  try {
    return await listenOnce(requested);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `local database: port ${requested} on 127.0.0.1 is already in use. Choose another port (0 picks a free one) or set DATABASE_URL to the server using it.`,
      );
    }
    throw error;
  }
}

function serverArguments(binary: DatabaseProgram, paths: LocalDatabasePaths, port: number): string[] {
  return [
    '--no-defaults',
    `--datadir=${paths.data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${paths.socket}`,
    `--pid-file=${paths.pidFile}`,
    `--log-error=${paths.errorLog}`,
    // A bench's 10M-row GROUP BY lost its temporary table in /tmp mid-query ("Error on delete of
    // '/tmp/#sql-temptable-…'"): files there are anyone's to delete.
    `--tmpdir=${paths.scratch}`,
    ...runAsRootArguments(),
    '--default-time-zone=+00:00',
    '--character-set-server=utf8mb4',
    '--skip-log-bin',
    // 128M held too little of the bench's 10M visits and 10M page views: POST /api/event, whose
    // batches touch a dozen rollup rows each, fell to 0.75-0.81x GET / there; with 512M it is
    // 0.95-1.03x (docs/benchmark.md). InnoDB takes the pages as it uses them.
    '--innodb-buffer-pool-size=512M',
    '--performance-schema=OFF',
    // Room for npm run dev:edge, where every request opens a connection of its own (no
    // Hyperdrive pool locally): 200 concurrent visits needed more than the default 151, and
    // the ones past it hung in the local Hyperdrive emulation instead of failing.
    '--max-connections=512',
    ...(binary.flavour === 'mysql' ? mysqlOnlyServerArguments(paths) : []),
  ];
}

function spawnServer(
  binary: DatabaseProgram,
  paths: LocalDatabasePaths,
  port: number,
  extraArguments: readonly string[],
): Promise<ChildProcess> {
  return withLogFile(paths.errorLog, 'a', (fd) => {
    // Detached (own process group) and unref'd: the server must not keep Node alive, and it may outlive
    // this process so the next start can reuse it.
    const args = [...serverArguments(binary, paths, port), ...extraArguments];
    const child = spawn(binary.path, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    return new Promise<ChildProcess>((resolvePromise, reject) => {
      child.once('spawn', () => resolvePromise(child));
      child.once('error', reject);
    });
  });
}

/** Polls over the unix socket: root@localhost is the one account both flavours create on initialising. */
async function waitUntilReady(child: ChildProcess, paths: LocalDatabasePaths): Promise<void> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(
        `local database: the server exited during start-up (exit code ${child.exitCode ?? child.signalCode}). ` +
          `Last lines of ${paths.errorLog}:\n${await tailOf(paths.errorLog)}\n` +
          `Fix the cause above (deleting ${paths.data} starts from an empty database), or set DATABASE_URL to an existing server.`,
      );
    }
    if (await answersSelectOne({ socketPath: paths.socket, user: 'root', connectTimeout: 1_000 })) return;
    await delay(POLL_INTERVAL_MS);
  }
  throw new Error(
    `local database: the server was not ready after ${STARTUP_DEADLINE_MS / 1000} s. Last lines of ${paths.errorLog}:\n` +
      `${await tailOf(paths.errorLog)}\n` +
      'Check the log above, or set DATABASE_URL to an existing server.',
  );
}

/**
 * MySQL's --initialize-insecure creates only root@localhost, which TCP clients match only when the server
 * resolves 127.0.0.1 to "localhost"; an explicit root@127.0.0.1 makes rootUrl work regardless.
 * MariaDB already has that account, so this is a no-op there.
 */
async function allowRootOverTcp(paths: LocalDatabasePaths): Promise<void> {
  const connection = await mysql.createConnection({ socketPath: paths.socket, user: 'root' });
  try {
    await connection.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''");
    await connection.query("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
  } finally {
    await connection.end();
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function answersSelectOne(connectionOptions: mysql.ConnectionOptions): Promise<boolean> {
  try {
    const connection = await mysql.createConnection(connectionOptions);
    try {
      await connection.query('SELECT 1');
      return true;
    } finally {
      await connection.end();
    }
  } catch {
    return false;
  }
}

async function stopServer(child: ChildProcess, paths: LocalDatabasePaths): Promise<void> {
  if (!hasExited(child)) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, STOP_DEADLINE_MS))) {
      child.kill('SIGKILL');
      await waitForExit(child, KILL_DEADLINE_MS);
    }
  }
  await removeStaleFiles(paths);
}

function waitForExit(child: ChildProcess, deadlineMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolvePromise(false);
    }, deadlineMs);
    function onExit(): void {
      clearTimeout(timer);
      resolvePromise(true);
    }
    child.once('exit', onExit);
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

async function tailOf(logFile: string): Promise<string> {
  try {
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    return lines.slice(-ERROR_LOG_TAIL_LINES).join('\n');
  } catch {
    return `(no log at ${logFile})`;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}
