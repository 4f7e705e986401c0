// Money in euros as people read it, in their language (the pages and the timeline's lines).
import type { Language } from '../workflows/definitions';

const FORMATS: Record<Language, Intl.NumberFormat> = {
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }),
  fr: new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }),
};

/** Integer cents as euros: "€1,500.00" / « 1 500,00 € ». */
export const formatEuros = (lang: Language, cents: number): string => FORMATS[lang].format(cents / 100);
