// Recording a case's history for test/replay.test.ts (`RECORD_HISTORIES=<label>`): Temporal stores the
// payloads encrypted with the case's own data key, which the replay run does not have; the file keeps
// them decrypted, in the Temporal CLI's JSON format, so recorded histories replay with no keys at all.
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { dataConverterOf, decodeEncryptedPayloads } from '../../lib/payloadCrypto';
import type { Stack } from './stack';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

/** Writes test/histories/<name>.json from the workflow's history, its payloads decrypted. */
export async function recordHistory(stack: Stack, workflowId: string, name: string): Promise<string> {
  const history = await stack.client.withDeadline(Date.now() + 30_000, () => stack.client.workflow.getHandle(workflowId).fetchHistory());
  await decodeEncryptedPayloads(dataConverterOf(stack.client).payloadCodecs ?? [], history);
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  fs.writeFileSync(file, historyToJSON(history));
  return file;
}
