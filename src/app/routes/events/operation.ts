import { ForbiddenBody, InvalidRequestBody, PayloadTooLargeBody, RateLimitedBody } from '../../errors';
import { json, type OperationDoc, query } from '../../openapi/operation';
import { NoQuery, UNKNOWN_PARAMETER } from '../../query';
import { AcceptedBody, EVENT_BODY_MAX_BYTES, EventBody } from './schemas';

const PAGE_VIEW = {
  site: 'example.com',
  url: 'https://example.com/pricing?utm_source=news',
  referrer: 'https://news.ycombinator.com/',
  width: 1280,
};

export const eventOperation: OperationDoc = {
  method: 'post',
  path: '/api/event',
  operationId: 'recordEvent',
  tag: 'Sites',
  summary: 'Record a page view of a registered site',
  description: `Answered once the page view is committed. Only the path of \`url\` is kept, its UTM parameters apart; the referrer's host, unless it is the site itself; browser, OS and device class from the User-Agent; a daily visitor hash instead of the address. Browsers may send it from the site's own origins only (\`http(s)://<domain>\` and \`www.<domain>\`): a CORS preflight from any other origin, or a POST with one, is refused with 403 \`forbidden_origin\`. The body is read as JSON whatever its Content-Type (\`text/plain\` needs no preflight); at most ${EVENT_BODY_MAX_BYTES} bytes.`,
  query: query(NoQuery, {}),
  requestBody: {
    description: 'The page view.',
    schema: EventBody,
    mediaTypes: ['application/json', 'text/plain'],
  },
  responses: [
    json(202, 'Recorded.', AcceptedBody, [
      {
        name: 'page-view',
        summary: 'A page view from a link on Hacker News',
        request: { body: PAGE_VIEW, headers: { origin: 'https://example.com' } },
        body: { status: 'accepted' },
      },
    ]),
    json(400, 'A body that is not a page view, or a query parameter: one issue per field at fault.', InvalidRequestBody, [
      {
        name: 'relative-url',
        summary: 'A url that is not absolute',
        request: { body: { site: 'example.com', url: '/pricing' } },
        body: {
          error: 'invalid_request',
          issues: [{ field: 'url', message: 'expected the absolute http(s) URL of the page, e.g. https://example.com/pricing' }],
        },
      },
      {
        name: 'unknown-field',
        summary: 'A field it does not take',
        request: { body: { site: 'example.com', url: 'https://example.com/', title: 'Pricing' } },
        body: { error: 'invalid_request', issues: [{ field: 'title', message: UNKNOWN_PARAMETER }] },
      },
      {
        name: 'unknown-parameter',
        summary: 'A query parameter: it takes none',
        query: { debug: '1' },
        request: { body: PAGE_VIEW },
        body: { error: 'invalid_request', issues: [{ field: 'debug', message: UNKNOWN_PARAMETER }] },
      },
    ]),
    json(403, "A site that is not registered, or an origin that is not the site's.", ForbiddenBody, [
      {
        name: 'unknown-site',
        summary: 'A domain nobody registered',
        request: { body: { site: 'unregistered.example', url: 'https://unregistered.example/' } },
        body: {
          error: 'unknown_site',
          message: 'unregistered.example is not a registered site: npm run site -- add unregistered.example',
        },
      },
      {
        name: 'forbidden-origin',
        summary: 'Sent by a page on another origin',
        request: { body: PAGE_VIEW, headers: { origin: 'https://elsewhere.example' } },
        body: {
          error: 'forbidden_origin',
          message:
            'https://elsewhere.example is not an origin of a registered site: register the site (npm run site -- add <domain>) or send from its own pages',
        },
      },
    ]),
    json(413, `A body over ${EVENT_BODY_MAX_BYTES} bytes.`, PayloadTooLargeBody, []),
    json(429, 'Past RATE_LIMIT for this client address, with `Retry-After`; nothing recorded.', RateLimitedBody, []),
  ],
};
