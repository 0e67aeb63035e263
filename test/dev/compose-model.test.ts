import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadComposeModel } from '../../src/dev/stack/compose-model';

/** What npm run stack takes from compose.yml's secrets: the replicas run outside containers, with no /run/secrets. */
const composeFile = fileURLToPath(new URL('../../compose.yml', import.meta.url));
const token = 'compose-model-admin-token-0123456789abcdef';
let secretsDir: string;

beforeAll(async () => {
  secretsDir = await mkdtemp(join(tmpdir(), 'visit-tracker-secrets-'));
});

afterAll(async () => {
  await rm(secretsDir, { recursive: true, force: true });
});

describe("the local stack's reading of compose.yml's secret files", () => {
  it('passes the variable itself when the environment sets it', async () => {
    const model = await loadComposeModel(composeFile, { ADMIN_TOKEN: token, SECRETS_DIR: secretsDir });
    expect(model.appEnvironment.ADMIN_TOKEN).toBe(token);
    expect(model.appEnvironment).not.toHaveProperty('ADMIN_TOKEN_FILE');
    expect(model.appMissing).not.toHaveProperty('ADMIN_TOKEN');
  });

  it("names what to do when neither the variable nor the file is there, and passes the host's file once it is", async () => {
    const missing = await loadComposeModel(composeFile, { SECRETS_DIR: secretsDir });
    expect(missing.appMissing.ADMIN_TOKEN).toMatch(
      /^ADMIN_TOKEN: set ADMIN_TOKEN in \.env, or write \S+admin_token \(sh deploy\/make-secrets\.sh/,
    );
    expect(missing.appEnvironment).not.toHaveProperty('ADMIN_TOKEN_FILE');

    await writeFile(join(secretsDir, 'admin_token'), token);
    const present = await loadComposeModel(composeFile, { SECRETS_DIR: secretsDir });
    expect(present.appEnvironment.ADMIN_TOKEN_FILE).toBe(join(secretsDir, 'admin_token'));
    expect(present.appMissing).not.toHaveProperty('ADMIN_TOKEN');
    // The database's password is one too; the stack replaces it with its own database's.
    expect(Object.keys(present.appMissing)).toEqual(['DB_PASSWORD']);
  });
});
