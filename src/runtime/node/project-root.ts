import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory that holds db/migrations (and, on a workstation, package.json and .data).
 * The Node runtime runs from source (src/runtime/node/*.ts under tsx) and bundled into single
 * files (dist/*.mjs, see deploy/build.ts; the container image has /app/dist next to
 * /app/db/migrations), so the root is three directories above the running module, or one.
 * The first of those that holds the migration journal wins; if neither does (a bundle shipped
 * without its migrations), the source layout's answer stands and the migrator's error names
 * the folder it looked in.
 */
const LAYOUTS = [
  '../../../', // source: src/runtime/node/<module>.ts
  '../', // bundle: dist/<entry>.mjs
] as const;

function findProjectRoot(): string {
  const candidates = LAYOUTS.map((up) => fileURLToPath(new URL(up, import.meta.url)));
  return (
    candidates.find((root) => existsSync(join(root, 'db', 'migrations', 'meta', '_journal.json'))) ?? (candidates[0] as string)
  );
}

export const PROJECT_ROOT: string = findProjectRoot();

export const MIGRATIONS_FOLDER: string = join(PROJECT_ROOT, 'db', 'migrations');
