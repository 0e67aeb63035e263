import { UnauthorizedBody } from '../access';
import {
  DatabaseUnavailableBody,
  ForbiddenBody,
  InternalErrorBody,
  InvalidRequestBody,
  MethodNotAllowedBody,
  NotFoundBody,
  PayloadTooLargeBody,
  RateLimitedBody,
} from '../errors';
import { HtmlPage, json, type OperationDoc, type ResponseDoc, servedOn } from '../openapi/operation';
import { docsOperation, OpenApiDocumentBody, openApiOperation } from './docs/operation';
import { eventOperation } from './events/operation';
import { AcceptedBody, EventBody } from './events/schemas';
import { homeOperation } from './home/operation';
import { MetricsText, metricsOperation } from './metrics/operation';
import { signInFormOperation, signInOperation, signOutOperation } from './sign-in/operation';
import { SignInForm } from './sign-in/schemas';
import { registerSiteOperation, removeSiteOperation } from './site-admin/operation';
import { SiteExistsBody, SiteRegistration, SiteRemovedBody } from './site-admin/schemas';
import {
  siteDashboardOperation,
  siteExportOperation,
  siteIndexOperation,
  siteLiveOperation,
  siteStatsOperation,
  sitesOperation,
} from './sites/operation';
import { LiveBody, SiteBody, SiteCsv, SiteStatsBody, SitesBody } from './sites/schemas';
import { statsOperation } from './stats/operation';
import { StatsBody } from './stats/schemas';
import { healthOperation, infoOperation, livenessOperation } from './system/operation';
import { AliveBody, HealthyBody, InfoBody, UnhealthyBody } from './system/schemas';
import { pixelOperation, scriptOperation } from './tracker/operation';
import { PixelImage, TrackerScript } from './tracker/schemas';
import { visitsOperation } from './visits/operation';
import { VisitBody, VisitsPageBody } from './visits/schemas';

/**
 * The table of contents of the API: every operation the app serves, in the order /docs lists
 * them, and every body schema under the name the OpenAPI document gives it. Each route
 * describes itself in its own folder; this file only gathers them.
 */
export const OPERATIONS: readonly OperationDoc[] = [
  homeOperation,
  visitsOperation,
  statsOperation,
  eventOperation,
  scriptOperation,
  pixelOperation,
  siteIndexOperation,
  siteDashboardOperation,
  signInFormOperation,
  signInOperation,
  signOutOperation,
  sitesOperation,
  registerSiteOperation,
  removeSiteOperation,
  siteStatsOperation,
  siteLiveOperation,
  siteExportOperation,
  infoOperation,
  healthOperation,
  livenessOperation,
  metricsOperation,
  openApiOperation,
  docsOperation,
];

export const RESPONSE_SCHEMAS = {
  Visit: VisitBody,
  VisitsPage: VisitsPageBody,
  Stats: StatsBody,
  Info: InfoBody,
  Healthy: HealthyBody,
  Unhealthy: UnhealthyBody,
  Alive: AliveBody,
  Event: EventBody,
  SignInForm,
  Accepted: AcceptedBody,
  Forbidden: ForbiddenBody,
  PayloadTooLarge: PayloadTooLargeBody,
  TrackerScript,
  PixelImage,
  Site: SiteBody,
  Sites: SitesBody,
  SiteRegistration,
  SiteExists: SiteExistsBody,
  SiteRemoved: SiteRemovedBody,
  SiteStats: SiteStatsBody,
  SiteLive: LiveBody,
  SiteCsv,
  Unauthorized: UnauthorizedBody,
  InvalidRequest: InvalidRequestBody,
  NotFound: NotFoundBody,
  MethodNotAllowed: MethodNotAllowedBody,
  DatabaseUnavailable: DatabaseUnavailableBody,
  RateLimited: RateLimitedBody,
  InternalError: InternalErrorBody,
  OpenApiDocument: OpenApiDocumentBody,
  HtmlPage,
  MetricsText,
} as const;

/** What a path outside the table gets: the endpoints there are, and where they are described. */
export function notFoundMessage(method: string, path: string, runtime: string): string {
  const endpoints = OPERATIONS.filter((operation) => servedOn(operation, runtime))
    .map((operation) => `${operation.method.toUpperCase()} ${operation.path}`)
    .join(', ');
  return `No such endpoint: ${method} ${path}. Available: ${endpoints}; /docs describes them.`;
}

/**
 * The methods a path of the table takes on this runtime (HEAD wherever GET is: Hono answers it
 * with the GET route), for the 405 of a method it does not; none for a path outside the table.
 */
export function allowedMethods(path: string, runtime: string): string[] {
  const methods = OPERATION_PATTERNS.filter(({ operation, pattern }) => servedOn(operation, runtime) && pattern.test(path)).map(
    ({ operation }) => operation.method.toUpperCase(),
  );
  if (methods.includes('GET')) methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD');
  return methods;
}

/** What a known path answers to a method it does not take, with the methods it does. */
export function methodNotAllowedMessage(method: string, path: string, allowed: readonly string[]): string {
  return `${method} is not allowed on ${path}: it takes ${allowed.join(', ')}.`;
}

/** Each operation with its path as a pattern, made once. */
const OPERATION_PATTERNS = OPERATIONS.map((operation) => ({ operation, pattern: pathPattern(operation.path) }));

/** A route's path as a pattern: each `:parameter` is one path segment. */
function pathPattern(template: string): RegExp {
  const segments = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/** The responses any path can give besides its own, documented once under components/responses. */
export const SHARED_RESPONSES = {
  NotFound: json(404, '404: no such endpoint, for any method and path not listed here.', NotFoundBody, [
    {
      name: 'unknown-path',
      summary: 'GET /api/visitors, a path that does not exist',
      body: { error: 'not_found', message: notFoundMessage('GET', '/api/visitors', 'node') },
    },
  ]),
  MethodNotAllowed: json(
    405,
    '405: a path listed here asked with a method it does not take; `Allow` names the ones it does.',
    MethodNotAllowedBody,
    [
      {
        name: 'wrong-method',
        summary: 'DELETE /api/visits, a path that only reads',
        body: {
          error: 'method_not_allowed',
          message: methodNotAllowedMessage('DELETE', '/api/visits', allowedMethods('/api/visits', 'node')),
        },
      },
    ],
  ),
  DatabaseUnavailable: json(
    503,
    "503: the database could not be reached or used within DB_REQUEST_TIMEOUT_MS (down, hung, overloaded, refusing the service's credentials), with `Retry-After`. Nothing was recorded unless the database was committing it as the deadline passed (docs/failures.md). A page opened in a browser (`GET /`, `/sites…`) gets a short HTML page instead.",
    DatabaseUnavailableBody,
    [
      {
        name: 'database-unavailable',
        summary: 'The database did not answer in time',
        body: {
          error: 'database_unavailable',
          message: 'the database is unreachable or overloaded: try again in 5 s',
          request_id: '8d7f3c1e-0b4a-4e55-9a51-1f0c2b6e7d90',
        },
      },
    ],
  ),
  InternalError: json(
    500,
    '500: something unexpected failed; never a stack trace. Quote the request id when reporting it.',
    InternalErrorBody,
    [
      {
        name: 'internal-error',
        summary: 'The database failed mid-request',
        body: { error: 'internal_error', request_id: '8d7f3c1e-0b4a-4e55-9a51-1f0c2b6e7d90' },
      },
    ],
  ),
} satisfies Record<string, ResponseDoc>;
