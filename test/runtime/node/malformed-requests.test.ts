import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startTestServer, type TestServer } from '../../support/server';

/** Writes raw bytes to the server and reads everything it answers until it closes the connection. */
function exchange(server: TestServer, request: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body });
    });
  });
}

describe('requests Node cannot parse', () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('answers a URL over 16 KB with 431 and a JSON error that says what to change', async () => {
    const answer = await exchange(server, `GET /api/visits?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/^Content-Type: application\/json/im);
    expect(JSON.parse(answer.body)).toEqual({ error: 'headers_too_large', message: expect.stringContaining('shorter URL') });
  });

  it('answers bytes that are not HTTP with 400 and a JSON error, and keeps serving', async () => {
    const answer = await exchange(server, 'HELLO THERE\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: 'malformed_request', message: expect.stringContaining('HTTP/1.1') });
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
  });
});
