import { resolve } from 'node:path';
import * as v from 'valibot';
import { ConfigError } from '../../config';
import { PROJECT_ROOT } from './project-root';

/**
 * The variables only `npm run db:backup` reads. They are not the service's configuration, so
 * they live here rather than in src/config.ts (the app, the Worker and compose.yml's app
 * environment never see them); a bad value still stops with a message naming the variable.
 */

const MAX_RETENTION = 10_000;
const retentionMessage = `expected a whole number of backups to keep, from 1 to ${MAX_RETENTION}`;

const BackupEnvSchema = v.object({
  BACKUP_DIR: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('expected a directory path')), '.data/backups'),
  BACKUP_RETENTION: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, retentionMessage),
      v.transform(Number),
      v.minValue(1, retentionMessage),
      v.maxValue(MAX_RETENTION, retentionMessage),
    ),
    '14',
  ),
});

export const BACKUP_VARIABLES = Object.keys(BackupEnvSchema.entries) as (keyof typeof BackupEnvSchema.entries)[];

export interface BackupSettings {
  /** Absolute; a relative BACKUP_DIR is taken from the project root, as DATA_DIR is. */
  dir: string;
  /** How many of this database's backups to keep, newest first. */
  retention: number;
}

export function parseBackupSettings(env: Readonly<Record<string, string | undefined>>): BackupSettings {
  // Empty strings mean "unset", as in src/config.ts.
  const present = Object.fromEntries(
    BACKUP_VARIABLES.map((name) => [name, env[name]]).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = v.safeParse(BackupEnvSchema, present);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map(
        (issue) => `${v.getDotPath(issue) ?? 'environment'}: ${issue.message} (got ${JSON.stringify(issue.input)})`,
      ),
    );
  }
  return { dir: resolve(PROJECT_ROOT, result.output.BACKUP_DIR), retention: result.output.BACKUP_RETENTION };
}
