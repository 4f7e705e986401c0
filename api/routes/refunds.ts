// Money owed back is work for finance: POST /cases/{reference}/refunds records a refund made, and
// GET /worklist/money-owed lists what is still to return, oldest first.
//
// A running case judges the refund itself (recordRefund, its validator knows what is owed); the
// refund is then kept in the Refund table too. A case whose workflow has ended can still owe money for
// payments that arrived after it ended (never counted by it): those refunds are judged here against the
// Payment and Refund tables, in one transaction.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Case } from '../../generated/prisma/client';
import { sha256 } from '../../lib/caseIdentity';
import { isCaseState, storedViewAt, writeCaseState } from '../../lib/caseView';
import type { Db } from '../../lib/db';
import { isUniqueViolation, lockCaseRow } from '../../lib/db';
import { formatEur } from '../../workflows/pricing';
import { recordRefundUpdate, TERMINAL_PHASES, type CaseView, type Phase } from '../../workflows/definitions';
import { requireAllowed, requirePrincipal } from '../auth/principal';
import type { AuditLog } from '../audit';
import type { CaseAccess } from '../caseAccess';
import { refusals } from '../../workflows/refusals';
import { errorMessages } from '../errorMessages';
import { ApiError, parseOr400 } from '../errors';
import { json, type ApiRoutes } from '../routing';
import { idempotencyKeyHeader, referenceParam } from '../schemas/cases';
import { z } from '../schemas/common';
import { parseQuery } from '../schemas/query';
import { moneyOwedPage, moneyOwedQuery, recordRefundBody, refundRecorded, type RecordRefundBody } from '../schemas/refunds';
import { ensureWorkflowEnded, temporalMessages, toApiError } from '../temporalErrors';
import { requireJson } from './cases';

export interface RefundRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
  audit: AuditLog;
}

const sumOf = (rows: { amountCents: number }[]) => rows.reduce((s, r) => s + r.amountCents, 0);
const viewOf = (c: Pick<Case, 'view'>) => (c.view && typeof c.view === 'object' && !Array.isArray(c.view) ? (c.view as unknown as CaseView) : null);

type Refunded = z.infer<typeof refundRecorded>;

