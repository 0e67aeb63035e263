import * as v from 'valibot';
import { SITE_NAME_MAX_LENGTH } from '../../../domain/site';
import { isTimeZone } from '../../../domain/time';
import { UNKNOWN_PARAMETER } from '../../query';

/** The admin API for sites: what registering and removing one take and answer. */

export const SITE_ADMIN_BODY_MAX_BYTES = 4096;

/** A domain as people write it (`Example.com`, `www.example.com`); the route checks it and makes it canonical. */
const domain = v.pipe(
  v.string('expected the site\'s host name, e.g. "example.com"'),
  v.description('the host name its pages are served from; `www.` and letter case do not matter'),
);

export const SiteRegistration = v.strictObject(
  {
    domain,
    name: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1, `expected 1 to ${SITE_NAME_MAX_LENGTH} characters`),
        v.maxLength(SITE_NAME_MAX_LENGTH, `expected 1 to ${SITE_NAME_MAX_LENGTH} characters`),
        v.description('what the dashboards call it; default the domain'),
      ),
    ),
    public: v.optional(v.pipe(v.boolean('expected true or false'), v.description('anyone may read its figures; default false'))),
    time_zone: v.optional(
      v.pipe(
        v.string(),
        v.check(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin'),
        v.description('the zone its days are counted in; default UTC'),
      ),
    ),
  },
  UNKNOWN_PARAMETER,
);

export const SiteRemovalQuery = v.strictObject(
  {
    confirm: v.pipe(
      v.string(),
      v.description("the site's domain again: removing stops its tracking, and its data is deleted by the next purge"),
    ),
  },
  UNKNOWN_PARAMETER,
);

export const SiteExistsBody = v.strictObject({
  error: v.literal('site_exists'),
  message: v.pipe(v.string(), v.description('which site, and what to do instead')),
});

export const SiteRemovedBody = v.strictObject({
  removed: v.pipe(v.string(), v.description('the domain that is no longer tracked')),
  message: v.pipe(v.string(), v.description('what happens to its data')),
});

export type SiteExistsJson = v.InferOutput<typeof SiteExistsBody>;
export type SiteRemovedJson = v.InferOutput<typeof SiteRemovedBody>;
