// Request and response schemas of the /cases resource. Strict objects: an unknown field is refused,
// so a client can never set fields the workflow owns (phase, approvals, amounts).
import { AWAITING_ROLES, LANGUAGES, MDT_STRATEGIES, PAYMENT_STATUSES, PHASES, REFUND_METHODS, REQUEST_TYPES, type CaseStartInput } from '../../workflows/definitions';
import { PHASE_RULES } from '../../workflows/actions';
import type { ActionName } from '../../workflows/refusals';
import type { CaseRules } from '../../config/rules/types';
import { countryCode, email, isoDate, name, phone, shortText, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';
import { treatmentState } from './treatment';

export const referencePattern = /^INT-\d{4}-\d{6}$/;

export const patientSchema = z
  .strictObject({
    firstName: name,
    lastName: name,
    email,
    nationality: countryCode,
    countryOfResidence: countryCode,
    sex: z.enum(['female', 'male', 'other']).optional(),
    dateOfBirth: isoDate.optional(),
    placeOfBirth: shortText(100).optional(),
    phone: phone.optional(),
    postalAddress: shortText(300).optional(),
  })
  .openapi('Patient');

export const referrerSchema = z
  .strictObject({
    name,
    institution: shortText(200),
    email,
    phone: phone.optional(),
    postalAddress: shortText(300).optional(),
  })
  .openapi('Referrer');

export const createCaseBody = z
  .strictObject({
    requestType: z.enum(REQUEST_TYPES),
    language: z.enum(LANGUAGES).openapi({ description: 'Language of all communication with the patient.' }),
    patient: patientSchema,
    referrer: referrerSchema.optional().openapi({ description: 'Set when a referring doctor opens the case for the patient.' }),
    reason: shortText(2000).optional().openapi({ description: 'Reason for the request, in the patient’s or doctor’s words.' }),
  })
  .openapi('CreateCase');

export type CreateCaseBody = z.infer<typeof createCaseBody>;
// The API's body is exactly the workflow's input less the reference the API allocates.
/** The workflow's input for a new case; `rules` is the version in force when it is opened (lib/rules.ts). */
export const asStartInput = (body: CreateCaseBody, reference: string, ownerId: string, rules?: CaseRules): CaseStartInput => ({ reference, ...body, ownerId, ...(rules ? { rules } : {}) });

export const referenceParam = z.object({ reference: z.string().openapi({ example: 'INT-2026-000123' }) });
export const cancelBody = z.strictObject({ reason: shortText(500) }).openapi('Cancel');
export const caseSummary = z
  .object({ reference: z.string(), requestType: z.enum(REQUEST_TYPES), phase: z.string(), awaitingRole: z.string().nullable(), createdAt: z.string() })
  .openapi('CaseSummary');

export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{8,200}$/, schemaMessage(fieldMessages.idempotencyKeyFormat()));

export const createdCase = z
  .object({
    reference: z.string().openapi({ example: 'INT-2026-000123' }),
    workflowId: z.string().openapi({ example: 'case-INT-2026-000123' }),
    links: z.object({ self: z.string(), temporalUi: z.string() }),
  })
  .openapi('CreatedCase');

const localizedLabel = z.object({ fr: z.string(), en: z.string() });

