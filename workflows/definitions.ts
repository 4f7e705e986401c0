// The contract between the care-pathway workflow and its callers (API, ops, tests): types, search
// attributes, queries, signals and updates are defined once and imported by both sides from here
// (the state of step 3 on is in treatmentState.ts, the queries, signals and updates in updates.ts).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { PathwayTimings } from '../config/pathway';
import type { CaseRules } from '../config/rules/types';
import type { ChecklistEntry } from './checklist';
import type { DocumentAdded, PaymentNotice, Report } from './updates';
import type { TreatmentState } from './treatmentState';

export const REQUEST_TYPES = ['medical_opinion', 'sample_analysis', 'treatment', 'proton_therapy'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in every language a patient may read: what people see is never in one language only. */
export type Localized = Readonly<Record<Language, string>>;

/** Where a case stands. Terminal phases end the workflow. */
export const PHASES = [
  'received',
  'file_collection', // step 1: the patient answers the questionnaire and uploads the file
  'completeness_review', // step 1: the admission team checks the file
  'coordinator_assignment', // step 2: a care coordinator takes the case
  'contents_review', // step 2: the care coordinator approves the contents
  'fee_payment', // step 2: the service fee is due
  'report_pending', // step 2: the MDT (or pathologists, or the radiotherapy team) study the file
  'treatment_planning', // step 3: the care coordinator prepares the estimate (MDT strategy: treatment here)
  'estimate_review', // step 3: the patient accepts or declines the estimate
  'guarantee_pending', // step 3: the estimate must be paid in full or guaranteed by an insurer letter
  'stay_preparation', // step 3: guaranteed; the arrival date, visa certificates, practical pack
  'awaiting_arrival', // step 3: the arrival date is set; the workflow waits for it
  'in_stay', // during the stay: tasks, additional estimates, until discharge
  'follow_up', // after the stay: final invoice, billing questions, follow-up appointments
  'closed',
  'withdrawn',
  'cancelled',
  'abandoned',
  'expired',
] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL_PHASES: readonly Phase[] = ['closed', 'withdrawn', 'cancelled', 'abandoned', 'expired'];

/** Who the case waits on (`none` once it has ended). */
export const AWAITING_ROLES = ['system', 'patient', 'admission_coordinator', 'care_coordinator', 'finance', 'mdt', 'none'] as const;
export type AwaitingRole = (typeof AWAITING_ROLES)[number];

export const PAYMENT_STATUSES = ['none', 'due', 'partially_paid', 'paid', 'guaranteed', 'refund_due', 'balance_due', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface PatientData {
  firstName: string;
  lastName: string;
  email: string;
  /** ISO 3166-1 alpha-2, upper case. */
  nationality: string;
  /** ISO 3166-1 alpha-2, upper case. */
  countryOfResidence: string;
  sex?: 'female' | 'male' | 'other';
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  placeOfBirth?: string;
  phone?: string;
  postalAddress?: string;
}

export interface ReferrerData {
  name: string;
  institution: string;
  email: string;
  phone?: string;
  postalAddress?: string;
}

/** Input of `carePathway`: the case as the API accepted it, plus the reference it allocated. */
export interface CaseStartInput {
  reference: string;
  requestType: RequestType;
  language: Language;
  patient: PatientData;
  referrer?: ReferrerData;
  reason?: string;
  /** The account that opened the case (patient or referring doctor). */
  ownerId?: string;
  /** Per-case durations (tests use seconds), on top of the rules' timings. */
  timings?: Partial<PathwayTimings>;
  /**
   * The rules version in force when the case was opened (config/rules/): the case keeps it to the end.
   * Absent from cases opened before rules were versioned: they run under the first version.
   */
  rules?: CaseRules;
  /** Set when a long case continued as new: the state to resume from (see workflows/carePathway.ts). */
  resume?: ResumePoint;
}

/** What a case carries into a new run when its history grows long (continue-as-new). */
export interface ResumePoint {
  state: CaseState;
  stage: 'in_stay' | 'follow_up';
  emailSeq: number;
  /** Timeline entries dropped from the state so far (the audit trail keeps them). */
  timelineOffset: number;
  patientActivity: number;
}

/** Details of a business event, as stored in CaseEvent.payload: flat JSON scalars. */
export type EventPayload = Record<string, string | number | boolean | null>;

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  summary: string;
}

/** What `getState` answers (ops diagnosis) and updates return: the case as the workflow sees it now. */
export interface CaseState {
  /**
   * Grows by one with every change the workflow records (it is carried across continue-as-new): the
   * read model keeps the highest version it was given, so what people see never moves backwards.
   */
  version: number;
  reference: string;
  requestType: RequestType;
  /** The rules version the case runs under (config/rules/), given when it was opened. */
  rulesVersion: string;
  language: Language;
  phase: Phase;
  awaitingRole: AwaitingRole;
  /** Plain words: what the case waits for. */
  waitingFor: string;
  nextDeadline: string | null;
  paymentStatus: PaymentStatus;
  amountDueCents: number;
  amountPaidCents: number;
  /**
   * Due back to the payer: paid for a study or treatment that never started, or the reconciliation's
   * refund. Overpayments are counted apart (`moneyBack`).
   */
  refundDueCents: number;
  /**
   * When the physicians opened the file (the study started). Null until then; absent in cases that
   * predate the step, whose study started when the fee was paid.
   */
  studyOpenedAt?: string | null;
  /** Money to return and returned (absent in cases that predate it). */
  moneyBack?: MoneyBack;
  checklist: ChecklistEntry[];
  questionnaire: Record<string, string>;
  declaredNone: string[];
  coordinatorId: string | null;
  /**
   * The care coordinator's initials, sent by the API with the assignment (it has their name; the
   * workflow only their account ID): the Temporal UI's current details show them instead of a UUID.
   * Absent from assignments made before (and from updates sent without them).
   */
  coordinatorInitials?: string;
  /** The last message to the patient from a review (missing items, requested changes). */
  lastRequest: { by: string; message: string; missingItems: string[] } | null;
  remindersSent: number;
  report: Report | null;
  documents: DocumentAdded[];
  payments: AllocatedPayment[];
  timeline: TimelineEntry[];
  /** Step 3 onwards (treatment here); empty or null before. */
  treatment: TreatmentState;
}

/** How finance returned money. */
export const REFUND_METHODS = ['bank_transfer', 'card', 'cheque', 'cash'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

/** A refund finance made (recorded after the money left). */
export interface RefundRecord {
  /** The idempotency key it was recorded with: the same key records it once. */
  refundId: string;
  amountCents: number;
  method: RefundMethod;
  /** The bank's or the card processor's reference of the refund. */
  reference: string;
  by: string;
  at: string;
}

/** Money the case received beyond what it asked for, and the refunds made. */
export interface MoneyBack {
  /** Payments (or parts of them) beyond what their purpose asked for, or received after the case ended. */
  overpayments: { paymentId: string; cents: number; towards: string; at: string }[];
  refunds: RefundRecord[];
  /** refundDueCents + overpayments − refunds: what finance still has to return (never below 0). */
  owedCents: number;
}

/** A payment and what it was counted towards. */
export interface AllocatedPayment extends PaymentNotice {
  /** `study_fee`, an estimate number, `balance`, or `unallocated` (kept for the final reconciliation). */
  allocatedTo?: string;
}

/**
 * The case as people see it, stored in the read model (`Case.view`): the state without its timeline,
 * which the CaseEvent rows hold. Written by the workflow (with each recorded event) and by the API
 * (with each update's result); the version decides which write is newer.
 */
export type CaseView = Omit<CaseState, 'timeline'>;

export interface CaseOutcome {
  reference: string;
  phase: Phase;
  reason?: string;
}

export const workflowIdFor = (reference: string): string => `case-${reference}`;

/** The portal's payment page for an amount due on a case (emails carry it; `/pay/:reference` serves it). */
export const paymentPathFor = (reference: string, purpose: string, amountCents: number): string =>
  `/pay/${reference}?purpose=${encodeURIComponent(purpose)}&amountCents=${amountCents}`;

// Search attributes: ops filter cases in the Temporal UI with these (e.g. AwaitingRole = "finance").
export const searchAttributes = {
  CaseId: defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD),
  CasePhase: defineSearchAttributeKey('CasePhase', SearchAttributeType.KEYWORD),
  RequestType: defineSearchAttributeKey('RequestType', SearchAttributeType.KEYWORD),
  AwaitingRole: defineSearchAttributeKey('AwaitingRole', SearchAttributeType.KEYWORD),
  CoordinatorId: defineSearchAttributeKey('CoordinatorId', SearchAttributeType.KEYWORD),
  PatientCountry: defineSearchAttributeKey('PatientCountry', SearchAttributeType.KEYWORD),
  PaymentStatus: defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD),
  /** The rules version the case runs under (config/rules/): set when it starts, never changes. */
  RulesVersion: defineSearchAttributeKey('RulesVersion', SearchAttributeType.KEYWORD),
  /**
   * When the case's next timer is due (a reminder, an SLA, an expiry): the `nextDeadline` of its state,
   * unset when there is none, or earlier while a patient's action has moved the state's on and the
   * reminder timer has not ended yet (STEADY_REMINDERS). Cases running before it was added get it from
   * their next deadline on.
   */
  NextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
} as const;

/** The type names the Temporal CLI and server take (`temporal operator search-attribute create --type`). */
export const SEARCH_ATTRIBUTE_TYPE_NAMES: Partial<Record<SearchAttributeType, string>> = { KEYWORD: 'Keyword', DATETIME: 'Datetime' };

/** `--search-attribute` flags for `temporal server start-dev`, from the keys above. */
export function searchAttributeFlags(): string[] {
  return Object.values(searchAttributes).flatMap((k) => ['--search-attribute', `${k.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[k.type]}`]);
}

/** Failure types the API maps to answers (the message says what to do). */
export const FAILURE_TYPES = { wrongPhase: 'WrongPhase', missingItems: 'MissingItems', notAllowed: 'NotAllowed', invalid: 'InvalidInput', notGuaranteed: 'NotGuaranteed', readModelBehind: 'ReadModelBehind', nothingOwed: 'NothingOwed' } as const;

export * from './treatmentState';
export * from './updates';
