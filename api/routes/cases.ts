// /cases: start a case's workflow and read its state from the workflow's query.
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { Router, type Request } from 'express';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import { getStateQuery, searchAttributes, workflowIdFor } from '../../workflows/definitions';
import type { carePathway } from '../../workflows/carePathway';
import { ApiError, parseOr400 } from '../errors';
import { allocateReference } from '../references';
import { asStartInput, createCaseBody, idempotencyKeyHeader, referencePattern, type CreateCaseBody } from '../schemas/cases';
import { toApiError } from '../temporalErrors';

export interface CasesRouteDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  temporalUiUrl: string;
  namespace: string;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
}

export function casesRouter(deps: CasesRouteDeps): Router {
  const { db, client } = deps;
  const router = Router();
  const caseLinks = (reference: string) => ({
    self: `/cases/${reference}`,
    temporalUi: `${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${workflowIdFor(reference)}`,
  });

  /** Finds or records the request behind an Idempotency-Key; the same key with another body is refused. */
  async function claimRequest(key: string, bodyHash: string): Promise<string> {
    const existing = await db.caseRequest.findUnique({ where: { idempotencyKey: key } });
    if (existing) {
      if (existing.bodyHash !== bodyHash) throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different case; use a new key for a new case.');
      return existing.reference;
    }
    const reference = await allocateReference(db);
    try {
      await db.caseRequest.create({ data: { idempotencyKey: key, reference, bodyHash } });
      return reference;
    } catch (err) {
      if (isUniqueViolation(err)) return claimRequest(key, bodyHash); // a concurrent request with the same key won
      throw err;
    }
  }

  async function startCase(reference: string, body: CreateCaseBody): Promise<void> {
    const workflowId = workflowIdFor(reference);
    await client.workflow.start<typeof carePathway>('carePathway', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [asStartInput(body, reference)],
      // A reference is used once, even after its case has closed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `${reference} · ${body.requestType} · ${body.patient.countryOfResidence}`,
      typedSearchAttributes: [
        { key: searchAttributes.CaseId, value: reference },
        { key: searchAttributes.RequestType, value: body.requestType },
        { key: searchAttributes.PatientCountry, value: body.patient.countryOfResidence },
        { key: searchAttributes.CasePhase, value: 'received' },
        { key: searchAttributes.AwaitingRole, value: 'system' },
        { key: searchAttributes.PaymentStatus, value: 'none' },
      ],
    });
  }

  router.post('/', async (req, res) => {
    requireJson(req);
    const keyHeader = req.get('Idempotency-Key');
    const key = keyHeader === undefined ? crypto.randomUUID() : parseOr400(idempotencyKeyHeader, keyHeader, 'Idempotency-Key header');
    const body = parseOr400(createCaseBody, req.body, 'case');
    // Parsed objects list keys in schema order, so equal bodies hash equally.
    const reference = await claimRequest(key, sha256(JSON.stringify(body)));
    try {
      await startCase(reference, body);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ApiError(409, 'duplicate_request', `This request was already received as case ${reference}.`, { reference, links: caseLinks(reference) });
      }
      throw toApiError(err, 'unreachable');
    }
    res.status(201).location(`/cases/${reference}`).json({ reference, workflowId: workflowIdFor(reference), links: caseLinks(reference) });
  });

  router.get('/:reference', async (req, res) => {
    const reference = req.params.reference;
    const notFound = `No case ${reference}: check the reference (it looks like INT-2026-000123).`;
    if (!referencePattern.test(reference)) throw new ApiError(404, 'not_found', notFound);
    try {
      const state = await client.workflow.getHandle(workflowIdFor(reference)).query(getStateQuery);
      res.json(state);
    } catch (err) {
      throw toApiError(err, notFound);
    }
  });

  return router;
}
