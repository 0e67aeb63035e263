import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory that holds db/migrations (and, on a workstation, package.json and .data). This
 * module is one directory below it both as source (db/paths.ts under tsx) and bundled into an
 * entry point (dist/<entry>.mjs, see src/dev/build.ts; the image has /app/dist beside
 * /app/db/migrations), so the root is one directory up either way. Node only: portable code
 * never imports this file.
 */
export const PROJECT_ROOT: string = fileURLToPath(new URL('../', import.meta.url));

export const MIGRATIONS_FOLDER: string = join(PROJECT_ROOT, 'db', 'migrations');
