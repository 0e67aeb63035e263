import * as v from 'valibot';
import { UNKNOWN_PARAMETER } from '../../query';

/** The sign-in form and the pages around it: what each route takes. */

/** Where a browser goes when `next` is missing or not a path on this server. */
export const DEFAULT_NEXT = '/sites';
const NEXT_MAX_LENGTH = 2048;

/**
 * `next` is only ever a path on this server (`/sites/example.com?range=7d`): anything else
 * (`https://elsewhere`, `//elsewhere`, `/\elsewhere`) would make the form an open redirect.
 */
export function localPath(next: string | undefined): string {
  if (next === undefined || next.length > NEXT_MAX_LENGTH || !/^\/(?![/\\])/.test(next) || /[\s\\]/.test(next)) {
    return DEFAULT_NEXT;
  }
  return next;
}

const next = v.optional(v.pipe(v.string(), v.description('the path to go to once signed in; default /sites')));

export const SignInQuery = v.strictObject({ next }, UNKNOWN_PARAMETER);

export const SIGN_IN_BODY_MAX_BYTES = 4096;

/** Ten tries at once, then one a minute, per client address: a token cannot be guessed at that pace. */
export const SIGN_IN_LIMIT = { burst: 10, perMinute: 1 } as const;

export const SignInForm = v.strictObject(
  {
    token: v.pipe(
      v.string('expected the admin token as a form field'),
      v.minLength(1, 'expected one of the values of ADMIN_TOKEN'),
      v.maxLength(1024, 'expected one of the values of ADMIN_TOKEN'),
      v.description('one of the values of ADMIN_TOKEN'),
    ),
    next,
  },
  UNKNOWN_PARAMETER,
);
