import { Agent, request } from 'node:http';
import { startStack } from '../../src/dev/stack/stack';

/**
 * One abusive client beside 31 polite ones, through nginx with RATE_LIMIT on (120/min per
 * address): the abusive one as fast as 8 connections go, each polite one a page view a second.
 * Each client has an address of its own on the loopback network (127.0.0.1 … 127.0.0.32), so
 * nginx and the replicas tell them apart as they would tell people apart.
 */

export interface AbuseResult {
  seconds: number;
  limitPerMinute: number;
  abusive: { sent: number; admitted: number; limited: number; other: number };
  polite: { clients: number; sent: number; admitted: number; limited: number; other: number; p50Ms: number };
}

const LIMIT_PER_MINUTE = 120;
const POLITE_CLIENTS = 31;

export async function benchAbuse(options: {
  root: string;
  dataDir: string;
  seconds: number;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
}): Promise<AbuseResult> {
  const stack = await startStack({
    root: options.root,
    env: { ...options.env, RATE_LIMIT: `${LIMIT_PER_MINUTE}/min` },
    dataDir: options.dataDir,
    proxyPort: 0,
    write: (line) => {
      if (/error|fail/i.test(line)) options.say(line);
    },
  });
  try {
    const url = new URL('/', stack.url);
    const deadline = Date.now() + options.seconds * 1000;
    const get = (agent: Agent) =>
      new Promise<{ status: number; ms: number }>((resolve) => {
        const started = performance.now();
        request(url, { agent, headers: { 'user-agent': 'bench-abuse/1' } }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
        })
          .on('error', () => resolve({ status: 0, ms: performance.now() - started }))
          .end();
      });
    const tally = () => ({ sent: 0, admitted: 0, limited: 0, other: 0 });
    const count = (into: ReturnType<typeof tally>, status: number) => {
      into.sent += 1;
      if (status === 200) into.admitted += 1;
      else if (status === 429) into.limited += 1;
      else into.other += 1;
    };
    const abusive = tally();
    const abusiveAgent = new Agent({ keepAlive: true, maxSockets: 8, localAddress: '127.0.0.1' });
    const abuse = Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) count(abusive, (await get(abusiveAgent)).status);
    });
    const polite = tally();
    const latencies: number[] = [];
    const politeLoops = Array.from({ length: POLITE_CLIENTS }, async (_, index) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.0.${index + 2}` });
      for (let second = 0; Date.now() < deadline; second++) {
        const answer = await get(agent);
        count(polite, answer.status);
        latencies.push(answer.ms);
        // A page view a second, on the second: well under the limit.
        const wait = second * 1000 + 1000 - (Date.now() - (deadline - options.seconds * 1000));
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      agent.destroy();
    });
    await Promise.all([...abuse, ...politeLoops]);
    abusiveAgent.destroy();
    latencies.sort((a, b) => a - b);
    return {
      seconds: options.seconds,
      limitPerMinute: LIMIT_PER_MINUTE,
      abusive,
      polite: { clients: POLITE_CLIENTS, ...polite, p50Ms: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0) },
    };
  } finally {
    await stack.stop();
  }
}
