import { describe, expect, it } from 'vitest';
import {
  BUCKET_MS,
  bucketOf,
  isCalendarDate,
  isTimeZone,
  type LocalHour,
  localDayRange,
  localHours,
  todayIn,
} from '../../src/domain/time';

const HOUR_MS = 3_600_000;

/** The UTC offset Intl reports for a zone at an instant, e.g. "GMT+10:30" (independent of src/domain/time.ts). */
function intlOffset(timeZone: string, instant: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(instant));
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** Local wall-clock "YYYY-MM-DD HH:mm" of an instant, straight from Intl. */
function intlWallClock(timeZone: string, instant: Date): string {
  const parts: Record<string, string> = {};
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const part of formatter.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

function hoursLong(range: { start: Date; end: Date }): number {
  return (range.end.getTime() - range.start.getTime()) / HOUR_MS;
}

function iso(date: Date): string {
  return date.toISOString();
}

/** Every hour's buckets, in order, must be exactly the quarter hours of the range: no gap, no overlap. */
function expectBucketsTile(hours: LocalHour[], range: { start: Date; end: Date }): void {
  const expected: string[] = [];
  for (let t = range.start.getTime(); t < range.end.getTime(); t += BUCKET_MS) expected.push(new Date(t).toISOString());
  expect(hours.flatMap((hour) => hour.buckets.map(iso))).toEqual(expected);
  for (const hour of hours) {
    expect(hour.buckets.length).toBeGreaterThan(0);
    expect(iso(hour.start)).toBe(iso(hour.buckets[0] as Date));
  }
}

describe('the time zone rules these tests rely on (checked against Intl)', () => {
  it('has the DST changes the cases below are built around', () => {
    // New York: spring forward 2026-03-08 02:00 local, fall back 2026-11-01 02:00 local.
    expect(intlOffset('America/New_York', '2026-03-08T06:59:00Z')).toBe('GMT-05:00');
    expect(intlOffset('America/New_York', '2026-03-08T07:00:00Z')).toBe('GMT-04:00');
    expect(intlOffset('America/New_York', '2026-11-01T05:59:00Z')).toBe('GMT-04:00');
    expect(intlOffset('America/New_York', '2026-11-01T06:00:00Z')).toBe('GMT-05:00');
    // Berlin: 2026-03-29 and 2026-10-25 at 01:00 UTC.
    expect(intlOffset('Europe/Berlin', '2026-03-29T00:59:00Z')).toBe('GMT+01:00');
    expect(intlOffset('Europe/Berlin', '2026-03-29T01:00:00Z')).toBe('GMT+02:00');
    expect(intlOffset('Europe/Berlin', '2026-10-25T00:59:00Z')).toBe('GMT+02:00');
    expect(intlOffset('Europe/Berlin', '2026-10-25T01:00:00Z')).toBe('GMT+01:00');
    // Lord Howe moves by half an hour: back at 02:00 local on 2026-04-05, forward at 02:00 on 2026-10-04.
    expect(intlOffset('Australia/Lord_Howe', '2026-04-04T14:59:00Z')).toBe('GMT+11:00');
    expect(intlOffset('Australia/Lord_Howe', '2026-04-04T15:00:00Z')).toBe('GMT+10:30');
    expect(intlOffset('Australia/Lord_Howe', '2026-10-03T15:29:00Z')).toBe('GMT+10:30');
    expect(intlOffset('Australia/Lord_Howe', '2026-10-03T15:30:00Z')).toBe('GMT+11:00');
    // Santiago springs forward at local midnight on 2026-09-06: 00:00 becomes 01:00.
    expect(intlOffset('America/Santiago', '2026-09-06T03:59:00Z')).toBe('GMT-04:00');
    expect(intlOffset('America/Santiago', '2026-09-06T04:00:00Z')).toBe('GMT-03:00');
    expect(intlWallClock('America/Santiago', new Date('2026-09-06T03:59:00Z'))).toBe('2026-09-05 23:59');
    expect(intlWallClock('America/Santiago', new Date('2026-09-06T04:00:00Z'))).toBe('2026-09-06 01:00');
    // Havana does the same on 2026-03-08.
    expect(intlWallClock('America/Havana', new Date('2026-03-08T04:59:00Z'))).toBe('2026-03-07 23:59');
    expect(intlWallClock('America/Havana', new Date('2026-03-08T05:00:00Z'))).toBe('2026-03-08 01:00');
    // Kathmandu is +05:45 all year.
    expect(intlOffset('Asia/Kathmandu', '2026-01-15T00:00:00Z')).toBe('GMT+05:45');
    expect(intlOffset('Asia/Kathmandu', '2026-07-15T00:00:00Z')).toBe('GMT+05:45');
  });
});

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu'])(
    'accepts %s',
    (name) => {
      expect(isTimeZone(name)).toBe(true);
    },
  );

  it.each(['Mars/Olympus', 'Europe/Atlantis', '', 'not a zone', 'UTC+25', '../etc/passwd'])('rejects %j', (name) => {
    expect(isTimeZone(name)).toBe(false);
  });
});

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2026-01-01', '2026-12-31', '2000-02-29', '2026-04-30'])('accepts %s', (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each([
    '2026-02-29', // not a leap year
    '1900-02-29', // century, not a leap year
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-01-00',
    '2026-1-01',
    '2026-01-1',
    '26-01-01',
    '2026/01/01',
    '20260101',
    '2026-01-01T00:00:00Z',
    ' 2026-01-01',
    '2026-01-01 ',
    '',
    'today',
  ])('rejects %j', (text) => {
    expect(isCalendarDate(text)).toBe(false);
  });
});

