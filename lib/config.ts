// Runtime configuration from the environment, with embedded defaults so the stack runs as cloned.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { PathwayTimings } from '../config/pathway';
import { MIN_AUDIT_RETENTION_DAYS } from './auditRetention';
import { RulesRegistry } from './rules';
import { databaseUrl, projectRoot } from './databaseUrl';
import { jsonFileOnce } from './devFiles';
import { DEFAULT_DEK_CACHE_MAX, devKeks, parseKeks, type KeyConfig } from './payloadCrypto/keyConfig';

const duration = z.string().refine((v) => {
  try {
    return msToNumber(v as Duration) > 0;
  } catch {
    return false;
  }
}, 'must be a duration such as "7 days", "36h" or "30s"');

const port = z.coerce.number().int().min(1).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must be file:<path> (SQLite, the default data/parcours.db) or postgresql://user@host:port/database (PostgreSQL)')
    .optional()
    .or(z.literal('')),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('care-pathway'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: port.default(1025),
  SMTP_SECURE: flag.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(2),
  MAIL_FROM: z.string().min(3).default('Parcours International <international@parcours.localhost>'),
  JSON_BODY_LIMIT: z.string().min(2).default('100kb'),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PAYMENT_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PAYMENT_FAKE_PROVIDER: flag.optional(),
  NODE_ENV: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(500).default(50),
  DOCUMENTS_DIR: z.string().min(1).optional(),
  CORS_ORIGINS: z.string().default(''),
  // The Temporal UI's origins, which alone may call the codec server (default: TEMPORAL_UI_URL's, by localhost and 127.0.0.1).
  CODEC_ALLOWED_ORIGINS: z.string().default(''),
  RATE_LIMIT_AUTH_PER_15_MIN: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_UPLOADS_PER_MIN: z.coerce.number().int().min(1).default(30),
  ADMISSION_TEAM_EMAIL: z.email().default('admissions@parcours.localhost'),
  MDT_SECRETARIAT_EMAIL: z.email().default('rcp-secretariat@parcours.localhost'),
  RADIOTHERAPY_TEAM_EMAIL: z.email().default('protontherapy@parcours.localhost'),
  // Prometheus metrics of this process (API or worker), on their own address, never the public port.
  METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
    .optional(),
  METRICS_BLOCKED_SCAN_EVERY: duration.default('5m'),
  FINANCE_TEAM_EMAIL: z.email().default('international-finance@parcours.localhost'),
  SUPPORT_TEAM_EMAIL: z.email().default('patient-support@parcours.localhost'),
  MEDICAL_ASSISTANTS_EMAIL: z.email().default('medical-assistants@parcours.localhost'),
  PATHWAY_REMINDER_AFTER: duration.optional(),
  PATHWAY_MAX_REMINDERS: z.coerce.number().int().min(0).max(20).optional(),
  PATHWAY_FEE_REMINDER_AFTER: duration.optional(),
  PATHWAY_REPORT_SLA: duration.optional(),
  PATHWAY_REVIEW_WITHIN: duration.optional(),
  PATHWAY_ESTIMATE_VALIDITY: duration.optional(),
  PATHWAY_GUARANTEE_REMINDER_AFTER: duration.optional(),
  PATHWAY_TASK_REMINDER_AFTER: duration.optional(),
  PATHWAY_ARRIVAL_REMINDER_BEFORE: duration.optional(),
  PATHWAY_FOLLOW_UP_WINDOW: duration.optional(),
  PATHWAY_CONTINUE_AS_NEW_AFTER_EVENTS: z.coerce.number().int().min(200).max(50_000).optional(),
  TEMPORAL_CALL_TIMEOUT: duration.default('30s'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Megabytes of heap for the thread running the cached cases; default: workflowHeapMbFor (workers/careWorker.ts).
  WORKER_WORKFLOW_HEAP_MB: z.coerce.number().int().min(128).max(65_536).optional(),
  PARCOURS_KEKS: z.string().optional(),
  // Off only to measure what encryption costs (npm run bench -- --encryption off); refused in production.
  PAYLOAD_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  PARCOURS_ACTIVE_KEK: z.string().optional(),
  PARCOURS_DEK_CACHE_TTL: duration.default('60s'),
  PARCOURS_DEK_CACHE_MAX: z.coerce.number().int().min(1).default(DEFAULT_DEK_CACHE_MAX),
  // French rules keep access traces at least 6 months; the purge refuses less (lib/ops/purgeAudit.ts).
  AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int('must be a whole number of days')
    .min(MIN_AUDIT_RETENTION_DAYS, `must be at least ${MIN_AUDIT_RETENTION_DAYS} days: access traces are kept at least 6 months; set ${MIN_AUDIT_RETENTION_DAYS} or more, or leave it unset for 400`)
    .max(36_500, 'must be at most 36500 days (100 years)')
    .default(400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  /** Emails a worker sends at once (see activities/email.ts: what a crash can send twice). */
  maxConnections?: number;
}

export interface AppConfig {
  /** callTimeoutMs: the deadline of the Temporal calls an API request makes (a blocked case answers 503 within it). */
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string; maxCachedWorkflows: number; workflowHeapMb?: number; callTimeoutMs: number };
  api: { host: string; port: number; publicBaseUrl: string; jsonBodyLimit: string };
  databaseUrl: string;
  smtp: SmtpConfig;
  logLevel: string;
  auth: { secret: string; accessTokenTtlSeconds: number; refreshTokenTtlDays: number; rateLimitPer15Min: number };
  /** fakeProvider: serve the development payment page (/pay/…) that delivers a signed webhook itself. */
  payments: { webhookSecret: string; fakeProvider: boolean };
  uploads: { maxBytes: number; maxFiles: number; documentsDir: string; rateLimitPerMin: number };
  corsOrigins: string[];
  /** Origins allowed to call /codec with credentials: the Temporal UI's. */
  codecOrigins: string[];
  admissionTeamEmail: string;
  mdtSecretariatEmail: string;
  radiotherapyTeamEmail: string;
  /** International patients' financial administrators (estimates, guarantees, refunds, invoices). */
  financeTeamEmail: string;
  /** The support person for logistics: interpreters, accommodation. */
  supportTeamEmail: string;
  /** Medical assistants / secretaries: appointment changes and medical questions during the stay. */
  medicalAssistantsEmail: string;
  /** Durations set by PATHWAY_* variables: they override the rules version's for each new case (tests use seconds). */
  pathwayTimings: Partial<PathwayTimings>;
  /** address: where this process serves its Prometheus metrics (unset: none); blockedScanEveryMs: how often the API counts failing workflow tasks. */
  metrics: { address?: string; blockedScanEveryMs: number };
  /** The published rules versions (config/rules/): the API gives each new case the one in force. */
  rules: RulesRegistry;
  /** The key-encryption keys of Temporal payload encryption (lib/payloadCrypto/keyConfig.ts). */
  payloadKeys: KeyConfig;
  /** False only in a benchmark's comparison run: payloads then go to Temporal in clear. */
  payloadEncryption: boolean;
  /** How long audit entries are kept before `npm run ops:purge-audit` deletes them (at least 183 days). */
  audit: { retentionDays: number };
}

/** Reads the configuration; a bad value stops the process with the variable's name and what is expected. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}\nFix these variables (see the README's configuration table).`);
  }
  const e = parsed.data;
  return {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''), maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS, workflowHeapMb: e.WORKER_WORKFLOW_HEAP_MB, callTimeoutMs: msToNumber(e.TEMPORAL_CALL_TIMEOUT as Duration) },
    api: { host: e.API_HOST, port: e.API_PORT, publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''), jsonBodyLimit: e.JSON_BODY_LIMIT },
    databaseUrl: databaseUrl(env),
    smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER, password: e.SMTP_PASSWORD, from: e.MAIL_FROM, maxConnections: e.SMTP_MAX_CONNECTIONS },
    logLevel: e.LOG_LEVEL,
    auth: {
      secret: e.AUTH_SECRET ?? devSecret('authSecret'),
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      rateLimitPer15Min: e.RATE_LIMIT_AUTH_PER_15_MIN,
    },
    // Never on by default in production: there, payment links must lead to the real provider.
    payments: { webhookSecret: e.PAYMENT_WEBHOOK_SECRET ?? devSecret('paymentWebhookSecret'), fakeProvider: e.PAYMENT_FAKE_PROVIDER ?? e.NODE_ENV !== 'production' },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      maxFiles: e.UPLOAD_MAX_FILES,
      documentsDir: path.resolve(e.DOCUMENTS_DIR ?? path.join(projectRoot(), 'data', 'documents')),
      rateLimitPerMin: e.RATE_LIMIT_UPLOADS_PER_MIN,
    },
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    codecOrigins: e.CODEC_ALLOWED_ORIGINS ? e.CODEC_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : uiOrigins(e.TEMPORAL_UI_URL),
    admissionTeamEmail: e.ADMISSION_TEAM_EMAIL,
    mdtSecretariatEmail: e.MDT_SECRETARIAT_EMAIL,
    radiotherapyTeamEmail: e.RADIOTHERAPY_TEAM_EMAIL,
    metrics: { address: e.METRICS_ADDRESS, blockedScanEveryMs: msToNumber(e.METRICS_BLOCKED_SCAN_EVERY as Duration) },
    financeTeamEmail: e.FINANCE_TEAM_EMAIL,
    supportTeamEmail: e.SUPPORT_TEAM_EMAIL,
    medicalAssistantsEmail: e.MEDICAL_ASSISTANTS_EMAIL,
    rules: new RulesRegistry(),
    payloadKeys: payloadKeys(e),
    payloadEncryption: payloadEncryption(e),
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    // Only the variables set: they override the rules version's durations for every new case.
    pathwayTimings: Object.fromEntries(Object.entries({
      reminderAfter: e.PATHWAY_REMINDER_AFTER,
      maxReminders: e.PATHWAY_MAX_REMINDERS,
      feeReminderAfter: e.PATHWAY_FEE_REMINDER_AFTER,
      reportSla: e.PATHWAY_REPORT_SLA,
      reviewWithin: e.PATHWAY_REVIEW_WITHIN,
      estimateValidity: e.PATHWAY_ESTIMATE_VALIDITY,
      guaranteeReminderAfter: e.PATHWAY_GUARANTEE_REMINDER_AFTER,
      taskReminderAfter: e.PATHWAY_TASK_REMINDER_AFTER,
      arrivalReminderBefore: e.PATHWAY_ARRIVAL_REMINDER_BEFORE,
      followUpWindow: e.PATHWAY_FOLLOW_UP_WINDOW,
      continueAsNewAfterEvents: e.PATHWAY_CONTINUE_AS_NEW_AFTER_EVENTS,
    }).filter(([, v]) => v !== undefined)),
  };
}

function payloadEncryption(e: z.infer<typeof envSchema>): boolean {
  if (e.PAYLOAD_ENCRYPTION === 'off' && e.NODE_ENV === 'production') {
    throw new Error('PAYLOAD_ENCRYPTION=off is for benchmarks only: in production Temporal payloads hold health data and must be encrypted. Remove the variable.');
  }
  return e.PAYLOAD_ENCRYPTION === 'on';
}

function payloadKeys(e: z.infer<typeof envSchema>): KeyConfig {
  if (!e.PARCOURS_KEKS && e.NODE_ENV === 'production') {
    throw new Error('PARCOURS_KEKS is not set: in production the key-encryption keys come from the environment (see docs/operations.md, "Encryption keys").');
  }
  const { keks, active } = e.PARCOURS_KEKS ? { keks: e.PARCOURS_KEKS, active: e.PARCOURS_ACTIVE_KEK } : devKeks(projectRoot());
  return { ...parseKeks(keks, active), cacheTtlMs: msToNumber(e.PARCOURS_DEK_CACHE_TTL as Duration), cacheMaxEntries: e.PARCOURS_DEK_CACHE_MAX };
}

/**
 * Development secrets: random, made once and kept in the git-ignored data/secrets.json (mode 0600),
 * so a fresh clone runs without a shared default secret. Production sets AUTH_SECRET and
 * PAYMENT_WEBHOOK_SECRET instead.
 */
function devSecret(name: 'authSecret' | 'paymentWebhookSecret'): string {
  const file = path.join(projectRoot(), 'data', 'secrets.json');
  const secrets = jsonFileOnce<Record<string, string | undefined>>(file, () => ({
    authSecret: crypto.randomBytes(32).toString('base64url'),
    paymentWebhookSecret: crypto.randomBytes(32).toString('base64url'),
  }));
  const secret = secrets[name];
  if (!secret) throw new Error(`${file} has no ${name}: delete the file to have it made again, or set the secret in the environment.`);
  return secret;
}

/** The Temporal UI's origin, under both names of the loopback when it is local (browsers treat them apart). */
function uiOrigins(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  const origins = [url.origin];
  const twin = { localhost: '127.0.0.1', '127.0.0.1': 'localhost' }[url.hostname];
  if (twin) origins.push(url.origin.replace(url.hostname, twin));
  return origins;
}
