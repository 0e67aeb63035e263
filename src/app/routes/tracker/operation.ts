import { RateLimitedBody } from '../../errors';
import { json, type OperationDoc } from '../../openapi/operation';
import { PixelImage, TrackerScript } from './schemas';

export const scriptOperation: OperationDoc = {
  method: 'get',
  path: '/script.js',
  operationId: 'getTrackerScript',
  usesDatabase: false,
  tag: 'Sites',
  summary: 'The tracker for a site’s pages',
  description:
    'Include it with `<script defer src="…/script.js" data-site="example.com"></script>`: it sends a page view (POST /api/event) on load and on each History API navigation, with sendBeacon, no cookie and no storage. `data-respect-dnt` sends nothing under Do Not Track or Global Privacy Control. Cached for a day with an ETag (304 to If-None-Match); loadable cross-origin.',
  responses: [
    { status: 200, description: 'The script.', mediaType: 'application/javascript', schema: TrackerScript, examples: [] },
  ],
};

export const pixelOperation: OperationDoc = {
  method: 'get',
  path: '/pixel.gif',
  operationId: 'recordPixelView',
  usesDatabase: false,
  tag: 'Sites',
  summary: 'A page view without JavaScript (a 1×1 GIF)',
  description:
    '`?site=example.com&url=<the page>&ref=<its referrer>` (URL-encoded), e.g. in an e-mail or a `<noscript>` image. Always a 200 GIF with `Cache-Control: no-store`; the page view is recorded, before the answer, when `site` is registered and `url` is an absolute http(s) URL, and silently not otherwise (an image cannot show an error).',
  responses: [
    { status: 200, description: 'The image.', mediaType: 'image/gif', schema: PixelImage, examples: [] },
    json(429, 'Past RATE_LIMIT for this client address, with `Retry-After`; nothing recorded.', RateLimitedBody, []),
  ],
};
