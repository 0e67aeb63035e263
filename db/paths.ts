import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory that holds db/migrations (and, on a workstation, package.json and .data), found
 * from where this module runs: as source (db/paths.ts) it is one directory up; bundled
 * (src/dev/build.ts) this code lands in an entry point (dist/<entry>.mjs, one up) or a shared
 * chunk (dist/chunks/<chunk>.mjs, two up), and the image has /app/dist beside /app/db/migrations.
 * The first of those that holds the migration journal wins; if none does (a bundle shipped
 * without its migrations), one directory up stands and the migrator's error names the folder it
 * looked in. Node only: portable code never imports this file.
 */
const CANDIDATES = ['../', '../../'] as const;

function findProjectRoot(): string {
  const roots = CANDIDATES.map((up) => fileURLToPath(new URL(up, import.meta.url)));
  return roots.find((root) => existsSync(join(root, 'db', 'migrations', 'meta', '_journal.json'))) ?? (roots[0] as string);
}

export const PROJECT_ROOT: string = findProjectRoot();

export const MIGRATIONS_FOLDER: string = join(PROJECT_ROOT, 'db', 'migrations');
