import { html } from 'hono/html';
import type { Site } from '../../../domain/site';
import { SITE_DIMENSIONS, type TopListKey } from '../../../domain/site-dimensions';
import { localTime } from '../../../domain/time';
import type { Figure, SiteFigures } from '../../../services/site-stats';
import type { Viewer } from '../../access';
import { Page } from './layout';

/**
 * A tracked site's dashboard: summary cards, the series as an SVG chart, the top lists with
 * bars, a site switcher, range links and the CSV link. Server-rendered, no script, one style
 * block under the page's nonce (bars are SVG, not style attributes, which the CSP forbids).
 */

export const RANGES = ['today', '7d', '30d', '12mo', 'custom'] as const;
export type RangeName = (typeof RANGES)[number];

export interface DashboardProps {
  site: Site;
  sites: Site[];
  range: { name: RangeName; from: string; to: string; timeZone: string };
  figures: SiteFigures;
  live: number;
  styleNonce: string;
  viewer: Viewer;
  /** Where this server is reached, for the snippet to paste into the site's pages. */
  origin: string;
}

const TITLES: Record<TopListKey, string> = {
  pages: 'Pages',
  referrers: 'Referrers',
  utm_sources: 'UTM sources',
  utm_mediums: 'UTM mediums',
  utm_campaigns: 'UTM campaigns',
  browsers: 'Browsers',
  os: 'Operating systems',
  devices: 'Devices',
  countries: 'Countries',
};

const RANGE_LABELS: Record<Exclude<RangeName, 'custom'>, string> = {
  today: 'Today',
  '7d': '7 days',
  '30d': '30 days',
  '12mo': '12 months',
};

const WIDTH = 720;
const HEIGHT = 180;
const AXIS = 20;

