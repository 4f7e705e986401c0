// POST /webhooks/payments: the payment provider tells us a payment was received. The signature is
// checked before anything else; the payment goes to the case's workflow as an update whose ID is the
// payment ID (a repeated delivery is counted once), then into the Payment table, idempotently.
// POST /cases/{reference}/payments: finance records a payment that did not come through the provider
// (a bank transfer), along the same path.
import crypto from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Request } from 'express';
import type { Case } from '../../generated/prisma/client';
import { isCaseState, writeCaseState } from '../../lib/caseView';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import type { Logger } from '../../lib/logger';
import type { CaseAccess } from '../caseAccess';
import { paymentReceivedUpdate, type PaymentNotice, type PaymentResult } from '../../workflows/definitions';
import { saidBy } from '../../workflows/failures';
import { errorMessages } from '../errorMessages';
import { ApiError, parseOr400, requestId } from '../errors';
import { verifySignature } from '../payments/signature';
import { json, type ApiRoutes } from '../routing';
import { z } from '../schemas/common';
import { referenceParam } from '../schemas/cases';
import { asPaymentNotice, paymentAccepted, paymentWebhookBody, recordPaymentBody, webhookHeaders } from '../schemas/payments';
import { ensureWorkflowEnded, isDeadlineExceeded, isTemporalUnavailable, temporalMessages, toApiError } from '../temporalErrors';
import { requireJson } from './cases';

export interface PaymentRoutesDeps {
  db: Db;
  client: Client;
  logger: Logger;
  webhookSecret: string;
  access: CaseAccess;
}



const unavailable = () => new ApiError(503, 'workflow_service_unavailable', errorMessages.workflow_service_unavailable_delivery());

/** Unreachable or timed out, however the client wrapped it: the provider should retry. */
function isTransient(err: unknown): boolean {
  return isTemporalUnavailable(err) || isDeadlineExceeded(err);
}

function rawBodyOf(req: Request): Buffer | undefined {
  const raw = (req as { rawBody?: unknown }).rawBody;
  return Buffer.isBuffer(raw) ? raw : undefined;
}

