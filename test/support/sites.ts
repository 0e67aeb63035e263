import { addSite } from '../../src/data/sites';
import type { Site } from '../../src/domain/site';
import type { TestDatabase } from './database';

/** Registers a site as `npm run site -- add` does (the same statement), private unless asked. */
export async function registerSite(
  database: TestDatabase,
  domain: string,
  options: { isPublic?: boolean; timeZone?: string } = {},
): Promise<Site> {
  const outcome = await addSite(
    database.db,
    { domain, name: domain, isPublic: options.isPublic ?? false, timeZone: options.timeZone ?? 'UTC' },
    new Date(),
  );
  return outcome.site;
}
