import {
  databaseLocation,
  httpSettings,
  poolSettings,
  replicaSettings,
  sharedCacheSettings,
  startupSettings,
} from '../../config/node';
import { SECRET_FILE_VARIABLES } from '../../config/secret-files';
import { serviceSections } from '../../config/service';
import { type Environment, parseSettings, variablesOf } from '../../config/variables';

/** The configuration the Node service reads: the service's own (as on the Worker) and Node's. */
export function nodeSections(defaultServerId: string) {
  return {
    ...serviceSections(defaultServerId),
    database: databaseLocation,
    pool: poolSettings,
    replicas: replicaSettings,
    http: httpSettings,
    startup: startupSettings,
    sharedCache: sharedCacheSettings,
  };
}

export type NodeSettings = ReturnType<typeof parseNodeSettings>;

/** `defaultServerId`: this instance's name when SERVER_ID is unset (the host name). */
export function parseNodeSettings(env: Environment, defaultServerId: string) {
  return parseSettings(env, nodeSections(defaultServerId));
}

/** Every variable the Node service reads (the secrets' …_FILE forms too): compose.yml's app environment may pass only these. */
export const NODE_SERVICE_VARIABLES: readonly string[] = [...variablesOf(nodeSections('')), ...SECRET_FILE_VARIABLES];
