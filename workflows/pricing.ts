// Pricing an estimate from a tariff catalogue (a rules version's `tariffs`): pure and exact (integer cents),
// so the workflow can refuse bad lines before anything is issued and the PDF prints the same sums.
import { ApplicationFailure } from '@temporalio/common';
import type { EstimateLanguage, EstimateProgramme, TariffItem } from '../config/tariffs';
import type { CaseRules } from './rules';
import { FAILURE_TYPES, REQUEST_TYPES, type RequestType } from './definitions';

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

const invalid = (message: string) => ApplicationFailure.create({ type: FAILURE_TYPES.invalid, message, nonRetryable: true });

/** Euros from integer cents, without floating point: `1 234,56 €` (fr) or `€1,234.56` (en). */
/** An amount as in the audit trail and staff emails: 1234.50 EUR. */
export function formatEur(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} EUR`;
}

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
  if (!REQUEST_TYPES.includes(requestType)) throw invalid(`Unknown request type: ${String(requestType)}`);
  const tariff = quotedTariff(requestType, rules);
  if (!tariff) throw invalid(`A ${requestType} request is not quoted: there is no tariff for it.`);
  return tariff;
}

/**
 * Prices the lines from a catalogue (the tariff in force when the estimate is issued, which the
 * estimate records); every amount is an exact integer product, the total an exact sum.
 */
export function priceEstimate(tariff: Tariff, language: EstimateLanguage, lines?: EstimateLineInput[]): { lines: EstimateLine[]; totalCents: number } {
  const { programme, items: catalogue } = tariff;
  const wanted = lines ?? catalogue.map((item) => ({ code: item.code, quantity: item.defaultQuantity }));
  if (wanted.length === 0) throw invalid('An estimate needs at least one line.');
  const seen = new Set<string>();
  const priced = wanted.map(({ code, quantity }) => {
    const item = catalogue.find((i) => i.code === code);
    if (!item) throw invalid(`Unknown item "${code}" for ${programme}; known: ${catalogue.map((i) => i.code).join(', ')}.`);
    if (seen.has(code)) throw invalid(`Item "${code}" appears twice; give one line with the whole quantity.`);
    seen.add(code);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) throw invalid(`The quantity of "${code}" must be a whole number from 1 to ${MAX_QUANTITY}.`);
    const amountCents = item.unitCents * quantity;
    return { code, label: item.label[language], unitCents: item.unitCents, quantity, amountCents };
  });
  const totalCents = priced.reduce((sum, l) => sum + l.amountCents, 0);
  if (!Number.isSafeInteger(totalCents)) throw invalid('The estimate total is out of range.');
  return { lines: priced, totalCents };
}

