// Which case a `case-<reference>` workflow is, from Temporal itself. Temporal keeps its histories when the
// Parcours database is restored from an older backup, so a reference the restored counter hands out again
// may already name another case's workflow: the workflow's memo (and, for workflows started before the
// memo existed, its start input) says whose it is. Nothing personal goes into the memo.
import crypto from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseStartInput } from '../workflows/definitions';
import { DataKeyShreddedError, decodePayloadAt, UnknownDataKeyError } from './payloadCrypto';

/** Deadline of each Temporal call made to identify a case's workflow. */
export const IDENTIFY_TIMEOUT_MS = 5_000;

/** Stored with each case workflow at start: the opening account, and a hash of its owner-scoped Idempotency-Key. */
export interface CaseMemo {
  ownerId: string;
  requestKeyHash: string;
}

export const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/** The hash stored in the memo for an owner-scoped Idempotency-Key (`<userId>:<key>`). */
export const requestKeyHashOf = (ownerScopedKey: string): string => sha256(ownerScopedKey);

export interface CaseWorkflowIdentity {
  /** The first run of the workflow's chain (continue-as-new keeps it): what `Case.confirmedRunId` records. */
  firstRunId: string;
  ownerId?: string;
  /** The reference in the workflow's start input (only read when there is no memo). */
  reference?: string;
  requestKeyHash?: string;
  /** Where the owner came from. */
  source: 'memo' | 'start_input';
}

function memoOf(memo: Record<string, unknown> | undefined): Partial<CaseMemo> {
  const ownerId = memo?.ownerId;
  const requestKeyHash = memo?.requestKeyHash;
  return { ...(typeof ownerId === 'string' ? { ownerId } : {}), ...(typeof requestKeyHash === 'string' ? { requestKeyHash } : {}) };
}

/**
 * Whose case the workflow is, or null when there is no such workflow. Each call has a deadline; a
 * server that cannot be reached throws (callers answer 503).
 */
export async function identifyCaseWorkflow(client: Client, workflowId: string, timeoutMs = IDENTIFY_TIMEOUT_MS): Promise<CaseWorkflowIdentity | null> {
  let description;
  try {
    description = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).describe());
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    if (err instanceof UnknownDataKeyError || err instanceof DataKeyShreddedError) return unreadable(client, workflowId, timeoutMs);
    throw err;
  }
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
  const memo = memoOf(description.memo);
  if (memo.ownerId) return { firstRunId, ...memo, source: 'memo' };
  // Started before workflows carried a memo: the start input of the current run names the owner
  // (a continued run's input repeats it). Only its first event is read.
  const history = await client.withDeadline(Date.now() + timeoutMs, () =>
    client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId: description.runId }, maximumPageSize: 1 }),
  );
  const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const input = started ? await decodePayloadAt<Partial<CaseStartInput> | undefined>(client.options.loadedDataConverter, 0, started.input?.payloads) : undefined;
  return {
    firstRunId,
    ...(typeof input?.ownerId === 'string' ? { ownerId: input.ownerId } : {}),
    ...(typeof input?.reference === 'string' ? { reference: input.reference } : {}),
    source: 'start_input',
  };
}

/**
 * A workflow whose payloads this database cannot decrypt: its data key is not here (the database was
 * restored from a backup older than the case, and its DataKey rows were not carried over) or was
 * shredded. It exists, so its reference is taken, but it is nobody's this database can prove.
 */
async function unreadable(client: Client, workflowId: string, timeoutMs: number): Promise<CaseWorkflowIdentity> {
  const raw = await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } }));
  const info = raw.workflowExecutionInfo;
  return { firstRunId: info?.firstRunId || info?.execution?.runId || '', source: 'memo' };
}

/**
 * A CaseRequest recreated from Temporal by `ops:rebuild-read-model`: the raw Idempotency-Key is not in
 * Temporal (only its hash, in the memo), so the row is keyed by the hash and its body hash is unknown.
 */
export const restoredRequestKey = (keyHash: string): string => `sha256:${keyHash}`;
export const RESTORED_BODY_HASH = 'unknown:rebuilt-from-temporal';
