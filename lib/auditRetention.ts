// The shortest retention of the audit trail: French rules keep traces of access to health data at
// least 6 months. The database enforces the same floor (the AuditEntry delete trigger, migration
// audit_retention): change both together, with a migration.
export const MIN_AUDIT_RETENTION_DAYS = 183;
