// The one place the project's Temporal data converter is made: every client, worker, replayer and
// workflow bundle uses it (see docs/operations.md, "Encryption keys").
import type { DataConverter, LoadedDataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { AppConfig } from '../config';
import type { Db } from '../db';
import { createPayloadCodec, ENCRYPTED_ENCODING, type PayloadCodecOptions } from './codec';

/** For bundleWorkflowCode: the failure converter must be inside the workflow bundle too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failureConverter');

export function createDataConverter(opts: PayloadCodecOptions): DataConverter {
  return { payloadCodecs: [createPayloadCodec(opts)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * The data converter of a process from its configuration and database. Without encryption (a
 * benchmark's comparison run only) the failure converter stays, so the workflow bundle is the same.
 */
export function dataConverterFor(config: Pick<AppConfig, 'payloadKeys' | 'payloadEncryption'>, db: Db): DataConverter {
  return config.payloadEncryption ? createDataConverter({ db, keys: config.payloadKeys }) : { failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** A payload of a raw history event (codec, then JSON), as the SDK decodes it. */
export async function decodePayloadAt<T>(converter: LoadedDataConverter, index: number, payloads: Payload[] | null | undefined): Promise<T> {
  return decodeFromPayloadsAtIndex<T>(converter, index, payloads);
}

/** A raw failure's message (the message itself is encrypted in history). */
export async function failureMessage(converter: LoadedDataConverter, failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string | undefined> {
  if (!failure) return undefined;
  try {
    return (await decodeOptionalFailureToOptionalError(converter, failure))?.message ?? failure.message ?? undefined;
  } catch (err) {
    return `(failure not readable: ${err instanceof Error ? err.message : String(err)})`;
  }
}

/** The data converter of a client's codecs, for the replays and workers made beside it (e.g. ops replays). */
export function dataConverterOf(client: { options: { loadedDataConverter: LoadedDataConverter } }): DataConverter {
  return { payloadCodecs: client.options.loadedDataConverter.payloadCodecs, failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * Decrypts, in place, every encrypted payload found in a raw value (history events fetched with
 * fetchHistory are not decoded by the SDK). Plain payloads are left as they are.
 */
export async function decodeEncryptedPayloads<T>(codecs: PayloadCodec[], value: T): Promise<T> {
  const pending: Promise<void>[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        if (isEncrypted(child)) pending.push(decodeWith(codecs, child).then((p) => void (node[i] = p)));
        else visit(child);
      });
      return;
    }
    for (const [k, child] of Object.entries(node)) {
      if (isEncrypted(child)) pending.push(decodeWith(codecs, child).then((p) => void ((node as Record<string, unknown>)[k] = p)));
      else visit(child);
    }
  };
  visit(value);
  await Promise.all(pending);
  return value;
}

function isEncrypted(v: unknown): v is Payload {
  const encoding = (v as Payload | null)?.metadata?.encoding;
  return encoding instanceof Uint8Array && new TextDecoder().decode(encoding) === ENCRYPTED_ENCODING;
}

async function decodeWith(codecs: PayloadCodec[], payload: Payload): Promise<Payload> {
  let out = [payload];
  for (const codec of [...codecs].reverse()) out = await codec.decode(out);
  return out[0];
}
