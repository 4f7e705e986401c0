// One durable workflow per international-patient case. Deterministic code only: every side effect
// is an activity, every wait is a timer or a condition on state changed by updates and signals.
import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  cancelCaseSignal,
  documentAddedSignal,
  getStateQuery,
  messagePostedSignal,
  paymentReceivedUpdate,
  searchAttributes,
  workflowIdFor,
  type AwaitingRole,
  type CancelRequest,
  type CaseOutcome,
  type CaseStartInput,
  type EventPayload,
  type PaymentNotice,
  type CaseState,
  type Phase,
} from './definitions';

const records = proxyActivities<Pick<Activities, 'recordCase' | 'recordCaseEvent'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});
// Unlimited retries with backoff: an SMTP outage delays mail, it never loses it.
const mail = proxyActivities<Pick<Activities, 'sendEmail' | 'notifyMessage'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});

const waitingForText: Record<AwaitingRole, string> = {
  system: 'Parcours is recording the case',
  patient: 'The patient: questionnaire and medical file',
  admission_coordinator: 'The admission team: completeness check',
  care_coordinator: 'The care coordinator',
  finance: 'The financial administrator',
  mdt: 'The tumour board (MDT)',
  none: 'Nothing: the case has ended',
};

export async function carePathway(input: CaseStartInput): Promise<CaseOutcome> {
  const workflowId = workflowIdFor(input.reference);
  const state: CaseState = {
    reference: input.reference,
    requestType: input.requestType,
    language: input.language,
    phase: 'received',
    awaitingRole: 'system',
    waitingFor: waitingForText.system,
    nextDeadline: null,
    paymentStatus: 'none',
    amountDueCents: 0,
    amountPaidCents: 0,
    documents: [],
    payments: [],
    timeline: [],
  };
  let cancellation: CancelRequest | undefined;

  setHandler(getStateQuery, () => state);
  setHandler(cancelCaseSignal, (req) => {
    cancellation ??= req;
  });
  setHandler(documentAddedSignal, (doc) => {
    if (!state.documents.some((d) => d.documentId === doc.documentId)) state.documents.push(doc);
  });
  setHandler(messagePostedSignal, async (msg) => {
    await mail.notifyMessage.executeWithOptions({ summary: `Email ${msg.authorSide === 'patient' ? 'coordinator' : 'patient'}: new message` }, [
      { reference: input.reference, messageId: msg.messageId, authorSide: msg.authorSide, language: input.language },
    ]);
  });
  setHandler(
    paymentReceivedUpdate,
    (payment) => {
      // Counted once per payment ID, even if the same update ID were not de-duplicated upstream.
      const duplicate = state.payments.some((p) => p.paymentId === payment.paymentId);
      if (!duplicate) {
        state.payments.push(payment);
        state.amountPaidCents += payment.amountCents;
        state.timeline.push({ at: new Date().toISOString(), type: 'payment_received', actor: 'payment_provider', summary: `Payment ${payment.paymentId}: ${payment.amountCents} cents` });
        publishDetails();
      }
      return { paymentId: payment.paymentId, duplicate, amountPaidCents: state.amountPaidCents };
    },
    {
      validator: (payment: PaymentNotice) => {
        if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents <= 0) throw ApplicationFailure.nonRetryable('amountCents must be a positive whole number of cents');
        if (payment.currency !== 'EUR') throw ApplicationFailure.nonRetryable('Only EUR payments are accepted');
      },
    },
  );

  /** Moves the case: state, Temporal UI (search attributes, details) and the database read model. */
  async function moveTo(phase: Phase, awaitingRole: AwaitingRole, event: { type: string; actor: string; summary: string; payload?: EventPayload }) {
    state.phase = phase;
    state.awaitingRole = awaitingRole;
    state.waitingFor = waitingForText[awaitingRole];
    state.timeline.push({ at: new Date().toISOString(), type: event.type, actor: event.actor, summary: event.summary });
    upsertSearchAttributes([
      { key: searchAttributes.CasePhase, value: phase },
      { key: searchAttributes.AwaitingRole, value: awaitingRole },
    ]);
    publishDetails();
    await records.recordCaseEvent.executeWithOptions({ summary: `Record event: ${event.type}` }, [
      { reference: input.reference, idempotencyKey: `${workflowId}:${state.timeline.length}:${event.type}`, type: event.type, actor: event.actor, payload: event.payload ?? {}, phase, awaitingRole },
    ]);
  }

  function publishDetails() {
    const last = state.timeline[state.timeline.length - 1];
    setCurrentDetails(
      [
        `**${state.reference}** · ${state.requestType} · ${input.patient.countryOfResidence}`,
        `- Phase: \`${state.phase}\``,
        `- Waiting for: ${state.waitingFor}`,
        `- Payment: ${state.paymentStatus}`,
        last ? `- Last event: ${last.summary} (${last.at})` : '',
      ].filter(Boolean).join('\n'),
    );
  }

  publishDetails();
  await records.recordCase.executeWithOptions({ summary: 'Record case in database' }, [input]);
  const creator = input.referrer ? `referrer:${input.referrer.email}` : 'patient';
  state.timeline.push({ at: new Date().toISOString(), type: 'case_received', actor: creator, summary: 'Case received' });

  await mail.sendEmail.executeWithOptions({ summary: 'Email patient: acknowledgement' }, [
    {
      idempotencyKey: `${workflowId}:acknowledgement`,
      to: input.patient.email,
      template: 'acknowledgement',
      language: input.language,
      caseReference: input.reference,
      requestType: input.requestType,
      vars: { reference: input.reference, firstName: input.patient.firstName, lastName: input.patient.lastName },
    },
  ]);
  await moveTo('file_collection', 'patient', { type: 'acknowledgement_sent', actor: 'system', summary: 'Acknowledgement emailed to the patient' });

  await condition(() => cancellation !== undefined);
  const { reason, by } = cancellation!;
  await moveTo('cancelled', 'none', { type: 'case_cancelled', actor: by, summary: `Cancelled: ${reason}`, payload: { reason } });
  // Let notifications already under way finish before the workflow closes.
  await condition(allHandlersFinished);
  return { reference: input.reference, phase: state.phase, reason };
}