describe('todayIn', () => {
  it('is the UTC date in UTC', () => {
    expect(todayIn('UTC', new Date('2026-05-10T23:59:59.999Z'))).toBe('2026-05-10');
    expect(todayIn('UTC', new Date('2026-05-11T00:00:00.000Z'))).toBe('2026-05-11');
  });

  it('answers each instant for itself, whatever was asked before (the last day is remembered)', () => {
    // Around a DST change (Berlin, 2026-10-25 is 25 hours long), forwards, backwards and back again.
    const berlin = (iso: string) => todayIn('Europe/Berlin', new Date(iso));
    expect(berlin('2026-10-24T21:59:59.999Z')).toBe('2026-10-24');
    expect(berlin('2026-10-24T22:00:00.000Z')).toBe('2026-10-25');
    expect(berlin('2026-10-25T22:59:59.999Z')).toBe('2026-10-25');
    expect(berlin('2026-10-25T23:00:00.000Z')).toBe('2026-10-26');
    expect(berlin('2026-10-24T12:00:00.000Z')).toBe('2026-10-24');
    expect(berlin('2026-10-25T23:30:00.000Z')).toBe('2026-10-26');
  });

  it('is already tomorrow in a zone ahead of UTC late in the UTC day', () => {
    const now = new Date('2026-05-10T23:30:00Z');
    expect(todayIn('Asia/Tokyo', now)).toBe('2026-05-11');
    expect(todayIn('Asia/Kolkata', new Date('2026-05-10T18:29:59Z'))).toBe('2026-05-10');
    expect(todayIn('Asia/Kolkata', new Date('2026-05-10T18:30:00Z'))).toBe('2026-05-11');
  });

  it('is still yesterday in a zone behind UTC early in the UTC day', () => {
    const now = new Date('2026-05-11T02:00:00Z');
    expect(todayIn('UTC', now)).toBe('2026-05-11');
    expect(todayIn('America/Los_Angeles', now)).toBe('2026-05-10');
    expect(todayIn('America/New_York', new Date('2026-05-11T03:59:59Z'))).toBe('2026-05-10');
    expect(todayIn('America/New_York', new Date('2026-05-11T04:00:00Z'))).toBe('2026-05-11');
  });

  it('crosses a year boundary', () => {
    expect(todayIn('Pacific/Kiritimati', new Date('2026-12-31T10:00:00Z'))).toBe('2027-01-01');
    expect(todayIn('Pacific/Pago_Pago', new Date('2027-01-01T10:00:00Z'))).toBe('2026-12-31');
  });
});

