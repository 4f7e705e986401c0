// The codec server for the Temporal UI (its "Codec Server" / data encoder setting): Temporal stores
// only ciphertext; ops signed in to the console see decoded payloads in the UI, through these two
// endpoints. Only the ops role; CORS only for the UI's origins, with credentials (the UI sends the
// console's session cookie when "include cross-origin credentials" is set); every decode is in the audit
// trail, once per case it revealed. Protocol: POST {endpoint}/decode and /encode with
// `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, answered in the same shape.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { RequestHandler } from 'express';
import { readSession } from '../../lib/sessionCookie';
import type { Db } from '../../lib/db';
import { KEY_ID_METADATA } from '../../lib/payloadCrypto';
import type { AuditLog } from '../audit';
import { requireAllowed } from '../auth/principal';
import { parseOr400, requestId } from '../errors';
import { json, jsonBody, type ApiRoutes } from '../routing';
import { z } from '../schemas/common';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64').max(4_000_000);
// Strict: a body with anything else is not the UI's, and is refused rather than half-read.
const jsonPayload = z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }).strict().openapi('CodecPayload');
const payloadList = z.object({ payloads: z.array(jsonPayload).max(1000) }).strict().openapi('CodecPayloads');

const toPayload = (p: z.infer<typeof jsonPayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A client without a codec (none in Parcours: every client encrypts) leaves payloads as they are. */
export const IDENTITY_CODEC: PayloadCodec = { encode: (p) => Promise.resolve(p), decode: (p) => Promise.resolve(p) };

/**
 * The console's session cookie as a bearer token, for the codec routes only: the API's authentication
 * then checks it as any token (signature, session, role). An expired one is a 401: opening a console
 * page renews it.
 */
export const sessionCookieAsBearer: RequestHandler = (req, _res, next) => {
  const session = req.get('Authorization') ? null : readSession(req);
  if (session) req.headers.authorization = `Bearer ${session.accessToken}`;
  next();
};

/** The cases whose data keys encrypted these payloads (the system key names none). */
export async function casesOfPayloads(db: Db, payloads: Payload[]): Promise<string[]> {
  const keyIds = [...new Set(payloads.map((p) => p.metadata?.[KEY_ID_METADATA]).filter((v): v is Uint8Array => v !== undefined && v !== null).map((v) => Buffer.from(v).toString('utf8')))];
  if (keyIds.length === 0) return [];
  const keys = await db.dataKey.findMany({ where: { id: { in: keyIds } }, select: { scope: true } });
  return keys.map((k) => /^case:(.+)$/.exec(k.scope)?.[1]).filter((r): r is string => r !== undefined);
}

export function registerCodecRoutes(api: ApiRoutes, deps: { db: Db; codec: PayloadCodec; audit: AuditLog }): void {
  const tag = 'Codec server';
  api.add({
    method: 'post', path: '/codec/decode', tag, access: 'signed_in', action: 'codec.decode',
    summary: 'Decrypts Temporal payloads for the Temporal UI (ops only; each case revealed is written to the audit trail)',
    request: jsonBody(payloadList),
    responses: { 200: json(payloadList, 'The payloads, decrypted; one the codec cannot decrypt (a shredded case) is returned as it came') },
    handler: (async (req, res) => {
      const p = requireAllowed(req, 'codec.decode');
      const payloads = parseOr400(payloadList, req.body, 'payloads').payloads.map(toPayload);
      // One at a time: a shredded case's payload stays ciphertext without hiding the others.
      const decoded = await Promise.all(payloads.map(async (one) => (await deps.codec.decode([one]).catch(() => [one]))[0]));
      for (const caseReference of await casesOfPayloads(deps.db, payloads)) {
        await deps.audit.record({ actorId: p.userId, actorRole: p.role ?? p.kind, action: 'codec.decode', caseReference, requestId: requestId(req), detail: { payloads: payloads.length } });
      }
      res.json({ payloads: decoded.map(toJson) });
    }) satisfies RequestHandler,
  });
  api.add({
    method: 'post', path: '/codec/encode', tag, access: 'signed_in', action: 'codec.encode',
    summary: 'Encrypts payloads the Temporal UI sends (ops only), with the system key: the UI gives no case',
    request: jsonBody(payloadList),
    responses: { 200: json(payloadList, 'The payloads, encrypted') },
    handler: (async (req, res) => {
      requireAllowed(req, 'codec.encode');
      const payloads = parseOr400(payloadList, req.body, 'payloads').payloads.map(toPayload);
      res.json({ payloads: (await deps.codec.encode(payloads)).map(toJson) });
    }) satisfies RequestHandler,
  });
}
