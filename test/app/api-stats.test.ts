import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../src/domain/time';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { getJson, startTestServer, type TestServer } from '../support/server';

interface Stats {
  total: number;
  server_stats: { server_id: string; requests: number }[];
  hourly_stats: { hour: string; start: string; requests: number }[];
  unique_visitors: number;
  include_bots: boolean;
  bots: { total: number; day: number };
  date: string;
  timezone: string;
  current_server: string;
}

const NEW_YORK = 'America/New_York';
const HOUR_MS = 3_600_000;

/**
 * An IANA zone where it is about noon now. The replicas under test use it as APP_TIMEZONE, so
 * the visits a test records "today" at the real time never straddle a local midnight.
 */
function zoneAtMidday(at: Date): string {
  const offsetHours = 12 - at.getUTCHours();
  // Etc/GMT names use the POSIX sign: Etc/GMT-3 is three hours ahead of UTC.
  return offsetHours === 0 ? 'Etc/UTC' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
}

async function visit(server: TestServer, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${server.url}/`, { headers });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

describe.each(RUNTIMES)('on %s', (runtime) => {
  let database: TestDatabase;
  let now = new Date('2026-11-01T05:20:00Z'); // 01:20 EDT in New York, just before clocks go back
  const clock = () => now;
  // Node replicas whose clock the test sets, to record visits at chosen instants (a DST day).
  let recorderA: TestServer;
  let recorderB: TestServer;
  // The replicas under test, on the real clock: workerd's cannot be set.
  let replicaA: RuntimeServer;
  let replicaB: RuntimeServer;
  const timeZone = zoneAtMidday(new Date());

  beforeAll(async () => {
    database = await createTestDatabase();
    const recorderEnv = { APP_TIMEZONE: NEW_YORK, TRUST_PROXY: 'loopback' };
    recorderA = await startTestServer(database, { env: { ...recorderEnv, SERVER_ID: 'replica-a' }, clock });
    recorderB = await startTestServer(database, { env: { ...recorderEnv, SERVER_ID: 'replica-b' }, clock });
    const env = { APP_TIMEZONE: timeZone, TRUST_PROXY: 'loopback' };
    replicaA = await startRuntime(runtime, database, { env: { ...env, SERVER_ID: 'replica-a' } });
    replicaB = await startRuntime(runtime, database, { env: { ...env, SERVER_ID: 'replica-b' } });
  });

  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await recorderA?.stop();
    await recorderB?.stop();
    await database?.drop();
  });

  describe('GET /api/stats', () => {
    it('reports totals, servers, local hours and unique visitors for a DST day', async () => {
      const client = (ip: string) => ({ 'x-forwarded-for': ip });
      await visit(recorderA, client('198.51.100.1')); // 01:20 EDT
      await visit(recorderA, client('198.51.100.1'));
      now = new Date('2026-11-01T06:20:00Z'); // 01:20 EST: the same wall-clock hour, an hour later
      await visit(recorderB, client('198.51.100.2'));
      now = new Date('2026-11-01T23:59:59.999Z'); // 18:59 EST
      await visit(recorderB, client('198.51.100.1'));

      const { status, body } = await getJson<Stats>(`${replicaA.url}/api/stats?date=2026-11-01&tz=${NEW_YORK}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        total: 4,
        unique_visitors: 2,
        date: '2026-11-01',
        timezone: NEW_YORK,
        current_server: 'replica-a',
        // fetch says "node": a script, so a bot. Counted by default, left out with include_bots=false.
        include_bots: true,
        bots: { total: 4, day: 4 },
      });
      const humans = await getJson<Stats>(`${replicaA.url}/api/stats?date=2026-11-01&tz=${NEW_YORK}&include_bots=false`);
      expect(humans.body).toMatchObject({ total: 0, unique_visitors: 0, include_bots: false, bots: { total: 4, day: 4 } });
      expect(humans.body.hourly_stats.every((hour) => hour.requests === 0)).toBe(true);
      expect(body.server_stats).toEqual([
        { server_id: 'replica-a', requests: 2 },
        { server_id: 'replica-b', requests: 2 },
      ]);
      // 25 hours on the day clocks go back; 01:00 appears twice, told apart by its UTC start.
      expect(body.hourly_stats).toHaveLength(25);
      const ones = body.hourly_stats.filter((hour) => hour.hour === '01:00');
      expect(ones).toEqual([
        { hour: '01:00', start: '2026-11-01T05:00:00.000Z', requests: 2 },
        { hour: '01:00', start: '2026-11-01T06:00:00.000Z', requests: 1 },
      ]);
      expect(body.hourly_stats.find((hour) => hour.hour === '18:00')?.requests).toBe(1);
      expect(body.hourly_stats.reduce((sum, hour) => sum + hour.requests, 0)).toBe(4);

      // Without parameters: today, by the app's clock, in APP_TIMEZONE (the recorder's clock says 2026-11-01).
      const byDefault = await getJson<Stats>(`${recorderA.url}/api/stats`);
      expect(byDefault.body).toEqual(body);
    });

    it('defaults to today in APP_TIMEZONE', async () => {
      const before = todayIn(timeZone, new Date());
      const { status, body } = await getJson<Stats>(`${replicaB.url}/api/stats`);
      const after = todayIn(timeZone, new Date());
      expect(status).toBe(200);
      expect(body.timezone).toBe(timeZone);
      expect([before, after]).toContain(body.date);
      expect(body.current_server).toBe('replica-b');
    });

    it('answers for any date and IANA zone', async () => {
      const utc = await getJson<Stats>(`${replicaA.url}/api/stats?date=2026-11-01&tz=UTC`);
      expect(utc.body.hourly_stats).toHaveLength(24);
      expect(utc.body.hourly_stats.map((hour) => hour.requests).filter((n) => n > 0)).toEqual([2, 1, 1]);
      expect(utc.body.unique_visitors).toBe(2);

      // Kathmandu is UTC+05:45: its hours are made of whole quarter-hour buckets too.
      const kathmandu = await getJson<Stats>(`${replicaA.url}/api/stats?date=2026-11-01&tz=Asia/Kathmandu`);
      expect(kathmandu.body.hourly_stats[0]?.start).toBe('2026-10-31T18:15:00.000Z');
      expect(kathmandu.body.hourly_stats.reduce((sum, hour) => sum + hour.requests, 0)).toBe(3);

      const empty = await getJson<Stats>(`${replicaA.url}/api/stats?date=2020-01-01`);
      expect(empty.body).toMatchObject({ total: 4, unique_visitors: 0, date: '2020-01-01' });
      expect(empty.body.hourly_stats.every((hour) => hour.requests === 0)).toBe(true);
    });

    it.each([
      ['date=2026-02-30', 'date', 'YYYY-MM-DD'],
      ['date=today', 'date', 'YYYY-MM-DD'],
      ['tz=Mars/Olympus', 'tz', 'IANA'],
      ['tz=', 'tz', 'IANA'],
      ['day=2026-11-01', 'day', 'not a known parameter'],
      ['include_bots=1', 'include_bots', 'true or false'],
    ])('answers %s with 400 naming %s', async (query, field, message) => {
      const { status, body } = await getJson<{ error: string; issues: { field: string; message: string }[] }>(
        `${replicaA.url}/api/stats?${query}`,
      );
      expect(status).toBe(400);
      expect(body).toEqual({ error: 'invalid_request', issues: [{ field, message: expect.stringContaining(message) }] });
    });

    it('counts 200 concurrent visits exactly once in every figure', async () => {
      const before = (await getJson<Stats>(`${replicaA.url}/api/stats`)).body;
      const [rowsBefore] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');

      const started = Date.now();
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const replica = i % 2 === 0 ? replicaA : replicaB;
          return visit(replica, replica.clientHeaders(`203.0.113.${i % 50}`));
        }),
      );
      const finished = Date.now();

      const after = (await getJson<Stats>(`${replicaB.url}/api/stats`)).body;
      const [rowsAfter] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
      const perServer = (stats: Stats, id: string) => stats.server_stats.find((s) => s.server_id === id)?.requests ?? 0;
      const sumHours = (stats: Stats) => stats.hourly_stats.reduce((sum, hour) => sum + hour.requests, 0);
      // The local hour the visits were recorded in (two, if they happened to straddle hh:00).
      const visitHours = after.hourly_stats.filter((hour) => {
        const start = Date.parse(hour.start);
        return start <= finished && start + HOUR_MS > started;
      });

      expect(after.date).toBe(before.date);
      expect(Number(rowsAfter?.n) - Number(rowsBefore?.n)).toBe(200);
      expect(after.total - before.total).toBe(200);
      expect(perServer(after, 'replica-a') - perServer(before, 'replica-a')).toBe(100);
      expect(perServer(after, 'replica-b') - perServer(before, 'replica-b')).toBe(100);
      expect(sumHours(after) - sumHours(before)).toBe(200);
      expect(visitHours.reduce((sum, hour) => sum + hour.requests, 0)).toBe(200);
      expect(after.unique_visitors - before.unique_visitors).toBe(50);
      // Every one of them says "node", so every one is also a bot request, counted once.
      expect(after.bots.total - before.bots.total).toBe(200);
      expect(after.bots.day - before.bots.day).toBe(200);
    });
  });
});
