import { ForbiddenBody, InvalidRequestBody, PayloadTooLargeBody } from '../../errors';
import { html, json, type OperationDoc, query } from '../../openapi/operation';
import { NoQuery } from '../../query';
import { SIGN_IN_BODY_MAX_BYTES, SIGN_IN_LIMIT, SignInForm, SignInQuery } from './schemas';

const crossSite = json(403, 'A form sent from another site (`Sec-Fetch-Site: cross-site`).', ForbiddenBody, []);
const tooLarge = json(413, `A form over ${SIGN_IN_BODY_MAX_BYTES} bytes.`, PayloadTooLargeBody, []);

export const signInFormOperation: OperationDoc = {
  method: 'get',
  path: '/sign-in',
  operationId: 'signInForm',
  usesDatabase: false,
  tag: 'Pages',
  summary: 'The sign-in form',
  description:
    'For browsers: a form that takes one of ADMIN_TOKEN and opens a session. A private dashboard shows the same form (401) to a browser that is not signed in. API clients send `Authorization: Bearer <ADMIN_TOKEN>` instead.',
  query: query(SignInQuery, { next: { description: 'The path on this server to go to once signed in; default `/sites`.' } }),
  responses: [html('The form.'), json(400, 'A parameter it does not take.', InvalidRequestBody, [])],
};

export const signInOperation: OperationDoc = {
  method: 'post',
  path: '/sign-in',
  operationId: 'signIn',
  usesDatabase: false,
  tag: 'Pages',
  summary: 'Sign in with an admin token',
  description: `A right token answers 303 to \`next\` with a session cookie: signed with HMAC-SHA-256 under that token, HttpOnly, SameSite=Strict, Secure (as \`__Host-vt-session\`) outside development, for seven days or until the token leaves ADMIN_TOKEN. Attempts are limited per client address: ${SIGN_IN_LIMIT.burst} at once, then ${SIGN_IN_LIMIT.perMinute} a minute.`,
  query: query(NoQuery, {}),
  requestBody: { description: 'The form.', schema: SignInForm, mediaTypes: ['application/x-www-form-urlencoded'] },
  responses: [
    html('Signed in: a 303 to `next`, with the cookie.', 303),
    json(400, 'A form without the token, or with fields it does not take.', InvalidRequestBody, []),
    html('Not one of the tokens: the form again, saying so.', 401),
    crossSite,
    html('This server has no ADMIN_TOKEN: nothing to sign in to.', 409),
    tooLarge,
    html('Too many attempts from this address: the form again, with `Retry-After`.', 429),
  ],
};

export const signOutOperation: OperationDoc = {
  method: 'post',
  path: '/sign-out',
  operationId: 'signOut',
  usesDatabase: false,
  tag: 'Pages',
  summary: 'Sign out',
  description: 'Ends the browser session: a 303 to the sign-in form, with the cookie cleared.',
  query: query(NoQuery, {}),
  responses: [
    html('Signed out: a 303 to /sign-in.', 303),
    json(400, 'A parameter it does not take.', InvalidRequestBody, []),
    crossSite,
    html('This server has no ADMIN_TOKEN: nothing to sign out of.', 409),
    tooLarge,
  ],
};
