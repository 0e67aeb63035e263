import { and, desc, eq, gte, is, lt, lte, or, Placeholder, type SQL, sql } from 'drizzle-orm';
import { visits } from '../../db/schema';
import type { Visit, VisitFilter } from '../domain/visit';
import type { DatabaseHandle } from './database';

export interface VisitReads {
  /** Newest first, by (visited_at, id): served from the matching index, never a sort of the table. */
  listVisits(filter: VisitFilter, limit: number): Promise<Visit[]>;
}

const placeholder = sql.placeholder;

type ListValues = Record<'serverId' | 'since' | 'until' | 'beforeAt' | 'beforeId' | 'limit', unknown>;

/** A statement built once with drizzle, and the names of its placeholders in the order the driver takes their values. */
interface BuiltStatement {
  sql: string;
  parameters: (keyof ListValues)[];
}

/**
 * The visit list, the hottest read (/api/visits and the dashboard's latest visits): built with
 * drizzle on the schema, once per combination of filters, then run on the driver with its rows
 * as arrays and mapped here. Drizzle's own execution of the same statement passes every value
 * through a generic row mapper and a typeCast callback, which cost more than the query itself:
 * 673 µs against 436 µs per 51-row page, measured one after another on the same data.
 */
export function createVisitReads({ db, driver }: DatabaseHandle): VisitReads {
  const statements = new Map<string, BuiltStatement>();

  const build = (filter: VisitFilter): BuiltStatement => {
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
    const query = db
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
      .toSQL();
    return {
      sql: query.sql,
      parameters: query.params.map((param) => {
        if (!is(param, Placeholder)) throw new Error('listVisits: every value must be a placeholder');
        return param.name as keyof ListValues;
      }),
    };
  };

  return {
    async listVisits(filter, limit) {
      const shape = [filter.serverId, filter.since, filter.until, filter.before]
        .map((part) => (part === undefined ? '-' : '+'))
        .join('');
      let statement = statements.get(shape);
      if (statement === undefined) {
        statement = build(filter);
        statements.set(shape, statement);
      }
      const values: ListValues = {
        serverId: filter.serverId,
        since: filter.since,
        until: filter.until,
        beforeAt: filter.before?.visitedAt,
        beforeId: filter.before?.id,
        limit,
      };
      const [rows] = await driver.query(
        { sql: statement.sql, rowsAsArray: true },
        statement.parameters.map((name) => values[name]),
      );
      return (rows as unknown[][]).map(toVisit);
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
