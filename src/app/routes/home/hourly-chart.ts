import { html } from 'hono/html';
import type { HourCount } from '../../../services/day-figures';
import { each } from './markup';

const WIDTH = 720;
const HEIGHT = 200;
const AXIS = 24;
const TOP = 16;

/** Requests per local hour as an inline SVG bar chart: no script, scales with its container. */
export function hourlyChart(hours: HourCount[], timeZone: string) {
  const peak = Math.max(1, ...hours.map((hour) => hour.requests));
  const slot = WIDTH / Math.max(1, hours.length);
  const plotHeight = HEIGHT - AXIS - TOP;
  const bar = (hour: HourCount, index: number) => {
    const barHeight = hour.requests === 0 ? 0 : Math.max(2, (hour.requests / peak) * plotHeight);
    const x = index * slot;
    const tick =
      index % 3 === 0 ? html`<text x="${x + slot / 2}" y="${HEIGHT - 8}" class="tick">${hour.hour.slice(0, 2)}</text>` : '';
    return html`<g><rect x="${x + slot * 0.15}" y="${HEIGHT - AXIS - barHeight}" width="${slot * 0.7}" height="${barHeight}" class="bar"><title>${`${hour.hour}: ${hour.requests} requests`}</title></rect>${tick}</g>`;
  };
  return html`<svg class="chart" viewBox="${`0 0 ${WIDTH} ${HEIGHT}`}" role="img" aria-label="${`Requests per hour today (${timeZone}), peak ${peak}`}"><line x1="0" y1="${HEIGHT - AXIS}" x2="${WIDTH}" y2="${HEIGHT - AXIS}" class="axis"></line>${each(hours, bar)}<text x="4" y="12" class="tick">${`max ${peak}`}</text></svg>`;
}
