// Schemas of the payment provider webhook. Provider-neutral: any provider (or an adapter in front of
// one) sends this shape, signed with the shared secret; see docs/payment-webhook.md.
import type { PaymentNotice } from '../../workflows/definitions';
import { SIGNATURE_TOLERANCE_SECONDS } from '../payments/signature';
import { referencePattern } from './cases';
import { isoDate, shortText, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

export const signatureSchemeDescription =
  'Every delivery is signed with the shared webhook secret (PAYMENT_WEBHOOK_SECRET): ' +
  '`Parcours-Signature: v1=<hex HMAC-SHA256(secret, "<Parcours-Timestamp>.<raw body bytes>")>`. ' +
  `The timestamp must be within ${SIGNATURE_TOLERANCE_SECONDS} s of the server clock (replay protection). ` +
  'A delivery is idempotent by paymentId: repeating it changes nothing and answers 200 again.';

export const webhookHeaders = z.object({
  'Parcours-Timestamp': z.string().openapi({ description: 'When the delivery was signed, in Unix seconds (UTC).', example: '1767225600' }),
  'Parcours-Signature': z.string().openapi({ description: signatureSchemeDescription, example: `v1=${'0'.repeat(64)}` }),
});

const paymentIdSchema = z
  .string()
  .min(1, schemaMessage(fieldMessages.required()))
  .max(100, schemaMessage(fieldMessages.atMostCharacters({ max: 100 })))
  .regex(/^[A-Za-z0-9_.:-]+$/, schemaMessage(fieldMessages.paymentIdCharacters()));

const amountCentsSchema = z.number().int(schemaMessage(fieldMessages.wholeCents())).positive(schemaMessage(fieldMessages.moreThanZero())).max(Number.MAX_SAFE_INTEGER, schemaMessage(fieldMessages.tooLarge()));

/** How far ahead of our clock a payment's `paidAt` may be: the provider's clock may differ a little. */
export const PAID_AT_SKEW_MS = 5 * 60_000;

export const paymentWebhookBody = z
  .strictObject({
    paymentId: paymentIdSchema.openapi({ description: "The provider's unique ID of the payment: deliveries with the same ID are counted once.", example: 'pay_3QxK9a.2026:0001' }),
    caseReference: z.string().regex(referencePattern, schemaMessage(fieldMessages.caseReferenceFormat())).openapi({ example: 'INT-2026-000123' }),
    amountCents: amountCentsSchema.openapi({ description: 'Amount received, in euro cents.', example: 250000 }),
    currency: z.literal('EUR', schemaMessage(fieldMessages.onlyEur())),
    purpose: shortText(100).openapi({ description: 'What the payment is for, as the payer gave it (e.g. estimate number).', example: 'Deposit, estimate DEV-2026-0042' }),
    paidAt: z.iso
      .datetime({ offset: true, error: schemaMessage(fieldMessages.dateTimeFormat()) })
      // A payment is notified after it was received: a later time is a wrong clock or a wrong field.
      .refine((at) => Date.parse(at) <= Date.now() + PAID_AT_SKEW_MS, { error: schemaMessage(fieldMessages.paidAtInFuture({ minutes: PAID_AT_SKEW_MS / 60_000 })) })
      .openapi({ example: '2026-03-01T10:15:00Z', description: 'When the payment was received: not after now (5 minutes of clock difference are tolerated).' }),
  })
  .openapi('PaymentNotification', { description: signatureSchemeDescription });

export type PaymentWebhookBody = z.infer<typeof paymentWebhookBody>;

/** What the workflow gets: the same payment, its time in UTC (equal instants read the same). */
export const asPaymentNotice = (body: PaymentWebhookBody): PaymentNotice => ({
  paymentId: body.paymentId,
  amountCents: body.amountCents,
  currency: body.currency,
  purpose: body.purpose,
  paidAt: new Date(body.paidAt).toISOString(),
});

/** Today as YYYY-MM-DD in UTC: the calendar the workflow's dates use. */
const todayUtc = () => new Date().toISOString().slice(0, 10);

/** POST /cases/{reference}/payments: finance records money received outside the provider (a bank transfer). */
export const recordPaymentBody = z
  .strictObject({
    paymentId: paymentIdSchema
      .optional()
      .openapi({ description: 'The bank’s reference of the transfer (or any unique ID): recording it again changes nothing. Generated when absent.', example: 'virement.2026-03-01.0042' }),
    amountCents: amountCentsSchema.openapi({ description: 'Amount received, in euro cents.', example: 250000 }),
    purpose: shortText(100).openapi({ description: 'What it pays: `study_fee`, an estimate number (DEV-…), or `balance`.', example: 'Estimate DEV-2026-000042' }),
    receivedOn: isoDate.refine((d) => d <= todayUtc(), schemaMessage(fieldMessages.receivedInFuture())).openapi({ description: 'The day the money was received (YYYY-MM-DD).', example: '2026-03-01' }),
  })
  .openapi('RecordPayment');
export type RecordPaymentBody = z.infer<typeof recordPaymentBody>;

export const paymentAccepted = z
  .object({
    paymentId: z.string(),
    duplicate: z.boolean().openapi({ description: 'True when this payment ID had already been received: nothing changed.' }),
    amountPaidCents: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The case's total paid once this payment was counted (for a repeat: as it was then); null when the case's workflow has ended (forwarded: false)." }),
    forwarded: z.boolean().openapi({
      description: "False when the case's workflow has already ended: the payment is recorded for reconciliation by the finance team, not counted by the workflow. Do not retry.",
    }),
  })
  .openapi('PaymentAccepted');
