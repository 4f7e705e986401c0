// Finds words of the wrong language in a text meant for one reader: a French text with English in it
// (or the reverse) fails. Codes are not words: placeholders, snake_case values, identifiers with
// digits, URLs and addresses are left out. The lists hold words that exist in one language only.
const ENGLISH = new Set(
  [
    'the and your you is are was were this that with must not of for has have been please will from what which only now when cannot our we it its to be',
    'yet still after before than more any all then again first here there if would could should about no none needed required',
    'team fee fees file estimate payment report request arrival stay discharge invoice refund task companion insurer letter coverage treatment reminder',
    'assigned recorded issued accepted declined expired guaranteed started received delivered opened closed paid changed arrived done scheduled overdue waiting',
  ].join(' ').split(' '),
);
const FRENCH = new Set(
  [
    'est été une pour avec dossier devis votre vos nous vous dans pas être sont cette qui que aux leur leurs très déjà encore équipe ne plus à où',
    'reçu envoyé rappel paiement séjour arrivée sortie tâche facture remboursement accompagnant assureur prise demande étape compte rendu',
  ].join(' ').split(' '),
);

/** The words of a text, without what is not a word in any language. */
function wordsOf(text: string): string[] {
  const cleaned = text
    .replace(/\{\w+\}/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/\b\w*[_\d]\w*\b/g, ' ');
  return cleaned.toLowerCase().split(/[^a-zà-öø-ÿœ]+/i).filter(Boolean);
}

/** Words of the other language found in a text written in `lang` (empty when clean). */
export function wrongLanguageWords(text: string, lang: 'fr' | 'en'): string[] {
  const other = lang === 'fr' ? ENGLISH : FRENCH;
  return [...new Set(wordsOf(text).filter((w) => other.has(w)))];
}

/** Expects every text to be in `lang`; the failure lists each text with its wrong words. */
export function expectInLanguage(lang: 'fr' | 'en', texts: Record<string, string>): void {
  const wrong = Object.entries(texts)
    .map(([where, text]) => ({ where, text, words: wrongLanguageWords(text, lang) }))
    .filter((x) => x.words.length > 0);
  expect(wrong).toEqual([]);
}
