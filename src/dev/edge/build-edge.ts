import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../../db/paths';
import { buildWorkerBundle, GZIP_BUDGET_BYTES, kib, profileStartup } from './wrangler';

/**
 * `npm run build:edge`: bundles the Worker exactly as `npm run deploy:edge` would upload it,
 * into dist/worker/, prints its raw and gzip size and its local startup time, and fails when
 * the gzip size is over budget, naming the largest packages.
 */

const OUT_DIR = join(PROJECT_ROOT, 'dist/worker');
const progress = (message: string) => process.stdout.write(`[visit-tracker] ${message}\n`);

async function main(): Promise<void> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  progress('building the Worker from deploy/wrangler.jsonc (wrangler deploy --dry-run)');
  const bundle = await buildWorkerBundle(OUT_DIR);
  progress(
    `bundle: ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip (budget ${kib(GZIP_BUDGET_BYTES)} gzip) in ${relative(PROJECT_ROOT, OUT_DIR)}/`,
  );
  progress(
    `largest parts: ${bundle.largestInputs
      .slice(0, 5)
      .map(({ name, bytes }) => `${name} ${kib(bytes)}`)
      .join(', ')}`,
  );
  if (bundle.gzipBytes > GZIP_BUDGET_BYTES) {
    process.stderr.write(
      `[visit-tracker] the Worker is over its budget by ${kib(bundle.gzipBytes - GZIP_BUDGET_BYTES)} gzip. ` +
        'Find what grew in the list above; a dependency the Worker never uses can be replaced through "alias" in deploy/wrangler.jsonc (see src/runtime/shims/).\n',
    );
    process.exit(1);
  }
  const startupDir = join(OUT_DIR, 'startup');
  await mkdir(startupDir);
  const startup = await profileStartup(startupDir);
  progress(
    `startup: ${startup.activeMs.toFixed(0)} ms CPU in a local workerd (profile: ${relative(PROJECT_ROOT, startup.profile)})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[visit-tracker] build:edge failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
