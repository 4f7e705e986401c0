// Staff named without a UUID where ops read cases in the Temporal UI: initials from a person's name,
// computed by the API (which has the name) and sent to the workflow (which has only the account ID).

/**
 * `Marie Dupont` → `MD`, `Jean-Pierre de la Fontaine` → `JPF`, `claire.martin` → `CM`: the first
 * letter of each part of the name (spaces, hyphens, dots and underscores split it), upper case; more
 * than three give the first two and the last.
 */
export function initialsOf(name: string): string {
  const letters = name
    .split(/[\s\-‐._]+/u)
    .map((part) => /\p{L}/u.exec(part)?.[0] ?? '')
    .filter(Boolean);
  const kept = letters.length > 3 ? [...letters.slice(0, 2), letters[letters.length - 1]] : letters;
  return kept.join('').toLocaleUpperCase('fr');
}