describe('localDayRange', () => {
  it('is midnight to midnight in UTC', () => {
    const range = localDayRange('2026-05-10', 'UTC');
    expect(iso(range.start)).toBe('2026-05-10T00:00:00.000Z');
    expect(iso(range.end)).toBe('2026-05-11T00:00:00.000Z');
    expect(hoursLong(range)).toBe(24);
  });

  it('starts at 18:30 UTC the day before in Asia/Kolkata (+05:30)', () => {
    const range = localDayRange('2026-05-10', 'Asia/Kolkata');
    expect(iso(range.start)).toBe('2026-05-09T18:30:00.000Z');
    expect(iso(range.end)).toBe('2026-05-10T18:30:00.000Z');
  });

  it('starts at 18:15 UTC the day before in Asia/Kathmandu (+05:45)', () => {
    const range = localDayRange('2026-05-10', 'Asia/Kathmandu');
    expect(iso(range.start)).toBe('2026-05-09T18:15:00.000Z');
    expect(iso(range.end)).toBe('2026-05-10T18:15:00.000Z');
  });

  it('has 24 hours on an ordinary New York day (-04:00 in summer)', () => {
    const range = localDayRange('2026-07-04', 'America/New_York');
    expect(iso(range.start)).toBe('2026-07-04T04:00:00.000Z');
    expect(hoursLong(range)).toBe(24);
  });

  it('has 23 hours in New York on the spring-forward day', () => {
    const range = localDayRange('2026-03-08', 'America/New_York');
    expect(iso(range.start)).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(range.end)).toBe('2026-03-09T04:00:00.000Z');
    expect(hoursLong(range)).toBe(23);
  });

  it('has 25 hours in New York on the fall-back day', () => {
    const range = localDayRange('2026-11-01', 'America/New_York');
    expect(iso(range.start)).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(range.end)).toBe('2026-11-02T05:00:00.000Z');
    expect(hoursLong(range)).toBe(25);
  });

  it('has 23 and 25 hours in Berlin on its DST days', () => {
    const spring = localDayRange('2026-03-29', 'Europe/Berlin');
    expect(iso(spring.start)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(spring.end)).toBe('2026-03-29T22:00:00.000Z');
    expect(hoursLong(spring)).toBe(23);
    const autumn = localDayRange('2026-10-25', 'Europe/Berlin');
    expect(iso(autumn.start)).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(autumn.end)).toBe('2026-10-25T23:00:00.000Z');
    expect(hoursLong(autumn)).toBe(25);
  });

  it('has 24.5 and 23.5 hours on Lord Howe Island, whose DST is half an hour', () => {
    const autumn = localDayRange('2026-04-05', 'Australia/Lord_Howe');
    expect(iso(autumn.start)).toBe('2026-04-04T13:00:00.000Z'); // +11:00
    expect(iso(autumn.end)).toBe('2026-04-05T13:30:00.000Z'); // +10:30
    expect(hoursLong(autumn)).toBe(24.5);
    const spring = localDayRange('2026-10-04', 'Australia/Lord_Howe');
    expect(iso(spring.start)).toBe('2026-10-03T13:30:00.000Z'); // +10:30
    expect(iso(spring.end)).toBe('2026-10-04T13:00:00.000Z'); // +11:00
    expect(hoursLong(spring)).toBe(23.5);
  });

  it('starts at 01:00 local when midnight itself is skipped (America/Santiago, 2026-09-06)', () => {
    const range = localDayRange('2026-09-06', 'America/Santiago');
    expect(iso(range.start)).toBe('2026-09-06T04:00:00.000Z');
    expect(intlWallClock('America/Santiago', range.start)).toBe('2026-09-06 01:00');
    expect(iso(range.end)).toBe('2026-09-07T03:00:00.000Z');
    expect(hoursLong(range)).toBe(23);
    // The day before ends exactly where this one starts.
    const before = localDayRange('2026-09-05', 'America/Santiago');
    expect(iso(before.end)).toBe(iso(range.start));
    expect(hoursLong(before)).toBe(24);
  });

  it('starts at 01:00 local when midnight itself is skipped (America/Havana, 2026-03-08)', () => {
    const range = localDayRange('2026-03-08', 'America/Havana');
    expect(iso(range.start)).toBe('2026-03-08T05:00:00.000Z');
    expect(intlWallClock('America/Havana', range.start)).toBe('2026-03-08 01:00');
    expect(hoursLong(range)).toBe(23);
  });

  it('has 25 hours in Santiago when clocks go back at midnight (23:00 repeats on 2026-04-04)', () => {
    const range = localDayRange('2026-04-04', 'America/Santiago');
    expect(iso(range.start)).toBe('2026-04-04T03:00:00.000Z');
    expect(iso(range.end)).toBe('2026-04-05T04:00:00.000Z');
    expect(hoursLong(range)).toBe(25);
  });

  it('gives consecutive days that meet exactly, across a whole year, in several zones', () => {
    for (const zone of ['Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      let date = '2026-01-01';
      let previousEnd: string | undefined;
      for (let i = 0; i < 366; i++) {
        const range = localDayRange(date, zone);
        if (previousEnd !== undefined) expect(iso(range.start), `${zone} ${date}`).toBe(previousEnd);
        expect(intlWallClock(zone, range.start).slice(0, 10), `${zone} ${date}`).toBe(date);
        expect(intlWallClock(zone, new Date(range.start.getTime() - 60_000)).slice(0, 10) < date, `${zone} ${date}`).toBe(true);
        expect([23, 23.5, 24, 24.5, 25], `${zone} ${date}`).toContain(hoursLong(range));
        previousEnd = iso(range.end);
        date = new Date(Date.parse(`${date}T00:00:00Z`) + 24 * HOUR_MS).toISOString().slice(0, 10);
      }
    }
  });
});

