/**
 * The container's health probe, for images without curl or wget: `node dist/healthcheck.mjs
 * [path]` exits 0 when this container's server answers the path (default /health/live) with
 * a 2xx within the deadline, 1 otherwise. It reads PORT as the service does, and nothing else,
 * so a probe never fails on configuration the server itself does not need.
 */
const DEADLINE_MS = 2_500;

async function probe(path: string, port: string): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(DEADLINE_MS) });
    if (!response.ok) process.stderr.write(`healthcheck: ${path} answered ${response.status}\n`);
    return response.ok;
  } catch (error) {
    process.stderr.write(`healthcheck: ${path} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}

void probe(process.argv[2] ?? '/health/live', process.env.PORT || '3000').then((healthy) => process.exit(healthy ? 0 : 1));
