// The payload codec and its key store on a real SQLite database (no Temporal server needed): round
// trip, tampering, unknown keys, plain payloads, shredding, the cache's expiry and KEK rotation.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { loadConfig } from '../lib/config';
import { createDb, type Db } from '../lib/db';
import {
  caseScope,
  COMPRESSION_METADATA,
  createPayloadCodec,
  dataConverterFor,
  DataKeyShreddedError,
  DataKeyStore,
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  FAILURE_CONVERTER_PATH,
  KEY_ID_METADATA,
  parseKeks,
  PayloadDecryptionError,
  randomKeyConfig,
  UnknownDataKeyError,
  UnknownKekError,
  type KeyConfig,
} from '../lib/payloadCrypto';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b?: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());
const json = (v: unknown): Payload => ({ metadata: { encoding: enc('json/plain') }, data: enc(JSON.stringify(v)) });
const caseContext = (reference: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId: `case-${reference}` });

let db: Db;
beforeAll(() => {
  const file = path.join(process.env.PARCOURS_TEST_DIR!, `payload-crypto-${crypto.randomUUID().slice(0, 8)}.db`);
  fs.copyFileSync(process.env.PARCOURS_TEST_DB_TEMPLATE!, file);
  db = createDb(`file:${file}`);
});
afterAll(() => db.$disconnect());

const codecWith = (keys: KeyConfig, now?: () => number) => new EncryptionCodec(new DataKeyStore(db, keys, now));

