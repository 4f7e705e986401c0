// The time zone of a patient's country of residence, to show a deadline or an appointment in their own
// time beside Paris time. A small table, not a world atlas: the countries the project knows (the visa
// lists of config/visa.ts, the EU/EEA/Swiss states of config/coverage.ts, the Schengen states of the
// rules). A country that spans several zones (United States, Russia…) or that is not here has none:
// pages then show Paris time only, never a guessed local time.
const ZONES: Readonly<Record<string, string>> = {
  // Nationalities needing a short-stay visa, and visa-exempt ones with a single zone.
  DZ: 'Africa/Algiers', SA: 'Asia/Riyadh', CM: 'Africa/Douala', CN: 'Asia/Shanghai', CI: 'Africa/Abidjan',
  EG: 'Africa/Cairo', GA: 'Africa/Libreville', KW: 'Asia/Kuwait', LB: 'Asia/Beirut', MA: 'Africa/Casablanca',
  NE: 'Africa/Niamey', SN: 'Africa/Dakar', TN: 'Africa/Tunis', AE: 'Asia/Dubai',
  // EU, EEA and Switzerland (Spain and Portugal: their mainland zone).
  AT: 'Europe/Vienna', BE: 'Europe/Brussels', BG: 'Europe/Sofia', CY: 'Asia/Nicosia', CZ: 'Europe/Prague',
  DE: 'Europe/Berlin', DK: 'Europe/Copenhagen', EE: 'Europe/Tallinn', ES: 'Europe/Madrid', FI: 'Europe/Helsinki',
  FR: 'Europe/Paris', GR: 'Europe/Athens', HR: 'Europe/Zagreb', HU: 'Europe/Budapest', IE: 'Europe/Dublin',
  IT: 'Europe/Rome', LT: 'Europe/Vilnius', LU: 'Europe/Luxembourg', LV: 'Europe/Riga', MT: 'Europe/Malta',
  NL: 'Europe/Amsterdam', PL: 'Europe/Warsaw', PT: 'Europe/Lisbon', RO: 'Europe/Bucharest', SE: 'Europe/Stockholm',
  SI: 'Europe/Ljubljana', SK: 'Europe/Bratislava', IS: 'Atlantic/Reykjavik', LI: 'Europe/Vaduz', NO: 'Europe/Oslo',
  CH: 'Europe/Zurich',
};

/** The IANA time zone of a country of residence (ISO 3166-1 alpha-2), or undefined when the table has none. */
export function countryTimeZone(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  return ZONES[code.trim().toUpperCase()];
}
