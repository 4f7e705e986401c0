// The rules a case runs under: the version it was given in its input, kept across continue-as-new.
// Workflow code reads fees, tariffs, checklists, coverage and visa rules only from here.
import type { CaseRules } from '../config/rules/types';
// The one runtime import from config/ in workflow code (eslint.config.mjs allows it here only): the
// frozen first version, for histories recorded before cases carried their rules.
import { rules202601 } from '../config/rules/v2026-01';

export type { CaseRules };

/** The rules of a case whose input carries none (started before rules were versioned). */
export const RULES_BEFORE_VERSIONING: CaseRules = rules202601;

export function caseRules(input: { rules?: CaseRules }): CaseRules {
  return input.rules ?? RULES_BEFORE_VERSIONING;
}