export const caseState = z
  .object({
    version: z.number().int().openapi({ description: 'Grows with every change the workflow records: a state with a higher version is newer (what people see never moves backwards)' }),
    reference: z.string(),
    requestType: z.enum(REQUEST_TYPES),
    countryOfResidence: z.string().optional().openapi({ description: "The patient's country of residence (ISO 3166-1 alpha-2), as the case was opened: in GET /cases/{reference} (pages show times in the patient's own zone beside Paris time)", example: 'MA' }),
    rulesVersion: z.string().openapi({ description: 'The rules version the case runs under, given when it was opened (GET /rules/{version})', example: '2026-01' }),
    language: z.enum(LANGUAGES),
    phase: z.enum(PHASES),
    awaitingRole: z.enum(AWAITING_ROLES),
    waitingFor: z.string().openapi({ description: "Who or what the case waits for, in the caller's language (Accept-Language): for the patient side what happens next, for staff who acts" }),
    allowedActions: z.array(z.enum(Object.keys(PHASE_RULES) as [ActionName, ...ActionName[]])).openapi({ description: "What the caller may do on the case in its phase: the workflow's actions for the phase (workflows/actions.ts) that the caller's side or role may do. Other conditions (an estimate to answer, a task still open) still apply: the workflow decides, and refuses with 409 otherwise" }),
    nextDeadline: z.string().nullable(),
    paymentStatus: z.enum(PAYMENT_STATUSES),
    amountDueCents: z.number().int(),
    amountPaidCents: z.number().int(),
    refundDueCents: z.number().int().openapi({ description: 'Due back for a study or treatment that never started, or by the final account (overpayments are in moneyBack)' }),
    studyOpenedAt: z.string().nullable().optional().openapi({ description: 'When the physicians opened the file (the study started); absent in cases that predate the step' }),
    moneyBack: z
      .object({
        overpayments: z.array(z.object({ paymentId: z.string(), cents: z.number().int(), towards: z.string(), at: z.string() })),
        refunds: z.array(z.object({ refundId: z.string(), amountCents: z.number().int(), method: z.enum(REFUND_METHODS), reference: z.string(), by: z.string(), at: z.string() })),
        owedCents: z.number().int().openapi({ description: 'Still to return: refundDueCents + overpayments − refunds' }),
      })
      .optional()
      .openapi({ description: 'Money owed back and the refunds finance recorded; absent in cases that predate it' }),
    checklist: z
      .array(
        z.object({
          id: z.string(),
          label: localizedLabel,
          source: z.enum(['questionnaire', 'document']),
          status: z.enum(['missing', 'provided', 'declared_none', 'needs_translation']),
          mayBeDeclaredNone: z.boolean(),
          missingFields: z.array(z.string()).optional().openapi({ description: 'Questionnaire fields still missing, for questionnaire items' }),
        }),
      )
      .openapi({ description: "The file's checklist under the case's rules version: each questionnaire part and document, and whether it is there" }),
    questionnaire: z.record(z.string(), z.string()).openapi({ description: "The patient's answers so far, by field" }),
    declaredNone: z.array(z.string()).openapi({ description: 'Checklist items the patient declared they have none of (e.g. no operation reports)' }),
    lastRequest: z
      .object({ by: z.string(), message: z.string(), missingItems: z.array(z.string()) })
      .nullable()
      .openapi({ description: 'The last message to the patient from a review (missing items, requested changes); null before any' }),
    remindersSent: z.number().int().openapi({ description: 'Reminders sent to the patient while the file is incomplete' }),
    report: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('mdt'), strategy: z.enum(MDT_STRATEGIES), summary: z.string(), by: z.string(), at: z.string() }),
        z.object({ kind: z.literal('analysis'), diagnosis: z.string(), diagnosisStatus: z.enum(['new', 'confirmed']), summary: z.string(), by: z.string(), at: z.string() }),
      ])
      .nullable()
      .openapi({ description: "The MDT's or the pathologists' report, once returned" }),
    coordinatorId: z.string().nullable(),
    coordinatorInitials: z.string().optional().openapi({ description: "The care coordinator's initials (what ops read in the Temporal UI); absent for assignments made before they were recorded" }),
    documents: z.array(z.object({ documentId: z.string(), kind: z.string(), language: z.string(), needsTranslation: z.boolean(), uploadedBy: z.string() })),
    payments: z.array(z.object({ paymentId: z.string(), amountCents: z.number().int(), currency: z.literal('EUR'), purpose: z.string(), paidAt: z.string(), allocatedTo: z.string().optional().openapi({ description: '`study_fee`, an estimate number, `balance`, or `unallocated`' }) })),
    timeline: z.array(z.object({ at: z.string(), type: z.string(), actor: z.string(), summary: z.string().openapi({ description: "The event in words, in the caller's language (Accept-Language)" }) })),
    treatment: treatmentState,
  })
  .openapi('CaseState');
