// `npm run ops:stuck`: lists the cases whose workflow task keeps failing, with where a reset would
// unblock them (see lib/ops/stuck.ts). Exit code 0 when none is stuck, 3 when some are, 1 on error.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { findStuckCases } from '../lib/ops/stuck';
import { dataConverterFor } from '../lib/payloadCrypto';
import { runCommand } from '../lib/ops/command';

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log('Usage: npm run ops:stuck\nLists running care-pathway workflows whose workflow task fails; repair one with npm run ops:repair -- <reference> --reason "…".');
    return 0;
  }
  // Replays log each divergence as a warning; the table below says it once per case.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 10_000 }).catch((err: unknown) => {
    throw new Error(`Cannot reach Temporal at ${config.temporal.address} (${err instanceof Error ? err.message : String(err)}): is the server running? Set TEMPORAL_ADDRESS otherwise.`);
  });
  // The data keys that decrypt the histories are in the Parcours database.
  const db = createDb(config.databaseUrl);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config, db) });
    const stuck = await findStuckCases(client);
    if (stuck.length === 0) {
      console.log('No stuck case: every running care-pathway workflow has a healthy workflow task.');
      return 0;
    }
    console.log(`${stuck.length} stuck case(s):`);
    console.table(
      stuck.map((s) => ({
        reference: s.reference,
        runId: s.runId,
        since: s.since?.toISOString() ?? '?',
        attempts: s.attempts,
        'last good event': s.lastGoodEventId ?? '-',
        'reset to event': s.resetEventId ?? '-',
        error: s.error.slice(0, 120),
      })),
    );
    for (const s of stuck) console.log(`${s.reference}: ${s.error}\n  ${s.diagnosis}`);
    const repairable = stuck.filter((s) => s.resetEventId !== null).length;
    console.log(`${repairable} can be repaired by a reset: npm run ops:repair -- <reference> --reason "…" (or -- --all --reason "…").`);
    return 3;
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

runCommand(main);
