// Request and response schemas of step 3 to the end of the case (estimates, guarantee, stay, tasks,
// discharge, follow-up). Strict objects: a client sets only what the step takes; the workflow keeps the
// business rules (phase, tariff codes, guarantee), the API only the shape of each field.
import { PATIENT_REQUEST_KINDS, PATIENT_REQUESTS, TREATMENT_SITE_IDS, type TaskTeam } from '../../config/stay';
import { isValidNir } from '../../workflows/coverage';
import { PHASES, REQUEST_TYPES } from '../../workflows/definitions';
import { countryCode, isoDate, shortText, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';
import { limitParam, offsetParam, strictQuery } from './query';

/** Lines per estimate (or per discharge): far more than a programme's catalogue holds. */
export const MAX_LINES = 30;

/** Today as YYYY-MM-DD in UTC: the same calendar the workflow's dates use. */
const todayUtc = () => new Date().toISOString().slice(0, 10);

// ---- path parameters -------------------------------------------------------------------------------

export const estimateNumberPattern = /^DEV-\d{4}-\d{6}$/;
export const estimateParams = z.object({
  reference: z.string().openapi({ example: 'INT-2026-000123' }),
  number: z.string().regex(estimateNumberPattern, schemaMessage(fieldMessages.estimateNumberFormat())).openapi({ example: 'DEV-2026-000123' }),
});

export const taskParams = z.object({
  reference: z.string().openapi({ example: 'INT-2026-000123' }),
  taskId: z.string().regex(/^[\w.:-]{1,100}$/, schemaMessage(fieldMessages.taskIdFormat())),
});

// ---- request bodies --------------------------------------------------------------------------------

const lineInput = z.strictObject({
  code: z.string().regex(/^[a-z_]{2,50}$/, schemaMessage(fieldMessages.tariffCodeFormat())),
  quantity: z.number().int(schemaMessage(fieldMessages.wholeNumber())).min(1, schemaMessage(fieldMessages.atLeastOne())).max(999, schemaMessage(fieldMessages.atMost({ max: 999 }))),
});

/** Tariff lines: at least one (omit the field for the defaults), each code once. */
const lines = (omitted: 'standard' | 'guaranteed') =>
  z
    .array(lineInput)
    .min(1, schemaMessage(fieldMessages.atLeastOneLine({ omitted })))
    .max(MAX_LINES, schemaMessage(fieldMessages.atMostLines({ max: MAX_LINES })))
    .refine((ls) => new Set(ls.map((l) => l.code)).size === ls.length, schemaMessage(fieldMessages.codeTwice()));

export const issueEstimateBody = z
  .strictObject({ lines: lines('standard').optional() })
  .openapi('IssueEstimate', { description: 'Omit `lines` (or send no body) for the standard lines of the programme.' });

export const declineEstimateBody = z.strictObject({ reason: shortText(500).optional() }).openapi('DeclineEstimate');

export const coverageBody = z
  .strictObject({
    // Checked here as the workflow reads it (workflows/coverage.ts): a mistyped number would otherwise
    // pass silently and put the patient on the prepayment route. Corsica's departments are 2A and 2B.
    frenchSocialSecurityNumber: z
      .string()
      .trim()
      .regex(/^(?=.{13,21}$)[0-9 ]*(?:2[AB])?[0-9 ]*$/i, { error: schemaMessage(fieldMessages.socialSecurityNumberFormat()), abort: true })
      .refine(isValidNir, schemaMessage(fieldMessages.socialSecurityNumberInvalid()))
      .optional(),
    declaredTreatingPhysician: shortText(200).optional(),
    hasEhic: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, schemaMessage(fieldMessages.coverageAtLeastOne()))
  .openapi('CoverageDeclaration');

export const insurerLetterBody = z
  .strictObject({
    insurer: shortText(200),
    policyNumber: shortText(100),
    coveredCents: z.number().int(schemaMessage(fieldMessages.coveredCents())).positive(schemaMessage(fieldMessages.moreThanZero())),
    documentId: z.uuid(schemaMessage(fieldMessages.letterDocumentId())),
  })
  .openapi('InsurerLetter');

export const arrivalBody = z
  .strictObject({
    date: isoDate.refine((d) => d > todayUtc(), schemaMessage(fieldMessages.arrivalAfterToday())),
    plannedStayDays: z.number().int(schemaMessage(fieldMessages.wholeDays())).min(1, schemaMessage(fieldMessages.atLeastOneDay())).max(365, schemaMessage(fieldMessages.atMostDays({ max: 365 }))),
    site: z.enum(TREATMENT_SITE_IDS).optional().openapi({ description: 'Default: the site of the request type.' }),
  })
  .openapi('Arrival');

export const companionBody = z
  .strictObject({
    fullName: shortText(200),
    relationship: z.enum(['family', 'other']),
    nationality: countryCode,
    proofDocumentId: z.uuid(schemaMessage(fieldMessages.proofDocumentId())).optional(),
  })
  .openapi('Companion', { description: 'A companion with the same fullName is updated, not added twice.' });

export const patientRequestBody = z
  .strictObject({ kind: z.enum(PATIENT_REQUEST_KINDS), details: shortText(2000) })
  .openapi('PatientRequest');

export const completeTaskBody = z.strictObject({ outcome: shortText(2000) }).openapi('CompleteTask');

export const dischargeBody = z
  .strictObject({ performed: lines('guaranteed').optional() })
  .openapi('Discharge', { description: 'Omit `performed` (or send no body) to invoice the lines of the guaranteed estimates.' });

export const followUpBody = z
  .strictObject({
    // A date-time with its offset: the appointment's hour matters, and the patient travels from another time zone.
    at: z.iso
      .datetime({ offset: true, error: schemaMessage(fieldMessages.dateTimeWithOffset()) })
      .refine((at) => Date.parse(at) > Date.now(), schemaMessage(fieldMessages.followUpInFuture()))
      .openapi({ example: '2026-12-03T10:30:00+01:00' }),
    description: shortText(500),
  })
  .openapi('FollowUp');

// ---- responses (documentation: the workflow's answers as they are) ---------------------------------

const estimateLine = z.object({ code: z.string(), label: z.string(), unitCents: z.number().int(), quantity: z.number().int(), amountCents: z.number().int() });

export const estimateState = z
  .object({
    number: z.string().openapi({ example: 'DEV-2026-000123' }),
    documentId: z.string().openapi({ description: 'The estimate PDF, a document of the case.' }),
    issuedAt: z.string(),
    validUntil: z.string(),
    totalCents: z.number().int(),
    lines: z.array(estimateLine),
    additional: z.boolean().openapi({ description: 'Issued during the stay because treatment changed.' }),
    status: z.enum(['issued', 'accepted', 'declined', 'expired', 'guaranteed']),
    paidCents: z.number().int(),
    insurerLetters: z.array(z.object({ insurer: z.string(), policyNumber: z.string(), coveredCents: z.number().int(), documentId: z.string(), by: z.string(), at: z.string() })),
    treatmentStartedAt: z.string().nullable(),
  })
  .openapi('Estimate');

/** The teams patient requests go to (config/stay.ts), in a stable order. */
export const TASK_TEAMS = [...new Set(Object.values(PATIENT_REQUESTS).map((r) => r.team))] as [TaskTeam, ...TaskTeam[]];

export const caseTask = z
  .object({
    id: z.string(),
    kind: z.enum(PATIENT_REQUEST_KINDS),
    team: z.enum(TASK_TEAMS),
    details: z.string(),
    requestedBy: z.string(),
    createdAt: z.string(),
    status: z.enum(['open', 'done']),
    outcome: z.string().nullable(),
    doneBy: z.string().nullable(),
    remindersSent: z.number().int(),
  })
  .openapi('CaseTask');

// ---- GET /worklist/tasks ----------------------------------------------------------------------------

export const taskWorklistQuery = strictQuery({
  team: z.enum(TASK_TEAMS).optional().openapi({ description: 'Ops only: one team’s tasks. Other roles may pass only their own team (or omit it).' }),
  limit: limitParam,
  offset: offsetParam,
});

export const taskWorklistItem = z
  .object({
    taskId: z.string(),
    kind: z.enum(PATIENT_REQUEST_KINDS),
    team: z.enum(TASK_TEAMS),
    reference: z.string().openapi({ example: 'INT-2026-000123' }),
    patientName: z.string().openapi({ description: "The patient's first and last name, as the case was opened", example: 'Amina Benali' }),
    requestType: z.enum(REQUEST_TYPES),
    phase: z.enum(PHASES),
    coordinatorId: z.string().nullable(),
    requestedBy: z.string().openapi({ description: 'Who raised it: `patient:<id>`, `referrer:<id>` or a staff account.' }),
    createdAt: z.string(),
  })
  .openapi('TaskWorklistItem');

export const taskWorklistPage = z
  .object({ items: z.array(taskWorklistItem), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('TaskWorklistPage');

const money = z.number().int();
/** Step 3 onwards in `GET /cases/{reference}` (empty or null before). */
export const treatmentState = z
  .object({
    coverage: z.object({ route: z.enum(['french_insured', 'eu_planned_care', 'insurer_guarantee', 'self_pay']), prepayment: z.enum(['none_copayment_only', 'insurer', 'full']), notices: z.array(z.string()) }).nullable(),
    coverageDeclaration: z.object({ frenchSocialSecurityNumber: z.string().optional(), declaredTreatingPhysician: z.string().optional(), hasEhic: z.boolean().optional() }),
    estimates: z.array(estimateState),
    arrival: z.object({ date: z.string(), plannedStayDays: z.number().int(), site: z.enum(TREATMENT_SITE_IDS), setBy: z.string() }).nullable(),
    arrivedAt: z.string().nullable(),
    visa: z.object({ status: z.enum(['not_required', 'required', 'check_with_consulate']), reason: z.string(), urgent: z.boolean(), consulateCountry: z.string().nullable(), certificateDocumentId: z.string().nullable() }).nullable(),
    companions: z.array(z.object({ id: z.string(), fullName: z.string(), relationship: z.enum(['family', 'other']), nationality: z.string(), proofDocumentId: z.string().nullable(), certificateDocumentId: z.string().nullable() })),
    tasks: z.array(caseTask),
    dischargedAt: z.string().nullable(),
    tariff: z
      .object({
        programme: z.enum(['treatment', 'proton_therapy']),
        rulesVersion: z.string(),
        items: z.array(z.object({ code: z.string(), label: z.object({ fr: z.string(), en: z.string() }), unitCents: money, defaultQuantity: z.number().int() })),
      })
      .nullable()
      .optional()
      .openapi({ description: "The catalogue the care is invoiced from: the tariff the case's first estimate was priced from. Null until then; absent in cases whose estimates predate it" }),
    invoiced: z.array(z.object({ code: z.string(), label: z.string(), unitCents: money, quantity: z.number().int(), amountCents: money })),
    reconciliation: z
      .object({
        invoiceNumber: z.string(), invoiceDocumentId: z.string(), outcome: z.enum(['settled', 'balance_due', 'refund_due']),
        invoicedCents: money, insurerShareCents: money, patientShareCents: money, paidCents: money, balanceDueCents: money, refundDueCents: money,
      })
      .nullable(),
    followUps: z.array(z.object({ id: z.string(), at: z.string(), description: z.string(), reminded: z.boolean() })),
  })
  .openapi('TreatmentState');
