// The search attributes the workflow sets must be registered on the namespace first: an upsert of an
// unknown one fails the workflow task, and every running case would stall at its next change. The worker
// checks them before it starts, and says how to register what is missing.
import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPE_NAMES, searchAttributes } from '../workflows/definitions';

/** The `temporal operator` command that registers each search attribute this namespace lacks (none: all there). */
export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.values(searchAttributes)
    .filter((k) => !customAttributes || !(k.name in customAttributes))
    .map((k) => `temporal operator search-attribute create --namespace ${namespace} --name ${k.name} --type ${SEARCH_ATTRIBUTE_TYPE_NAMES[k.type]}`);
}
