import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { visits } from '../../db/schema';
import type { Visit, VisitFilter } from '../domain/visit';
import type { Database } from './database';
import { preparedQueries } from './prepared';

export interface VisitReads {
  /** Newest first, by (visited_at, id): served from the matching index, never a sort of the table. */
  listVisits(filter: VisitFilter, limit: number): Promise<Visit[]>;
}

const placeholder = sql.placeholder;

export function createVisitReads(db: Database): VisitReads {
  const prepared = preparedQueries();
  return {
    listVisits(filter, limit) {
      // One prepared query per combination of filters given.
      const shape = [filter.serverId, filter.since, filter.until, filter.before]
        .map((part) => (part === undefined ? '-' : '+'))
        .join('');
      const query = prepared(`listVisits ${shape}`, () => {
        const conditions: SQL[] = [];
        if (filter.serverId !== undefined) conditions.push(eq(visits.serverId, placeholder('serverId')));
        if (filter.since !== undefined) conditions.push(gte(visits.visitedAt, placeholder('since')));
        if (filter.until !== undefined) conditions.push(lt(visits.visitedAt, placeholder('until')));
        if (filter.before !== undefined) {
          // (visited_at, id) < (t, i), written so both MySQL and MariaDB use a range on the index.
          conditions.push(lte(visits.visitedAt, placeholder('beforeAt')));
          conditions.push(or(lt(visits.visitedAt, placeholder('beforeAt')), lt(visits.id, placeholder('beforeId'))) as SQL);
        }
        return db
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
          .prepare();
      });
      return query.execute({
        serverId: filter.serverId,
        since: filter.since,
        until: filter.until,
        beforeAt: filter.before?.visitedAt,
        beforeId: filter.before?.id,
        limit,
      });
    },
  };
}
