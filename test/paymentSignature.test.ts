// The webhook signature on its own: what a provider computes, and every way a delivery is refused.
import crypto from 'node:crypto';
import { SIGNATURE_TOLERANCE_SECONDS, signPayload, verifySignature } from '../api/payments/signature';

const secret = 'whsec-test-0123456789abcdef0123456789abcdef';
const now = 1_767_225_600; // 2026-01-01T00:00:00Z
const body = '{"paymentId":"pay_1","amountCents":1000}';
const delivery = (over: Partial<Parameters<typeof verifySignature>[0]> = {}) => ({
  secret,
  timestamp: String(now),
  signature: signPayload(secret, now, body),
  rawBody: Buffer.from(body),
  nowSeconds: now,
  ...over,
});

describe('signPayload', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" (what docs/payment-webhook.md tells providers)', () => {
    const expected = crypto.createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signPayload(secret, now, body)).toBe(`v1=${expected}`);
    expect(signPayload(secret, now, Buffer.from(body))).toBe(`v1=${expected}`);
  });

  it('matches the worked example in docs/payment-webhook.md (computed there with openssl)', () => {
    const exampleBody =
      '{"paymentId":"pay_3QxK9a","caseReference":"INT-2026-000123","amountCents":250000,"currency":"EUR","purpose":"Deposit, estimate DEV-2026-0042","paidAt":"2026-01-01T09:58:12Z"}';
    expect(signPayload('whsec_example_do_not_use_0123456789abcdef', 1767225600, exampleBody)).toBe('v1=ea73c9ddb9aa14908d1f577190a632e171bf11a47ee95d91cd8f2e7649493ed7');
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signPayload(secret, 1.5, body)).toThrow(/whole number of seconds/);
  });
});

describe('verifySignature', () => {
  it('accepts a good signature, at the edges of the tolerance too', () => {
    expect(verifySignature(delivery())).toEqual({ ok: true, timestampSeconds: now });
    for (const ts of [now - SIGNATURE_TOLERANCE_SECONDS, now + SIGNATURE_TOLERANCE_SECONDS]) {
      expect(verifySignature(delivery({ timestamp: String(ts), signature: signPayload(secret, ts, body) }))).toEqual({ ok: true, timestampSeconds: ts });
    }
  });

  it('refuses a tampered body, even one byte', () => {
    expect(verifySignature(delivery({ rawBody: Buffer.from(body.replace('1000', '9000')) }))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(delivery({ rawBody: Buffer.from(`${body} `) }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a signature made with another secret', () => {
    expect(verifySignature(delivery({ signature: signPayload(`${secret}x`, now, body) }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a timestamp changed after signing (it is covered by the signature)', () => {
    expect(verifySignature(delivery({ timestamp: String(now + 1) }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a correctly signed but stale or future delivery (replay protection)', () => {
    const stale = now - SIGNATURE_TOLERANCE_SECONDS - 1;
    expect(verifySignature(delivery({ timestamp: String(stale), signature: signPayload(secret, stale, body) }))).toEqual({ ok: false, reason: 'stale' });
    const future = now + SIGNATURE_TOLERANCE_SECONDS + 1;
    expect(verifySignature(delivery({ timestamp: String(future), signature: signPayload(secret, future, body) }))).toEqual({ ok: false, reason: 'future' });
  });

  it('says only "mismatch" for a stale delivery with a bad signature (nothing learnt without the secret)', () => {
    const stale = now - 3600;
    expect(verifySignature(delivery({ timestamp: String(stale), signature: signPayload('wrong', stale, body) }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([
    ['no signature header', { signature: undefined }, 'missing'],
    ['no timestamp header', { timestamp: undefined }, 'missing'],
    ['no body bytes', { rawBody: undefined }, 'missing'],
    ['an empty signature', { signature: '' }, 'missing'],
    ['another scheme version', { signature: `v0=${'a'.repeat(64)}` }, 'malformed'],
    ['a bare hex digest', { signature: 'a'.repeat(64) }, 'malformed'],
    ['a short digest', { signature: `v1=${'a'.repeat(63)}` }, 'malformed'],
    ['a non-hex digest', { signature: `v1=${'g'.repeat(64)}` }, 'malformed'],
    // The contract says lower-case hex; a correct digest in upper case does not meet it.
    ['the right digest in upper-case hex', { signature: `v1=${signPayload(secret, now, body).slice(3).toUpperCase()}` }, 'malformed'],
    ['a timestamp in milliseconds with a fraction', { timestamp: `${now}.5` }, 'malformed'],
    ['a date as timestamp', { timestamp: '2026-01-01T00:00:00Z' }, 'malformed'],
    ['a negative timestamp', { timestamp: '-1' }, 'malformed'],
  ] as const)('refuses %s as %s', (_label, over, reason) => {
    expect(verifySignature(delivery(over))).toEqual({ ok: false, reason });
  });
});
