import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Keeps the last `maxBytes` a program printed (its error is at the end), however much it prints. */
export function collectTail(stream: Readable | null, maxBytes = 16_384): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-maxBytes);
  });
  return () => tail;
}

export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves once the program has exited and its output is closed; rejects if it could not start or was aborted. */
export function waitForExit(child: ChildProcess): Promise<ProgramExit> {
  const exited = new Promise<ProgramExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // Awaited later, after the streams: an early rejection must not count as unhandled meanwhile.
  exited.catch(() => undefined);
  return exited;
}
