import { UnauthorizedBody } from '../../access';
import { InvalidRequestBody, NotFoundBody, PayloadTooLargeBody } from '../../errors';
import { json, type OperationDoc, query } from '../../openapi/operation';
import { NoQuery, UNKNOWN_PARAMETER } from '../../query';
import { SiteBody } from '../sites/schemas';
import { SITE_ADMIN_BODY_MAX_BYTES, SiteExistsBody, SiteRegistration, SiteRemovalQuery, SiteRemovedBody } from './schemas';

const ADMIN =
  ' Administrators only: `Authorization: Bearer <ADMIN_TOKEN>` or a browser session from `/sign-in` (a development server without ADMIN_TOKEN is open).';
const unauthorized = json(401, 'No administrator credentials.', UnauthorizedBody, []);

export const registerSiteOperation: OperationDoc = {
  method: 'post',
  path: '/api/sites',
  operationId: 'registerSite',
  tag: 'Sites',
  summary: 'Register a site to track',
  description: `As \`npm run site -- add\`: from then on page views of the domain (http and https, with and without \`www.\`) are accepted. At most ${SITE_ADMIN_BODY_MAX_BYTES} bytes of JSON.${ADMIN}`,
  query: query(NoQuery, {}),
  requestBody: { description: 'The site.', schema: SiteRegistration, mediaTypes: ['application/json'] },
  responses: [
    json(201, 'Registered; `Location` names its figures.', SiteBody, []),
    json(400, 'A body that is not a site: one issue per field at fault.', InvalidRequestBody, [
      {
        name: 'bad-domain',
        summary: 'A URL where the host name belongs',
        request: { body: { domain: 'https://example.com/' } },
        body: {
          error: 'invalid_request',
          issues: [
            {
              field: 'domain',
              message: 'is a URL, not a domain: give only the host, e.g. example.com',
            },
          ],
        },
      },
      {
        name: 'unknown-field',
        summary: 'A field it does not take',
        request: { body: { domain: 'example.com', owner: 'me' } },
        body: { error: 'invalid_request', issues: [{ field: 'owner', message: UNKNOWN_PARAMETER }] },
      },
    ]),
    unauthorized,
    json(409, 'The domain is registered already; nothing changed.', SiteExistsBody, []),
    json(413, `A body over ${SITE_ADMIN_BODY_MAX_BYTES} bytes.`, PayloadTooLargeBody, []),
  ],
};

export const removeSiteOperation: OperationDoc = {
  method: 'delete',
  path: '/api/sites/:site',
  operationId: 'removeSite',
  tag: 'Sites',
  summary: 'Stop tracking a site',
  description: `Its page views are refused and its figures are gone from the API and the dashboards at once on the replica that answers, and within a second (\`SITE_FOUND_TTL_MS\`) on the others; its recorded data is deleted by the next \`npm run db:purge\`, which runs as the migration user (the service's own database user may not delete data; \`npm run site -- remove\` deletes it at once). \`confirm\` must repeat the domain.${ADMIN}`,
  pathParameters: { site: { description: "The site's domain as registered.", example: 'example.com' } },
  query: query(SiteRemovalQuery, { confirm: { description: 'The same domain again, as a safeguard.' } }),
  responses: [
    json(200, 'No longer tracked.', SiteRemovedBody, []),
    json(400, 'No `confirm`, or one that is not the same domain.', InvalidRequestBody, []),
    unauthorized,
    json(404, 'No site of that domain is registered.', NotFoundBody, []),
  ],
};
