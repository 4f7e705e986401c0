// `npm run staff:add -- --email … --role … [--name …] [--language fr|en]`: creates a staff account
// with no password; the person sets one from the emailed one-time link (also printed here).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createEmailActivities } from '../activities/email';
import { AuditLog } from '../api/audit';
import { Accounts } from '../api/auth/accounts';
import { TokenService } from '../api/auth/tokens';
import { ApiError } from '../api/errors';
import { STAFF_ROLES } from '../api/policy';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';

const USAGE = `Usage: npm run staff:add -- --email <address> --role <${STAFF_ROLES.join('|')}> [--name "<full name>"] [--language fr|en]`;

const argsSchema = z.object({
  email: z.email({ message: 'Give a valid --email.' }),
  role: z.enum(STAFF_ROLES, { message: `--role must be one of: ${STAFF_ROLES.join(', ')}.` }),
  name: z.string().trim().min(1).max(100).optional(),
  language: z.enum(['fr', 'en'], { message: '--language must be fr or en.' }).default('fr'),
});

async function main(): Promise<number> {
  let raw: Record<string, string | undefined>;
  try {
    raw = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, language: { type: 'string' } } }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => i.message).join('\n')}\n${USAGE}`);
    return 2;
  }
  const { email, role, language } = parsed.data;
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  try {
    const sendEmail = createEmailActivities({ db, from: config.smtp.from, publicBaseUrl: config.api.publicBaseUrl }).sendEmail;
    const accounts = new Accounts({
      db,
      tokens: new TokenService(config.auth.secret, config.auth.accessTokenTtlSeconds),
      sendEmail,
      audit: new AuditLog(db),
      publicBaseUrl: config.api.publicBaseUrl,
      refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    });
    const created = await accounts.addStaff({ email, role, language, name: parsed.data.name ?? email.split('@')[0] });
    console.log(`Staff account created: ${email} (${role}).`);
    console.log(created.emailed ? `A link to set the password is queued for ${email}: the mail relay (npm run start:relay, started by ./temporal-dev.sh) sends it.` : 'The email could not be queued (see the error above); give the link below to the person instead.');
    console.log(`Set-password link (one use, 72 hours): ${created.link}`);
    console.log('With the API: POST /auth/password/set {"token": "<the token= part>", "password": "<at least 12 characters>"}');
    return 0;
  } catch (err) {
    console.error(err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await db.$disconnect();
  }
}

void main().then((code) => process.exit(code));
