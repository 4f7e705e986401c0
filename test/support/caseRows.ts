// Case read-model rows written straight to a test database, as the API creates them, for tests of
// activities that file documents or send emails under a case without running its workflow.
import crypto from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';

/** Fields that differ from the defaults (a French-speaking Algerian proton therapy patient, Amina Benali). */
export type CaseRowFields = Partial<Omit<Prisma.CaseCreateInput, 'reference' | 'workflowId' | 'patientEmail'>>;

/**
 * Creates a case row with a fresh reference. References are drawn from INT-2026-900000 up, far above
 * the blocks test/support/stack.ts gives the API, so they never collide with a workflow's case.
 */
export async function createCaseRow(db: Db, fields: CaseRowFields = {}): Promise<{ reference: string; caseId: string }> {
  const reference = `INT-2026-${String(crypto.randomInt(900_000, 999_999))}`;
  const row = await db.case.create({
    data: {
      reference,
      workflowId: `case-${reference}`,
      requestType: 'proton_therapy',
      phase: 'treatment_planning',
      awaitingRole: 'care_coordinator',
      language: 'fr',
      nationality: 'DZ',
      countryOfResidence: 'DZ',
      patientFirstName: 'Amina',
      patientLastName: 'Benali',
      patientEmail: `${reference.toLowerCase()}@example.test`,
      patient: {},
      ...fields,
    },
  });
  return { reference, caseId: row.id };
}
