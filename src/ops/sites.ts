import type { Database } from '../data/database';
import { addSite, deleteSiteData, listSites, unregisterSite } from '../data/sites';
import { normalizeSiteDomain, SITE_NAME_MAX_LENGTH } from '../domain/site';
import { isTimeZone } from '../domain/time';

/** `npm run site`'s work, one subcommand at a time; src/ops/cli/site.ts parses the arguments. */

export class SiteCommandError extends Error {}

export type SiteCommand =
  | { kind: 'add'; domain: string; name?: string | undefined; isPublic: boolean; timeZone?: string | undefined }
  | { kind: 'list' }
  | { kind: 'remove'; domain: string; confirmed: boolean };

export interface SiteCommandIo {
  say(message: string): void;
  /** Asks on the terminal; undefined when nobody can answer (not a TTY). */
  ask?: ((question: string) => Promise<string>) | undefined;
}

export const SITE_USAGE = [
  'npm run site -- add <domain> [--name "Display name"] [--public] [--tz Europe/Berlin]',
  '                                                                   register a site (e.g. example.com, localhost:5173);',
  '                                                                   --tz: the days its figures are counted in (default UTC)',
  'npm run site -- list                                               the registered sites',
  'npm run site -- remove <domain> [--yes]                            remove a site and its data (asks first)',
].join('\n');

/** The canonical domain, or an error that names the argument and says what to give. */
export function parseDomainArgument(value: string | undefined): string {
  if (value === undefined) throw new SiteCommandError(`<domain>: required\n${SITE_USAGE}`);
  const check = normalizeSiteDomain(value);
  if (!check.ok) throw new SiteCommandError(`<domain> "${value}" ${check.reason}`);
  return check.domain;
}

export async function runSiteCommand(db: Database, command: SiteCommand, io: SiteCommandIo, now: Date): Promise<void> {
  switch (command.kind) {
    case 'add': {
      const name = (command.name ?? command.domain).trim();
      if (name === '' || name.length > SITE_NAME_MAX_LENGTH) {
        throw new SiteCommandError(`--name: expected 1 to ${SITE_NAME_MAX_LENGTH} characters`);
      }
      const timeZone = command.timeZone ?? 'UTC';
      if (!isTimeZone(timeZone)) {
        throw new SiteCommandError(`--tz "${timeZone}": not an IANA time zone; give one like Europe/Berlin or America/New_York`);
      }
      const outcome = await addSite(db, { domain: command.domain, name, isPublic: command.isPublic, timeZone }, now);
      const { site } = outcome;
      if (outcome.kind === 'exists') {
        io.say(
          `${site.domain} is already registered (as "${site.name}", ${site.isPublic ? 'public' : 'private'}); nothing changed. Remove it first to register it anew.`,
        );
        return;
      }
      io.say(
        `added ${site.domain} ("${site.name}", ${site.isPublic ? 'public: anyone may read its figures' : 'private'}, days in ${site.timeZone}); page views from http(s)://${site.domain} and http(s)://www.${site.domain} are accepted`,
      );
      return;
    }
    case 'list': {
      const all = await listSites(db);
      if (all.length === 0) {
        io.say('no sites registered yet: npm run site -- add example.com');
        return;
      }
      for (const site of all) {
        io.say(
          `${site.domain}\t${site.isPublic ? 'public' : 'private'}\t${site.timeZone}\t${site.name}\tadded ${site.createdAt.toISOString()}`,
        );
      }
      io.say(`${all.length} site${all.length === 1 ? '' : 's'}`);
      return;
    }
    case 'remove': {
      if (!command.confirmed) {
        if (io.ask === undefined) {
          throw new SiteCommandError(
            `not removing ${command.domain}: removing deletes the site and all its recorded data, and there is nobody to ask. Add --yes to remove it without asking.`,
          );
        }
        const answer = await io.ask(`Remove ${command.domain} and all its recorded data? Type the domain to confirm: `);
        if (answer.trim().toLowerCase() !== command.domain) {
          io.say(`not removed: the answer was not "${command.domain}"`);
          return;
        }
      }
      const removed = await unregisterSite(db, command.domain);
      if (removed === undefined) {
        throw new SiteCommandError(`${command.domain} is not registered: npm run site -- list shows the sites`);
      }
      io.say(
        `unregistered ${command.domain}: its page views are refused from now on (by running replicas within a second); deleting its recorded data`,
      );
      let rows = 0;
      await deleteSiteData(db, removed.id, (table, deleted) => {
        rows += deleted;
        io.say(`${table}: deleted ${deleted} (${rows} rows so far)`);
      });
      io.say(`removed ${command.domain} and its ${rows} rows of recorded data`);
      return;
    }
  }
}
