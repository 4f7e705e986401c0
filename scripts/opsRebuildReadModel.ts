// `npm run ops:rebuild-read-model [-- --query '<visibility filter>']`: after the Parcours database was
// restored from an older backup, rebuilds the cases' rows, views, timelines and the reference counter
// from Temporal's recorded histories (lib/ops/rebuild.ts). Safe to run again; prints a summary.
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { createDb, useWriteAheadLog } from '../lib/db';
import { describeFailure, rebuildReadModel } from '../lib/ops/rebuild';
import { dataConverterFor } from '../lib/payloadCrypto';

const USAGE = `Usage: npm run ops:rebuild-read-model [-- --query '<extra visibility filter, e.g. TaskQueue = "parcours">'] [--quiet]`;

async function main(): Promise<number> {
  let args: { query?: string; quiet?: boolean };
  try {
    args = parseArgs({ options: { query: { type: 'string' }, quiet: { type: 'boolean' } } }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.temporal.address });
  } catch (err) {
    console.error(`Cannot reach the Temporal server at ${config.temporal.address} (${String(err)}). Start it (./temporal-dev.sh server) or set TEMPORAL_ADDRESS.`);
    return 1;
  }
  const db = createDb(config.databaseUrl);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config, db) });
  try {
    await useWriteAheadLog(db);
    const summary = await rebuildReadModel(db, client, { query: args.query, progress: args.quiet ? undefined : (line) => console.log(line) });
    console.log(
      [
        `Read model rebuilt from Temporal (namespace ${config.temporal.namespace}): ${summary.workflows} case workflow(s), ${summary.runs} run(s).`,
        `  rows recreated: ${summary.rowsCreated}, rows kept: ${summary.rowsKept}, views moved forward: ${summary.viewsAdvanced}`,
        `  timeline events appended: ${summary.eventsAppended}, case requests recreated: ${summary.requestsCreated}, rows confirmed: ${summary.confirmed}`,
        `  reference counter: ${Object.entries(summary.counters).map(([year, last]) => `${year} → ${last}`).join(', ') || 'none'}`,
        ...(summary.ownersMissing.length ? [`  recreated without their owner account (not in this database; the patient finds the case again by their verified email, staff by reference): ${summary.ownersMissing.join(', ')}`] : []),
        ...(summary.conflicts.length ? [`  CONFLICTS (the row with this reference belongs to another owner than its workflow; left unchanged, resolve by hand): ${summary.conflicts.join(', ')}`] : []),
        ...(summary.failures.length ? [`  FAILED (fix the cause and run again): ${summary.failures.map((f) => `${f.workflowId}: ${f.error}`).join('; ')}`] : []),
      ].join('\n'),
    );
    return summary.failures.length || summary.conflicts.length ? 1 : 0;
  } catch (err) {
    console.error(`The rebuild stopped: ${describeFailure(err)}. Nothing it did is wrong to keep; run it again once the cause is fixed.`);
    return 1;
  } finally {
    await db.$disconnect();
    await connection.close();
  }
}

void main().then((code) => process.exit(code));
