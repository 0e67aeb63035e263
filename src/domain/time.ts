import { setBounded } from './bounded-map';

/**
 * Calendar arithmetic in IANA time zones with nothing but Intl, so it runs unchanged on
 * Node and in workerd. Summary counters live in UTC quarter-hour buckets; every offset in
 * the tz database is a whole number of quarter hours, so any local hour is a set of whole
 * buckets and DST changes need no special case.
 */

/** Summary buckets are a quarter hour wide: every real UTC offset is a multiple of 15 min. */
export const BUCKET_MINUTES = 15;
export const BUCKET_MS = BUCKET_MINUTES * 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  date: string; // YYYY-MM-DD
  hour: number;
  minute: number;
  /** Local wall-clock time minus UTC, in minutes. */
  offsetMinutes: number;
}

export function localTime(instant: Date, timeZone: string): LocalTime {
  // UTC, the default zone, needs no Intl: a process that never formats a date with Intl never
  // loads ICU's time-zone data, which is about 8 MB of memory.
  if (timeZone === 'UTC') {
    return {
      date: instant.toISOString().slice(0, 10),
      hour: instant.getUTCHours(),
      minute: instant.getUTCMinutes(),
      offsetMinutes: 0,
    };
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const wallClockAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  const instantToMinute = Math.floor(instant.getTime() / 60_000) * 60_000;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour,
    minute,
    offsetMinutes: Math.round((wallClockAsUtc - instantToMinute) / 60_000),
  };
}

/** The local day each time zone was last asked about, with its UTC range. */
const lastDays = new Map<string, { date: string; start: number; end: number }>();

/**
 * Today's date (YYYY-MM-DD) in a time zone. Every page view asks; the answer changes once a
 * day, so an instant inside the day last found needs no Intl formatting (a few microseconds a
 * call, measured at 2 % of the home page's CPU time).
 */
export function todayIn(timeZone: string, now: Date): string {
  const instant = now.getTime();
  const last = lastDays.get(timeZone);
  if (last !== undefined && instant >= last.start && instant < last.end) return last.date;
  const date = localTime(now, timeZone).date;
  const range = localDayRange(date, timeZone);
  setBounded(lastDays, timeZone, { date, start: range.start.getTime(), end: range.end.getTime() }, 128);
  return date;
}

/** Years the calendar functions accept: four digits, with a next day that still has four. */
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9998;

/**
 * True for a real calendar date written YYYY-MM-DD between years MIN_YEAR and MAX_YEAR.
 * Outside them Intl writes years with fewer or more digits, and the string comparisons
 * in startOfLocalDay would no longer order dates correctly.
 */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_YEAR || year > MAX_YEAR) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The calendar date `days` after (or before) `date`, both YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The calendar dates from..to, inclusive, in order. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/**
 * The first quarter-hour instant whose local date is `date` or later. Local dates only move
 * forward as time does, so a binary search over the quarter hours around UTC midnight finds
 * it, including in zones where midnight itself is skipped by a DST change.
 */
function startOfLocalDay(date: string, timeZone: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // Offsets range from UTC-12 to UTC+14: the local midnight lies within this window.
  let low = (utcMidnight - 15 * 3_600_000) / BUCKET_MS;
  let high = (utcMidnight + 13 * 3_600_000) / BUCKET_MS;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (localTime(new Date(middle * BUCKET_MS), timeZone).date >= date) high = middle;
    else low = middle + 1;
  }
  return new Date(low * BUCKET_MS);
}

/**
 * Remembers the last few results of a pure calendar function. Intl formatting costs
 * microseconds per call and a day's layout takes about a hundred calls, while the
 * dashboard asks for the same day on every request: profiling put it at a fifth of the
 * home page's CPU time before this cache.
 */
function memoize<T>(compute: (date: string, timeZone: string) => T, capacity = 128): (date: string, timeZone: string) => T {
  const cache = new Map<string, T>();
  return (date, timeZone) => {
    const key = `${date} ${timeZone}`;
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(date, timeZone);
      setBounded(cache, key, value, capacity);
    }
    return value;
  };
}

/** The UTC instants [start, end) that make up a local calendar day: 23, 24 or 25 hours. */
export const localDayRange: (date: string, timeZone: string) => { readonly start: Date; readonly end: Date } = memoize(
  (date, timeZone) => ({ start: startOfLocalDay(date, timeZone), end: startOfLocalDay(addDays(date, 1), timeZone) }),
);

export interface LocalHour {
  /** Local wall-clock hour, "HH:00". Repeats on the day clocks go back. */
  hour: string;
  /** When that hour starts, UTC. */
  start: Date;
  /** The UTC quarter-hour buckets the hour is made of. */
  buckets: Date[];
}

/**
 * The local hours of a UTC range, in order. An hour that happens twice (clocks going back)
 * appears twice, told apart by its UTC start; an hour that is skipped does not appear.
 */
export function localHours(range: { start: Date; end: Date }, timeZone: string): LocalHour[] {
  return localHoursCache(`${range.start.getTime()}-${range.end.getTime()}`, timeZone);
}

const localHoursCache = memoize((key: string, timeZone: string): LocalHour[] => {
  const [start, end] = key.split('-').map(Number) as [number, number];
  return computeLocalHours({ start: new Date(start), end: new Date(end) }, timeZone);
});

function computeLocalHours(range: { start: Date; end: Date }, timeZone: string): LocalHour[] {
  const hours: LocalHour[] = [];
  let current: (LocalHour & { offset: number }) | undefined;
  for (let t = range.start.getTime(); t < range.end.getTime(); t += BUCKET_MS) {
    const bucket = new Date(t);
    const local = localTime(bucket, timeZone);
    const label = `${String(local.hour).padStart(2, '0')}:00`;
    if (current === undefined || current.hour !== label || current.offset !== local.offsetMinutes) {
      current = { hour: label, start: bucket, buckets: [], offset: local.offsetMinutes };
      hours.push(current);
    }
    current.buckets.push(bucket);
  }
  return hours.map(({ hour, start, buckets }) => ({ hour, start, buckets }));
}

/** The quarter-hour bucket an instant falls in. */
export function bucketOf(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / BUCKET_MS) * BUCKET_MS);
}
