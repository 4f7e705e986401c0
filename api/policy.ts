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
  'document.upload': { patientSide: true, staff: [...COORDINATORS, 'finance', 'mdt'] },
  'document.read': { patientSide: true, staff: ALL_STAFF },
  // Medical assistants answer medical questions during the stay.
  'message.read': { patientSide: true, staff: [...COORDINATORS, 'medical_assistant'] },
  'message.write': { patientSide: true, staff: [...COORDINATORS, 'medical_assistant'] },
  'worklist.read': { patientSide: false, staff: ALL_STAFF },
  'audit.read': { patientSide: false, staff: ['ops'] },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof policy;

export function isAllowed(action: Action, who: { kind: AccountKind; role: StaffRole | null }): boolean {
  const rule: Permission = policy[action];
  return who.kind === 'staff' ? who.role !== null && rule.staff.includes(who.role) : rule.patientSide;
}
