// The worker refuses to start on a namespace without the search attributes the workflow sets
// (lib/searchAttributes.ts): checked against the tests' dev server, whose namespace has them all, and a
// fresh namespace, which has none.
import { Connection } from '@temporalio/client';
import Long from 'long';
import { missingSearchAttributes } from '../lib/searchAttributes';
import { searchAttributeFlags, searchAttributes } from '../workflows/definitions';

let connection: Connection;
beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.PARCOURS_TEST_TEMPORAL_ADDRESS! });
});
afterAll(async () => {
  await connection.close();
});

it('the dev server started with searchAttributeFlags() has every search attribute, NextDeadline as a date-time', async () => {
  expect(searchAttributeFlags()).toEqual(expect.arrayContaining(['--search-attribute', 'NextDeadline=Datetime', 'CasePhase=Keyword']));
  expect(await missingSearchAttributes(connection, 'default')).toEqual([]);
});

it('names the command that registers each one a namespace lacks', async () => {
  const namespace = `bare-${Date.now().toString(36)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } });
  let missing: string[] = [];
  for (let i = 0; i < 50; i++) {
    try {
      missing = await missingSearchAttributes(connection, namespace);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200)); // the new namespace takes a moment to answer
    }
  }
  expect(missing).toHaveLength(Object.keys(searchAttributes).length);
  expect(missing).toContain(`temporal operator search-attribute create --namespace ${namespace} --name NextDeadline --type Datetime`);
  expect(missing).toContain(`temporal operator search-attribute create --namespace ${namespace} --name AwaitingRole --type Keyword`);
});
