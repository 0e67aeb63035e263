import { html, type OperationDoc } from '../../openapi/operation';

export const homeOperation: OperationDoc = {
  method: 'get',
  path: '/',
  operationId: 'viewDashboard',
  tag: 'Pages',
  summary: 'Record the visit and show the dashboard',
  description:
    'Records this request as a visit (once per X-Request-Id), then renders an HTML dashboard: total visits, the 10 latest, per-server counts and today’s hourly chart. The page has no script. The query string is not read, so links with UTM tags work.',
  responses: [
    html('The dashboard, including this visit. `HEAD /` answers with the same headers and records nothing.'),
    html('Past RATE_LIMIT for this client address: a short page with `Retry-After`; nothing recorded.', 429),
  ],
};
