// `npm run ops:outbox`: the emails the mail relay has not delivered yet (see lib/ops/outbox.ts).
// Exit code 0 when none has waited over 5 minutes, 3 when some have, 1 on error.
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { runCommand } from '../lib/ops/command';
import { outboxReport } from '../lib/ops/outbox';

const LATE_MS = 5 * 60_000;

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log('Usage: npm run ops:outbox\nLists the emails not delivered yet, oldest first, with the last error. The mail relay (npm run start:relay) keeps retrying them.');
    return 0;
  }
  const db = createDb(loadConfig().databaseUrl);
  try {
    const report = await outboxReport(db);
    if (report.pending === 0) {
      console.log('Outbox empty: every email has been delivered to the mail server.');
      return 0;
    }
    console.log(`${report.pending} email(s) not delivered yet, ${report.failing} of them after a failed attempt. Oldest first:`);
    console.table(
      report.waiting.map((w) => ({
        outbox: w.outboxId,
        reference: w.reference ?? '-',
        'queued at': w.queuedAt.toISOString(),
        attempts: w.attempts,
        'next attempt': w.nextAttemptAt?.toISOString() ?? 'now',
        'last error': w.lastError?.slice(0, 120) ?? '-',
      })),
    );
    const late = report.waiting.some((w) => Date.now() - w.queuedAt.getTime() > LATE_MS);
    if (late) console.log('Some have waited over 5 minutes: check that the mail relay runs (npm run start:relay) and that the mail server (SMTP_HOST) accepts mail; see docs/operations.md.');
    return late ? 3 : 0;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
