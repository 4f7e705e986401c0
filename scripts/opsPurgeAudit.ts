// `npm run ops:purge-audit [-- --dry-run] [--by <name>]`: deletes audit entries older than
// AUDIT_RETENTION_DAYS (default 400, never under 183), and nothing else (lib/ops/purgeAudit.ts).
// Exit code 0 when done, 1 on error, 2 on a wrong command line.
import os from 'node:os';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { commandArgs, runCommand } from '../lib/ops/command';
import { purgeAuditTrail } from '../lib/ops/purgeAudit';

const USAGE = 'Usage: npm run ops:purge-audit [-- --dry-run] [--by <your name>]\nDeletes the audit entries older than AUDIT_RETENTION_DAYS (default 400, at least 183); medical and billing records are never deleted. --dry-run counts them only.';

async function main(): Promise<number> {
  const parsed = commandArgs(USAGE, { options: { 'dry-run': { type: 'boolean', default: false }, by: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  try {
    const r = await purgeAuditTrail(db, { retentionDays: config.audit.retentionDays, by: values.by ?? os.userInfo().username, dryRun: values['dry-run'] });
    const older = `older than ${r.retentionDays} days (before ${r.cutoff.toISOString()})`;
    console.log(r.dryRun ? `${r.deleted} audit entr${r.deleted === 1 ? 'y' : 'ies'} ${older} would be deleted (dry run: nothing changed).` : `Deleted ${r.deleted} audit entr${r.deleted === 1 ? 'y' : 'ies'} ${older}; the purge is recorded in the audit trail (action audit.purge).`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
