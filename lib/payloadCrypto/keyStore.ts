// The data keys (DEKs): one per case, created on the first payload the case encrypts, kept wrapped
// by a KEK in the DataKey table, and held unwrapped in a bounded, expiring in-memory cache.
import crypto from 'node:crypto';
import { isUniqueViolation, type Db } from '../db';
import { DataKeyShreddedError, PayloadDecryptionError, UnknownDataKeyError, UnknownKekError } from './errors';
import type { KeyConfig } from './keyConfig';

export const SYSTEM_SCOPE = 'system';
export const caseScope = (reference: string): string => `case:${reference}`;

export interface DataKey {
  id: string;
  scope: string;
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: iv ‖ tag ‖ ciphertext. `aad` binds the ciphertext to where it belongs (a key id). */
export function seal(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens what seal made; throws PayloadDecryptionError (naming `what`) when anything was altered. */
export function open(key: Buffer, sealed: Uint8Array, aad: string, what: string): Buffer {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(what);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(what);
  }
}

// The wrapped key is bound to its row's id and KEK: a wrapped key copied onto another row does not open.
const wrapAad = (dekId: string, kekId: string) => `parcours-dek:${dekId}:${kekId}`;

interface Cached {
  key: DataKey;
  expiresAt: number;
}

export interface RewrapResult {
  rewrapped: number;
  alreadyActive: number;
  shredded: number;
  /** Keys left as they were: their KEK is not configured, or they did not unwrap (the reason, no key material). */
  failed: { id: string; kekId: string | null; error: string }[];
}

export class DataKeyStore {
  private readonly byId = new Map<string, Cached>();
  private readonly idByScope = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly keys: KeyConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** The scope's key, created (wrapped by the active KEK) the first time. Refused once shredded. */
  async keyForScope(scope: string): Promise<DataKey> {
    const id = this.idByScope.get(scope);
    const cached = id ? this.cached(id) : undefined;
    if (cached) return cached;
    let row = await this.db.dataKey.findUnique({ where: { scope } });
    if (!row) {
      const id = `dek_${crypto.randomUUID()}`;
      const key = crypto.randomBytes(32);
      try {
        row = await this.db.dataKey.create({ data: { id, scope, wrappedKey: this.wrap(id, key), kekId: this.keys.activeKekId } });
      } catch (err) {
        // Another process created the scope's key at the same moment: use theirs.
        if (!isUniqueViolation(err)) throw err;
        row = await this.db.dataKey.findUnique({ where: { scope } });
        if (!row) throw err;
      }
    }
    return this.remember(this.unwrapRow(row));
  }

  /** The key a payload names. */
  async keyById(id: string): Promise<DataKey> {
    const cached = this.cached(id);
    if (cached) return cached;
    const row = await this.db.dataKey.findUnique({ where: { id } });
    if (!row) throw new UnknownDataKeyError(id);
    return this.remember(this.unwrapRow(row));
  }

  /**
   * Destroys the scope's key material and keeps the row (who, when, why). A scope with no key yet
   * gets a shredded row, so nothing can ever be encrypted for it again. Returns the shredding time
   * (the first one if it was already shredded).
   */
  async shred(scope: string, by: string, reason: string): Promise<{ shreddedAt: Date; already: boolean }> {
    const at = new Date(this.now());
    const existing = await this.db.dataKey.findUnique({ where: { scope } });
    this.forget(scope, existing?.id);
    if (existing?.shreddedAt) return { shreddedAt: existing.shreddedAt, already: true };
    const shredded = { wrappedKey: null, kekId: null, shreddedAt: at, shreddedBy: by, shredReason: reason };
    await this.db.dataKey.upsert({ where: { scope }, update: shredded, create: { id: `dek_${crypto.randomUUID()}`, scope, ...shredded } });
    this.forget(scope, existing?.id);
    return { shreddedAt: at, already: false };
  }

  /** Re-wraps every live data key that another KEK wraps with the active one (then that KEK can be retired). */
  async rewrapAll(): Promise<RewrapResult> {
    const result: RewrapResult = { rewrapped: 0, alreadyActive: 0, shredded: 0, failed: [] };
    const rows = await this.db.dataKey.findMany({ select: { id: true, kekId: true, shreddedAt: true }, orderBy: { id: 'asc' } });
    for (const r of rows) {
      if (r.shreddedAt) result.shredded++;
      else if (r.kekId === this.keys.activeKekId) result.alreadyActive++;
      else {
        const row = await this.db.dataKey.findUnique({ where: { id: r.id } });
        if (!row?.wrappedKey || !row.kekId) continue; // shredded meanwhile
        let key: Buffer;
        try {
          key = this.unwrapRow(row).key;
        } catch (err) {
          // One unreadable key does not stop the others; the command lists it and fails.
          result.failed.push({ id: row.id, kekId: row.kekId, error: err instanceof Error ? err.message : String(err) });
          continue;
        }
        // Only if nobody changed the row meanwhile (a shred, another rewrap): never resurrect a shredded key.
        const { count } = await this.db.dataKey.updateMany({
          where: { id: row.id, kekId: row.kekId, shreddedAt: null },
          data: { wrappedKey: this.wrap(row.id, key), kekId: this.keys.activeKekId },
        });
        if (count === 1) result.rewrapped++;
      }
    }
    return result;
  }

  private wrap(id: string, key: Buffer): Uint8Array<ArrayBuffer> {
    const kek = this.keys.keks.get(this.keys.activeKekId)!;
    return new Uint8Array(seal(kek, key, wrapAad(id, this.keys.activeKekId)));
  }

  private unwrapRow(row: { id: string; scope: string; wrappedKey: Uint8Array | null; kekId: string | null; shreddedAt: Date | null }): DataKey {
    if (row.shreddedAt || !row.wrappedKey || !row.kekId) throw new DataKeyShreddedError(row.scope, row.shreddedAt ?? new Date(0));
    const kek = this.keys.keks.get(row.kekId);
    if (!kek) throw new UnknownKekError(row.kekId, row.id);
    return { id: row.id, scope: row.scope, key: open(kek, row.wrappedKey, wrapAad(row.id, row.kekId), `The wrapped data key ${row.id}`) };
  }

  private cached(id: string): DataKey | undefined {
    const hit = this.byId.get(id);
    if (!hit) return undefined;
    this.byId.delete(id);
    if (hit.expiresAt <= this.now()) {
      this.idByScope.delete(hit.key.scope);
      return undefined;
    }
    this.byId.set(id, hit); // most recently used last
    return hit.key;
  }

  private remember(key: DataKey): DataKey {
    this.byId.delete(key.id);
    this.byId.set(key.id, { key, expiresAt: this.now() + this.keys.cacheTtlMs });
    this.idByScope.set(key.scope, key.id);
    while (this.byId.size > this.keys.cacheMaxEntries) {
      const [oldest, entry] = this.byId.entries().next().value as [string, Cached];
      this.byId.delete(oldest);
      if (this.idByScope.get(entry.key.scope) === oldest) this.idByScope.delete(entry.key.scope);
    }
    return key;
  }

  /** Drops a scope's key from this process's memory. */
  forget(scope: string, id?: string): void {
    const known = id ?? this.idByScope.get(scope);
    if (known) this.byId.delete(known);
    this.idByScope.delete(scope);
  }
}
