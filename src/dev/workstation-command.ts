import { spawn } from 'node:child_process';
import { databaseLocation } from '../config/node';
import { localDataSettings } from '../config/tools';
import { ConfigError, parseSettings } from '../config/variables';
import { processEnvironment } from '../ops/environment';
import { DatabaseServerNotFoundError } from './local-database';
import { configuredOrPrivateDatabase, type ResolvedDatabase } from './private-database';

/**
 * The frame of a workstation command that works on "the configured database, else the private
 * one" (npm run dev, db:studio, dev:edge): resolve it, run, stop the private server if this
 * command started it, exit with the command's status. Expected failures (a bad variable, no
 * database server installed) print their own explanation; anything else its stack.
 */
export function runAgainstDatabase(label: string, run: (database: ResolvedDatabase) => Promise<number>): void {
  const say = (message: string) => process.stdout.write(`[${label}] ${message}\n`);
  const main = async (): Promise<number> => {
    const settings = parseSettings(processEnvironment(), { database: databaseLocation, local: localDataSettings });
    const database = await configuredOrPrivateDatabase({
      configured: settings.database,
      dataDir: settings.local.dataDir,
      log: say,
    });
    try {
      return await run(database);
    } finally {
      // A no-op when the private server was already running for another command: it keeps serving that.
      await database.stop();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof DatabaseServerNotFoundError) {
        process.stderr.write(`[${label}] ${error.message}\n`);
      } else {
        process.stderr.write(`[${label}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exit(1);
    },
  );
}

/**
 * Runs a program in the foreground: it shares this terminal, Ctrl-C and SIGTERM reach it, and
 * this resolves with its exit status (0 when it was asked to stop and did).
 */
export function runInForeground(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<number> {
  const child = spawn(command, args, { ...options, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}
