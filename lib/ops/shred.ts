// Crypto-shredding of one case (`npm run ops:shred`): its data key is destroyed, so every payload of
// its Temporal history (inputs, updates, state, failure messages) becomes unreadable for good, while
// the Parcours database keeps its audit trail and billing records (Case, CaseEvent, Payment, Refund,
// AuditEntry rows). The DataKey row stays, with who shredded it, when and why.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Db } from '../db';
import { caseScope, dataKeyStore, type KeyConfig } from '../payloadCrypto';
import { workflowIdFor } from '../../workflows/definitions';
import { OpsError } from './repair';
import { isNotFound } from './stuck';

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface ShredOptions {
  reference: string;
  /** A staff account's email or id: who decided the erasure. */
  by: string;
  why: string;
  /** Terminate a running workflow first (it could not run once its key is gone). */
  force?: boolean;
  /** Deadline of each Temporal call, in ms. */
  callTimeoutMs?: number;
}

export interface ShredResult {
  reference: string;
  workflowId: string;
  /** What happened to the workflow: it had ended, it was terminated now (--force), or Temporal no longer has it. */
  workflow: 'closed' | 'terminated' | 'not_found';
  shreddedAt: Date;
  /** Shredded before (this run only recorded nothing new). */
  already: boolean;
  byUserId: string;
}

export async function shredCase(client: Client, db: Db, keys: KeyConfig, opts: ShredOptions): Promise<ShredResult> {
  const { reference } = opts;
  const timeout = opts.callTimeoutMs ?? 15_000;
  if (!REFERENCE.test(reference)) throw new OpsError(`"${reference}" is not a case reference (e.g. INT-2026-000123).`);
  const why = opts.why.trim();
  if (!why) throw new OpsError('Give --why: the reason is kept with the shredded key (no patient data in it).');
  const who = opts.by.trim();
  const staff = await db.user.findFirst({ where: { kind: 'staff', OR: [{ id: who }, { email: who.toLowerCase() }] }, select: { id: true } });
  if (!staff) throw new OpsError(`--by "${who}" is not a staff account's email or id: give yours (npm run staff:add creates one).`);
  const workflowId = workflowIdFor(reference);
  const known = (await db.case.findUnique({ where: { reference }, select: { id: true } })) ?? (await db.dataKey.findUnique({ where: { scope: caseScope(reference) }, select: { id: true } }));

  let workflow: ShredResult['workflow'] = 'closed';
  try {
    // The raw describe: the SDK's would decode the memo, which fails once the key is shredded.
    const d = await client.withDeadline(Date.now() + timeout, () => client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } }));
    const info = d.workflowExecutionInfo;
    if (info?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      if (!opts.force) {
        throw new OpsError(
          `The workflow ${workflowId} is still running: once its key is shredded it could never run again. Close the case first (staff: POST /cases/${reference}/cancel), ` +
            'or pass --force to terminate the workflow and shred.',
        );
      }
      // A fixed reason: the terminate reason is stored in plain text in the history.
      await client.withDeadline(Date.now() + timeout, () => client.workflow.getHandle(workflowId, info.execution?.runId ?? undefined).terminate('terminated by npm run ops:shred --force before crypto-shredding'));
      workflow = 'terminated';
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (!known) throw new OpsError(`No case ${reference}: neither this database nor Temporal (namespace ${client.options.namespace}) knows it. Check the reference.`);
    workflow = 'not_found';
  }

  const store = dataKeyStore({ db, keys });
  const { shreddedAt, already } = await store.shred(caseScope(reference), staff.id, why);
  if (!already) await db.auditEntry.create({ data: { actorId: staff.id, actorRole: 'ops', action: 'ops.shred', caseReference: reference, requestId: `shred-${workflowId}` } });
  return { reference, workflowId, workflow, shreddedAt, already, byUserId: staff.id };
}
