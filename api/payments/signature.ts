// Signature of payment webhook deliveries: HMAC-SHA256 over `<timestamp>.<raw body>` with the shared
// secret, sent as `Parcours-Signature: v1=<hex>` next to `Parcours-Timestamp: <unix seconds>`.
// The exact bytes received are signed, so no JSON re-serialisation can change what is checked.
import crypto from 'node:crypto';

/**
 * Replay protection: a delivery is accepted only if its signed timestamp is within this many seconds
 * of our clock, either way. A captured request replayed later fails; 5 minutes absorbs clock skew.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export const SIGNATURE_VERSION = 'v1';

const timestampPattern = /^\d{1,12}$/;
// Lower-case hex, as docs/payment-webhook.md states (and Node, openssl and most providers print).
const signaturePattern = /^v1=([0-9a-f]{64})$/;

function hmacHex(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The `Parcours-Signature` header value for a body sent at `timestampSeconds`. */
export function signPayload(secret: string, timestampSeconds: number, rawBody: Buffer | string): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new Error(`timestampSeconds must be a whole number of seconds since 1970, got ${timestampSeconds}`);
  return `${SIGNATURE_VERSION}=${hmacHex(secret, String(timestampSeconds), rawBody)}`;
}

export type SignatureCheck =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' | 'future' };

export interface SignedDelivery {
  secret: string;
  /** `Parcours-Timestamp` as received. */
  timestamp: string | undefined;
  /** `Parcours-Signature` as received. */
  signature: string | undefined;
  /** The body bytes exactly as received (undefined when none were read). */
  rawBody: Buffer | string | undefined;
  /** Our clock, in seconds (a parameter so the tolerance can be tested). */
  nowSeconds?: number;
}

/**
 * Checks a delivery. The HMAC is compared first, in constant time; only a correctly signed delivery
 * is told its timestamp is out of tolerance, so the answer reveals nothing to someone without the secret.
 */
export function verifySignature(d: SignedDelivery): SignatureCheck {
  if (!d.timestamp || !d.signature || d.rawBody === undefined) return { ok: false, reason: 'missing' };
  const match = signaturePattern.exec(d.signature.trim());
  const timestamp = d.timestamp.trim();
  if (!match || !timestampPattern.test(timestamp)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmacHex(d.secret, timestamp, d.rawBody), 'hex');
  const given = Buffer.from(match[1], 'hex');
  // Both are 32 bytes (the pattern guarantees 64 hex digits), as timingSafeEqual requires.
  if (!crypto.timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  const timestampSeconds = Number(timestamp);
  const now = d.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (timestampSeconds < now - SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  if (timestampSeconds > now + SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'future' };
  return { ok: true, timestampSeconds };
}
