// /cases: open a case (starts its workflow), list mine, read one (from the read model), cancel.
import crypto from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Request } from 'express';
import type { PathwayTimings } from '../../config/pathway';
import type { CaseRules } from '../../config/rules/types';
import type { RulesRegistry } from '../../lib/rules';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import { identifyCaseWorkflow, requestKeyHashOf, restoredRequestKey, RESTORED_BODY_HASH, sha256, type CaseMemo, type CaseWorkflowIdentity } from '../../lib/caseIdentity';
import { caseRowOf, readCaseState } from '../../lib/caseView';
import { forReader } from '../caseResponse';
import { answerLanguage } from '../language';
import { cancelCaseSignal, searchAttributes, TERMINAL_PHASES, workflowIdFor, type Phase } from '../../workflows/definitions';
import type { carePathway } from '../../workflows/carePathway';
import { ownCasesWhere, type CaseAccess } from '../caseAccess';
import { requireAllowed, requirePrincipal, type Principal } from '../auth/principal';
import { errorMessages, fieldMessages } from '../errorMessages';
import { ApiError, fieldsSaid, invalidFields, parseOr400 } from '../errors';
import { allocateReference } from '../references';
import { json, type ApiRoutes } from '../routing';
import { asStartInput, cancelBody, caseState, caseSummary, createCaseBody, createdCase, idempotencyKeyHeader, referenceParam, type CreateCaseBody } from '../schemas/cases';
import { z } from '../schemas/common';
import { temporalMessages, toApiError } from '../temporalErrors';

export interface CasesRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
  taskQueue: string;
  temporalUiUrl: string;
  /** Where the portal and console are served (PUBLIC_BASE_URL): the workflow's details link to the case there. */
  publicBaseUrl: string;
  namespace: string;
  /** PATHWAY_* overrides of the rules version's durations; each new case is given the whole result, so its history never depends on the code's defaults. */
  timings: Partial<PathwayTimings>;
  /** The published rules versions: each new case is given the one in force (lib/rules.ts). */
  rules: RulesRegistry;
}

export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', errorMessages.unsupported_media_type_json());
}

