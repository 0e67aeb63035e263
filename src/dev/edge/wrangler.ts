import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../../db/paths';

/** Running the project's own wrangler against deploy/wrangler.jsonc, and measuring what it builds. */

export const WRANGLER_CONFIG = join(PROJECT_ROOT, 'deploy/wrangler.jsonc');
/** Where wrangler finds the local database for the binding HYPERDRIVE when there is no Hyperdrive (dev, tests). */
export const LOCAL_CONNECTION_STRING_VARIABLE = 'CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE';
/**
 * The Worker's variables wherever it runs locally (`npm run dev:edge`, and workerd in the tests),
 * unless set. DB_REQUEST_TIMEOUT_MS is 30 s: locally each request opens a connection of its own
 * straight to the database (no Hyperdrive pool) in one workerd, and 200 concurrent home-page
 * visits took up to 1.8 s each in the Worker on two cores, 3.4 s with two busy loops beside it,
 * and past production's 5 s on a CI machine running two test files (83 of 200 answered 503).
 */
export const LOCAL_WORKER_DEFAULTS: Readonly<Record<string, string>> = { DB_REQUEST_TIMEOUT_MS: '30000' };
/** Cloudflare's free plan allows 3 MiB; this budget keeps cold starts short and catches a dependency that balloons. */
export const GZIP_BUDGET_BYTES = 350 * 1024;

const WRANGLER_BIN = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin/wrangler.js');

/**
 * wrangler with the project's config. Without network access wrangler would wait on
 * downloading request.cf data and on sending metrics; neither is needed to build or run locally.
 */
export function runWrangler(
  args: readonly string[],
  options: { env?: Record<string, string>; stdio?: 'inherit' | 'pipe'; forwardSignals?: boolean } = {},
): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args, '--config', WRANGLER_CONFIG], {
    cwd: PROJECT_ROOT,
    env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', ...process.env, ...options.env },
    stdio: ['inherit', options.stdio ?? 'pipe', options.stdio ?? 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A long-running wrangler (dev) stops when this process is asked to, and this process waits for it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  if (options.forwardSignals) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const name of ['SIGINT', 'SIGTERM'] as const) process.off(name, forward);
      resolve({ code: code ?? (signal === null ? 1 : 128), output });
    });
  });
}

/** A command-line option a script sets by default: `--flag [value]`, left out when the user gives it (or `unless`). */
export interface DefaultOption {
  flag: string;
  value?: string;
  unless?: string;
}

/** The default options the user's own arguments do not already set, so theirs win. */
export function withoutOverridden(defaults: readonly DefaultOption[], userArgs: readonly string[]): string[] {
  const given = (flag: string) => userArgs.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  return defaults
    .filter((option) => !given(option.flag) && (option.unless === undefined || !given(option.unless)))
    .flatMap((option) => (option.value === undefined ? [option.flag] : [option.flag, option.value]));
}

export interface BundleReport {
  /** The JavaScript modules wrangler would upload. */
  files: string[];
  rawBytes: number;
  gzipBytes: number;
  /** Bytes each package contributes to the bundle, largest first. */
  largestInputs: { name: string; bytes: number }[];
}

/** `wrangler deploy --dry-run`: the exact bundle a deploy would upload, written to `outDir`. */
export async function buildWorkerBundle(outDir: string): Promise<BundleReport> {
  const build = await runWrangler(['deploy', '--dry-run', '--outdir', outDir, '--metafile']);
  if (build.code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${build.code}):\n${build.output}`);
  const files = (await readdir(outDir)).filter((name) => /\.(m?js|cjs)$/.test(name)).map((name) => join(outDir, name));
  const contents = await Promise.all(files.map((file) => readFile(file)));
  return {
    files,
    rawBytes: contents.reduce((sum, content) => sum + content.length, 0),
    gzipBytes: contents.reduce((sum, content) => sum + gzipSync(content).length, 0),
    largestInputs: await largestInputs(join(outDir, 'bundle-meta.json')),
  };
}

interface EsbuildMetafile {
  outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }>;
}

async function largestInputs(metafile: string): Promise<{ name: string; bytes: number }[]> {
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as EsbuildMetafile;
  const byPackage = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** "node_modules/mysql2/lib/x.js" → "mysql2"; project files are grouped as "(this project)". */
function packageOf(input: string): string {
  const inModules = input.split('node_modules/').at(-1) ?? input;
  if (inModules === input) return '(this project)';
  const parts = inModules.split('/');
  return (inModules.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * CPU time the Worker's global scope takes in a local workerd (`wrangler check startup`).
 * Cloudflare rejects a deploy whose startup exceeds its limit (1 s); its CPUs differ from this
 * machine's, so this is a guide, not the number Cloudflare measures.
 */
export async function profileStartup(workDir: string): Promise<{ activeMs: number; profile: string }> {
  const bundle = join(workDir, 'worker.bundle');
  const profile = join(workDir, 'startup.cpuprofile');
  const build = await runWrangler(['deploy', '--dry-run', '--outfile', bundle]);
  if (build.code !== 0) throw new Error(`wrangler deploy --dry-run --outfile failed (exit ${build.code}):\n${build.output}`);
  const check = await runWrangler(['check', 'startup', '--worker', bundle, '--outfile', profile]);
  if (check.code !== 0) throw new Error(`wrangler check startup failed (exit ${check.code}):\n${check.output}`);
  const { nodes, samples, timeDeltas } = JSON.parse(await readFile(profile, 'utf8')) as CpuProfile;
  const idle = new Set(nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  let activeMicroseconds = 0;
  samples.forEach((node, index) => {
    if (!idle.has(node)) activeMicroseconds += timeDeltas[index] ?? 0;
  });
  return { activeMs: activeMicroseconds / 1000, profile };
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
