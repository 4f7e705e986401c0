// Paris time from workflow code (workflows/parisTime.ts), checked against Node's Intl with the
// Europe/Paris zone: every hour around each change of time from 1996 to 2040, and every 23 hours in
// between. Pure: no server, no database.
import { formatParis, parisClock, parisOffsetMinutes } from '../workflows/parisTime';

const intl = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
});
/** What Intl says the Paris wall clock shows. */
function intlClock(ms: number): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(intl.formatToParts(ms).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month) - 1, day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}
function ours(ms: number) {
  const { year, month, day, hour, minute } = parisClock(ms);
  return { year, month, day, hour, minute };
}

const HOUR = 3_600_000;

it('agrees with Intl every hour around each change of time, 1996 to 2040', () => {
  let checked = 0;
  for (let year = 1996; year <= 2040; year++) {
    for (const month of [2, 9]) {
      // The whole last week of the month, hour by hour, and at 59 minutes past (just before a change).
      const start = Date.UTC(year, month, 24);
      for (let ms = start; ms < start + 8 * 24 * HOUR; ms += HOUR) {
        for (const at of [ms, ms + 59 * 60_000]) {
          expect(ours(at)).toEqual(intlClock(at));
          checked++;
        }
      }
    }
  }
  expect(checked).toBeGreaterThan(30_000);
});

it('agrees with Intl every 23 hours from 1996 to 2040', () => {
  for (let ms = Date.UTC(1996, 0, 1); ms < Date.UTC(2041, 0, 1); ms += 23 * HOUR + 13 * 60_000) expect(ours(ms)).toEqual(intlClock(ms));
});

it('knows winter and summer time', () => {
  expect(parisOffsetMinutes(Date.parse('2026-01-15T12:00:00Z'))).toBe(60);
  expect(parisOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'))).toBe(120);
  // 29 March 2026, 01:00 UTC: 02:00 becomes 03:00 in Paris.
  expect(parisOffsetMinutes(Date.parse('2026-03-29T00:59:59Z'))).toBe(60);
  expect(parisOffsetMinutes(Date.parse('2026-03-29T01:00:00Z'))).toBe(120);
  // 25 October 2026, 01:00 UTC: 03:00 becomes 02:00 in Paris.
  expect(parisOffsetMinutes(Date.parse('2026-10-25T00:59:59Z'))).toBe(120);
  expect(parisOffsetMinutes(Date.parse('2026-10-25T01:00:00Z'))).toBe(60);
});

it('writes a date short, with the year only when it is not this year, and no slash', () => {
  const now = Date.parse('2026-12-04T15:14:00Z');
  expect(formatParis(Date.parse('2026-12-06T15:14:50Z'), now)).toBe('Sun 6 Dec 16:14');
  expect(formatParis(Date.parse('2026-07-01T22:05:00Z'), now)).toBe('Thu 2 Jul 00:05');
  expect(formatParis(Date.parse('2026-12-31T23:30:00Z'), now)).toBe('Fri 1 Jan 2027 00:30');
  for (let ms = now; ms < now + 400 * 24 * HOUR; ms += 5 * HOUR) expect(formatParis(ms, now)).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}( \d{4})? \d{2}:\d{2}$/);
});