export function registerCaseRoutes(api: ApiRoutes, deps: CasesRouteDeps): void {
  const { db, client } = deps;
  const tag = 'Cases';
  const caseLinks = (reference: string) => ({
    self: `/cases/${reference}`,
    temporalUi: `${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${workflowIdFor(reference)}`,
  });

  /** Tries left to find a reference no other case's workflow holds, for one request (see `freeReference`). */
  const MAX_REFERENCE_ATTEMPTS = 50;
  const noFreeReference = () =>
    new ApiError(503, 'no_free_reference', errorMessages.no_free_reference({ attempts: MAX_REFERENCE_ATTEMPTS }));

  /** The workflow is this very request's, started before (its rows may have been lost in a database restore). */
  const isOwnRequest = (w: CaseWorkflowIdentity | null, owner: Principal, keyHash: string) => !!w && w.ownerId === owner.userId && w.requestKeyHash === keyHash;
  /**
   * For a request whose rows exist: its own workflow, or one of the same owner started before workflows
   * carried a memo (no key hash to compare; its rows are never moved away from it).
   */
  const mayBeOwnRequest = (w: CaseWorkflowIdentity | null, owner: Principal, keyHash: string) => isOwnRequest(w, owner, keyHash) || (!!w && w.source === 'start_input' && w.ownerId === owner.userId);

  async function identify(reference: string): Promise<CaseWorkflowIdentity | null> {
    try {
      return await identifyCaseWorkflow(client, workflowIdFor(reference));
    } catch (err) {
      throw toApiError(err, temporalMessages.noWorkflow({ reference }));
    }
  }

  /**
   * A new reference whose workflow ID no other case holds. The counter normally hands out fresh ones,
   * but after the database is restored from an older backup it goes back while Temporal keeps the later
   * cases' workflows: those references are skipped (the counter moves past them for good). Checked
   * before any row is written, so no other case's workflow ever writes into this request's row.
   */
  async function freeReference(owner: Principal, keyHash: string, budget: { left: number }): Promise<string> {
    while (budget.left-- > 0) {
      const reference = await allocateReference(db);
      const existing = await identify(reference);
      if (!existing || isOwnRequest(existing, owner, keyHash)) return reference;
    }
    throw noFreeReference();
  }

  /**
   * Finds or records the request behind an Idempotency-Key, with the case's read-model row (so access
   * checks work as soon as the API answers). The same key with another body is refused.
   */
  async function claimRequest(key: string, keyHash: string, bodyHash: string, body: CreateCaseBody, owner: Principal, budget: { left: number }, rules: CaseRules): Promise<string> {
    const existing = (await db.caseRequest.findUnique({ where: { idempotencyKey: key } })) ?? (await db.caseRequest.findUnique({ where: { idempotencyKey: restoredRequestKey(keyHash) } }));
    if (existing) {
      // A request rebuilt from Temporal has no body hash: the same owner and key make it the same request.
      if (existing.bodyHash !== bodyHash && existing.bodyHash !== RESTORED_BODY_HASH) throw new ApiError(409, 'idempotency_key_reused', errorMessages.idempotency_key_reused_case());
      return existing.reference;
    }
    const reference = await freeReference(owner, keyHash, budget);
    try {
      await db.$transaction([
        db.caseRequest.create({ data: { idempotencyKey: key, reference, bodyHash } }),
        db.case.create({ data: caseRowOf(asStartInput(body, reference, owner.userId, rules)) }),
      ]);
      return reference;
    } catch (err) {
      if (isUniqueViolation(err)) return claimRequest(key, keyHash, bodyHash, body, owner, budget, rules); // a concurrent request with the same key won
      throw err;
    }
  }

  /** Moves this request's rows (not yet started: no workflow wrote to them) to a new free reference. */
  async function moveRequest(from: string, body: CreateCaseBody, owner: Principal, keyHash: string, budget: { left: number }, rules: CaseRules): Promise<string> {
    const to = await freeReference(owner, keyHash, budget);
    await db.$transaction([
      db.caseRequest.update({ where: { reference: from }, data: { reference: to } }),
      db.case.update({ where: { reference: from }, data: { ...caseRowOf(asStartInput(body, to, owner.userId, rules)), confirmedRunId: null } }),
    ]);
    return to;
  }

  /** Starts the case's workflow; returns the run that `Case.confirmedRunId` then records. */
  async function startCase(reference: string, body: CreateCaseBody, owner: Principal, keyHash: string, rules: CaseRules): Promise<string> {
    const handle = await client.workflow.start<typeof carePathway>('carePathway', {
      workflowId: workflowIdFor(reference),
      taskQueue: deps.taskQueue,
      args: [{ ...asStartInput(body, reference, owner.userId, rules), timings: { ...rules.timings, ...deps.timings } }],
      // A reference is used once, even after its case has closed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Whose request this workflow is (no personal data): tells a retried request from another case
      // holding the same reference after a database restore, and confirms rows (api/caseAccess.ts).
      memo: { ownerId: owner.userId, requestKeyHash: keyHash } satisfies CaseMemo,
      staticSummary: `${reference} · ${body.requestType} · ${body.patient.countryOfResidence}`,
      // The Temporal UI's "Details" (markdown, set once): what the workflow is and where staff read the
      // case. Short: that UI version cuts long details off (see workflows/currentDetails.ts).
      staticDetails: [
        `One case of the international-patient care pathway, under rules version ${rules.id}.`,
        '',
        `[${reference} in the staff console](${deps.publicBaseUrl}/console/cases/${reference})`,
      ].join('\n'),
      typedSearchAttributes: [
        { key: searchAttributes.CaseId, value: reference },
        { key: searchAttributes.RequestType, value: body.requestType },
        { key: searchAttributes.PatientCountry, value: body.patient.countryOfResidence },
        { key: searchAttributes.CasePhase, value: 'file_collection' },
        { key: searchAttributes.AwaitingRole, value: 'patient' },
        { key: searchAttributes.PaymentStatus, value: 'none' },
        { key: searchAttributes.RulesVersion, value: rules.id },
      ],
    });
    return handle.firstExecutionRunId;
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
      if (!owner.emailVerified) throw new ApiError(403, 'email_not_verified', errorMessages.email_not_verified_open_case());
      requireJson(req);
      const keyHeader = req.get('Idempotency-Key');
      const key = keyHeader === undefined ? crypto.randomUUID() : parseOr400(idempotencyKeyHeader, keyHeader, 'Idempotency-Key header');
      const body = parseOr400(createCaseBody, req.body, 'case');
      if (owner.kind === 'referrer' && !body.referrer) {
        throw invalidFields(errorMessages.referrer_details_required(), fieldsSaid([{ path: 'referrer', said: fieldMessages.requiredForReferrer() }]));
      }
      // Parsed objects list keys in schema order, so equal bodies hash equally. The owner is part
      // of the key's scope: another account's key never collides with yours.
      const scopedKey = `${owner.userId}:${key}`;
      const keyHash = requestKeyHashOf(scopedKey);
      const budget = { left: MAX_REFERENCE_ATTEMPTS };
      // The case keeps the rules in force now to its end, whatever is published later.
      const rules = deps.rules.inForce(new Date());
      let reference = await claimRequest(scopedKey, keyHash, sha256(JSON.stringify(body)), body, owner, budget, rules);
      for (;;) {
        try {
          const runId = await startCase(reference, body, owner, keyHash, rules);
          await db.case.updateMany({ where: { reference, confirmedRunId: null }, data: { confirmedRunId: runId } });
          break;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw toApiError(err, temporalMessages.noWorkflow({ reference }));
        }
        // The workflow ID is taken: by this same request sent before (a duplicate), or by another case
        // whose reference the counter handed out again (its data is never shown here: move on).
        if (mayBeOwnRequest(await identify(reference), owner, keyHash)) {
          throw new ApiError(409, 'duplicate_request', errorMessages.duplicate_request({ reference }), { reference, links: caseLinks(reference) });
        }
        reference = await moveRequest(reference, body, owner, keyHash, budget, rules);
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
        where: ownCasesWhere(p),
        orderBy: { createdAt: 'desc' },
        take: 200,
      });
      res.json({ items: rows.map((c) => ({ reference: c.reference, requestType: c.requestType, phase: c.phase, awaitingRole: c.awaitingRole, createdAt: c.createdAt.toISOString() })) });
    },
  });

  api.add({
    method: 'get', path: '/cases/:reference', tag, access: 'signed_in', action: 'case.read',
    summary: "The case's state, from the read model the workflow writes: phase, who it waits on, timeline",
    request: { params: referenceParam },
    responses: { 200: json(caseState, 'Current state') },
    handler: async (req, res) => {
      const c = await deps.access.load(req, String(req.params.reference), 'case.read');
      const lang = answerLanguage(req, res);
      const state = await readCaseState(db, c, lang);
      if (!state) throw new ApiError(503, 'case_unavailable', errorMessages.case_unavailable_no_state({ reference: c.reference }));
      res.json({ ...forReader(state, lang, requirePrincipal(req)), countryOfResidence: c.countryOfResidence });
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/cancel', tag, access: 'signed_in', action: 'case.cancel',
    summary: 'Cancel a case (ops): its workflow ends in phase `cancelled`',
    request: { params: referenceParam, body: { content: { 'application/json': { schema: cancelBody } }, required: true } },
    responses: { 202: json(z.object({ reference: z.string(), cancelling: z.literal(true) }), 'Cancellation sent to the workflow') },
    handler: async (req, res) => {
      const c = await deps.access.loadForWrite(req, String(req.params.reference), 'case.cancel');
      const { reason } = parseOr400(cancelBody, req.body, 'cancellation');
      const p = requirePrincipal(req);
      const closed = new ApiError(409, 'case_closed', errorMessages.case_closed_nothing_to_cancel({ reference: c.reference, phase: c.phase }));
      if (TERMINAL_PHASES.includes(c.phase as Phase)) throw closed;
      try {
        await client.workflow.getHandle(c.workflowId).signal(cancelCaseSignal, { reason, by: `${p.role}:${p.userId}` });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw closed; // ended a moment ago: the read model lags
        throw toApiError(err, errorMessages.case_no_running_workflow({ reference: c.reference }));
      }
      res.status(202).json({ reference: c.reference, cancelling: true });
    },
  });
}
