/**
 * What the Worker receives from workerd, typed by hand: only the few fields this Worker reads,
 * so the project needs no global Workers type declarations (they would clash with Node's and
 * the DOM's in the shared tsconfig).
 */

/** The Hyperdrive binding: credentials for Hyperdrive's pooler, never the origin's. */
export interface HyperdriveBinding {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** deploy/wrangler.jsonc declares these: the binding, and plain string variables (see .env.example). */
export interface WorkerEnv {
  readonly HYPERDRIVE: HyperdriveBinding;
  readonly [variable: string]: unknown;
}

/** The part of Cloudflare's request.cf object this Worker reads. */
interface CloudflareRequestProperties {
  /** IATA code of the data centre that received the request, e.g. "FRA". */
  readonly colo?: string;
}

export function coloOf(request: Request): string | undefined {
  const cf = (request as Request & { cf?: CloudflareRequestProperties }).cf;
  return cf?.colo;
}

/** Only the string variables: the service's settings are read by the same names as on Node (src/config/service.ts). */
export function stringVariables(env: WorkerEnv): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') variables[name] = value;
  }
  return variables;
}
