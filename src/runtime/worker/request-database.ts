import { drizzle } from 'drizzle-orm/mysql2';
import { type Connection, createConnection } from 'mysql2';
import * as schema from '../../../db/schema';
import { connectionOptions, type DatabaseHandle, singleConnectionHandle } from '../../data/database';
import { createVisitDatabase, type VisitDatabase } from '../../data/visit-database';
import type { HyperdriveBinding } from './env';

/**
 * One MySQL connection per request, opened on first use and closed after the response.
 * workerd forbids I/O objects shared between requests (a module-level pool fails with
 * "Cannot perform I/O on behalf of a different request"); Hyperdrive's pooler in front of
 * the origin is what makes a connection per request cheap.
 */
export interface RequestDatabase {
  /** The database for this request; the same one for every call. */
  database(): VisitDatabase;
  /** Ends the connection, if one was opened. Never rejects. */
  close(): Promise<void>;
  /** Drops the connection at once, whatever it is doing: the server rolls back an open transaction. */
  abort(): void;
}

export class PreparedStatementsUnsupportedError extends Error {
  constructor() {
    super(
      'mysql2 execute() or prepare() (protocol-level prepared statements) was called in the Worker. Hyperdrive rejects ' +
        'COM_STMT_PREPARE, so this would fail in production: use query(), as the data layer does (src/data/statements.ts).',
    );
    this.name = 'PreparedStatementsUnsupportedError';
  }
}

export function openRequestDatabase(binding: HyperdriveBinding, connectTimeoutMs: number): RequestDatabase {
  let opened: { connection: Connection; database: VisitDatabase } | undefined;
  return {
    database() {
      if (opened === undefined) {
        const { connection, handle } = connectThroughHyperdrive(binding, connectTimeoutMs);
        opened = { connection, database: createVisitDatabase(handle) };
      }
      return opened.database;
    },
    abort() {
      if (opened === undefined) return;
      const { connection } = opened;
      opened = undefined;
      connection.destroy();
    },
    async close() {
      if (opened === undefined) return;
      const { connection } = opened;
      opened = undefined;
      await new Promise<void>((resolve) => {
        // end() sends COM_QUIT and waits for the server; a connection that already failed
        // cannot do that, so it is dropped instead.
        connection.end((error) => {
          if (error) connection.destroy();
          resolve();
        });
      });
    },
  };
}

/** A connection (made when first used) and the handle over it, with prepared statements refused. */
export function connectThroughHyperdrive(
  binding: HyperdriveBinding,
  connectTimeoutMs: number,
): { connection: Connection; handle: DatabaseHandle } {
  const connection = createConnection({
    // Same charset, UTC time zone and number handling as the Node pool.
    ...connectionOptions(
      {
        host: binding.host,
        port: binding.port,
        user: binding.user,
        password: binding.password,
        database: binding.database,
        // The Worker talks to Hyperdrive, which encrypts the hop to the origin itself.
        tls: 'off',
      },
      connectTimeoutMs,
    ),
    // workerd forbids code generation from strings; mysql2 then uses its static row parsers.
    disableEval: true,
  });
  refusePreparedStatements(connection);
  // A failure while no query is running (the server closing an idle connection) is emitted
  // as an event; without a listener it would be thrown. The next query reports it anyway.
  connection.on('error', () => {});
  return {
    connection,
    handle: singleConnectionHandle(drizzle({ client: connection, schema, mode: 'default' }), connection.promise()),
  };
}

/**
 * Makes execute() fail loudly here, locally and in tests, instead of only in production:
 * `wrangler dev` connects straight to the database, which accepts prepared statements, while
 * Hyperdrive does not. drizzle's promise wrapper delegates to this connection's execute().
 */
export function refusePreparedStatements(connection: Connection): void {
  const refuse = (): never => {
    throw new PreparedStatementsUnsupportedError();
  };
  connection.execute = refuse;
  connection.prepare = refuse;
}
