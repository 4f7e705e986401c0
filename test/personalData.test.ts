// Nothing personal where the payload codec does not reach (issue #17; docs/operations.md, "What the
// codec does not cover"): a case runs from registration to a guaranteed estimate, with a message and a
// refused request on the way, and none of the patient's fields may appear in the API's logs, in the
// workflow's ID, search attributes, summaries and details (static, current, activities', timers'), or in
// any failure message of its history. Temporal stores all of these but the ID and search attributes
// encrypted (test/payloadEncryption.test.ts): here they are read decrypted, as ops see them through the
// codec server, and must still hold nothing personal. Payload bytes (inputs, results, memo) are skipped.
import { createLogger } from '../lib/logger';
import { dataConverterOf, decodeEncryptedPayloads } from '../lib/payloadCrypto';
import { staff, uniqueEmail } from './support/actors';
import { call, makeTeam, QUESTIONNAIRE, toGuaranteed, CALM_TIMINGS } from './support/pathway';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

let stack: Stack;
const logLines: string[] = [];

beforeAll(async () => {
  const destination = { write: (line: string) => void logLines.push(line) };
  stack = await startStack({ env: CALM_TIMINGS, logger: createLogger('debug', 'api', destination) });
});
afterAll(async () => {
  await stack?.stop();
});

/** Every patient field the tests' cases carry (test/support/cases.ts validCase, QUESTIONNAIRE), as it could be written. */
const PERSONAL = [
  ...Object.entries(QUESTIONNAIRE).filter(([k]) => !['sex', 'nationality'].includes(k)).map(([, v]) => v),
  'Benali', 'amina.benali@example.ma', '1978-03-14', '+212 6 12 34 56 78', '612345678', 'chordoma', 'skull base', 'Orangers', 'Casablanca',
  'My scans are on their way',
];

/** Where in a text each personal value appears (case-insensitive). */
const personalIn = (text: string): string[] => PERSONAL.filter((v) => text.toLowerCase().includes(v.toLowerCase()));

/**
 * The readable text of a history or description: every string (IDs, names, failure messages, stack
 * traces), and the bytes of payloads the codec does not protect from being shown: search attributes,
 * and user metadata (summaries, details). Other payload bytes (inputs, results, memo) are the codec's.
 */
function readable(node: unknown, plain = false, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (node instanceof Uint8Array) {
    if (plain) out.push(Buffer.from(node).toString('utf8'));
  } else if (Array.isArray(node)) for (const x of node) readable(x, plain, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) readable(v, plain || k === 'searchAttributes' || k === 'userMetadata', out);
  }
  return out;
}

test("a case's run leaves no patient field in logs, IDs, search attributes, summaries, details or failure messages", async () => {
  const team = { ...(await makeTeam(stack)), care: await staff(stack, 'care_coordinator', uniqueEmail('claire'), 'Claire Martin') };
  const { patient, reference } = await toGuaranteed(stack, team, { nationality: 'MA' });
  expect((await call(stack, patient, 'post', `/cases/${reference}/messages`, { body: 'Hello, My scans are on their way.' })).status).toBe(201);
  // Refused requests carry the patient's input: their errors and logs must not repeat it.
  expect((await call(stack, patient, 'put', `/cases/${reference}/questionnaire`, { ...QUESTIONNAIRE, email: 'not an email Benali' })).status).toBe(400);

  const handle = stack.client.workflow.getHandle(`case-${reference}`);
  const [described, stored, metadata] = await stack.client.withDeadline(Date.now() + 20_000, () =>
    Promise.all([handle.describe(), handle.fetchHistory(), handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')]),
  );
  const history = await decodeEncryptedPayloads(dataConverterOf(stack.client).payloadCodecs ?? [], stored);
  const channels: Record<string, string> = {
    'workflow ID and search attributes': [handle.workflowId, ...readable(described.raw.workflowExecutionInfo?.searchAttributes, true)].join('\n'),
    'static summary and details': [await described.staticSummary(), await described.staticDetails()].join('\n'),
    'current details': metadata.currentDetails ?? '',
    'history (summaries, failure messages, names)': readable(history).join('\n'),
    'API logs': logLines.join(''),
  };
  // The channels are really read: each holds something, the history the summaries of its timers and activities.
  expect(channels['history (summaries, failure messages, names)']).toContain('Record case in database');
  // And the check would see a leak: the payloads the codec covers do hold the patient's fields.
  expect(personalIn(readable(history, true).join('\n'))).toContain('Benali');
  expect(channels['API logs']).toContain(reference);
  for (const [channel, text] of Object.entries(channels)) expect({ channel, personal: personalIn(text) }).toEqual({ channel, personal: [] });
});
