// Dates in words, in French or English: the one place pages (web/i18n.ts formatDate) and timeline
// lines (lib/timelineWords.ts) write a date, so both say it the same way and say its time zone.
import type { Language, Localized } from '../workflows/definitions';
import { countryName } from './countryNames';
import { countryTimeZone } from './countryTimeZones';

const LOCALES: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR' };
/** Where the centre is: every time is first said in Paris time. */
export const PARIS = 'Europe/Paris';

const WORDS = {
  at: { en: (date: string, time: string) => `${date}, ${time}`, fr: (date: string, time: string) => `${date} à ${time}` },
  paris: { en: 'Paris time', fr: 'heure de Paris' } satisfies Localized,
  local: { en: 'local time', fr: 'heure locale' } satisfies Localized,
};

/**
 * Formatters, made once per language, zone and kind: making one costs far more than formatting with it
 * (measured: `dayIn` was 8 % of the API's CPU in the bench, each timeline line making its own). At most
 * two languages × the zones of lib/countryTimeZones.ts × two kinds.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Language, timeZone: string, kind: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${lang} ${timeZone} ${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], kind === 'day' ? { dateStyle: 'long', timeZone } : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** A day in words in a time zone: "4 December 2026" / « 4 décembre 2026 » (French writes the first "1er"). */
function dayIn(lang: Language, d: Date, timeZone: string): string {
  const parts = formatter(lang, timeZone, 'day').formatToParts(d);
  return parts.map((x) => (lang === 'fr' && x.type === 'day' && x.value === '1' ? '1er' : x.value)).join('');
}
const timeIn = (lang: Language, d: Date, timeZone: string): string => formatter(lang, timeZone, 'time').format(d);
const dayAndTime = (lang: Language, d: Date, timeZone: string) => WORDS.at[lang](dayIn(lang, d, timeZone), timeIn(lang, d, timeZone));

/**
 * A date in words:
 * - a calendar day (YYYY-MM-DD: a date of birth, an arrival, a validity) is that day, with no zone;
 * - an instant (ISO date-time) is read in Paris, where the centre is: its day alone, or with `withTime`
 *   the day and time saying so: "4 December 2026, 15:30 (Paris time)" / « 4 décembre 2026 à 15:30
 *   (heure de Paris) »;
 * - with `residence` (the patient's country of residence) and a time, the patient's own time follows
 *   when it differs from Paris at that instant: "… (Paris time) — 14:30 local time (Senegal)", with the
 *   day too when it is another day there. A country without a known zone (lib/countryTimeZones.ts)
 *   adds nothing.
 * Anything else is returned as given.
 */
export function dateInWords(lang: Language, iso: string, withTime = false, residence?: string | null): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const day = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(day.getTime()) ? iso : dayIn(lang, day, 'UTC');
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (!withTime) return dayIn(lang, d, PARIS);
  const paris = `${dayAndTime(lang, d, PARIS)} (${WORDS.paris[lang]})`;
  const zone = countryTimeZone(residence);
  if (!zone || !residence || dayAndTime(lang, d, zone) === dayAndTime(lang, d, PARIS)) return paris;
  const local = dayIn(lang, d, zone) === dayIn(lang, d, PARIS) ? timeIn(lang, d, zone) : dayAndTime(lang, d, zone);
  return `${paris} — ${local} ${WORDS.local[lang]} (${countryName(residence, lang)})`;
}
