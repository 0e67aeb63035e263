import * as v from 'valibot';
import { SITE_DOMAIN_MAX_LENGTH } from '../../../domain/site';
import { EVENT_URL_MAX_LENGTH } from '../events/schemas';

export const TrackerScript = v.pipe(v.string(), v.description('the tracker, JavaScript'));
export const PixelImage = v.pipe(v.string(), v.description('a transparent 1×1 GIF'));

/**
 * The pixel's parameters. Never refused: an image request cannot show an error, so a bad or
 * missing parameter just records nothing. Others (a cache buster) are ignored.
 */
export const PixelQuery = v.looseObject({
  site: v.optional(v.pipe(v.string(), v.maxLength(SITE_DOMAIN_MAX_LENGTH))),
  url: v.optional(v.pipe(v.string(), v.maxLength(EVENT_URL_MAX_LENGTH))),
  ref: v.optional(v.pipe(v.string(), v.maxLength(EVENT_URL_MAX_LENGTH))),
});
