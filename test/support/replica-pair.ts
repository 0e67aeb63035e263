import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { databaseSettingsFromUrl } from '../../src/config/database';
import { APP_PRIVILEGES } from '../../src/data/privileges';
import { type LocalDatabase, localDatabasePaths, startLocalDatabase } from '../../src/dev/local-database';
import { applyMigrations } from '../../src/ops/migrate';
import { waitFor } from './server';

/**
 * Two private MariaDB servers, the second replicating from the first, for testing read
 * replicas for real: the schema (migrated on the primary) and the app user reach the replica
 * the way they would in production, by replication.
 *
 * MariaDB 10.11 syntax (CHANGE MASTER TO … MASTER_USE_GTID, START/STOP SLAVE); MySQL 8.4 spells
 * these CHANGE REPLICATION SOURCE TO … SOURCE_AUTO_POSITION=1 and START/STOP REPLICA
 * (docs/read-replicas.md), so a machine whose server binary is mysqld gets a clear error instead.
 */
export interface ReplicaPair {
  /** The app user (APP_PRIVILEGES only) on the primary's database. */
  primaryUrl: string;
  /** The same user and database on the replica: both arrived there by replication. */
  replicaUrl: string;
  /** Runs SQL as root on the primary. */
  primaryQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Polls until the replica has applied everything the primary has logged so far. */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
  /** Stops applying changes on the replica (it keeps answering reads, with old data). */
  pauseReplication(): Promise<void>;
  resumeReplication(): Promise<void>;
  /** SIGKILLs the replica's server: its connections die without a goodbye, as in a crash. */
  killReplica(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'visit_tracker';
const REPLICATION_USER = 'replicator';
const APP_USER = 'vt_replicated_app';

export async function startReplicaPair(log: (message: string) => void = () => {}): Promise<ReplicaPair> {
  const primaryDir = await mkdtemp(join(tmpdir(), 'visit-tracker-primary-'));
  const replicaDir = await mkdtemp(join(tmpdir(), 'visit-tracker-replica-'));
  // Undone last first: connections, then servers, then their directories.
  const cleanups: (() => Promise<unknown>)[] = [
    () => Promise.all([primaryDir, replicaDir].map((dir) => rm(dir, { recursive: true, force: true }))),
  ];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  const started = (server: LocalDatabase) => {
    cleanups.push(() => server.stop());
    return server;
  };
  try {
    // In parallel: initialising a data directory is most of the start-up time.
    const [primary, replica] = await Promise.all([
      startLocalDatabase({
        dataDir: primaryDir,
        port: 0,
        database: DATABASE,
        log: (message) => log(`primary: ${message}`),
        extraArguments: ['--log-bin=primary-bin', '--server-id=1', '--binlog-format=ROW'],
      }).then(started),
      startLocalDatabase({
        dataDir: replicaDir,
        port: 0,
        database: DATABASE,
        log: (message) => log(`replica: ${message}`),
        // read_only: the app user cannot write here by mistake; replication itself may.
        extraArguments: ['--server-id=2', '--relay-log=replica-relay', '--read-only'],
      }).then(started),
    ]);
    const primaryRoot = await mysql.createConnection({ uri: primary.rootUrl, timezone: 'Z' });
    cleanups.push(() => primaryRoot.end());
    const replicaRoot = await mysql.createConnection({ uri: replica.rootUrl, timezone: 'Z' });
    // destroy, not end: after killReplica there is no server left to say goodbye to.
    cleanups.push(async () => replicaRoot.destroy());

    await requireMariadb(primaryRoot);
    const replicationPassword = randomBytes(12).toString('hex');
    for (const host of ['127.0.0.1', 'localhost']) {
      const account = `${mysql.escape(REPLICATION_USER)}@${mysql.escape(host)}`;
      await primaryRoot.query(`CREATE USER ${account} IDENTIFIED BY ${mysql.escape(replicationPassword)}`);
      await primaryRoot.query(`GRANT REPLICATION SLAVE ON *.* TO ${account}`);
    }
    // Start from the primary's current position: what each server did while starting (its
    // own database and users) is not replayed; everything from here on is.
    const [[position]] = await primaryRoot.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
    await replicaRoot.query('SET GLOBAL gtid_slave_pos = ?', [String(position?.pos ?? '')]);
    await replicaRoot.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER=${mysql.escape(REPLICATION_USER)}, ` +
        `MASTER_PASSWORD=${mysql.escape(replicationPassword)}, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
    );
    await replicaRoot.query('START SLAVE');

    const primaryAdminUrl = `${primary.rootUrl}${DATABASE}`;
    await applyMigrations(databaseSettingsFromUrl(primaryAdminUrl), () => {});
    const appPassword = randomBytes(12).toString('hex');
    for (const host of ['%', 'localhost']) {
      const account = `${mysql.escape(APP_USER)}@${mysql.escape(host)}`;
      await primaryRoot.query(`CREATE USER ${account} IDENTIFIED BY ${mysql.escape(appPassword)}`);
      for (const [table, privileges] of Object.entries(APP_PRIVILEGES)) {
        await primaryRoot.query(
          `GRANT ${privileges.join(', ')} ON ${mysql.escapeId(DATABASE)}.${mysql.escapeId(table)} TO ${account}`,
        );
      }
    }

    const waitUntilCaughtUp = async (timeoutMs = 15_000) => {
      const [[target]] = await primaryRoot.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
      await waitFor(
        `the replica to apply the primary's position ${String(target?.pos)}`,
        async () => {
          const [[applied]] = await replicaRoot.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_slave_pos AS pos');
          if (applied?.pos === target?.pos) return true;
          await failOnReplicationError(replicaRoot);
          return false;
        },
        timeoutMs,
      );
    };
    await waitUntilCaughtUp();

    const appUrl = (port: number) => `mysql://${APP_USER}:${appPassword}@127.0.0.1:${port}/${DATABASE}`;
    return {
      primaryUrl: appUrl(primary.port),
      replicaUrl: appUrl(replica.port),
      async primaryQuery<T>(sql: string, params: unknown[] = []) {
        const [rows] = await primaryRoot.query(sql, params);
        return rows as T[];
      },
      waitUntilCaughtUp,
      pauseReplication: async () => {
        await replicaRoot.query('STOP SLAVE SQL_THREAD');
      },
      resumeReplication: async () => {
        await replicaRoot.query('START SLAVE SQL_THREAD');
      },
      killReplica: async () => {
        const pid = Number.parseInt(await readFile(localDatabasePaths(replicaDir).pidFile, 'utf8'), 10);
        process.kill(pid, 'SIGKILL');
        await waitFor('the replica server to exit', () => !isAlive(pid));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function requireMariadb(root: mysql.Connection): Promise<void> {
  const [[row]] = await root.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
  const version = String(row?.version);
  if (!/mariadb/i.test(version)) {
    throw new Error(
      `the replication test uses MariaDB's syntax, but the server binary here is ${version}. ` +
        'Install mariadb-server to run it (the service itself works with MySQL 8.4 replicas: see docs/read-replicas.md).',
    );
  }
}

async function failOnReplicationError(replicaRoot: mysql.Connection): Promise<void> {
  const [[status]] = await replicaRoot.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
  const problem = [status?.Last_IO_Error, status?.Last_SQL_Error].filter((text) => typeof text === 'string' && text !== '');
  if (problem.length > 0) throw new Error(`replication stopped: ${problem.join('; ')}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
