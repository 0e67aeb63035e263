import type { DayValueRow } from '../../../services/site-stats';

/** The export's CSV: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */

export const CSV_HEADER = 'date,dimension,value,pageviews,visitors\r\n';

export function csvRow(row: DayValueRow): string {
  return `${row.day},${row.dimension},${csvCell(row.value)},${row.pageviews},${row.visitors}\r\n`;
}

function csvCell(value: string): string {
  // A value from a page's URL or referrer is the visitor's to choose: =HYPERLINK(…) must stay text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
