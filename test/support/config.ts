import { ConfigError } from '../../src/config/variables';
import { type NodeSettings, parseNodeSettings } from '../../src/runtime/node/settings';

/** The Node service's settings, with a fixed runtime default for SERVER_ID. */
export function parse(env: Record<string, string | undefined>): NodeSettings {
  return parseNodeSettings(env, 'host-a');
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
