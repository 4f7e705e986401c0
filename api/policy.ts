// Who may do what: one table, read by the routes and by the authorization tests. Patients and
// referring doctors ("the patient side") act only on their own cases; staff act by role, following
// the roles in the domain (shared/domain.md).
export const STAFF_ROLES = ['admission_coordinator', 'care_coordinator', 'finance', 'mdt', 'medical_assistant', 'support', 'ops'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const ACCOUNT_KINDS = ['patient', 'referrer', 'staff'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface Permission {
  /** Whether the patient side (on its own cases) may do it. */
  patientSide: boolean;
  staff: readonly StaffRole[];
}

export const ALL_STAFF = STAFF_ROLES;
const COORDINATORS: readonly StaffRole[] = ['admission_coordinator', 'care_coordinator'];

export const policy = {
  'case.create': { patientSide: true, staff: [] },
  'case.list_own': { patientSide: true, staff: [] },
  'case.read': { patientSide: true, staff: ALL_STAFF },
  // Coordinators stop a case that must not go on; ops repair.
  'case.cancel': { patientSide: false, staff: ['ops', ...COORDINATORS] },
  'case.withdraw': { patientSide: true, staff: [] },
  // Step 1: the patient builds the file; the admission team checks it.
  'file.edit': { patientSide: true, staff: [] },
  'file.submit': { patientSide: true, staff: [] },
  'file.review': { patientSide: false, staff: ['admission_coordinator'] },
  // Step 2: a care coordinator takes the case (or is given it) and approves the contents; the MDT reports.
  'case.assign_coordinator': { patientSide: false, staff: [...COORDINATORS, 'ops'] },
  'contents.review': { patientSide: false, staff: ['care_coordinator'] },
  'report.submit': { patientSide: false, staff: ['mdt'] },
  // The physicians open the file: the study starts (a withdrawal before it refunds the fee in full).
  'study.open': { patientSide: false, staff: ['mdt'] },
  // Step 3: the care coordinator issues estimates; the patient side answers them and declares its
  // insurance; finance records insurer guarantee letters.
  'estimate.issue': { patientSide: false, staff: ['care_coordinator'] },
  'estimate.respond': { patientSide: true, staff: [] },
  'coverage.declare': { patientSide: true, staff: [] },
  'guarantee.record': { patientSide: false, staff: ['finance'] },
  // Finance records money that did not come through the payment provider (a bank transfer).
  'payment.record': { patientSide: false, staff: ['finance'] },
  // Money owed back (refunds due, overpayments, payments after the end): finance returns it and records
  // the refund; ops may look at the list.
  'refund.record': { patientSide: false, staff: ['finance'] },
  'money_owed.read': { patientSide: false, staff: ['finance', 'ops'] },
  // The stay is organised with the patient: either side sets the arrival date and the companions;
  // support, who welcome the patient, may record the arrival.
  'stay.arrival': { patientSide: true, staff: ['care_coordinator'] },
  'stay.companion': { patientSide: true, staff: ['care_coordinator'] },
  'stay.record_arrival': { patientSide: false, staff: ['care_coordinator', 'support'] },
  // Patient requests become tasks for a team (config/stay.ts); the coordinator may raise one for the
  // patient. Each team completes its own tasks (the workflow checks the team), a coordinator any task.
  'request.raise': { patientSide: true, staff: ['care_coordinator'] },
  'task.complete': { patientSide: false, staff: ['support', 'medical_assistant', 'care_coordinator', 'finance'] },
  'treatment.start': { patientSide: false, staff: ['care_coordinator'] },
  'stay.discharge': { patientSide: false, staff: ['care_coordinator'] },
  'follow_up.schedule': { patientSide: false, staff: ['care_coordinator'] },
  'document.upload': { patientSide: true, staff: [...COORDINATORS, 'finance', 'mdt'] },
  'document.read': { patientSide: true, staff: ALL_STAFF },
  // Medical assistants answer medical questions during the stay.
  'message.read': { patientSide: true, staff: [...COORDINATORS, 'medical_assistant'] },
  'message.write': { patientSide: true, staff: [...COORDINATORS, 'medical_assistant'] },
  // Cases waiting on my role (/worklist) and my team's open tasks (/worklist/tasks).
  'worklist.read': { patientSide: false, staff: ALL_STAFF },
  // Every case I coordinate, whatever it waits on (/worklist/mine): care coordinators follow their patients.
  'worklist.mine': { patientSide: false, staff: ['care_coordinator'] },
  'audit.read': { patientSide: false, staff: ['ops'] },
  // The Temporal UI's codec server: decrypted histories are for ops repairing cases, no one else.
  'codec.decode': { patientSide: false, staff: ['ops'] },
  'codec.encode': { patientSide: false, staff: ['ops'] },
  // The right of access (GDPR art. 15): the patient side downloads its own cases' data in one archive.
  'data.export': { patientSide: true, staff: [] },
  // The staff directory (name and role), to pick a care coordinator for a case.
  'staff.list': { patientSide: false, staff: [...COORDINATORS, 'ops'] },
  // The published rules versions (fees, tariffs, checklists, visa lists): staff see which a case runs under.
  'rules.read': { patientSide: false, staff: ALL_STAFF },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof policy;

export function isAllowed(action: Action, who: { kind: AccountKind; role: StaffRole | null }): boolean {
  const rule: Permission = policy[action];
  return who.kind === 'staff' ? who.role !== null && rule.staff.includes(who.role) : rule.patientSide;
}
