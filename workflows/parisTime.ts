// Dates as ops in Paris read them, from workflow code: a pure function of the instant, no Intl.
//
// Why not Intl with timeZone 'Europe/Paris': it works in the workflow sandbox, but its answer depends
// on the ICU time-zone data of the Node.js that runs the worker, which a worker upgrade can change. The
// rule below is the one France has applied since 1996 (EU summer time: from the last Sunday of March to
// the last Sunday of October, both at 01:00 UTC); test/parisTime.test.ts compares it with Intl hour by
// hour over decades, so a change of the rule (the EU has discussed ending summer time) shows up there.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** 01:00 UTC on the last Sunday of `month` (0-based) of `year`, in epoch milliseconds. */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)); // day 0 of the next month
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Minutes Paris is ahead of UTC at this instant: 120 in summer time, 60 otherwise. */
export function parisOffsetMinutes(epochMs: number): 60 | 120 {
  const year = new Date(epochMs).getUTCFullYear();
  return epochMs >= lastSundayAt1Utc(year, 2) && epochMs < lastSundayAt1Utc(year, 9) ? 120 : 60;
}

/** The wall-clock fields in Paris at this instant. */
export function parisClock(epochMs: number): { year: number; month: number; day: number; weekday: number; hour: number; minute: number } {
  const d = new Date(epochMs + parisOffsetMinutes(epochMs) * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/**
 * `Sat 6 Dec 16:14` in Paris time; the year is added (`Sat 6 Dec 2027 16:14`) when it is not the year
 * of `nowMs` in Paris. No slash (the Temporal UI's markdown turns `6/12` into a fraction).
 */
export function formatParis(epochMs: number, nowMs: number): string {
  const c = parisClock(epochMs);
  const year = c.year === parisClock(nowMs).year ? '' : ` ${c.year}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[c.weekday]} ${c.day} ${MONTHS[c.month]}${year} ${pad(c.hour)}:${pad(c.minute)}`;
}

/** A calendar day (`YYYY-MM-DD`, no time zone) as `Mon 12 Jan`, with the year when it is not this one in Paris. */
export function formatDay(isoDate: string, nowMs: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  const year = y === parisClock(nowMs).year ? '' : ` ${y}`;
  return `${DAYS[day.getUTCDay()]} ${d} ${MONTHS[m - 1]}${year}`;
}
