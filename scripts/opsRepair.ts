// `npm run ops:repair -- <reference> --reason "…"` or `-- --all --reason "…"`: resets stuck cases to
// their last good workflow task and re-delivers the updates accepted after it (lib/ops/repair.ts).
// Running it again resumes an unfinished repair; a repaired case is left alone.
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { commandArgs, runCommand } from '../lib/ops/command';
import { repairAll, type RepairResult } from '../lib/ops/repair';
import { findStuckCases } from '../lib/ops/stuck';
import { dataConverterFor } from '../lib/payloadCrypto';

const USAGE = 'Usage: npm run ops:repair -- <reference>… --reason "<why, no patient data>" [--by <your name>]\n   or: npm run ops:repair -- --all --reason "<why>"';

async function main(): Promise<number> {
  const parsed = commandArgs(USAGE, {
    allowPositionals: true,
    options: { all: { type: 'boolean', default: false }, reason: { type: 'string' }, by: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const reason = values.reason?.trim();
  if (!reason) {
    console.error(`Give --reason: it is kept with the reset in Temporal.\n${USAGE}`);
    return 2;
  }
  if (values.all === (positionals.length > 0)) {
    console.error(`Give either references or --all.\n${USAGE}`);
    return 2;
  }
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 10_000 }).catch((err: unknown) => {
    throw new Error(`Cannot reach Temporal at ${config.temporal.address} (${err instanceof Error ? err.message : String(err)}): is the server running? Set TEMPORAL_ADDRESS otherwise.`);
  });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config, db) });
    let references = positionals;
    if (values.all) {
      const stuck = await findStuckCases(client);
      references = stuck.filter((s) => s.resetEventId !== null).map((s) => s.reference);
      const other = stuck.filter((s) => s.resetEventId === null);
      for (const s of other) console.log(`${s.reference}: not repairable by a reset: ${s.diagnosis}`);
      // Unfinished repairs (a crash, or a worker that was down) are resumed too.
      const unfinished = await db.caseRepair.findMany({ where: { status: { in: ['pending', 'reset'] } }, select: { reference: true } });
      references = [...new Set([...references, ...unfinished.map((r) => r.reference)])];
      if (references.length === 0) {
        console.log('No stuck case to repair.');
        return other.length ? 1 : 0;
      }
    }
    const results = await repairAll(client, db, { references, by: values.by ?? os.userInfo().username, reason });
    console.table(results.map(({ reference, result, error }) => row(reference, result, error)));
    for (const { reference, result, error } of results) {
      if (error) console.log(`${reference}: FAILED: ${error}`);
      else if (result) console.log(`${reference}: ${result.message}${result.updates.filter((u) => u.outcome === 'rejected').map((u) => `\n  refused now: ${u.name} (${u.updateId}): ${u.detail ?? ''}`).join('')}`);
    }
    return results.some((r) => r.error || r.result?.outcome === 'cannot_repair') ? 1 : 0;
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

function row(reference: string, result?: RepairResult, error?: string) {
  return {
    reference,
    outcome: error ? 'failed' : result!.outcome,
    'failed run': result?.failedRunId ?? '-',
    'new run': result?.newRunId ?? '-',
    'reset to event': result?.resetEventId ?? '-',
    'updates re-delivered': result ? result.updates.map((u) => `${u.name}:${u.outcome ?? '?'}`).join(', ') || '-' : '-',
  };
}

runCommand(main);
