import { readFileSync } from 'node:fs';
import { withSecretFiles } from '../config/secret-files';
import type { Environment } from '../config/variables';

/**
 * This process's environment (with `overrides` on top: the local stack's replicas' variables),
 * with DB_PASSWORD_FILE and the other secret files read in (src/config/secret-files.ts).
 */
export function processEnvironment(overrides: Environment = {}): Environment {
  return withSecretFiles({ ...process.env, ...overrides }, (path) => readFileSync(path, 'utf8'));
}
