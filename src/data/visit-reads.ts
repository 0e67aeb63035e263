import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { visits } from '../../db/schema';
import type { Visit, VisitFilter } from '../domain/visit';
import type { DatabaseHandle } from './database';
import { type BuiltStatement, builtStatement, runStatement, statementCache } from './statements';

export interface VisitReads {
  /** Newest first, by (visited_at, id): served from the matching index, never a sort of the table. */
  listVisits(filter: VisitFilter, limit: number): Promise<Visit[]>;
}

const placeholder = sql.placeholder;

type ListValue = 'serverId' | 'since' | 'until' | 'beforeAt' | 'beforeId' | 'limit';

/**
 * The visit list, the hottest read (/api/visits and the dashboard's latest visits): built once
 * per combination of filters and run on the driver, its rows mapped here (src/data/statements.ts).
 */
export function createVisitReads({ db, driver }: DatabaseHandle): VisitReads {
  const statements = statementCache();

  const build = (filter: VisitFilter): BuiltStatement<ListValue> => {
    const conditions: SQL[] = [];
    if (filter.serverId !== undefined) conditions.push(eq(visits.serverId, placeholder('serverId')));
    if (filter.since !== undefined) conditions.push(gte(visits.visitedAt, placeholder('since')));
    if (filter.until !== undefined) conditions.push(lt(visits.visitedAt, placeholder('until')));
    if (filter.before !== undefined) {
      // (visited_at, id) < (t, i), written so both MySQL and MariaDB use a range on the index.
      conditions.push(lte(visits.visitedAt, placeholder('beforeAt')));
      conditions.push(or(lt(visits.visitedAt, placeholder('beforeAt')), lt(visits.id, placeholder('beforeId'))) as SQL);
    }
    // The columns in the order toVisit reads them.
    return builtStatement<ListValue>(
      db
        .select({
          id: visits.id,
          ipAddress: visits.ipAddress,
          userAgent: visits.userAgent,
          serverId: visits.serverId,
          visitedAt: visits.visitedAt,
          isBot: visits.isBot,
        })
        .from(visits)
        .where(and(...conditions))
        .orderBy(desc(visits.visitedAt), desc(visits.id))
        .limit(placeholder('limit'))
        .toSQL(),
    );
  };

  return {
    async listVisits(filter, limit) {
      const shape = [filter.serverId, filter.since, filter.until, filter.before]
        .map((part) => (part === undefined ? '-' : '+'))
        .join('');
      const rows = await runStatement(
        driver,
        statements(shape, () => build(filter)),
        {
          serverId: filter.serverId,
          since: filter.since,
          until: filter.until,
          beforeAt: filter.before?.visitedAt,
          beforeId: filter.before?.id,
          limit,
        },
      );
      return rows.map(toVisit);
    },
  };
}

/**
 * A row as mysql2 gives it on these connections (UTC, big numbers as strings only when unsafe):
 * DATETIME as a Date, BIGINT as a number, BOOLEAN (TINYINT(1)) as 0 or 1.
 */
function toVisit(row: unknown[]): Visit {
  return {
    id: Number(row[0]),
    ipAddress: String(row[1]),
    userAgent: String(row[2]),
    serverId: String(row[3]),
    visitedAt: row[4] as Date,
    isBot: row[5] === 1 || row[5] === true,
  };
}
