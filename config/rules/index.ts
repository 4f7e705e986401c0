// Every published rules version, oldest first. Publishing one: add its file beside the others (a
// copy of the latest with the changes, or the latest spread with the changed parts), append it here
// and record its fingerprint in published.json (README: "Rules versions", "Publishing a version").
import type { CaseRules } from './types';
import { rules202601 } from './v2026-01';
import { rules202612 } from './v2026-12';
import { rules202701 } from './v2027-01';

export const PUBLISHED_RULES: readonly CaseRules[] = [rules202601, rules202612, rules202701];

export type { CaseRules } from './types';
