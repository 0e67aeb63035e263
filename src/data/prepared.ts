/**
 * Query builders prepared once per database handle and reused with new values: building SQL
 * through drizzle costs more CPU than a cached statement, and these run on every request.
 * Drizzle's mysql2 "prepared" queries are plain text queries with client-side placeholders, so
 * they are safe behind Hyperdrive (no protocol-level PREPARE). A prepared query belongs to the
 * handle it was built on: each reader keeps its own cache, made with the handle.
 */
export type PreparedQueries = <TQuery>(key: string, build: () => TQuery) => TQuery;

export function preparedQueries(): PreparedQueries {
  const cache = new Map<string, unknown>();
  return <TQuery>(key: string, build: () => TQuery): TQuery => {
    let query = cache.get(key) as TQuery | undefined;
    if (query === undefined) {
      query = build();
      cache.set(key, query);
    }
    return query;
  };
}
