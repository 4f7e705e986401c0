// Pricing an estimate from a tariff catalogue (a rules version's `tariffs`): pure and exact (integer cents),
// so the workflow can refuse bad lines before anything is issued and the PDF prints the same sums.
import type { EstimateLanguage, EstimateProgramme, TariffItem } from '../config/tariffs';
import type { CaseRules } from './rules';
import { FAILURE_TYPES, REQUEST_TYPES, type Localized, type RequestType } from './definitions';
import { fail } from './failures';

const MAX_QUANTITY = 999;

export interface EstimateLineInput {
  code: string;
  quantity: number;
}

export interface EstimateLine {
  code: string;
  label: string;
  unitCents: number;
  quantity: number;
  amountCents: number;
}

const invalid = (said: Localized) => fail(FAILURE_TYPES.invalid, said);

/** Why an estimate cannot be priced, in French and English (walked by test/languages.test.ts). */
export const pricingRefusals = {
  unknownRequestType: (p: { requestType: string }) => ({ en: `Unknown request type: ${p.requestType}`, fr: `Type de demande inconnu : ${p.requestType}` }),
  notQuoted: (_p: { requestType: string }) => ({ en: 'This kind of request is not quoted: there is no tariff for it.', fr: "Ce type de demande ne fait pas l'objet d'un devis : aucun tarif ne s'y applique." }),
  noLines: () => ({ en: 'An estimate needs at least one line.', fr: 'Un devis doit comporter au moins une ligne.' }),
  unknownItem: (p: { code: string; programme: string; known: readonly string[] }) => ({
    en: `Unknown item "${p.code}" for this programme; known: ${p.known.join(', ')}.`,
    fr: `Article « ${p.code} » inconnu pour ce programme ; articles connus : ${p.known.join(', ')}.`,
  }),
  itemTwice: (p: { code: string }) => ({ en: `Item "${p.code}" appears twice; give one line with the whole quantity.`, fr: `L'article « ${p.code} » figure deux fois ; donnez une seule ligne avec la quantité totale.` }),
  quantityInvalid: (p: { code: string; max: number }) => ({
    en: `The quantity of "${p.code}" must be a whole number from 1 to ${p.max}.`,
    fr: `La quantité de « ${p.code} » doit être un nombre entier de 1 à ${p.max}.`,
  }),
  totalOutOfRange: () => ({ en: 'The estimate total is out of range.', fr: 'Le total du devis dépasse les limites permises.' }),
} satisfies Record<string, (p: never) => Localized>;

/** An amount as in the audit trail and staff emails: 1234.50 EUR. */
export function formatEur(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} EUR`;
}

/** Euros from integer cents, without floating point: `1 234,56 €` (fr) or `€1,234.56` (en). */
export function formatEuros(cents: number, language: EstimateLanguage): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`Not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100));
  const rest = String(abs % 100).padStart(2, '0');
  const grouped = (sep: string) => euros.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return language === 'fr' ? `${sign}${grouped(' ')},${rest} €` : `${sign}€${grouped(',')}.${rest}`;
}

/** A programme's catalogue, as one rules version has it: what an estimate is priced from and records. */
export interface Tariff {
  programme: EstimateProgramme;
  rulesVersion: string;
  items: readonly TariffItem[];
}

type TariffRules = Pick<CaseRules, 'id' | 'tariffs' | 'programmeFor'>;

/** The catalogue a request type is quoted from under some rules; null when it is never quoted (sample analysis). */
export function quotedTariff(requestType: RequestType, rules: TariffRules): Tariff | null {
  const programme = rules.programmeFor[requestType];
  return programme ? { programme, rulesVersion: rules.id, items: rules.tariffs[programme] } : null;
}

/** The catalogue a request type is quoted from under some rules (refused when it is never quoted). */
export function tariffFor(requestType: RequestType, rules: TariffRules): Tariff {
  if (!REQUEST_TYPES.includes(requestType)) throw invalid(pricingRefusals.unknownRequestType({ requestType: String(requestType) }));
  const tariff = quotedTariff(requestType, rules);
  if (!tariff) throw invalid(pricingRefusals.notQuoted({ requestType }));
  return tariff;
}

/**
 * Prices the lines from a catalogue (the tariff in force when the estimate is issued, which the
 * estimate records); every amount is an exact integer product, the total an exact sum.
 */
export function priceEstimate(tariff: Tariff, language: EstimateLanguage, lines?: EstimateLineInput[]): { lines: EstimateLine[]; totalCents: number } {
  const { programme, items: catalogue } = tariff;
  const wanted = lines ?? catalogue.map((item) => ({ code: item.code, quantity: item.defaultQuantity }));
  if (wanted.length === 0) throw invalid(pricingRefusals.noLines());
  const seen = new Set<string>();
  const priced = wanted.map(({ code, quantity }) => {
    const item = catalogue.find((i) => i.code === code);
    if (!item) throw invalid(pricingRefusals.unknownItem({ code, programme, known: catalogue.map((i) => i.code) }));
    if (seen.has(code)) throw invalid(pricingRefusals.itemTwice({ code }));
    seen.add(code);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) throw invalid(pricingRefusals.quantityInvalid({ code, max: MAX_QUANTITY }));
    const amountCents = item.unitCents * quantity;
    return { code, label: item.label[language], unitCents: item.unitCents, quantity, amountCents };
  });
  const totalCents = priced.reduce((sum, l) => sum + l.amountCents, 0);
  if (!Number.isSafeInteger(totalCents)) throw invalid(pricingRefusals.totalOutOfRange());
  return { lines: priced, totalCents };
}

