// POST /webhooks/payments: the payment provider tells us a payment was received. The signature is
// checked before anything else; the payment goes to the case's workflow as an update whose ID is the
// payment ID (a repeated delivery is counted once), then into the Payment table, idempotently.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Case } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import { isUniqueViolation } from '../../lib/db';
import type { Logger } from '../../lib/logger';
import { paymentReceivedUpdate, type PaymentNotice, type PaymentResult } from '../../workflows/definitions';
import { ApiError, parseOr400, requestId } from '../errors';
import { verifySignature } from '../payments/signature';
import { json, type ApiRoutes } from '../routing';
import { z } from '../schemas/common';
import { asPaymentNotice, paymentAccepted, paymentWebhookBody, webhookHeaders, type PaymentWebhookBody } from '../schemas/payments';
import { causeChain, isTemporalUnavailable, toApiError } from '../temporalErrors';

export interface PaymentRoutesDeps {
  db: Db;
  client: Client;
  logger: Logger;
  webhookSecret: string;
}


const CLOSED_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT']);

const unavailable = () => new ApiError(503, 'workflow_service_unavailable', 'The workflow service is unavailable; nothing was recorded. Retry the delivery later.');

/** Unreachable or timed out, however the client wrapped it: the provider should retry. */
function isTransient(err: unknown): boolean {
  return isTemporalUnavailable(err) || causeChain(err).some((e) => e instanceof WorkflowUpdateRPCTimeoutOrCancelledError);
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
        throw new ApiError(400, 'payment_refused', `The case refused the payment: ${err.cause?.message ?? err.message}. Nothing was recorded.`);
      }
      if (!(err instanceof WorkflowNotFoundError)) throw toApiError(err, `Case ${c.reference} has no workflow.`);
    }
    // Not found: either the workflow has ended (the server refuses updates to a closed run) or it has not started yet.
    try {
      const description = await handle.describe();
      if (CLOSED_STATUSES.has(description.status.name)) return undefined;
    } catch (err) {
      if (isTransient(err)) throw unavailable();
      if (!(err instanceof WorkflowNotFoundError)) throw toApiError(err, `Case ${c.reference} has no workflow.`);
    }
    // The case row exists before its workflow starts (POST /cases): a retry will find it running.
    throw new ApiError(503, 'case_not_started', `Case ${c.reference} is not running yet; nothing was recorded. Retry the delivery later.`);
  }

  /** Creates the Payment row unless it exists; true when it already did. */
  async function record(c: Case, body: PaymentWebhookBody, notice: PaymentNotice): Promise<boolean> {
    try {
      await db.payment.create({
        data: { paymentId: body.paymentId, caseId: c.id, amountCents: body.amountCents, currency: body.currency, purpose: body.purpose, paidAt: new Date(notice.paidAt) },
      });
      return false;
    } catch (err) {
      if (isUniqueViolation(err)) return true;
      throw err;
    }
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
      409: json(z.unknown(), 'This paymentId was already received with another case, amount or currency (payment_id_conflict). Nothing changed.'),
      415: json(z.unknown(), 'The body is not JSON. Nothing was recorded.'),
      503: json(z.unknown(), 'The workflow service is unavailable or the case is not running yet. Nothing was recorded: retry later.'),
    },
    handler: async (req, res) => {
      // Only a JSON body is kept byte for byte (req.rawBody), so nothing else could be verified.
      if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Send the notification as JSON with Content-Type: application/json.');
      const check = verifySignature({
        secret: deps.webhookSecret,
        timestamp: req.get('Parcours-Timestamp'),
        signature: req.get('Parcours-Signature'),
        rawBody: rawBodyOf(req),
      });
      if (!check.ok) {
        if (check.reason === 'stale' || check.reason === 'future') {
          throw new ApiError(401, 'stale_timestamp', 'Parcours-Timestamp is more than 5 minutes from our clock: sign each delivery (and each retry) with the current time.');
        }
        throw new ApiError(401, 'invalid_signature', 'Parcours-Signature does not match: send Parcours-Timestamp and Parcours-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>.');
      }
      const body = parseOr400(paymentWebhookBody, req.body, 'payment notification');
      const c = await db.case.findUnique({ where: { reference: body.caseReference } });
      if (!c) throw new ApiError(404, 'unknown_case', `No case ${body.caseReference}: check the reference the payer gave. Nothing was recorded.`);

      const known = await db.payment.findUnique({ where: { paymentId: body.paymentId } });
      if (known && (known.caseId !== c.id || known.amountCents !== body.amountCents || known.currency !== body.currency)) {
        throw new ApiError(409, 'payment_id_conflict', `Payment ${body.paymentId} was already received with another case, amount or currency; nothing changed. Use a new paymentId for a new payment.`);
      }

      const notice = asPaymentNotice(body);
      const result = await forward(c, notice);
      const alreadyRecorded = await record(c, body, notice);
      if (!result) {
        // The money arrived after the case ended: kept for finance to reconcile, never dropped.
        logger.warn(
          { paymentId: body.paymentId, caseReference: c.reference, workflowId: c.workflowId, amountCents: body.amountCents, duplicate: alreadyRecorded, reqId: requestId(req) },
          'payment received for a case whose workflow has ended: recorded in Payment, not counted by the workflow; reconcile by hand',
        );
        res.json({ paymentId: body.paymentId, duplicate: alreadyRecorded, amountPaidCents: null, forwarded: false });
        return;
      }
      // Temporal answers a repeated update ID with the first delivery's outcome (duplicate: false), so
      // a row that already existed is what marks a repeat; the workflow's own flag covers a lost row.
      res.json({ paymentId: result.paymentId, duplicate: result.duplicate || alreadyRecorded, amountPaidCents: result.amountPaidCents, forwarded: true });
    },
  });
}
