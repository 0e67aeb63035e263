import * as v from 'valibot';
import { SITE_DOMAIN_MAX_LENGTH } from '../../../domain/site';
import { UNKNOWN_PARAMETER } from '../../query';

/** Longest page or referrer URL taken: browsers send longer ones rarely, and only the path is kept. */
export const EVENT_URL_MAX_LENGTH = 2_048;
/** Larger bodies are refused with 413 before they are read in full. */
export const EVENT_BODY_MAX_BYTES = 4_096;

export const EventBody = v.strictObject(
  {
    site: v.pipe(
      v.string('expected the site domain as a string, e.g. "example.com"'),
      v.minLength(1, 'expected the site domain, e.g. "example.com"'),
      v.maxLength(SITE_DOMAIN_MAX_LENGTH, `expected at most ${SITE_DOMAIN_MAX_LENGTH} characters`),
      v.description('the registered domain of the site (`npm run site -- add`)'),
    ),
    url: v.pipe(
      v.string('expected the absolute URL of the page as a string'),
      v.maxLength(EVENT_URL_MAX_LENGTH, `expected at most ${EVENT_URL_MAX_LENGTH} characters`),
      v.description('the absolute URL of the page viewed; only its path and UTM parameters are kept'),
    ),
    referrer: v.optional(
      v.nullable(
        v.pipe(
          v.string('expected the URL of the referring page as a string, or null'),
          v.maxLength(EVENT_URL_MAX_LENGTH, `expected at most ${EVENT_URL_MAX_LENGTH} characters`),
        ),
      ),
    ),
    width: v.optional(
      v.pipe(
        v.number('expected the viewport width in CSS pixels as a number'),
        v.integer('expected a whole number of pixels'),
        v.minValue(0, 'expected 0 or more'),
        v.maxValue(100_000, 'expected at most 100000'),
        v.description('the viewport width in CSS pixels (accepted, not stored yet)'),
      ),
    ),
  },
  UNKNOWN_PARAMETER,
);

export const AcceptedBody = v.strictObject({ status: v.literal('accepted') });

export type EventJson = v.InferOutput<typeof EventBody>;
export type AcceptedJson = v.InferOutput<typeof AcceptedBody>;