export function registerPaymentRoutes(api: ApiRoutes, deps: PaymentRoutesDeps): void {
  const { db, client, logger } = deps;

  /** Forwards the payment; undefined when the case's workflow has ended (the update cannot be delivered). */
  async function forward(c: Case, notice: PaymentNotice): Promise<PaymentResult | undefined> {
    const handle = client.workflow.getHandle(c.workflowId);
    try {
      return await handle.executeUpdate(paymentReceivedUpdate, { args: [notice], updateId: notice.paymentId });
    } catch (err) {
      if (isTransient(err)) throw unavailable();
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        const said = cause instanceof ApplicationFailure ? saidBy(cause) : undefined;
        throw new ApiError(400, 'payment_refused', errorMessages.payment_refused({ message: cause?.message ?? err.message, said }));
      }
      if (!(err instanceof WorkflowNotFoundError)) throw toApiError(err, temporalMessages.noWorkflow({ reference: c.reference }));
    }
    // Not found: either the workflow has ended (the server refuses updates to a closed run) or it has not started yet.
    await ensureWorkflowEnded(handle, c.reference, errorMessages.retry_delivery_later());
    return undefined;
  }

  /** Creates the Payment row unless it exists; true when it already did. `counted`: false when the case's workflow had ended (all of it is owed back). */
  async function record(c: Case, notice: PaymentNotice, counted: boolean): Promise<boolean> {
    try {
      await db.payment.create({
        data: { paymentId: notice.paymentId, caseId: c.id, amountCents: notice.amountCents, currency: notice.currency, purpose: notice.purpose, paidAt: new Date(notice.paidAt), counted },
      });
      return false;
    } catch (err) {
      if (isUniqueViolation(err)) return true;
      throw err;
    }
  }

  /**
   * Refuses a payment whose purpose names an estimate or invoice that another case issued (numbers are
   * unique across cases): crediting it here would pay this case's estimate with another patient's money.
   */
  async function refuseOtherCasesDocument(c: Case, notice: PaymentNotice): Promise<void> {
    for (const number of new Set(notice.purpose.match(/\b(?:DEV|FAC)-\d{4}-\d{6}\b/g) ?? [])) {
      const issued = await db.document.findFirst({ where: { originalName: `${number}.pdf`, kind: { in: ['estimate', 'final_invoice'] } }, select: { caseId: true } });
      if (issued && issued.caseId !== c.id) {
        throw new ApiError(409, 'purpose_names_other_case', errorMessages.purpose_names_other_case({ number, reference: c.reference }), { number });
      }
    }
  }

  /**
   * One payment received for a case, however it arrived (the provider's webhook, or finance recording a
   * bank transfer): refused if its ID is known with another case or amount, sent to the workflow (counted
   * once per payment ID), then kept in the Payment table.
   */
  async function receive(req: Request, c: Case, notice: PaymentNotice): Promise<z.infer<typeof paymentAccepted>> {
    const known = await db.payment.findUnique({ where: { paymentId: notice.paymentId } });
    if (known && (known.caseId !== c.id || known.amountCents !== notice.amountCents || known.currency !== notice.currency)) {
      throw new ApiError(409, 'payment_id_conflict', errorMessages.payment_id_conflict({ paymentId: notice.paymentId }));
    }
    await refuseOtherCasesDocument(c, notice);
    const result = await forward(c, notice);
    // Older cases answer the whole view, stored here; newer ones stored it themselves before answering.
    if (result?.state && isCaseState(result.state)) await writeCaseState(db, result.state);
    const alreadyRecorded = await record(c, notice, result !== undefined);
    if (!result) {
      // The money arrived after the case ended: kept, never dropped, and on finance's money-owed worklist.
      logger.warn(
        { paymentId: notice.paymentId, caseReference: c.reference, workflowId: c.workflowId, amountCents: notice.amountCents, duplicate: alreadyRecorded, reqId: requestId(req) },
        'payment received for a case whose workflow has ended: recorded in Payment, not counted by the workflow; on the money-owed worklist for finance to reconcile and refund',
      );
      return { paymentId: notice.paymentId, duplicate: alreadyRecorded, amountPaidCents: null, forwarded: false };
    }
    // Temporal answers a repeated update ID with the first delivery's outcome (duplicate: false), so
    // a row that already existed is what marks a repeat; the workflow's own flag covers a lost row.
    return { paymentId: result.paymentId, duplicate: result.duplicate || alreadyRecorded, amountPaidCents: result.amountPaidCents, forwarded: true };
  }

  api.add({
    method: 'post', path: '/webhooks/payments', tag: 'Webhooks', access: 'webhook',
    summary: 'Payment provider: a payment was received for a case (signed; idempotent by paymentId)',
    request: { headers: webhookHeaders, body: { content: { 'application/json': { schema: paymentWebhookBody } }, required: true } },
    responses: {
      200: json(paymentAccepted, 'Recorded (or already recorded: duplicate is true). Do not retry.'),
      400: json(z.unknown(), 'Signed, but the body is invalid: details lists each field. Do not retry unchanged.'),
      401: json(z.unknown(), 'Signature missing or invalid (invalid_signature), or timestamp out of tolerance (stale_timestamp). Nothing was recorded.'),
      404: json(z.unknown(), 'No case has this reference (unknown_case). Nothing was recorded.'),
      409: json(z.unknown(), 'This paymentId was already received with another case, amount or currency (payment_id_conflict), or the purpose names an estimate or invoice of another case (purpose_names_other_case). Nothing changed.'),
      415: json(z.unknown(), 'The body is not JSON. Nothing was recorded.'),
      503: json(z.unknown(), 'The workflow service is unavailable or the case is not running yet. Nothing was recorded: retry later.'),
    },
    handler: async (req, res) => {
      // Only a JSON body is kept byte for byte (req.rawBody), so nothing else could be verified.
      if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', errorMessages.unsupported_media_type_notification());
      const check = verifySignature({
        secret: deps.webhookSecret,
        timestamp: req.get('Parcours-Timestamp'),
        signature: req.get('Parcours-Signature'),
        rawBody: rawBodyOf(req),
      });
      if (!check.ok) {
        if (check.reason === 'stale' || check.reason === 'future') {
          throw new ApiError(401, 'stale_timestamp', errorMessages.stale_timestamp());
        }
        throw new ApiError(401, 'invalid_signature', errorMessages.invalid_signature());
      }
      const body = parseOr400(paymentWebhookBody, req.body, 'payment notification');
      const unknownCase = new ApiError(404, 'unknown_case', errorMessages.unknown_case({ reference: body.caseReference }));
      const row = await db.case.findUnique({ where: { reference: body.caseReference } });
      if (!row) throw unknownCase;
      // A row not confirmed to be its workflow's case (after a database restore) takes no payment.
      const c = await deps.access.confirm(row).catch((err: unknown) => {
        throw err instanceof ApiError && err.status === 404 ? unknownCase : err;
      });
      res.json(await receive(req, c, asPaymentNotice(body)));
    },
  });

  api.add({
    method: 'post', path: '/cases/:reference/payments', tag: 'Payments', access: 'signed_in', action: 'payment.record',
    summary: 'Record a payment received outside the payment provider, e.g. a bank transfer (finance): counted by the case as a provider payment is; idempotent by paymentId',
    request: { params: referenceParam, body: { content: { 'application/json': { schema: recordPaymentBody } }, required: true } },
    responses: {
      201: json(paymentAccepted, 'Recorded and counted by the case (forwarded: false when the case has ended: kept, and owed back on finance\'s money-owed worklist)'),
      200: json(paymentAccepted, 'This paymentId was already recorded for this case and amount: nothing changed (duplicate: true)'),
      409: json(z.unknown(), 'This paymentId was already received with another case, amount or currency (payment_id_conflict), or the purpose names an estimate or invoice of another case (purpose_names_other_case). Nothing changed.'),
      415: json(z.unknown(), 'The body is not JSON. Nothing was recorded.'),
    },
    handler: async (req, res) => {
      const c = await deps.access.loadForWrite(req, String(req.params.reference), 'payment.record');
      requireJson(req);
      const body = parseOr400(recordPaymentBody, req.body, 'payment');
      const notice: PaymentNotice = {
        paymentId: body.paymentId ?? `transfer_${crypto.randomUUID()}`,
        amountCents: body.amountCents,
        currency: 'EUR',
        purpose: body.purpose,
        // A transfer is known by its day: counted at noon UTC, the same calendar day in Europe and beyond.
        paidAt: new Date(`${body.receivedOn}T12:00:00Z`).toISOString(),
      };
      const accepted = await receive(req, c, notice);
      res.status(accepted.duplicate ? 200 : 201).json(accepted);
    },
  });
}
