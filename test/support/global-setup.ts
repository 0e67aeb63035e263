import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { TestProject } from 'vitest/node';
import { type LocalDatabase, startLocalDatabase } from '../../src/dev/local-database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL for a user that may create and drop databases. */
    databaseAdminUrl: string;
  }
}

/**
 * TEST_DATABASE_URL, when set, names a MySQL-compatible server and an admin user the tests
 * may create databases with. Otherwise a private server is started on a temporary data
 * directory for this run and removed afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('databaseAdminUrl', given);
    return async () => {};
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'visit-tracker-test-db-'));
  const started = Date.now();
  const local: LocalDatabase = await startLocalDatabase({
    dataDir,
    port: 0,
    database: 'visit_tracker_test',
    log: (message) => process.stdout.write(`[test database] ${message}\n`),
  });
  process.stdout.write(`[test database] ready on port ${local.port} in ${Date.now() - started} ms\n`);
  await allowConnectionBursts(local.rootUrl);
  project.provide('databaseAdminUrl', local.rootUrl);
  return async () => {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

/**
 * The Worker under `wrangler dev` connects straight to the database, one connection per request
 * in flight (in production Hyperdrive pools them), so the contract suite's bursts of 200
 * concurrent visits need more than the default 151 connections.
 */
async function allowConnectionBursts(rootUrl: string): Promise<void> {
  const root = await mysql.createConnection(rootUrl);
  try {
    await root.query('SET GLOBAL max_connections = 1000');
  } finally {
    await root.end();
  }
}
