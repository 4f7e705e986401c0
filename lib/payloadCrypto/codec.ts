// The payload codec: every payload Parcours sends to Temporal is encrypted (AES-256-GCM) with the data
// key of the case it belongs to, chosen from the serialization context's workflow ID (case-<reference>);
// payloads without a case use the system key. The key id travels in the payload's metadata, so
// decoding needs no context (the Temporal UI's codec server has none).
//
// A payload of some size is compressed before it is sealed (#15, history budget: the pinned rules in
// a start input, the view's changes, the events are repetitive JSON). Compressing what is then
// encrypted can leak through the ciphertext's length when one party both puts chosen text next to a
// secret and sees the length (CRIME): here the people who write into a case's payloads (patient, coordinators,
// finance, MDT) never see Temporal's history, and ops who see its sizes write nothing into it; each case has its own key.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Db } from '../db';
import { PayloadDecryptionError } from './errors';
import type { KeyConfig } from './keyConfig';
import { caseScope, DataKeyStore, open, seal, SYSTEM_SCOPE } from './keyStore';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
/** Set on a payload whose sealed bytes are compressed; a payload without it was sealed as it is. */
export const COMPRESSION_METADATA = 'encryption-compression';
const CIPHER = 'AES-256-GCM';
const COMPRESSION = 'deflate-raw';
/** Smaller payloads are sealed as they are: compressing them gains a few bytes for the CPU it costs. */
const COMPRESS_FROM_BYTES = 512;
/** Above Temporal's own payload limit (2 MB by default): a larger inflated payload is refused, not allocated. */
const MAX_PAYLOAD_BYTES = 8 * 1024 ** 2;

/** What the seal authenticates besides the bytes: the key id, and that they are compressed (so moving the metadata fails to open). */
const aadOf = (keyId: string, compression: string | undefined): string => (compression ? `${keyId};${compression}` : keyId);
const CASE_WORKFLOW_ID = /^case-(.+)$/;

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** The key scope of a payload: its case's, or the system's when no case owns it. */
export function scopeOf(context?: SerializationContext): string {
  const match = context?.workflowId ? CASE_WORKFLOW_ID.exec(context.workflowId) : null;
  return match ? caseScope(match[1]) : SYSTEM_SCOPE;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(readonly store: DataKeyStore) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const dek = await this.store.keyForScope(scopeOf(context));
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const packed = plain.length >= COMPRESS_FROM_BYTES ? deflateRawSync(plain) : undefined;
      const compression = packed !== undefined && packed.length < plain.length ? COMPRESSION : undefined;
      return {
        metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(dek.id), [CIPHER_METADATA]: text(CIPHER), ...(compression ? { [COMPRESSION_METADATA]: text(compression) } : {}) },
        data: seal(dek.key, compression ? packed! : plain, aadOf(dek.id, compression)),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (p) => {
        // Written before encryption (recorded histories, cases started earlier): left as they are.
        if (str(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
        const keyId = str(p.metadata?.[KEY_ID_METADATA]);
        if (!keyId || !p.data) throw new PayloadDecryptionError(`An encrypted payload without ${keyId ? 'data' : KEY_ID_METADATA}`);
        const dek = await this.store.keyById(keyId);
        const compression = str(p.metadata?.[COMPRESSION_METADATA]);
        if (compression !== undefined && compression !== COMPRESSION) throw new PayloadDecryptionError(`A payload compressed with ${compression}: this codec knows only ${COMPRESSION}`);
        const opened = open(dek.key, p.data, aadOf(keyId, compression), `A payload encrypted with data key ${keyId}`);
        const decoded = temporal.api.common.v1.Payload.decode(compression ? inflateRawSync(opened, { maxOutputLength: MAX_PAYLOAD_BYTES }) : opened);
        return { metadata: decoded.metadata, data: decoded.data };
      }),
    );
  }
}

export interface PayloadCodecOptions {
  db: Db;
  keys: KeyConfig;
  /** Tests: a clock for the cache's expiry. */
  now?: () => number;
}

// One store per database client and key configuration: every client and worker of a process shares
// its cache, so a shred made in this process stops them all at once.
const stores = new WeakMap<Db, WeakMap<KeyConfig, DataKeyStore>>();

export function dataKeyStore(opts: PayloadCodecOptions): DataKeyStore {
  if (opts.now) return new DataKeyStore(opts.db, opts.keys, opts.now);
  let byKeys = stores.get(opts.db);
  if (!byKeys) stores.set(opts.db, (byKeys = new WeakMap()));
  let store = byKeys.get(opts.keys);
  if (!store) byKeys.set(opts.keys, (store = new DataKeyStore(opts.db, opts.keys)));
  return store;
}

export function createPayloadCodec(opts: PayloadCodecOptions): EncryptionCodec {
  return new EncryptionCodec(dataKeyStore(opts));
}
