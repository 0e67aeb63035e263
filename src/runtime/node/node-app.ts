import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { createApp } from '../../app/create-app';
import type { AppDependencies } from '../../app/dependencies';
import { createLogger, type Logger } from '../../app/logger';
import type { Config, DatabaseSettings } from '../../config';
import type { Database } from '../../data/visits';
import { APP_VERSION } from '../../version';
import { describeDatabase } from './database';

export interface NodeAppOptions {
  config: Config;
  settings: DatabaseSettings;
  db: Database;
  logger?: Logger;
  clock?: () => Date;
  isDraining?: () => boolean;
}

/** The Node runtime's dependencies: one shared pool, the socket's peer address, process uptime. */
export function createNodeApp(options: NodeAppOptions): Hono {
  const { config } = options;
  const deps: AppDependencies = {
    database: () => options.db,
    clock: options.clock ?? (() => new Date()),
    serverId: config.serverId,
    peerAddress: (c) => getConnInfo(c).remote.address,
    logger: options.logger ?? createNodeLogger(config),
    runtime: { name: 'node', version: process.versions.node },
    appVersion: APP_VERSION,
    startedAt: new Date(Date.now() - process.uptime() * 1000),
    isDraining: options.isDraining ?? (() => false),
    config: {
      environment: config.environment,
      timeZone: config.timeZone,
      trustedProxies: config.trustedProxies,
      debug: config.logLevel === 'debug',
      healthTimeoutMs: config.healthTimeoutMs,
      database: describeDatabase(options.settings),
    },
  };
  return createApp(deps);
}

export function createNodeLogger(config: Config): Logger {
  return createLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`), { server_id: config.serverId });
}
