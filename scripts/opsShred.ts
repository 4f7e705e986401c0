// `npm run ops:shred -- <reference> --by <staff email or id> --why "<reason>" [--force]`: crypto-shreds
// one case (lib/ops/shred.ts). Refuses a running case unless --force (which terminates it first).
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../lib/config';
import { commandArgs, runCommand } from '../lib/ops/command';
import { createDb } from '../lib/db';
import { shredCase } from '../lib/ops/shred';
import { dataConverterFor } from '../lib/payloadCrypto';

const USAGE = 'Usage: npm run ops:shred -- <reference> --by <your staff email or id> --why "<reason, no patient data>" [--force]\n' +
  '  Destroys the case\'s data key: its Temporal history can never be decrypted again. The case must be closed; --force terminates a running one first.';

async function main(): Promise<number> {
  const parsed = commandArgs(USAGE, { allowPositionals: true, options: { by: { type: 'string' }, why: { type: 'string' }, force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.by || !values.why?.trim()) {
    console.error(`Give one reference, --by and --why.\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 10_000 }).catch((err: unknown) => {
    throw new Error(`Cannot reach Temporal at ${config.temporal.address} (${err instanceof Error ? err.message : String(err)}): is the server running? Set TEMPORAL_ADDRESS otherwise.`);
  });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config, db) });
    const r = await shredCase(client, db, config.payloadKeys, { reference: positionals[0], by: values.by, why: values.why, force: values.force, callTimeoutMs: config.temporal.callTimeoutMs });
    const workflow = { closed: 'had ended', terminated: 'was terminated (--force)', not_found: 'is no longer in Temporal' }[r.workflow];
    console.log(
      r.already
        ? `${r.reference}: already shredded on ${r.shreddedAt.toISOString()}; nothing changed.`
        : `${r.reference}: data key shredded at ${r.shreddedAt.toISOString()} (workflow ${r.workflowId} ${workflow}); recorded in the audit trail (ops.shred).\n` +
            `Other processes (API, workers) may still decrypt it from memory for up to ${config.payloadKeys.cacheTtlMs / 1000} s (PARCOURS_DEK_CACHE_TTL).`,
    );
    return 0;
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

runCommand(main);
