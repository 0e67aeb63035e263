import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { pathExists } from '../host';

/**
 * What the local stack takes from compose.yml, so the two topologies cannot drift:
 * how many app replicas run, the proxy's published port, and the app's environment.
 */
export interface ComposeModel {
  replicas: number;
  proxyPort: number;
  /**
   * The app service's environment, interpolated. Variables with no value are left out. A secret
   * file (`NAME_FILE: /run/secrets/x`) becomes NAME when the environment sets it, and otherwise
   * NAME_FILE with the host's path of the file Compose would mount.
   */
  appEnvironment: Record<string, string>;
  /**
   * The app's variables that compose.yml requires (`${NAME:?message}`, or a secret file that is
   * not there) and that are unset: name → what to do.
   */
  appMissing: Record<string, string>;
}

interface ComposeFile {
  services?: Record<string, { deploy?: { replicas?: unknown }; ports?: unknown[]; environment?: unknown }>;
  /** File secrets, mounted at /run/secrets/<name>: `db_password: { file: ./secrets/db_password }`. */
  secrets?: Record<string, { file?: string } | null>;
}

const SECRET_PATH = /^\/run\/secrets\/([\w.-]+)$/;

export async function loadComposeModel(path: string, env: Readonly<Record<string, string | undefined>>): Promise<ComposeModel> {
  const compose = parse(await readFile(path, 'utf8')) as ComposeFile;
  const app = compose.services?.app;
  const proxy = compose.services?.proxy;
  if (app === undefined || proxy === undefined) throw new Error(`${path}: expected services "app" and "proxy"`);

  const replicas = Number(interpolate(String(app.deploy?.replicas ?? '1'), env));
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`${path}: app.deploy.replicas must be a whole number ≥ 1`);

  const published = (proxy.ports ?? []).map((port) => interpolate(String(port), env)).find((port) => /:8080$/.test(port));
  const proxyPort = Number(published?.split(':').at(-2));
  if (!Number.isInteger(proxyPort)) throw new Error(`${path}: proxy must publish container port 8080`);

  const appEnvironment: Record<string, string> = {};
  const appMissing: Record<string, string> = {};
  for (const [name, raw] of environmentEntries(app.environment)) {
    const secret = name.endsWith('_FILE') ? SECRET_PATH.exec(raw)?.[1] : undefined;
    const secretFile = secret === undefined ? undefined : compose.secrets?.[secret]?.file;
    if (secretFile !== undefined) {
      const variable = name.slice(0, -'_FILE'.length);
      const hostPath = resolve(dirname(path), interpolate(secretFile, env));
      if (env[variable] !== undefined && env[variable] !== '') appEnvironment[variable] = env[variable];
      else if (await pathExists(hostPath)) appEnvironment[name] = hostPath;
      else {
        const shown = relative(dirname(path), hostPath);
        appMissing[variable] = `${variable}: set ${variable} in .env, or write ${shown} (sh deploy/make-secrets.sh writes it)`;
      }
      continue;
    }
    try {
      const value = interpolate(raw, env);
      if (value !== '') appEnvironment[name] = value;
    } catch (error) {
      appMissing[name] = error instanceof Error ? error.message : String(error);
    }
  }
  return { replicas, proxyPort, appEnvironment, appMissing };
}

function environmentEntries(environment: unknown): [string, string][] {
  if (Array.isArray(environment)) {
    return environment.map((entry) => {
      const [name, ...rest] = String(entry).split('=');
      return [name ?? '', rest.join('=')];
    });
  }
  if (environment !== null && typeof environment === 'object') {
    return Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]);
  }
  return [];
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose-style ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text
    .replaceAll('$$', '\u0000')
    .replace(
      VARIABLE,
      (
        _match,
        braced: string | undefined,
        operator: string | undefined,
        argument: string | undefined,
        bare: string | undefined,
      ) => {
        const name = braced ?? bare ?? '';
        const value = env[name];
        const unset = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
        if (operator?.endsWith('-')) return unset ? (argument ?? '') : (value ?? '');
        if (operator?.endsWith('?') && unset) throw new Error(`${name}: ${argument || 'required'}`);
        return value ?? '';
      },
    )
    .replaceAll('\u0000', '$');
}
