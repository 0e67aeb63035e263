import { type Config, ConfigError, parseConfig } from '../../src/config';

/** parseConfig with a fixed runtime default for SERVER_ID. */
export function parse(env: Record<string, string | undefined>): Config {
  return parseConfig(env, { serverId: 'host-a' });
}

/** The ConfigError parsing throws; fails the test when it does not throw one. */
export function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parse(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}
