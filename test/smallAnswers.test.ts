// Cases opened under the `small-answers-batched-attributes` patch (workflows/bookkeeping.ts), on the real
// dev server, worker and database: an update answers the version of the view it left in the read model,
// and only once that view has landed; a step's search attributes go in one upsert; the case row's first
// write carries its first view, not the rules (already in the start input).
import type { temporal } from '@temporalio/proto';
import { isCaseAck } from '../lib/caseView';
import { dataConverterOf, decodeEncryptedPayloads } from '../lib/payloadCrypto';
import type { BookkeepingBatch } from '../activities/bookkeeping';
import { initialCaseState, viewOf } from '../workflows/caseState';
import { addDocumentUpdate, answerQuestionnaireUpdate, workflowIdFor, type CaseStartInput, type CaseView } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { CALM_TIMINGS, openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
let reference: string;
beforeAll(async () => {
  stack = await startStack({ env: CALM_TIMINGS });
  patient = await signUp(stack);
  reference = await openCase(stack, patient, 'treatment');
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const handle = () => stack.client.workflow.getHandle(workflowIdFor(reference));
async function storedView(): Promise<{ version: number; view: CaseView }> {
  const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, select: { viewVersion: true, view: true } });
  return { version: row.viewVersion, view: row.view as unknown as CaseView };
}
/** The case's history with its payloads decrypted (an event's kind is the attributes it has). */
async function history(): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const h = await stack.client.withDeadline(Date.now() + 30_000, () => handle().fetchHistory());
  await decodeEncryptedPayloads(dataConverterOf(stack.client).payloadCodecs ?? [], h);
  return h.events ?? [];
}
const json = <T>(payload: temporal.api.common.v1.IPayload | undefined): T => JSON.parse(Buffer.from(payload?.data ?? []).toString('utf8')) as T;

it('an update with an event answers the version of the view it left, and the read model holds it when the answer arrives', async () => {
  const answer = await handle().executeUpdate(answerQuestionnaireUpdate, { args: [{ answers: { pathologyName: 'Chordoma' }, by: `patient:${patient.userId}` }] });
  expect(isCaseAck(answer)).toBe(true);
  expect(answer).toEqual({ reference, version: expect.any(Number) });
  // Read at once, no waiting: the workflow answered only after the batch with this view landed.
  const stored = await storedView();
  expect(stored.version).toBeGreaterThanOrEqual((answer).version);
  expect(stored.view.questionnaire).toMatchObject({ pathologyName: 'Chordoma' });
});

it('an update that changes only the view (a document) also answers once its view is in the read model', async () => {
  const documentId = `doc-${crypto.randomUUID()}`;
  const answer = await handle().executeUpdate(addDocumentUpdate, {
    args: [{ documentId, kind: 'pathology_report', language: 'fr', needsTranslation: false, uploadedBy: `patient:${patient.userId}` }],
    updateId: documentId,
  });
  expect(isCaseAck(answer)).toBe(true);
  const stored = await storedView();
  expect(stored.version).toBeGreaterThanOrEqual((answer).version);
  expect(stored.view.documents.map((d) => d.documentId)).toContain(documentId);
});

it('upserts at most one set of search attributes per workflow task (the patches’ own TemporalChangeVersion aside)', async () => {
  const events = await history();
  let perTask = 0;
  let most = 0;
  let several = 0;
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) perTask = 0;
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (!upsert) continue;
    const names = Object.keys(upsert.searchAttributes?.indexedFields ?? {});
    if (names.includes('TemporalChangeVersion')) continue;
    most = Math.max(most, ++perTask);
    if (names.length > 1) several++;
  }
  expect(most).toBe(1);
  // The case's opening moved it (phase, awaiting role, deadline): one upsert carried them together.
  expect(several).toBeGreaterThan(0);
});

it("the case row's first write carries its first view instead of the rules", async () => {
  const events = await history();
  const start = json<CaseStartInput>(events.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]);
  expect(start.rules?.id).toBeDefined();
  const batches = events
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'writeBookkeeping')
    .map((a) => json<BookkeepingBatch>(a?.input?.payloads?.[0]));
  const caseWrites = batches.flatMap((b) => b.writes).filter((w) => w.kind === 'case');
  expect(caseWrites).toHaveLength(1);
  const [write] = caseWrites;
  if (write.kind !== 'case') throw new Error('not a case write');
  expect(write.input).not.toHaveProperty('rules');
  expect(write.input).toMatchObject({ reference, requestType: 'treatment' });
  // The view the row was created with is the one the rules give (the same as the activity would compute).
  expect(write.view).toEqual(viewOf(initialCaseState(start)));
  expect(write.view?.rulesVersion).toBe(start.rules?.id);
});
