import { ConfigError } from '../../config/variables';
import { DatabaseServerNotFoundError } from '../../dev/local-database';
import { BackupCommandError } from '../backup/inspection';
import { ClientProgramNotFoundError } from '../programs';

/** Ctrl-C or SIGTERM aborts the running dump or restore, which then cleans up after itself. */
export function stopOnSignals(): AbortController {
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort());
  return abort;
}

/** Expected failures print their own explanation; anything else its stack, and what to do. */
export function reportBackupCommandFailure(command: string, error: unknown, signal: AbortSignal, aftermath: string): void {
  const write = (message: string) => process.stderr.write(`[${command}] ${message}\n`);
  if (signal.aborted) {
    write(`interrupted. ${aftermath} Run npm run ${command} again when you are ready.`.replace(/\s+/g, ' '));
  } else if (
    error instanceof BackupCommandError ||
    error instanceof ConfigError ||
    error instanceof ClientProgramNotFoundError ||
    error instanceof DatabaseServerNotFoundError
  ) {
    write(error.message);
  } else {
    write(error instanceof Error ? (error.stack ?? error.message) : String(error));
    write(`${aftermath} Fix the cause above and run npm run ${command} again.`.trim());
  }
}
