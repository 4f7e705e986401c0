// Mail relay process entry: `npm run start:relay` (started by ./temporal-dev.sh). Delivers the
// outbox; SIGINT/SIGTERM let the messages being sent finish and be recorded before it exits.
import { createTransport } from '../activities/email';
import { loadConfig } from '../lib/config';
import { createDb, useWriteAheadLog } from '../lib/db';
import { createLogger } from '../lib/logger';
import { relayDepsFrom, startMailRelay } from './mailRelay';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'mail-relay');
  const db = createDb(config.databaseUrl);
  await useWriteAheadLog(db);
  const transport = createTransport(config.smtp);
  const relay = startMailRelay({ ...relayDepsFrom(config, db, transport), log });
  log.info({ smtp: `${config.smtp.host}:${config.smtp.port}` }, 'mail relay started');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await relay.stop();
  transport.close();
  await db.$disconnect();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
