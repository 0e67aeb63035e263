import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import * as schema from '../../db/schema';
import type { DatabaseSettings } from '../config/database';
import { connectionOptions, type Database } from '../data/database';

/**
 * The operator commands' connection: one, direct, for a command that runs its statements one
 * after another (never a pool, never Hyperdrive: the migrator uses prepared statements).
 */
const COMMAND_CONNECT_TIMEOUT_MS = 10_000;

export function openConnection(settings: DatabaseSettings): Promise<mysql.Connection> {
  return mysql.createConnection(connectionOptions(settings, COMMAND_CONNECT_TIMEOUT_MS));
}

/** The same connection with drizzle on top, for commands that run the data layer's statements (the purge). */
export async function openDatabase(settings: DatabaseSettings): Promise<{ db: Database; close(): Promise<void> }> {
  const connection = await openConnection(settings);
  return { db: drizzle({ client: connection, schema, mode: 'default' }), close: () => connection.end() };
}
