import type { PageView } from './page-view';

/**
 * What a tracked site's figures are broken down by, with the code each has in site_day_values
 * and site_visitor_values (codes are stored: never renumber one) and its key in the stats API.
 * `perVisitor`: the value follows from the visitor of the day (the hash is of the address and
 * the user agent), so a visitor new for the day is new for the value; the others can change
 * within a visitor's day and are counted per visitor and value.
 */
export const SITE_TOTAL = 0;

export interface SiteDimension {
  code: number;
  /** The top list's key in GET /api/sites/{site}/stats, and the CSV's dimension column. */
  key: TopListKey;
  perVisitor: boolean;
  valueOf(view: PageView): string | null;
}

export type TopListKey =
  | 'pages'
  | 'referrers'
  | 'utm_sources'
  | 'utm_mediums'
  | 'utm_campaigns'
  | 'browsers'
  | 'os'
  | 'devices'
  | 'countries';

export const SITE_DIMENSIONS: readonly SiteDimension[] = [
  { code: 1, key: 'pages', perVisitor: false, valueOf: (view) => view.path },
  { code: 2, key: 'referrers', perVisitor: false, valueOf: (view) => view.referrerHost },
  { code: 3, key: 'utm_sources', perVisitor: false, valueOf: (view) => view.utmSource },
  { code: 4, key: 'utm_mediums', perVisitor: false, valueOf: (view) => view.utmMedium },
  { code: 5, key: 'utm_campaigns', perVisitor: false, valueOf: (view) => view.utmCampaign },
  { code: 6, key: 'browsers', perVisitor: true, valueOf: (view) => view.browser },
  { code: 7, key: 'os', perVisitor: true, valueOf: (view) => view.os },
  { code: 8, key: 'devices', perVisitor: true, valueOf: (view) => view.device },
  { code: 9, key: 'countries', perVisitor: true, valueOf: (view) => view.country },
];

/** The dimensions a page view has a value for (no referrer, no campaign: not counted there). */
export function dimensionValues(view: PageView): { dimension: SiteDimension; value: string }[] {
  const values: { dimension: SiteDimension; value: string }[] = [];
  for (const dimension of SITE_DIMENSIONS) {
    const value = dimension.valueOf(view);
    if (value !== null && value !== '') values.push({ dimension, value });
  }
  return values;
}
