import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../db/paths';
import { waitFor } from './server';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * The Node arguments of `npm start` as package.json gives them, made to work from any working
 * directory: the loader by its resolved URL, the entry point by its absolute path. So these
 * tests run exactly what `npm start` runs, minus npm.
 */
export function npmStartArguments(): string[] {
  const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const [command, ...args] = (scripts.start ?? '').split(/\s+/);
  if (command !== 'node') throw new Error(`expected npm start to run node, not: ${scripts.start}`);
  return args.map((arg, index) => {
    if (args[index - 1] === '--import') return import.meta.resolve(arg);
    return arg.endsWith('.ts') ? join(PROJECT_ROOT, arg) : arg;
  });
}

/** Runs the real entry point (`npm start` minus npm) as a child process on a free port. */
export async function startServiceProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  options: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, npmStartArguments(), {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  await waitFor('the service to print its address', () => ended || /serving http:\/\/[\d.]+:\d+/.test(output), timeoutMs);
  const url = /serving (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`the service did not start:\n${output}`);
  return { child, url, output: () => output, exited };
}
