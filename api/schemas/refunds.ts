// Schemas of money owed back: finance records a refund made (POST /cases/{reference}/refunds) and lists
// what is still to return (GET /worklist/money-owed).
import { PHASES, REFUND_METHODS, REQUEST_TYPES } from '../../workflows/definitions';
import { shortText, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';
import { limitParam, offsetParam, strictQuery } from './query';

export const recordRefundBody = z
  .strictObject({
    amountCents: z.number().int(schemaMessage(fieldMessages.wholeCents())).positive(schemaMessage(fieldMessages.moreThanZero())).max(Number.MAX_SAFE_INTEGER, schemaMessage(fieldMessages.tooLarge())).openapi({ description: 'Amount returned, in euro cents.', example: 35000 }),
    method: z.enum(REFUND_METHODS).openapi({ description: 'How the money was returned.' }),
    reference: shortText(100).openapi({ description: "The bank's or card processor's reference of the refund. Without an Idempotency-Key, the method and this reference identify the refund: recording it again changes nothing.", example: 'VIR-2026-12-04-0017' }),
  })
  .openapi('RecordRefund');
export type RecordRefundBody = z.infer<typeof recordRefundBody>;

export const refundRecorded = z
  .object({
    refundId: z.string(),
    amountCents: z.number().int(),
    method: z.enum(REFUND_METHODS),
    reference: z.string(),
    duplicate: z.boolean().openapi({ description: 'True when this refund had already been recorded: nothing changed.' }),
    afterEnd: z.boolean().openapi({ description: "True when the case's workflow had ended: judged against the payments it never counted." }),
    owedCents: z.number().int().openapi({ description: 'Still owed back on the case after this refund.' }),
  })
  .openapi('RefundRecorded');

export const moneyOwedQuery = strictQuery({ limit: limitParam, offset: offsetParam });

export const moneyOwedItem = z
  .object({
    reference: z.string().openapi({ example: 'INT-2026-000123' }),
    patientName: z.string().openapi({ description: "The patient's first and last name, as the case was opened", example: 'Amina Benali' }),
    requestType: z.enum(REQUEST_TYPES),
    phase: z.enum(PHASES),
    owedCents: z.number().int().openapi({ description: 'Still to return, in euro cents.' }),
    reasons: z.array(z.enum(['refund_due', 'overpayment', 'payment_after_end'])).openapi({ description: 'Why money is owed: a refund due (withdrawal, care not started, final account), a payment beyond what was due, a payment received after the case ended.' }),
    caseEnded: z.boolean().openapi({ description: 'The case has ended: only this money keeps it open.' }),
    since: z.string().openapi({ description: 'Last change of the case (ISO 8601): the oldest first.' }),
  })
  .openapi('MoneyOwedItem');

export const moneyOwedPage = z
  .object({ items: z.array(moneyOwedItem), total: z.number().int(), totalOwedCents: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('MoneyOwedPage');