describe('the payload codec', () => {
  const keys = randomKeyConfig();

  it('round-trips payloads, encrypting each case with its own key named in the metadata', async () => {
    const codec = createPayloadCodec({ db, keys });
    const original = [json({ name: 'Amina Benali', email: 'amina@example.ma' }), json(42)];
    const [a, b] = await codec.encode(original, caseContext('INT-2026-900001'));
    expect(dec(a.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(a.data!).toString('latin1')).not.toContain('Amina');
    const keyId = dec(a.metadata![KEY_ID_METADATA]);
    expect(dec(b.metadata![KEY_ID_METADATA])).toBe(keyId);
    // Without context (as the codec server decodes), from another codec instance.
    expect(await codecWith(keys).decode([a, b])).toEqual(original);
    const [other] = await codec.encode([json('x')], caseContext('INT-2026-900002'));
    expect(dec(other.metadata![KEY_ID_METADATA])).not.toBe(keyId);
    const row = await db.dataKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(row).toMatchObject({ scope: caseScope('INT-2026-900001'), kekId: keys.activeKekId, shreddedAt: null });
  });

  it('uses the system key without a case (no context, an activity without workflow, a non-case workflow)', async () => {
    const codec = createPayloadCodec({ db, keys });
    const ids = await Promise.all(
      [undefined, { type: 'activity' as const, namespace: 'default', isLocal: false }, { type: 'workflow' as const, namespace: 'default', workflowId: 'mail-relay' }].map(
        async (ctx) => dec((await codec.encode([json(1)], ctx))[0].metadata![KEY_ID_METADATA]),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    expect((await db.dataKey.findUniqueOrThrow({ where: { id: ids[0] } })).scope).toBe('system');
    const [activity] = await codec.encode([json(1)], { type: 'activity', namespace: 'default', isLocal: false, workflowId: 'case-INT-2026-900001' });
    expect((await db.dataKey.findUniqueOrThrow({ where: { id: dec(activity.metadata![KEY_ID_METADATA]) } })).scope).toBe(caseScope('INT-2026-900001'));
  });

  it('rejects tampered ciphertext and a swapped key id', async () => {
    const codec = createPayloadCodec({ db, keys });
    const [p] = await codec.encode([json({ a: 1 })], caseContext('INT-2026-900003'));
    const flipped = Buffer.from(p.data!);
    flipped[flipped.length - 1] ^= 1;
    await expect(codec.decode([{ ...p, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    const [q] = await codec.encode([json({ a: 1 })], caseContext('INT-2026-900004'));
    await expect(codec.decode([{ ...p, metadata: { ...p.metadata, [KEY_ID_METADATA]: q.metadata![KEY_ID_METADATA] } }])).rejects.toThrow(PayloadDecryptionError);
  });

  it('compresses a large payload before sealing it, binds that to the seal, and leaves a small one as before', async () => {
    const codec = createPayloadCodec({ db, keys });
    // Shaped like a start input's pinned rules: repetitive JSON in two languages.
    const rules = Array.from({ length: 120 }, (_, i) => ({ id: `item_${i}`, label: { fr: `Compte rendu d'imagerie ${i}`, en: `Imaging report ${i}` }, mayBeDeclaredNone: i % 2 === 0 }));
    const large = json({ patient: 'Amina Benali', rules });
    const [sealed] = await codec.encode([large], caseContext('INT-2026-900012'));
    expect(dec(sealed.metadata![COMPRESSION_METADATA])).toBe('deflate-raw');
    expect(sealed.data!.length).toBeLessThan(large.data!.length / 3);
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('Amina');
    expect(await codecWith(keys).decode([sealed])).toEqual([large]);

    const [small] = await codec.encode([json({ a: 1 })], caseContext('INT-2026-900012'));
    expect(small.metadata![COMPRESSION_METADATA]).toBeUndefined();
    expect(await codec.decode([small])).toEqual([json({ a: 1 })]);

    // The flag is authenticated: taking it off, or putting it on, fails to open rather than misreading the bytes.
    const { [COMPRESSION_METADATA]: _flag, ...withoutFlag } = sealed.metadata!;
    await expect(codec.decode([{ ...sealed, metadata: withoutFlag }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...small, metadata: { ...small.metadata, [COMPRESSION_METADATA]: enc('deflate-raw') } }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...sealed, metadata: { ...sealed.metadata, [COMPRESSION_METADATA]: enc('zstd') } }])).rejects.toThrow(/zstd.*deflate-raw/);
  });

  it('says which key is unknown', async () => {
    const codec = createPayloadCodec({ db, keys });
    const [p] = await codec.encode([json(1)], caseContext('INT-2026-900005'));
    await expect(codec.decode([{ ...p, metadata: { ...p.metadata, [KEY_ID_METADATA]: enc('dek_nope') } }])).rejects.toThrow(UnknownDataKeyError);
    await expect(codec.decode([{ ...p, metadata: { ...p.metadata, [KEY_ID_METADATA]: enc('dek_nope') } }])).rejects.toThrow(/dek_nope.*DATABASE_URL/);
  });

  it('passes plain payloads through unchanged', async () => {
    const codec = createPayloadCodec({ db, keys });
    const plain = [json({ recorded: 'before encryption' }), { metadata: { encoding: enc('binary/null') } }];
    expect(await codec.decode(plain)).toEqual(plain);
    expect(await codec.encode([])).toEqual([]);
  });

  it('creates one key per case when two processes encode its first payload at once', async () => {
    const stores = Array.from({ length: 6 }, () => codecWith(keys));
    const out = await Promise.all(stores.map((c) => c.encode([json(1)], caseContext('INT-2026-900006'))));
    expect(new Set(out.map(([p]) => dec(p.metadata![KEY_ID_METADATA]))).size).toBe(1);
    expect(await db.dataKey.count({ where: { scope: caseScope('INT-2026-900006') } })).toBe(1);
  });
});

describe('crypto-shredding', () => {
  const keys = randomKeyConfig();

  it('stops decryption at once in the shredding process, after the cache TTL elsewhere; other cases still decode', async () => {
    let now = 1_000_000;
    const ttlKeys = { ...keys, cacheTtlMs: 60_000 };
    const shredder = new DataKeyStore(db, ttlKeys, () => now);
    const elsewhere = new EncryptionCodec(new DataKeyStore(db, ttlKeys, () => now));
    const mine = new EncryptionCodec(shredder);
    const [p] = await mine.encode([json('secret')], caseContext('INT-2026-900010'));
    const [kept] = await mine.encode([json('kept')], caseContext('INT-2026-900011'));
    expect(await elsewhere.decode([p])).toHaveLength(1); // now cached in the other process
    await shredder.shred(caseScope('INT-2026-900010'), 'ops@parcours.test', 'erasure request');
    await expect(mine.decode([p])).rejects.toThrow(DataKeyShreddedError);
    await expect(mine.decode([p])).rejects.toThrow(/data key of case INT-2026-900010 was shredded on \d{4}-/);
    expect(await elsewhere.decode([p])).toHaveLength(1); // documented: until its cache expires
    now += 60_001;
    await expect(elsewhere.decode([p])).rejects.toThrow(DataKeyShreddedError);
    expect(await elsewhere.decode([kept])).toEqual([json('kept')]);
    // Nothing new can be encrypted for it either, and the row keeps who and why without the key.
    await expect(mine.encode([json(1)], caseContext('INT-2026-900010'))).rejects.toThrow(DataKeyShreddedError);
    const row = await db.dataKey.findUniqueOrThrow({ where: { scope: caseScope('INT-2026-900010') } });
    expect(row).toMatchObject({ wrappedKey: null, kekId: null, shreddedBy: 'ops@parcours.test', shredReason: 'erasure request' });
    expect(row.shreddedAt).toBeInstanceOf(Date);
  });
});

describe('KEK rotation', () => {
  it('wraps new keys with the active KEK, still opens old ones, re-wraps them all, then works without the old KEK', async () => {
    const old = randomKeyConfig('kek-old');
    const [p] = await codecWith(old).encode([json('old case')], caseContext('INT-2026-900020'));
    const oldId = dec(p.metadata![KEY_ID_METADATA]);
    const newKek = crypto.randomBytes(32);
    const both: KeyConfig = { ...old, keks: new Map([...old.keks, ['kek-new', newKek]]), activeKekId: 'kek-new' };
    const rotated = codecWith(both);
    const [q] = await rotated.encode([json('new case')], caseContext('INT-2026-900021'));
    const newId = dec(q.metadata![KEY_ID_METADATA]);
    expect((await db.dataKey.findUniqueOrThrow({ where: { id: newId } })).kekId).toBe('kek-new');
    expect((await db.dataKey.findUniqueOrThrow({ where: { id: oldId } })).kekId).toBe('kek-old');
    expect(await rotated.decode([p, q])).toEqual([json('old case'), json('new case')]);

    const onlyNew: KeyConfig = { ...old, keks: new Map([['kek-new', newKek]]), activeKekId: 'kek-new' };
    await expect(codecWith(onlyNew).decode([p])).rejects.toThrow(UnknownKekError);
    const result = await new DataKeyStore(db, both).rewrapAll();
    expect(result.rewrapped).toBeGreaterThanOrEqual(1);
    // The other tests' keys (their KEKs are not configured here) are listed, not touched.
    expect(result.failed.length).toBeGreaterThan(0);
    expect(result.failed.every((f) => f.kekId !== 'kek-old' && /not in PARCOURS_KEKS/.test(f.error))).toBe(true);
    expect(await db.dataKey.count({ where: { kekId: 'kek-old' } })).toBe(0);
    expect(await codecWith(onlyNew).decode([p, q])).toEqual([json('old case'), json('new case')]);
    expect((await new DataKeyStore(db, both).rewrapAll()).rewrapped).toBe(0); // idempotent
  });
});

describe('KEK configuration', () => {
  const k = () => crypto.randomBytes(32).toString('base64');
  it('parses ids and keys, and names what is wrong without quoting a key', () => {
    const a = k();
    expect(parseKeks(`one:${a}`, undefined).activeKekId).toBe('one');
    expect(parseKeks(`one:${k()},two:${k()}`, 'two').keks.size).toBe(2);
    expect(() => parseKeks(`one:${k()},two:${k()}`, undefined)).toThrow(/PARCOURS_ACTIVE_KEK/);
    expect(() => parseKeks(`one:${k()}`, 'three')).toThrow(/not in PARCOURS_KEKS/);
    expect(() => parseKeks('one:c2hvcnQ=', undefined)).toThrow(/must be 32/);
    let message = '';
    try {
      parseKeks(`bad id:${a}`, undefined);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PARCOURS_KEKS: each entry/);
    expect(message).not.toContain(a);
  });
});

describe('switching encryption off (a benchmark comparison only)', () => {
  const env = { PARCOURS_KEKS: `one:${crypto.randomBytes(32).toString('base64')}`, AUTH_SECRET: 'x'.repeat(32), PAYMENT_WEBHOOK_SECRET: 'y'.repeat(32) };
  it('is refused in production, with what to do', () => {
    expect(() => loadConfig({ ...env, NODE_ENV: 'production', PAYLOAD_ENCRYPTION: 'off' })).toThrow(/PAYLOAD_ENCRYPTION=off is for benchmarks only.*Remove the variable/);
    expect(loadConfig({ ...env, NODE_ENV: 'production' }).payloadEncryption).toBe(true);
  });
  it('leaves the payload codec out but keeps the failure converter, so the workflow bundle is the same', () => {
    const off = dataConverterFor(loadConfig({ ...env, PAYLOAD_ENCRYPTION: 'off' }), db);
    expect(off.payloadCodecs ?? []).toHaveLength(0);
    expect(off.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
    const on = dataConverterFor(loadConfig(env), db);
    expect(on.payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
    expect(on.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
  });
});
