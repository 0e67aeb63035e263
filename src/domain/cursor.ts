import type { VisitPosition } from './visit';

/**
 * Page cursors are opaque to clients: base64url of the last row's (visited_at, id).
 * Plain btoa/atob keep this identical on Node and in workerd.
 */
export function encodeCursor(position: VisitPosition): string {
  return btoa(JSON.stringify([position.visitedAt.toISOString(), position.id]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** The position a cursor names, or undefined when it is not one this service issued. */
export function decodeCursor(cursor: string): VisitPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const decoded: unknown = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
    const [timestamp, id] = decoded as [unknown, unknown];
    if (typeof timestamp !== 'string' || typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return undefined;
    const visitedAt = new Date(timestamp);
    if (Number.isNaN(visitedAt.getTime()) || visitedAt.toISOString() !== timestamp) return undefined;
    return { visitedAt, id };
  } catch {
    return undefined;
  }
}
