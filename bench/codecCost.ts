// `npm run bench:codec [-- --rounds 20]`: what encrypting Temporal's payloads costs per full case.
// Takes every payload of a recorded full treatment case (test/histories/, plain text), encrypts it with
// the case's data key as the client and worker do (lib/payloadCrypto), then decrypts it, `--rounds`
// times, and reports CPU time and bytes per case. It measures the codec alone: each payload once each
// way. In a running system a payload is encoded once when written and decoded once per read (a worker
// with the case in its cache reads nothing again; a replay reads the whole history), so this is the
// floor of what encryption adds, to set beside `npm run bench`'s CPU-seconds per case.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Payload, SerializationContext } from '@temporalio/common';
import { createDb } from '../lib/db';
import { projectRoot } from '../lib/databaseUrl';
import { migrate } from '../lib/migrations';
import { createPayloadCodec, randomKeyConfig } from '../lib/payloadCrypto';

const HISTORY = 'carePathway-treatment_here-v6.json';

/** Every `{ metadata, data }` object of the Temporal CLI's JSON, as a Payload. */
function payloadsOf(node: unknown, out: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && (typeof o.data === 'string' || o.data === undefined) && 'encoding' in o.metadata) {
    const metadata = Object.fromEntries(Object.entries(o.metadata as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    out.push({ metadata, data: Buffer.from(o.data ?? '', 'base64') });
    return out;
  }
  for (const v of Object.values(o)) payloadsOf(v, out);
  return out;
}

const bytesOf = (ps: Payload[]) => ps.reduce((n, p) => n + (p.data?.length ?? 0) + Object.values(p.metadata ?? {}).reduce((m, v) => m + (v?.length ?? 0), 0), 0);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, out: { type: 'string' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number of 1 or more.');
  const historyFile = path.join(projectRoot(), 'test', 'histories', HISTORY);
  const history = JSON.parse(fs.readFileSync(historyFile, 'utf8')) as { events: unknown[] };
  const payloads = payloadsOf(history);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-codec-'));
  const url = `file:${path.join(dir, 'keys.db')}`;
  await migrate(url);
  const db = createDb(url);
  try {
    const codec = createPayloadCodec({ db, keys: randomKeyConfig('bench-kek') });
    const context: SerializationContext = { type: 'workflow', namespace: 'default', workflowId: `case-BENCH-${crypto.randomUUID().slice(0, 8)}` };
    // One payload per call, as the SDK mostly sends them; the first call creates the case's key.
    await codec.encode([payloads[0]], context);
    let encoded: Payload[] = [];
    const encodeStart = process.cpuUsage();
    for (let r = 0; r < rounds; r++) encoded = await Promise.all(payloads.map(async (p) => (await codec.encode([p], context))[0]));
    const encodeCpu = process.cpuUsage(encodeStart);
    const decodeStart = process.cpuUsage();
    let decoded: Payload[] = [];
    for (let r = 0; r < rounds; r++) decoded = await Promise.all(encoded.map(async (p) => (await codec.decode([p]))[0]));
    const decodeCpu = process.cpuUsage(decodeStart);
    if (decoded.some((p, i) => !Buffer.from(p.data ?? []).equals(Buffer.from(payloads[i].data ?? [])))) throw new Error('a payload did not decrypt to itself');

    const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000 / rounds;
    const result = {
      at: new Date().toISOString(),
      command: `npm run bench:codec -- --rounds ${rounds}`,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      history: `test/histories/${HISTORY}`,
      events: history.events.length,
      payloadsPerCase: payloads.length,
      plainBytesPerCase: bytesOf(payloads),
      encryptedBytesPerCase: bytesOf(encoded),
      encodeCpuMsPerCase: Math.round(ms(encodeCpu) * 10) / 10,
      decodeCpuMsPerCase: Math.round(ms(decodeCpu) * 10) / 10,
    };
    console.table({
      'payloads per full case': result.payloadsPerCase,
      'bytes per case, plain → encrypted': `${result.plainBytesPerCase} → ${result.encryptedBytesPerCase} (${signed(Math.round((result.encryptedBytesPerCase / result.plainBytesPerCase - 1) * 100))} %)`,
      'CPU to encrypt every payload once (ms)': result.encodeCpuMsPerCase,
      'CPU to decrypt every payload once (ms)': result.decodeCpuMsPerCase,
    });
    const out = values.out ?? path.join(projectRoot(), 'bench', 'results', 'codec.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/** A change in percent with its sign (compression makes the encrypted payloads smaller than the plain ones). */
function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
