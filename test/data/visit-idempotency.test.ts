import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { getJson, startTestServer, type TestServer } from '../support/server';

let database: TestDatabase;
let replicaA: TestServer;
let replicaB: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  replicaA = await startTestServer(database, { env: { SERVER_ID: 'replica-a' } });
  replicaB = await startTestServer(database, { env: { SERVER_ID: 'replica-b' } });
});

afterAll(async () => {
  await replicaA?.stop();
  await replicaB?.stop();
  await database?.drop();
});

const total = async () => (await getJson<{ total: number }>(`${replicaA.url}/api/stats`)).body.total;

describe('a replayed home-page request', () => {
  it('is recorded once, however many replicas it reaches, and still gets the page', async () => {
    const before = await total();
    const headers = { 'x-request-id': 'proxy-request-0001' };
    // A proxy retrying on another replica after a connection error sends the same id.
    const responses = await Promise.all([
      fetch(`${replicaA.url}/`, { headers }),
      fetch(`${replicaB.url}/`, { headers }),
      fetch(`${replicaA.url}/`, { headers }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('proxy-request-0001');
      expect(await response.text()).toContain('id="total"');
    }
    expect((await total()) - before).toBe(1);
    const rows = await database.query<{ n: number }>("SELECT COUNT(*) AS n FROM visits WHERE request_id = 'proxy-request-0001'");
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('records requests with different ids separately', async () => {
    const before = await total();
    for (const id of ['proxy-request-0002', 'proxy-request-0003']) {
      expect((await fetch(`${replicaB.url}/`, { headers: { 'x-request-id': id } })).status).toBe(200);
    }
    expect((await total()) - before).toBe(2);
  });
});
