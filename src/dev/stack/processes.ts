import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process of the local stack, its output prefixed with its service name. */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching the pattern; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM (or the given signal), then SIGKILL if it has not exited within the deadline. */
  stop(signal?: NodeJS.Signals, deadlineMs?: number): Promise<void>;
}

const COLORS = [36, 33, 35, 32, 34, 31];
let nextColor = 0;

export function prefixer(name: string, write: (line: string) => void, width = 8): (line: string) => void {
  const color = COLORS[nextColor++ % COLORS.length];
  const label = name.padEnd(width);
  const prefix = process.stdout.isTTY ? `\u001b[${color}m${label} |\u001b[0m ` : `${label} | `;
  return (line) => write(`${prefix}${line}`);
}

export function spawnService(
  name: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; write: (line: string) => void },
): ServiceProcess {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const print = prefixer(name, options.write);
  const watchers = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => {
      print(line);
      for (const watcher of watchers) watcher(line);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      print(`could not start ${command}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  return {
    name,
    child,
    exited,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
        const watcher = (line: string) => {
          const match = pattern.exec(line);
          if (match !== null) done(undefined, match);
        };
        const done = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          watchers.delete(watcher);
          if (match !== undefined) resolve(match);
          else reject(error);
        };
        watchers.add(watcher);
        void exited.then(({ code, signal }) =>
          done(new Error(`${name} exited (${signal ?? `code ${code}`}) before printing ${pattern}`)),
        );
      });
    },
    async stop(signal = 'SIGTERM', deadlineMs = 15_000) {
      if (hasExited) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
