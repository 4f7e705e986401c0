// `npm run ops:rewrap-keys`: re-wraps every case's data key with the active KEK (PARCOURS_ACTIVE_KEK),
// so an older KEK can then be removed from PARCOURS_KEKS. Safe to run again; the payloads in Temporal
// are not touched (only the small wrapped keys in the Parcours database change).
import { loadConfig } from '../lib/config';
import { runCommand } from '../lib/ops/command';
import { createDb } from '../lib/db';
import { DataKeyStore } from '../lib/payloadCrypto';

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log('Usage: npm run ops:rewrap-keys\nRe-wraps every data key with the active KEK (PARCOURS_ACTIVE_KEK); every KEK still in use must be in PARCOURS_KEKS.');
    return 0;
  }
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  try {
    const r = await new DataKeyStore(db, config.payloadKeys).rewrapAll();
    console.log(`Active KEK "${config.payloadKeys.activeKekId}": ${r.rewrapped} data key(s) re-wrapped, ${r.alreadyActive} already wrapped by it, ${r.shredded} shredded (nothing to wrap).`);
    for (const f of r.failed) console.log(`  NOT re-wrapped: ${f.id} (KEK ${f.kekId ?? '?'}): ${f.error}`);
    if (r.failed.length) {
      console.log(`${r.failed.length} key(s) could not be re-wrapped: keep every KEK they name in PARCOURS_KEKS, and run this again.`);
      return 1;
    }
    const inUse = await db.dataKey.groupBy({ by: ['kekId'], where: { shreddedAt: null }, _count: true });
    console.log(`KEKs still in use: ${inUse.map((k) => `${k.kekId ?? '-'} (${k._count})`).join(', ') || 'none'}. Any other KEK may be removed from PARCOURS_KEKS.`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
