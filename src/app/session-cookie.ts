import type { Context } from 'hono';
import { generateCookie, generateSignedCookie, getSignedCookie } from 'hono/cookie';

/** How long a sign-in lasts: a working week, then the form again. */
export const SESSION_LIFETIME_SECONDS = 7 * 24 * 3600;

/**
 * The signed cookie a browser holds after signing in with one of ADMIN_TOKEN. Its value is the
 * moment it expires, signed with HMAC-SHA-256 (WebCrypto, through hono/cookie, so Node and the
 * Worker share it) under the token that was typed: removing a token from ADMIN_TOKEN ends the
 * sessions it opened, and the cookie reveals nothing about the token. HttpOnly and
 * SameSite=Strict always; Secure (with the __Host- prefix, which pins it to this host and path)
 * everywhere but development, where the server is plain http://localhost.
 */
export interface SessionCookies {
  /** The Set-Cookie of a session opened now with `token` (already checked to be one of the tokens). */
  open(token: string, now: Date): Promise<string>;
  /** The Set-Cookie that ends the session. */
  close(): string;
  /** Whether the request carries a session that one of the tokens signed and that has not expired. */
  isOpen(c: Context, now: Date): Promise<boolean>;
}

const NAME = 'vt-session';

export function sessionCookies(tokens: readonly string[], options: { secure: boolean }): SessionCookies {
  const prefix = options.secure ? ({ prefix: 'host' } as const) : {};
  const attributes = { path: '/', httpOnly: true, sameSite: 'Strict', secure: options.secure, ...prefix } as const;
  const secondsOf = (date: Date) => Math.floor(date.getTime() / 1000);
  return {
    open: (token, now) =>
      generateSignedCookie(NAME, String(secondsOf(now) + SESSION_LIFETIME_SECONDS), token, {
        ...attributes,
        maxAge: SESSION_LIFETIME_SECONDS,
      }),
    close: () => generateCookie(NAME, '', { ...attributes, maxAge: 0 }),
    async isOpen(c, now) {
      for (const token of tokens) {
        const value = await getSignedCookie(c, token, NAME, prefix.prefix);
        if (typeof value !== 'string') continue;
        const expires = Number(value);
        return Number.isSafeInteger(expires) && expires > secondsOf(now);
      }
      return false;
    },
  };
}