describe('localHours', () => {
  it('gives 24 hours of 4 buckets each on a UTC day, labelled 00:00 to 23:00', () => {
    const range = localDayRange('2026-05-10', 'UTC');
    const hours = localHours(range, 'UTC');
    expect(hours.map((hour) => hour.hour)).toEqual(Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`));
    expect(hours.every((hour) => hour.buckets.length === 4)).toBe(true);
    expect(iso((hours[13] as LocalHour).start)).toBe('2026-05-10T13:00:00.000Z');
    expectBucketsTile(hours, range);
  });

  it('lists 01:00 twice, with different starts, on the New York fall-back day', () => {
    const range = localDayRange('2026-11-01', 'America/New_York');
    const hours = localHours(range, 'America/New_York');
    expect(hours).toHaveLength(25);
    const ones = hours.filter((hour) => hour.hour === '01:00');
    expect(ones.map((hour) => iso(hour.start))).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z']);
    expect(hours.map((hour) => hour.hour).slice(0, 4)).toEqual(['00:00', '01:00', '01:00', '02:00']);
    expect(hours.every((hour) => hour.buckets.length === 4)).toBe(true);
    expectBucketsTile(hours, range);
  });

  it('has no 02:00 on the New York spring-forward day', () => {
    const range = localDayRange('2026-03-08', 'America/New_York');
    const hours = localHours(range, 'America/New_York');
    expect(hours).toHaveLength(23);
    expect(hours.map((hour) => hour.hour)).not.toContain('02:00');
    expect(hours.map((hour) => hour.hour).slice(0, 3)).toEqual(['00:00', '01:00', '03:00']);
    expect(iso((hours[2] as LocalHour).start)).toBe('2026-03-08T07:00:00.000Z');
    expect(hours.every((hour) => hour.buckets.length === 4)).toBe(true);
    expectBucketsTile(hours, range);
  });

  it('has 4 buckets an hour and tiles the range on Berlin DST days', () => {
    for (const date of ['2026-03-29', '2026-10-25']) {
      const range = localDayRange(date, 'Europe/Berlin');
      const hours = localHours(range, 'Europe/Berlin');
      expect(hours).toHaveLength(hoursLong(range));
      expect(hours.every((hour) => hour.buckets.length === 4)).toBe(true);
      expectBucketsTile(hours, range);
    }
  });

  it('starts every hour at :15 UTC in Asia/Kathmandu (+05:45)', () => {
    const range = localDayRange('2026-05-10', 'Asia/Kathmandu');
    const hours = localHours(range, 'Asia/Kathmandu');
    expect(hours).toHaveLength(24);
    expect(hours[0]?.hour).toBe('00:00');
    expect(iso((hours[0] as LocalHour).start)).toBe('2026-05-09T18:15:00.000Z');
    expect(hours.every((hour) => hour.start.getUTCMinutes() === 15)).toBe(true);
    expect(hours.every((hour) => hour.buckets.length === 4)).toBe(true);
    expectBucketsTile(hours, range);
  });

  it('splits the half-hour repeat on Lord Howe Island without losing a bucket', () => {
    const autumn = localDayRange('2026-04-05', 'Australia/Lord_Howe');
    const autumnHours = localHours(autumn, 'Australia/Lord_Howe');
    expect(autumnHours).toHaveLength(25);
    const ones = autumnHours.filter((hour) => hour.hour === '01:00');
    expect(ones.map((hour) => [iso(hour.start), hour.buckets.length])).toEqual([
      ['2026-04-04T14:00:00.000Z', 4],
      ['2026-04-04T15:00:00.000Z', 2],
    ]);
    expectBucketsTile(autumnHours, autumn);

    const spring = localDayRange('2026-10-04', 'Australia/Lord_Howe');
    const springHours = localHours(spring, 'Australia/Lord_Howe');
    expect(springHours).toHaveLength(24);
    const twos = springHours.filter((hour) => hour.hour === '02:00');
    expect(twos.map((hour) => [iso(hour.start), hour.buckets.length])).toEqual([['2026-10-03T15:30:00.000Z', 2]]);
    expectBucketsTile(springHours, spring);
  });

  it('starts at 01:00 when midnight is skipped', () => {
    const range = localDayRange('2026-09-06', 'America/Santiago');
    const hours = localHours(range, 'America/Santiago');
    expect(hours).toHaveLength(23);
    expect(hours[0]?.hour).toBe('01:00');
    expect(hours.map((hour) => hour.hour)).not.toContain('00:00');
    expectBucketsTile(hours, range);
  });

  it('is empty for an empty range', () => {
    const instant = new Date('2026-05-10T00:00:00Z');
    expect(localHours({ start: instant, end: instant }, 'UTC')).toEqual([]);
  });
});

describe('bucketOf', () => {
  it('is a quarter hour wide', () => {
    expect(BUCKET_MS).toBe(15 * 60_000);
  });

  it.each([
    ['2026-05-10T12:00:00.000Z', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10T12:14:59.999Z', '2026-05-10T12:00:00.000Z'],
    ['2026-05-10T12:15:00.000Z', '2026-05-10T12:15:00.000Z'],
    ['2026-05-10T12:29:30.500Z', '2026-05-10T12:15:00.000Z'],
    ['2026-05-10T12:44:00.000Z', '2026-05-10T12:30:00.000Z'],
    ['2026-05-10T12:59:59.999Z', '2026-05-10T12:45:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:45:00.000Z'],
  ])('floors %s to %s', (instant, bucket) => {
    expect(iso(bucketOf(new Date(instant)))).toBe(bucket);
  });
});

describe('years outside 1000–9998', () => {
  it('are not calendar dates, so localDayRange never sees a year Intl writes with more or fewer digits', () => {
    for (const text of ['0999-06-01', '0024-02-29', '9999-12-31', '0000-01-01']) expect(isCalendarDate(text)).toBe(false);
    expect(isCalendarDate('1000-01-01')).toBe(true);
    expect(isCalendarDate('9998-12-31')).toBe(true);
  });
});
