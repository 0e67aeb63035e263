import { readFile } from 'node:fs/promises';
import { DockerfileParser } from 'dockerfile-ast';

/**
 * The command the service's image runs (the final stage's exec-form CMD in deploy/Dockerfile),
 * so that the local stack starts its replicas with the same Node flags as the containers.
 */
export async function readImageCommand(dockerfilePath: string): Promise<string[]> {
  const dockerfile = DockerfileParser.parse(await readFile(dockerfilePath, 'utf8'));
  let command: string | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    // A FROM starts a new stage: only the final stage's CMD is the image's.
    if (instruction.getKeyword() === 'FROM') command = undefined;
    if (instruction.getKeyword() === 'CMD') command = instruction.getArgumentsContent() ?? undefined;
  }
  const parsed: unknown = command?.startsWith('[') ? JSON.parse(command) : undefined;
  if (!Array.isArray(parsed) || parsed[0] !== 'node' || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${dockerfilePath}: expected the final stage to end with an exec-form CMD ["node", ...]`);
  }
  return parsed.slice(1) as string[];
}
