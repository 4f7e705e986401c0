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
  'case.cancel': { patientSide: false, staff: ['ops'] },
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
