// The case workflow's queries, signals and updates, with their inputs: how the API, ops and tests talk
// to a running case. Part of the contract in workflows/definitions.ts, which exports them all.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PatientRequestKind, TreatmentSiteId } from '../config/stay';
import type { EstimateLineInput } from './pricing';
import type { CaseState, CaseTask, CaseView, CoverageDeclaration, EstimateState, RefundRecord } from './definitions';

export const getStateQuery = defineQuery<CaseState>('getState');

/**
 * What an update answers in cases opened with the local-bookkeeping patch (workflows/bookkeeping.ts): the
 * version of the view it left in the database read model, which the API then answers from. A small
 * answer keeps the whole view out of history once per update. Every other case answers the whole view.
 */
export interface CaseAck {
  reference: string;
  version: number;
}
export type CaseAnswer = CaseView | CaseAck;

export interface CancelRequest {
  reason: string;
  by: string;
}
/** Ops (from the Temporal UI or CLI) end a case that must not go on. */
export const cancelCaseSignal = defineSignal<[CancelRequest]>('cancelCase');

/** The API stored a document for the case (the checklist follows from these). */
export interface DocumentAdded {
  documentId: string;
  kind: string;
  /** ISO 639-1 */
  language: string;
  /** Not in French or English: does not satisfy its checklist item until translated. */
  needsTranslation: boolean;
  uploadedBy: string;
}
/** Kept for cases that received documents as signals; the API now sends `addDocument`. */
export const documentAddedSignal = defineSignal<[DocumentAdded]>('documentAdded');
/** The API stored a document (sent with the document ID as update ID): answers the case with its checklist. */
export const addDocumentUpdate = defineUpdate<CaseAnswer, [DocumentAdded]>('addDocument');

/** A payment confirmed by the payment provider (amounts in integer cents). */
export interface PaymentNotice {
  paymentId: string;
  amountCents: number;
  currency: 'EUR';
  purpose: string;
  paidAt: string;
}
export interface PaymentResult {
  paymentId: string;
  /** True when this payment ID had already been counted: nothing changed. */
  duplicate: boolean;
  amountPaidCents: number;
  /** The case after the payment: the whole view (the API stores it in the read model), or in newer cases the version the workflow stored. */
  state?: CaseAnswer;
}
/** Sent with the payment ID as update ID, so a repeated webhook delivery is counted once. */
export const paymentReceivedUpdate = defineUpdate<PaymentResult, [PaymentNotice]>('paymentReceived');

/** A secure message was posted: the other side is notified (without the content). */
export interface MessagePosted {
  messageId: string;
  authorSide: 'patient' | 'staff';
}
export const messagePostedSignal = defineSignal<[MessagePosted]>('messagePosted');

/** Questionnaire answers (validated by the API's schema): field name → value. */
export type QuestionnaireAnswers = Record<string, string>;
export const answerQuestionnaireUpdate = defineUpdate<CaseAnswer, [{ answers: QuestionnaireAnswers; by: string }]>('answerQuestionnaire');
/** The patient declares they have no document for an item that allows it (e.g. no operation). */
export const declareNoneUpdate = defineUpdate<CaseAnswer, [{ itemId: string; none: boolean; by: string }]>('declareNone');
export const submitFileUpdate = defineUpdate<CaseAnswer, [{ by: string }]>('submitFile');

export type CompletenessReview =
  | { decision: 'complete'; by: string }
  | { decision: 'incomplete'; missingItems: string[]; message: string; by: string };
/** The admission coordinator's check. `complete` is refused while a required item is missing. */
export const reviewCompletenessUpdate = defineUpdate<CaseAnswer, [CompletenessReview]>('reviewCompleteness');

/** `coordinatorInitials`: what ops read in the Temporal UI instead of the ID (the API derives them from the name). */
export const assignCoordinatorUpdate = defineUpdate<CaseAnswer, [{ coordinatorId: string; coordinatorInitials?: string; by: string }]>('assignCoordinator');
export const approveContentsUpdate = defineUpdate<CaseAnswer, [{ by: string }]>('approveContents');
export const requestChangesUpdate = defineUpdate<CaseAnswer, [{ message: string; by: string }]>('requestChanges');

export const MDT_STRATEGIES = ['confirm_home_treatment', 'alternative_proposed', 'treatment_here'] as const;
export type MdtStrategy = (typeof MDT_STRATEGIES)[number];
export type Report =
  | { kind: 'mdt'; strategy: MdtStrategy; summary: string; by: string; at: string }
  | { kind: 'analysis'; diagnosis: string; diagnosisStatus: 'new' | 'confirmed'; summary: string; by: string; at: string };
