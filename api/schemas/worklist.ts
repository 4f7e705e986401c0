// Query and response schemas of GET /worklist: the cases waiting on the caller's role, from the
// database read model.
import { AWAITING_ROLES, PHASES, REQUEST_TYPES } from '../../workflows/definitions';
import { countryCode, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';
import { limitParam, offsetParam, strictQuery } from './query';

export const worklistQuery = strictQuery({
  phase: z.enum(PHASES).optional(),
  requestType: z.enum(REQUEST_TYPES).optional(),
  country: countryCode.optional().openapi({ description: "Patient's country of residence (ISO 3166-1 alpha-2)." }),
  awaitingRole: z
    .enum(AWAITING_ROLES)
    .optional()
    .openapi({ description: 'Ops only: the role the cases wait on. Other roles may pass only their own (or omit it).' }),
  overdue: z
    .enum(['true', 'false'], schemaMessage(fieldMessages.trueOrFalse()))
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .openapi({ type: 'string', enum: ['true', 'false'], description: 'true: only cases past their deadline; false: only cases not past it.' }),
  limit: limitParam,
  offset: offsetParam,
});
export type WorklistQuery = z.infer<typeof worklistQuery>;

export const worklistItem = z
  .object({
    reference: z.string().openapi({ example: 'INT-2026-000123' }),
    requestType: z.enum(REQUEST_TYPES),
    phase: z.enum(PHASES),
    awaitingRole: z.enum(AWAITING_ROLES).nullable(),
    countryOfResidence: z.string().openapi({ example: 'MA' }),
    patientName: z.string().openapi({ description: "The patient's first and last name, as the case was opened", example: 'Amina Benali' }),
    coordinatorId: z.string().nullable().openapi({ description: 'The assigned care coordinator, once there is one.' }),
    nextDeadline: z.string().nullable().openapi({ description: 'When the awaited step is due (ISO 8601).' }),
    overdue: z.boolean().openapi({ description: 'nextDeadline is in the past.' }),
    createdAt: z.string(),
  })
  .openapi('WorklistItem');

export const worklistPage = z
  .object({ items: z.array(worklistItem), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('WorklistPage');

/** GET /worklist/mine: the filters of /worklist but the awaited role (my cases wait on anyone). */
export const myWorklistQuery = worklistQuery.omit({ awaitingRole: true });
