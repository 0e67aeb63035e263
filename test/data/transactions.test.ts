import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Driver, inTransaction, singleConnectionHandle } from '../../src/data/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { emptyVisitTables } from '../support/visits';

/**
 * Transactions on the driver (src/data/database.ts), on the Node pool and on a single
 * connection as the Worker has: all of the work commits, or none of it does.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(async () => {
  await emptyVisitTables(database);
});

afterAll(async () => {
  await database?.drop();
});

const insertVisit = (connection: Driver, requestId: string) =>
  connection.query(
    {
      sql: "INSERT INTO visits (ip_address, server_id, visited_at, request_id) VALUES ('198.51.100.1', 'app-1', NOW(3), ?)",
      rowsAsArray: true,
    },
    [requestId],
  );

async function requestIds(): Promise<string[]> {
  const rows = await database.query<{ request_id: string }>('SELECT request_id FROM visits ORDER BY request_id');
  return rows.map((row) => row.request_id);
}

describe('inTransaction', () => {
  it('commits all of the work, seen from another connection', async () => {
    const result = await inTransaction(database.handle, async (connection) => {
      await insertVisit(connection, 'a');
      await insertVisit(connection, 'b');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await requestIds()).toEqual(['a', 'b']);
  });

  it('rolls back what ran before a failing statement, and rethrows its error', async () => {
    const failed = inTransaction(database.handle, async (connection) => {
      await insertVisit(connection, 'kept-only-if-committed');
      await insertVisit(connection, 'kept-only-if-committed'); // the unique request id
    });
    await expect(failed).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(await requestIds()).toEqual([]);
    // The connection went back to the pool usable, with no transaction left open on it.
    await inTransaction(database.handle, (connection) => insertVisit(connection, 'next'));
    expect(await requestIds()).toEqual(['next']);
  });

  it('runs transactions on a single connection one after another, never interleaved', async () => {
    const connection = await mysql.createConnection({ uri: database.url, timezone: 'Z' });
    try {
      const handle = singleConnectionHandle(database.db, connection);
      const events: string[] = [];
      let openGate = () => {};
      const gate = new Promise<void>((resolve) => {
        openGate = resolve;
      });
      const first = inTransaction(handle, async (on) => {
        events.push('first started');
        await insertVisit(on, 'first');
        await gate;
        events.push('first done');
        throw new Error('the first one fails');
      });
      const second = inTransaction(handle, async (on) => {
        events.push('second started');
        await insertVisit(on, 'second');
      });
      // Let the first transaction run until it waits at the gate.
      const deadline = Date.now() + 5_000;
      while (!events.includes('first started') && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(await database.query('SELECT 1 FROM visits')).toEqual([]); // nothing committed yet
      expect(events).toEqual(['first started']);
      openGate();
      await expect(first).rejects.toThrow('the first one fails');
      await second;
      expect(events).toEqual(['first started', 'first done', 'second started']);
      // The first rolled back alone: had the second begun inside it, both would be gone or both kept.
      expect(await requestIds()).toEqual(['second']);
    } finally {
      await connection.end();
    }
  });
});