export function registerRefundRoutes(api: ApiRoutes, deps: RefundRouteDeps): void {
  const { db, client } = deps;

  /** Owed once the workflow has ended: its last word, plus payments it never counted, less refunds made since. */
  async function owedAfterEnd(tx: Pick<Db, 'payment' | 'refund'>, c: Pick<Case, 'id' | 'moneyOwedCents'>): Promise<number> {
    const [uncounted, refunded] = await Promise.all([
      tx.payment.findMany({ where: { caseId: c.id, counted: false }, select: { amountCents: true } }),
      tx.refund.findMany({ where: { caseId: c.id, afterEnd: true }, select: { amountCents: true } }),
    ]);
    return Math.max(0, c.moneyOwedCents + sumOf(uncounted) - sumOf(refunded));
  }

  /** The running case judges and records the refund; undefined when its workflow has ended. */
  async function throughWorkflow(c: Case, refundId: string, body: RecordRefundBody, by: string): Promise<Refunded | undefined> {
    const handle = client.workflow.getHandle(c.workflowId);
    try {
      const answer = await handle.executeUpdate(recordRefundUpdate, { args: [{ refundId, ...body, by }], updateId: refundId });
      // Older cases answer the whole view, stored here; newer ones stored it and answer its version.
      if (isCaseState(answer)) await writeCaseState(db, answer);
      const state = isCaseState(answer) ? answer : await storedViewAt(db, answer);
      if (!state) throw new ApiError(503, 'case_unavailable', errorMessages.case_unavailable_no_state({ reference: c.reference }));
      await keep(c, refundId, body, by, false);
      return { refundId, ...body, duplicate: false, afterEnd: false, owedCents: state.moneyBack?.owedCents ?? 0 };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw toApiError(err, temporalMessages.noWorkflow({ reference: c.reference }));
    }
    await ensureWorkflowEnded(handle, c.reference, errorMessages.retry_later());
    return undefined;
  }

  /** The Refund row (idempotent: the workflow already counted it once). */
  async function keep(c: Case, refundId: string, body: RecordRefundBody, by: string, afterEnd: boolean): Promise<void> {
    try {
      await db.refund.create({ data: { refundId, caseId: c.id, amountCents: body.amountCents, method: body.method, reference: body.reference, recordedBy: by, afterEnd } });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  api.add({
    method: 'post', path: '/cases/:reference/refunds', tag: 'Payments', access: 'signed_in', action: 'refund.record',
    summary: 'Record a refund made to the payer (finance): what is owed back goes down, and the case closes once nothing is owed. Idempotent by Idempotency-Key, else by method and reference',
    request: {
      params: referenceParam,
      headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ description: 'Recording again with the same key changes nothing and answers as the first time.' }) }),
      body: { content: { 'application/json': { schema: recordRefundBody } }, required: true },
    },
    responses: {
      201: json(refundRecorded, 'Recorded'),
      200: json(refundRecorded, 'This refund was already recorded: nothing changed (duplicate: true)'),
      400: json(z.unknown(), 'The body is invalid (validation_failed), or the amount is more than what is owed back (refused). Nothing was recorded.'),
      409: json(z.unknown(), 'Nothing is owed back on this case (nothing_owed), or this key was used for another refund (refund_id_conflict). Nothing was recorded.'),
      415: json(z.unknown(), 'The body is not JSON. Nothing was recorded.'),
    },
    handler: async (req, res) => {
      const c = await deps.access.loadForWrite(req, String(req.params.reference), 'refund.record');
      requireJson(req);
      const body = parseOr400(recordRefundBody, req.body, 'refund');
      const by = requirePrincipal(req).userId;
      const key = req.get('Idempotency-Key');
      const natural = key === undefined ? `${body.method}:${body.reference.trim().toLowerCase()}` : parseOr400(idempotencyKeyHeader, key, 'Idempotency-Key header');
      const refundId = `refund_${sha256(`${c.id}:${natural}`).slice(0, 32)}`;

      const known = await db.refund.findUnique({ where: { refundId } });
      if (known) {
        if (known.amountCents !== body.amountCents || known.method !== body.method) {
          throw new ApiError(409, 'refund_id_conflict', errorMessages.refund_id_conflict({ under: key === undefined ? 'method_and_reference' : 'idempotency_key' }));
        }
        const owedCents = known.afterEnd ? await owedAfterEnd(db, c) : (viewOf(c)?.moneyBack?.owedCents ?? 0);
        res.status(200).json({ refundId, amountCents: known.amountCents, method: body.method, reference: known.reference, duplicate: true, afterEnd: known.afterEnd, owedCents });
        return;
      }
      const done = await throughWorkflow(c, refundId, body, by);
      if (done) {
        res.status(201).json(done);
        return;
      }
      // The workflow has ended: judged against what it left owed and the payments it never counted.
      const after = await db.$transaction(async (tx) => {
        // Two refunds of the same ended case are judged one after the other, each against what the other left.
        await lockCaseRow(db, tx, c.id);
        const row = await tx.case.findUniqueOrThrow({ where: { id: c.id }, select: { id: true, moneyOwedCents: true } });
        const owed = await owedAfterEnd(tx, row);
        if (owed === 0) throw new ApiError(409, 'nothing_owed', errorMessages.nothing_owed({ reference: c.reference }));
        if (body.amountCents > owed) throw new ApiError(400, 'refused', refusals.refundTooLarge({ amountCents: body.amountCents, owedCents: owed }));
        await tx.refund.create({ data: { refundId, caseId: c.id, amountCents: body.amountCents, method: body.method, reference: body.reference, recordedBy: by, afterEnd: true } });
        const left = owed - body.amountCents;
        await tx.caseEvent.create({ data: { caseId: c.id, idempotencyKey: `${c.workflowId}:${refundId}`, type: 'refund_recorded', actor: by, summary: `Refund of ${formatEur(body.amountCents)} recorded after the case ended (${body.method})`, payload: { refundId, amountCents: body.amountCents, method: body.method, owedCents: left, afterEnd: true } } });
        return left;
      });
      res.status(201).json({ refundId, ...body, duplicate: false, afterEnd: true, owedCents: after });
    },
  });

  api.add({
    method: 'get', path: '/worklist/money-owed', tag: 'Worklist', access: 'signed_in', action: 'money_owed.read',
    summary: 'Money to return (finance): refunds due, overpayments and payments received after a case ended, until the refund is recorded; oldest first',
    request: { query: moneyOwedQuery },
    responses: { 200: json(moneyOwedPage, 'One page of the cases owing money back, with the total matching and the total owed') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'money_owed.read');
      const q = parseQuery(moneyOwedQuery, req.query);
      const candidates = await db.case.findMany({
        where: { OR: [{ moneyOwedCents: { gt: 0 } }, { payments: { some: { counted: false } } }] },
        orderBy: [{ updatedAt: 'asc' }, { reference: 'asc' }],
        select: { id: true, reference: true, patientFirstName: true, patientLastName: true, requestType: true, phase: true, moneyOwedCents: true, view: true, updatedAt: true, payments: { where: { counted: false }, select: { amountCents: true } }, refunds: { where: { afterEnd: true }, select: { amountCents: true } } },
      });
      const items = candidates
        .map((c) => {
          const view = viewOf(c);
          const owedCents = Math.max(0, c.moneyOwedCents + sumOf(c.payments) - sumOf(c.refunds));
          const reasons: ('refund_due' | 'overpayment' | 'payment_after_end')[] = [];
          if ((view?.refundDueCents ?? 0) > 0) reasons.push('refund_due');
          if ((view?.moneyBack?.overpayments.length ?? 0) > 0) reasons.push('overpayment');
          if (c.payments.length) reasons.push('payment_after_end');
          return { reference: c.reference, patientName: `${c.patientFirstName} ${c.patientLastName}`.trim(), requestType: c.requestType, phase: c.phase, owedCents, reasons, caseEnded: TERMINAL_PHASES.includes(c.phase as Phase), since: c.updatedAt.toISOString() };
        })
        .filter((x) => x.owedCents > 0);
      const page = {
        items: items.slice(q.offset, q.offset + q.limit) as z.infer<typeof moneyOwedPage>['items'],
        total: items.length,
        totalOwedCents: sumOf(items.map((x) => ({ amountCents: x.owedCents }))),
        limit: q.limit,
        offset: q.offset,
      };
      // The page names patients: recorded before it is sent, one entry per case shown.
      await deps.audit.recordListRead(req, p, 'worklist.money_owed', page);
      res.json(page);
    },
  });
}
