import { PROJECT_ROOT } from '../../../db/paths';
import { type Stack, StackError, startStack } from './stack';

/**
 * `npm run stack [-- --replicas N] [-- --port P]`: the three-tier topology of compose.yml as
 * local processes. Ctrl-C or SIGTERM stops every tier, proxy first.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);

function option(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) {
    say(`--${name} needs a whole number, e.g. npm run stack -- --${name} 3`);
    process.exit(2);
  }
  return value;
}

let stack: Stack | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping proxy, replicas and database`);
  await stack?.stop();
  say('stack stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  stack = await startStack({
    root: PROJECT_ROOT,
    env: process.env,
    ...(option('replicas') !== undefined ? { replicas: option('replicas') } : {}),
    ...(option('port') !== undefined ? { proxyPort: option('port') } : {}),
  });
  say(`\nOpen ${stack.url} — Ctrl-C stops the stack.`);
  // A replica that dies is reported; nginx keeps routing to the others.
  for (const replica of stack.replicas) {
    void replica.process.exited.then(({ code, signal }) => {
      if (!stopping) say(`${replica.name} exited (${signal ?? `code ${code}`}); nginx routes to the remaining replicas`);
    });
  }
} catch (error) {
  say(
    error instanceof StackError
      ? error.message
      : `the stack could not start: ${error instanceof Error ? error.stack : String(error)}`,
  );
  process.exit(1);
}
