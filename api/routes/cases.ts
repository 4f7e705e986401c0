// /cases: open a case (starts its workflow), list mine, read one (from the workflow's query), cancel.
import crypto from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Request } from 'express';
import type { PathwayTimings } from '../../config/pathway';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import { cancelCaseSignal, getStateQuery, searchAttributes, TERMINAL_PHASES, workflowIdFor, type Phase } from '../../workflows/definitions';
import type { carePathway } from '../../workflows/carePathway';
import type { CaseAccess } from '../caseAccess';
import { requireAllowed, requirePrincipal, type Principal } from '../auth/principal';
import { ApiError, parseOr400 } from '../errors';
import { allocateReference } from '../references';
import { json, type ApiRoutes } from '../routing';
import { asStartInput, cancelBody, caseState, caseSummary, createCaseBody, createdCase, idempotencyKeyHeader, referenceParam, type CreateCaseBody } from '../schemas/cases';
import { z } from '../schemas/common';
import { toApiError } from '../temporalErrors';

export interface CasesRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
  taskQueue: string;
  temporalUiUrl: string;
  namespace: string;
  /** Given to each new case whole, so its history never depends on the code's defaults. */
  timings: PathwayTimings;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
}

export function registerCaseRoutes(api: ApiRoutes, deps: CasesRouteDeps): void {
  const { db, client } = deps;
  const tag = 'Cases';
  const caseLinks = (reference: string) => ({
    self: `/cases/${reference}`,
    temporalUi: `${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${workflowIdFor(reference)}`,
  });

  /**
   * Finds or records the request behind an Idempotency-Key, with the case's read-model row (so access
   * checks work as soon as the API answers). The same key with another body is refused.
   */
  async function claimRequest(key: string, bodyHash: string, body: CreateCaseBody, owner: Principal): Promise<string> {
    const existing = await db.caseRequest.findUnique({ where: { idempotencyKey: key } });
    if (existing) {
      if (existing.bodyHash !== bodyHash) throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different case; use a new key for a new case.');
      return existing.reference;
    }
    const reference = await allocateReference(db);
    const { patient } = body;
    try {
      await db.$transaction([
        db.caseRequest.create({ data: { idempotencyKey: key, reference, bodyHash } }),
        db.case.create({
          data: {
            reference,
            workflowId: workflowIdFor(reference),
            requestType: body.requestType,
            phase: 'received',
            awaitingRole: 'system',
            language: body.language,
            nationality: patient.nationality,
            countryOfResidence: patient.countryOfResidence,
            patientFirstName: patient.firstName,
            patientLastName: patient.lastName,
            patientEmail: patient.email.toLowerCase(),
            patient: { ...patient },
            referrer: body.referrer ? { ...body.referrer } : undefined,
            ownerId: owner.userId,
          },
        }),
      ]);
      return reference;
    } catch (err) {
      if (isUniqueViolation(err)) return claimRequest(key, bodyHash, body, owner); // a concurrent request with the same key won
      throw err;
    }
  }

  async function startCase(reference: string, body: CreateCaseBody, owner: Principal): Promise<void> {
    await client.workflow.start<typeof carePathway>('carePathway', {
      workflowId: workflowIdFor(reference),
      taskQueue: deps.taskQueue,
      args: [{ ...asStartInput(body, reference, owner.userId), timings: deps.timings }],
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

  api.add({
    method: 'post', path: '/cases', tag, access: 'signed_in', action: 'case.create',
    summary: 'Open a case (patient or referring doctor): starts its care-pathway workflow and emails an acknowledgement',
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ description: 'Resending the same request with the same key never opens a second case (409).' }) }),
      body: { content: { 'application/json': { schema: createCaseBody } }, required: true },
    },
    responses: {
      201: json(createdCase, 'Case opened; Location points to it'),
      409: json(z.unknown(), 'Same Idempotency-Key already used (details.reference names the case)'),
      413: json(z.unknown(), 'Body too large'),
      415: json(z.unknown(), 'Body is not JSON'),
    },
    handler: async (req, res) => {
      const owner = requireAllowed(req, 'case.create');
      if (!owner.emailVerified) throw new ApiError(403, 'email_not_verified', 'Confirm your email address before opening a case.');
      requireJson(req);
      const keyHeader = req.get('Idempotency-Key');
      const key = keyHeader === undefined ? crypto.randomUUID() : parseOr400(idempotencyKeyHeader, keyHeader, 'Idempotency-Key header');
      const body = parseOr400(createCaseBody, req.body, 'case');
      if (owner.kind === 'referrer' && !body.referrer) {
        throw new ApiError(400, 'validation_failed', 'A referring doctor opening a case gives their own details.', [{ path: 'referrer', message: 'Required for a referring doctor.' }]);
      }
      // Parsed objects list keys in schema order, so equal bodies hash equally. The owner is part
      // of the key's scope: another account's key never collides with yours.
      const reference = await claimRequest(`${owner.userId}:${key}`, sha256(JSON.stringify(body)), body, owner);
      try {
        await startCase(reference, body, owner);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          throw new ApiError(409, 'duplicate_request', `This request was already received as case ${reference}.`, { reference, links: caseLinks(reference) });
        }
        throw toApiError(err, 'unreachable');
      }
      res.status(201).location(`/cases/${reference}`).json({ reference, workflowId: workflowIdFor(reference), links: caseLinks(reference) });
    },
  });

  api.add({
    method: 'get', path: '/cases', tag, access: 'signed_in', action: 'case.list_own',
    summary: 'My cases (patient side): the ones I opened or that were opened for my email address',
    responses: { 200: json(z.object({ items: z.array(caseSummary) }), 'My cases, newest first') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'case.list_own');
      const rows = await db.case.findMany({
        where: { OR: [{ ownerId: p.userId }, ...(p.kind === 'patient' && p.emailVerified ? [{ patientEmail: p.email }] : [])] },
        orderBy: { createdAt: 'desc' },
        take: 200,
      });
      res.json({ items: rows.map((c) => ({ reference: c.reference, requestType: c.requestType, phase: c.phase, awaitingRole: c.awaitingRole, createdAt: c.createdAt.toISOString() })) });
    },
  });

  api.add({
    method: 'get', path: '/cases/:reference', tag, access: 'signed_in', action: 'case.read',
    summary: "The case's state, from its workflow: phase, who it waits on, timeline",
    request: { params: referenceParam },
    responses: { 200: json(caseState, 'Current state') },
    handler: async (req, res) => {
      const c = await deps.access.load(req, String(req.params.reference), 'case.read');
      try {
        res.json(await client.workflow.getHandle(c.workflowId).query(getStateQuery));
      } catch (err) {
        throw toApiError(err, `Case ${c.reference} has no workflow yet: retry in a moment.`);
      }
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/cancel', tag, access: 'signed_in', action: 'case.cancel',
    summary: 'Cancel a case (ops): its workflow ends in phase `cancelled`',
    request: { params: referenceParam, body: { content: { 'application/json': { schema: cancelBody } }, required: true } },
    responses: { 202: json(z.object({ reference: z.string(), cancelling: z.literal(true) }), 'Cancellation sent to the workflow') },
    handler: async (req, res) => {
      const c = await deps.access.load(req, String(req.params.reference), 'case.cancel');
      const { reason } = parseOr400(cancelBody, req.body, 'cancellation');
      const p = requirePrincipal(req);
      const closed = new ApiError(409, 'case_closed', `Case ${c.reference} has already ended (${c.phase}): there is nothing to cancel.`);
      if (TERMINAL_PHASES.includes(c.phase as Phase)) throw closed;
      try {
        await client.workflow.getHandle(c.workflowId).signal(cancelCaseSignal, { reason, by: `${p.role}:${p.userId}` });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw closed; // ended a moment ago: the read model lags
        throw toApiError(err, `Case ${c.reference} has no running workflow.`);
      }
      res.status(202).json({ reference: c.reference, cancelling: true });
    },
  });
}