function SeriesChart({ series, single, timeZone }: { series: ({ start: Date } & Figure)[]; single: boolean; timeZone: string }) {
  const peak = Math.max(1, ...series.map((entry) => entry.pageviews));
  const slot = WIDTH / Math.max(1, series.length);
  const every = Math.max(1, Math.ceil(series.length / 12));
  const label = (start: Date) => {
    const local = localTime(start, timeZone);
    return single ? `${String(local.hour).padStart(2, '0')}:00` : local.date.slice(5);
  };
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Page views per ${single ? 'hour' : 'day'}, peak ${peak}`}
    >
      <line x1="0" y1={HEIGHT - AXIS} x2={WIDTH} y2={HEIGHT - AXIS} />
      {series.map((entry, index) => {
        const height = entry.pageviews === 0 ? 0 : Math.max(2, (entry.pageviews / peak) * (HEIGHT - AXIS - 14));
        return (
          <g>
            <rect x={index * slot + slot * 0.1} y={HEIGHT - AXIS - height} width={slot * 0.8} height={height}>
              <title>{`${label(entry.start)}: ${entry.pageviews} page views, ${entry.visitors} visitors`}</title>
            </rect>
            {index % every === 0 ? (
              <text x={index * slot + slot / 2} y={HEIGHT - 5} text-anchor="middle">
                {label(entry.start)}
              </text>
            ) : null}
          </g>
        );
      })}
      <text x="4" y="11">{`max ${peak}`}</text>
    </svg>
  );
}

function TopList({ title, entries }: { title: string; entries: ({ value: string } & Figure)[] }) {
  const peak = Math.max(1, ...entries.map((entry) => entry.pageviews));
  return (
    <section class="card">
      <h2>{title}</h2>
      {entries.length === 0 ? (
        <p class="meta">None in this range.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Value</th>
              <th class="n">Views</th>
              <th class="n">Visitors</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr>
                <td>
                  {entry.value}
                  <svg class="bar" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true">
                    <rect x="0" y="0" width={(entry.pageviews / peak) * 100} height="4" />
                  </svg>
                </td>
                <td class="n">{entry.pageviews}</td>
                <td class="n">{entry.visitors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SiteDashboard(props: DashboardProps) {
  const { site, range, figures } = props;
  const base = `/sites/${encodeURIComponent(site.domain)}`;
  const csv = `/api/sites/${encodeURIComponent(site.domain)}/export.csv?from=${range.from}&to=${range.to}`;
  return (
    <Page title={`${site.name} · visit-tracker`} styleNonce={props.styleNonce} viewer={props.viewer}>
      <header>
        <h1>{site.name}</h1>
        <p class="meta">
          {site.domain} · {range.from === range.to ? range.from : `${range.from} to ${range.to}`} ({range.timeZone}) ·{' '}
          <a href={csv}>Download CSV</a> · <a href="/">Home</a>
        </p>
        <nav aria-label="Sites">
          {props.sites.map((other) => (
            <a href={`/sites/${encodeURIComponent(other.domain)}`} aria-current={other.id === site.id ? 'page' : undefined}>
              {other.name}
            </a>
          ))}
        </nav>
        <nav aria-label="Range">
          {RANGES.filter((name) => name !== 'custom').map((name) => (
            <a href={`${base}?range=${name}`} aria-current={range.name === name ? 'page' : undefined}>
              {RANGE_LABELS[name as Exclude<RangeName, 'custom'>]}
            </a>
          ))}
        </nav>
        <form method="get" action={base}>
          <input type="hidden" name="range" value="custom" />
          <label>
            From <input type="date" name="from" value={range.from} required />
          </label>
          <label>
            to <input type="date" name="to" value={range.to} required />
          </label>
          <button type="submit">Show</button>
        </form>
      </header>
      <section class="cards">
        <div class="card">
          <div class="meta">Page views</div>
          <div class="figure">{figures.pageviews}</div>
        </div>
        <div class="card">
          <div class="meta">Visitors</div>
          <div class="figure">{figures.visitors}</div>
        </div>
        <div class="card">
          <div class="meta">Live now (5 min)</div>
          <div class="figure">{props.live}</div>
        </div>
      </section>
      <section class="card">
        <h2>{range.from === range.to ? 'Page views per hour' : 'Page views per day'}</h2>
        <SeriesChart series={figures.series} single={range.from === range.to} timeZone={range.timeZone} />
      </section>
      <div class="lists">
        {SITE_DIMENSIONS.map((dimension) => (
          <TopList title={TITLES[dimension.key]} entries={figures.top[dimension.key]} />
        ))}
      </div>
      <section class="card">
        <h2>Tracking snippet</h2>
        <p class="meta">Put this in the pages of {site.domain} (before &lt;/head&gt;):</p>
        <pre>
          <code>{`<script defer src="${props.origin}/script.js" data-site="${site.domain}"></script>`}</code>
        </pre>
      </section>
    </Page>
  );
}

export async function renderDashboard(props: DashboardProps): Promise<string> {
  return String(await html`<!doctype html>${<SiteDashboard {...props} />}`);
}

function SiteIndex(props: { sites: Site[]; styleNonce: string; viewer: Viewer }) {
  return (
    <Page title="Tracked sites · visit-tracker" styleNonce={props.styleNonce} viewer={props.viewer}>
      <h1>Tracked sites</h1>
      {props.sites.length === 0 ? (
        <p class="meta">
          No site to show. Register one with <code>npm run site -- add example.com</code>, then put{' '}
          <code>{'<script defer src="https://<this server>/script.js" data-site="example.com"></script>'}</code> on its pages.
        </p>
      ) : (
        <ul>
          {props.sites.map((site) => (
            <li>
              <a href={`/sites/${encodeURIComponent(site.domain)}`}>{site.name}</a> <span class="meta">{site.domain}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/">Home</a>
      </p>
    </Page>
  );
}

export async function renderSiteIndex(props: { sites: Site[]; styleNonce: string; viewer: Viewer }): Promise<string> {
  return String(await html`<!doctype html>${<SiteIndex {...props} />}`);
}
