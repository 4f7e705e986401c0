// Response schemas of GET /rules and GET /rules/{version}: the published rules versions.
import { z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

export const rulesVersionParam = z.object({
  version: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, schemaMessage(fieldMessages.rulesVersionFormat())).openapi({ example: '2026-01' }),
});

export const rulesVersionSummary = z
  .object({
    id: z.string().openapi({ example: '2026-01' }),
    effectiveFrom: z.string().openapi({ description: 'New cases opened from this day (Europe/Paris) get this version.', example: '2026-01-01' }),
    summary: z.string().openapi({ description: 'What changed from the version before.' }),
    inForce: z.boolean().openapi({ description: 'True for the version a case opened now gets.' }),
    future: z.boolean().openapi({ description: 'Published, but its effective date has not come yet.' }),
  })
  .openapi('RulesVersionSummary');

export const rulesHistory = z
  .object({
    inForce: z.string().openapi({ description: 'The version a case opened now gets.', example: '2026-01' }),
    versions: z.array(rulesVersionSummary).openapi({ description: 'Every published version, oldest first. Running cases keep the version they were opened with.' }),
  })
  .openapi('RulesHistory');

// The whole version as published (config/rules/types.ts, CaseRules): fees and tariffs in integer cents.
export const rulesVersion = z
  .object({ id: z.string(), effectiveFrom: z.string(), summary: z.string() })
  .passthrough()
  .openapi('RulesVersion', { description: 'One published rules version: study fees, tariffs, checklists, coverage and visa rules, stay settings, timings (config/rules/types.ts).' });