export type ReportInput = Omit<Extract<Report, { kind: 'mdt' }>, 'at'> | Omit<Extract<Report, { kind: 'analysis' }>, 'at'>;
/** The MDT (or the pathologists for a sample analysis) return their report. */
export const submitReportUpdate = defineUpdate<CaseAnswer, [ReportInput]>('submitReport');

export const withdrawUpdate = defineUpdate<CaseAnswer, [{ reason: string; by: string }]>('withdraw');
/** The physicians (MDT, or the pathologists for a sample analysis) open the file: the study starts. */
export const openStudyUpdate = defineUpdate<CaseAnswer, [{ by: string }]>('openStudy');
/** Finance records a refund made; sent with the refund ID as update ID (a repeat records it once). */
export const recordRefundUpdate = defineUpdate<CaseAnswer, [Omit<RefundRecord, 'at'>]>('recordRefund');

// ---- step 3 to the end of the case -----------------------------------------------------------------

/** The case's care coordinator issues an estimate (the first one, or an additional one during the stay). */
export interface IssueEstimateRequest {
  /** Lines and quantities from the tariff catalogue; default: the programme's standard lines. */
  lines?: EstimateLineInput[];
  by: string;
}
export const issueEstimateUpdate = defineUpdate<EstimateState, [IssueEstimateRequest]>('issueEstimate');
export const acceptEstimateUpdate = defineUpdate<CaseAnswer, [{ number: string; by: string }]>('acceptEstimate');
export const declineEstimateUpdate = defineUpdate<CaseAnswer, [{ number: string; reason?: string; by: string }]>('declineEstimate');
/** The patient tells how they are insured (any time before the estimate is guaranteed). */
export const declareCoverageUpdate = defineUpdate<CaseAnswer, [CoverageDeclaration & { by: string }]>('declareCoverage');
/** Finance records an insurer's approval (guarantee) letter, uploaded first as a document of the case. */
export interface InsurerLetterInput {
  estimateNumber: string;
  insurer: string;
  policyNumber: string;
  coveredCents: number;
  documentId: string;
  by: string;
}
export const recordInsurerLetterUpdate = defineUpdate<CaseAnswer, [InsurerLetterInput]>('recordInsurerLetter');
/** The patient or the coordinator sets (or moves) the arrival date: only once the estimate is guaranteed. */
export interface ArrivalInput {
  /** YYYY-MM-DD, after today. */
  date: string;
  plannedStayDays: number;
  site?: TreatmentSiteId;
  by: string;
}
export const setArrivalDateUpdate = defineUpdate<CaseAnswer, [ArrivalInput]>('setArrivalDate');
/** A companion travelling with the patient (for the visa certificates); the same name updates it. */
export interface CompanionInput {
  fullName: string;
  relationship: 'family' | 'other';
  nationality: string;
  proofDocumentId?: string;
  by: string;
}
export const setCompanionUpdate = defineUpdate<CaseAnswer, [CompanionInput]>('setCompanion');
export const patientArrivedUpdate = defineUpdate<CaseAnswer, [{ by: string }]>('patientArrived');
/** A patient request that becomes a task for a team (config/stay.ts: PATIENT_REQUESTS). */
export interface PatientRequestInput {
  kind: PatientRequestKind;
  details: string;
  by: string;
}
export const raiseRequestUpdate = defineUpdate<CaseTask, [PatientRequestInput]>('raiseRequest');
export const completeTaskUpdate = defineUpdate<CaseAnswer, [{ taskId: string; outcome: string; by: string; byRole: string }]>('completeTask');
/** The treatment of an additional estimate starts: refused until that estimate is guaranteed. */
export const startTreatmentUpdate = defineUpdate<CaseAnswer, [{ estimateNumber: string; by: string }]>('startTreatment');
/** The stay ends; `performed` is the care given (default: the lines of the guaranteed estimates). */
export const recordDischargeUpdate = defineUpdate<CaseAnswer, [{ performed?: EstimateLineInput[]; by: string }]>('recordDischarge');
/** A follow-up appointment (`at`: ISO date-time with offset, in the future), reminded a few days before. */
export const scheduleFollowUpUpdate = defineUpdate<CaseAnswer, [{ at: string; description: string; by: string }]>('scheduleFollowUp');
