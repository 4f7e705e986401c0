// Which rules version a case gets, and the versions on record. A new case gets the latest version
// whose effective date (Europe/Paris) has come; a running case keeps the version it was given.
import crypto from 'node:crypto';
import { PUBLISHED_RULES, type CaseRules } from '../config/rules';

const VERSION_ID = /^\d{4}-\d{2}(-\d{2})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day in Paris at `at`, `YYYY-MM-DD`: rules take effect at midnight in Paris. */
export function parisDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** A stable fingerprint of a version's content (keys sorted): published versions never change it. */
export function rulesFingerprint(rules: CaseRules): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(canonical)
    : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
    : value;
  return crypto.createHash('sha256').update(JSON.stringify(canonical(rules))).digest('hex');
}

export class RulesRegistry {
  private readonly versions: readonly CaseRules[];

  constructor(versions: readonly CaseRules[] = PUBLISHED_RULES) {
    const problems: string[] = [];
    const seen = new Set<string>();
    versions.forEach((v, i) => {
      if (!VERSION_ID.test(v.id)) problems.push(`version "${v.id}": the id must be YYYY-MM or YYYY-MM-DD`);
      if (seen.has(v.id)) problems.push(`version "${v.id}" is listed twice`);
      seen.add(v.id);
      if (!DAY.test(v.effectiveFrom)) problems.push(`version "${v.id}": effectiveFrom must be YYYY-MM-DD`);
      const before = versions[i - 1];
      if (before && v.effectiveFrom <= before.effectiveFrom) problems.push(`version "${v.id}" takes effect on ${v.effectiveFrom}, not after "${before.id}" (${before.effectiveFrom}): list versions oldest first, one per effective date`);
    });
    if (versions.length === 0) problems.push('no version is published');
    if (problems.length) throw new Error(`The rules versions in config/rules/index.ts are not valid: ${problems.join('; ')}.`);
    this.versions = versions;
  }

  /** The version a case started at `at` gets. */
  inForce(at: Date): CaseRules {
    const day = parisDay(at);
    const version = [...this.versions].reverse().find((v) => v.effectiveFrom <= day);
    if (!version) throw new Error(`No rules version is in force on ${day}: the first takes effect on ${this.versions[0].effectiveFrom}.`);
    return version;
  }

  byId(id: string): CaseRules | undefined {
    return this.versions.find((v) => v.id === id);
  }

  /** Every version, oldest first. */
  all(): readonly CaseRules[] {
    return this.versions;
  }
}
