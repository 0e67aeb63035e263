import * as v from 'valibot';
import { integer, section, text, variable } from './variables';

/** Settings of the workstation tooling (src/dev) and the operator commands (src/ops), not of the service. */

/** Where `npm start` keeps its private database when no database is configured (relative: to the project). */
export const localDataSettings = section({
  dataDir: variable('DATA_DIR', v.optional(text('a directory path'), '.data')),
});

/** Whole days of visits `npm run db:purge` keeps; 0 keeps them forever. */
export const retentionSettings = section({
  retentionDays: variable('RETENTION_DAYS', integer(0, 36_500, 0)),
});

const MAX_BACKUPS_KEPT = 10_000;
const backupsKeptMessage = `expected a whole number of backups to keep, from 1 to ${MAX_BACKUPS_KEPT}`;

/** `npm run db:backup`: where the files go (relative: to the project) and how many of them stay. */
export const backupSettings = section({
  dir: variable('BACKUP_DIR', v.optional(text('a directory path'), '.data/backups')),
  retention: variable(
    'BACKUP_RETENTION',
    v.optional(
      v.pipe(
        v.string(),
        v.trim(),
        v.regex(/^\d+$/, backupsKeptMessage),
        v.transform(Number),
        v.minValue(1, backupsKeptMessage),
        v.maxValue(MAX_BACKUPS_KEPT, backupsKeptMessage),
      ),
      '14',
    ),
  ),
});
