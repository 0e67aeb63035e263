import type { Visit } from '../../../domain/visit';
import type { HourCount, ServerCount } from '../../../services/day-figures';
import { HourlyChart } from './hourly-chart';

export interface DashboardProps {
  /** Human visits: every figure on the page but the bot line leaves bots out. */
  total: number;
  /** Bot requests, all-time and today. */
  bots: { total: number; day: number };
  perServer: ServerCount[];
  hours: HourCount[];
  latest: Visit[];
  servedBy: string;
  environment: string;
  timeZone: string;
  date: string;
  styleNonce: string | undefined;
}

const STYLE = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --card: rgba(127,127,127,.08); }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; justify-content: space-between; }
h1 { margin: .2rem 0; font-size: 1.6rem; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.meta { color: var(--muted); }
.badge { background: var(--accent); color: #fff; border-radius: 1rem; padding: .1rem .7rem; font-weight: 600; }
.cards { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); margin: 1rem 0; }
.card { background: var(--card); border-radius: .6rem; padding: 1rem; min-width: 0; }
.total { font-size: 2.4rem; font-weight: 700; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid rgba(127,127,127,.25); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.ua { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
.chart { width: 100%; height: auto; display: block; }
.chart .bar { fill: var(--accent); }
.chart .axis { stroke: var(--muted); }
.chart .tick { fill: var(--muted); font-size: 11px; text-anchor: middle; }
section.spaced { margin-top: 1rem; }
footer { margin-top: 1.5rem; color: var(--muted); }
footer a { margin-right: 1rem; }
/* The peak label sits at the chart's left edge: anchored at its start, not cut in half. */
.chart > text.tick { text-anchor: start; }
@media (max-width: 36rem) {
  .hide-narrow { display: none; } .total { font-size: 2rem; }
  /* The chart scales down to about 0.4 of its viewBox here: larger labels stay legible (~10px). */
  .chart { overflow: visible; } .chart .tick { font-size: 24px; }
  /* Room for the date on one line, the time below it, instead of breaking at its hyphens. */
  #latest td:first-child { min-width: 6.2em; }
}
`;

/** Shortens a user agent for the table; the full text stays in the cell's title. */
function shorten(text: string, max = 80): string {
  const codePoints = Array.from(text);
  return codePoints.length <= max ? text : `${codePoints.slice(0, max - 1).join('')}…`;
}

export function Dashboard(props: DashboardProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Visit tracker</title>
        {/* No icon, said inline: otherwise every browser asks for /favicon.ico and logs its 404. */}
        <link rel="icon" href="data:," />
        {/* A constant, so it needs no escaping; the nonce lets the CSP allow exactly this block. */}
        <style nonce={props.styleNonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header>
          <h1>Visit tracker</h1>
          <p class="meta">
            served by{' '}
            <span class="badge" id="served-by">
              {props.servedBy}
            </span>{' '}
            · environment <strong>{props.environment}</strong>
          </p>
        </header>
        <section class="cards">
          <div class="card">
            <h2>Total visits</h2>
            <div class="total" id="total">
              {props.total.toLocaleString('en-US')}
            </div>
            <p class="meta" id="bots">
              by people; bots, crawlers and monitors made {props.bots.total.toLocaleString('en-US')} more requests (
              {props.bots.day.toLocaleString('en-US')} today), not counted here
            </p>
          </div>
          <div class="card">
            <h2>Visits per server</h2>
            <table id="servers">
              <thead>
                <tr>
                  <th>Server</th>
                  <th class="num">Requests</th>
                </tr>
              </thead>
              <tbody>
                {props.perServer.map((server) => (
                  <tr>
                    <td>{server.serverId}</td>
                    <td class="num">{server.requests.toLocaleString('en-US')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="card">
          <h2>
            Today by hour{' '}
            <span class="meta">
              ({props.date}, {props.timeZone})
            </span>
          </h2>
          <HourlyChart hours={props.hours} timeZone={props.timeZone} />
        </section>
        <section class="card spaced">
          <h2>Latest visits</h2>
          <div class="scroll">
            <table id="latest">
              <thead>
                <tr>
                  <th>Time (UTC)</th>
                  <th>IP address</th>
                  <th class="hide-narrow">Server</th>
                  <th>User agent</th>
                </tr>
              </thead>
              <tbody>
                {props.latest.map((visit) => (
                  <tr>
                    <td>{visit.visitedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                    <td>{visit.ipAddress}</td>
                    <td class="hide-narrow">{visit.serverId}</td>
                    <td class="ua" title={visit.userAgent}>
                      {shorten(visit.userAgent)}
                      {visit.isBot ? <span class="meta"> (bot)</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <footer>
          <a href="/api/visits">/api/visits</a>
          <a href="/api/stats">/api/stats</a>
          <a href="/info">/info</a>
          <a href="/health">/health</a>
          <a href="/docs">API docs</a>
        </footer>
      </body>
    </html>
  );
}
