// Countries in words for patients: "Maroc" / "Morocco" rather than "MA". From the ICU data Node ships
// (Intl.DisplayNames); a value that is not a known ISO 3166-1 alpha-2 code says so rather than guessing.
const NOT_KNOWN = { fr: 'non renseigné', en: 'not known' } as const;

/** Made once per language: making one costs far more than asking it (lib/dates.ts measured the same). */
const displayNames = { fr: new Intl.DisplayNames(['fr'], { type: 'region', fallback: 'none' }), en: new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }) };

export function countryName(code: string, language: 'fr' | 'en'): string {
  const normalised = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(normalised)) return NOT_KNOWN[language];
  const name = displayNames[language].of(normalised);
  return name ?? NOT_KNOWN[language];
}
