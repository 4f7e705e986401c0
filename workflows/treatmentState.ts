// The state of step 3 to the end of a case (treatment here): estimates, coverage, arrival, visa, the
// stay's tasks, the account and the follow-ups. Part of the contract in workflows/definitions.ts.
import type { PatientRequestKind, TaskTeam, TreatmentSiteId } from '../config/stay';
import type { CoverageRoute, Prepayment } from './coverage';
import type { EstimateLine, Tariff } from './pricing';
import type { Reconciliation } from './reconciliation';
import type { VisaStatus } from './visa';

/** An estimate (devis) and where it stands; every amount in integer cents (EUR). */
export interface EstimateState {
  number: string;
  documentId: string;
  issuedAt: string;
  validUntil: string;
  totalCents: number;
  lines: EstimateLine[];
  /** Issued during the stay because treatment changed. */
  additional: boolean;
  status: 'issued' | 'accepted' | 'declined' | 'expired' | 'guaranteed';
  /** Payments allocated to this estimate. */
  paidCents: number;
  insurerLetters: InsurerLetter[];
  /** Set for an additional estimate once its treatment started (only ever after its guarantee). */
  treatmentStartedAt: string | null;
}

export interface InsurerLetter {
  insurer: string;
  policyNumber: string;
  coveredCents: number;
  documentId: string;
  by: string;
  at: string;
}

/** What the patient declared about their insurance (the coverage route follows from it and the documents). */
export interface CoverageDeclaration {
  frenchSocialSecurityNumber?: string;
  declaredTreatingPhysician?: string;
  hasEhic?: boolean;
}

export interface Companion {
  id: string;
  fullName: string;
  relationship: 'family' | 'other';
  nationality: string;
  /** The proof of relationship or justification letter, once uploaded (a document of the case). */
  proofDocumentId: string | null;
  certificateDocumentId: string | null;
}

export interface CaseTask {
  id: string;
  kind: PatientRequestKind;
  team: TaskTeam;
  details: string;
  requestedBy: string;
  createdAt: string;
  status: 'open' | 'done';
  outcome: string | null;
  doneBy: string | null;
  remindersSent: number;
}

export interface FollowUp {
  id: string;
  /** ISO date-time of the appointment. */
  at: string;
  description: string;
  reminded: boolean;
}

export interface TreatmentState {
  coverage: { route: CoverageRoute; prepayment: Prepayment; notices: string[] } | null;
  coverageDeclaration: CoverageDeclaration;
  estimates: EstimateState[];
  arrival: { date: string; plannedStayDays: number; site: TreatmentSiteId; setBy: string } | null;
  arrivedAt: string | null;
  visa: { status: VisaStatus; reason: string; urgent: boolean; consulateCountry: string | null; certificateDocumentId: string | null } | null;
  companions: Companion[];
  tasks: CaseTask[];
  dischargedAt: string | null;
  /** The care given, priced (from the discharge). */
  /**
   * The catalogue the care is invoiced from: the tariff the case's first estimate was priced from (in
   * force on its day of issue). Null until then, and in cases whose estimates predate it.
   */
  tariff?: Tariff | null;
  invoiced: EstimateLine[];
  reconciliation: (Reconciliation & { invoiceNumber: string; invoiceDocumentId: string }) | null;
  followUps: FollowUp[];
}
