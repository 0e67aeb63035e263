import { ConfigError, type Environment } from './variables';

/**
 * The secrets a deployment may hand over as files instead of variables: `DB_PASSWORD_FILE=/run/secrets/db_password`
 * (Compose and Kubernetes secrets), so that the value is not in the container's environment,
 * where `docker inspect` shows it to anyone who may run it.
 */
export const SECRET_VARIABLES = ['DB_PASSWORD', 'ADMIN_TOKEN', 'IP_HASH_KEY'] as const;

/** The `…_FILE` names the Node programs read. */
export const SECRET_FILE_VARIABLES: readonly string[] = SECRET_VARIABLES.map((name) => `${name}_FILE`);

/**
 * `env` with each NAME_FILE that is set read into NAME (its content, less a trailing newline).
 * Setting both is refused, as is a file that cannot be read; either names the variable. Node
 * passes its file reader; the Worker has secrets of its own and never calls this.
 */
export function withSecretFiles(env: Environment, readFile: (path: string) => string): Environment {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}_FILE: ${name} is set too; set one of them, not both`);
      continue;
    }
    try {
      resolved[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(`${name}_FILE: cannot read ${path} (${reason}); mount the secret there or unset ${name}_FILE`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
