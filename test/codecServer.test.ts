// The codec server for the Temporal UI (api/routes/codec.ts): a case's payloads, as Temporal stores them
// (ciphertext), decrypted for ops only, with the console's session cookie or a token; every other role
// refused, no sign-in refused, CORS for the UI's origin alone; each decode in the audit trail.
import request from 'supertest';
import { STAFF_ROLES } from '../api/policy';
import { SESSION_COOKIE } from '../lib/sessionCookie';
import { signUp, staff, type Actor } from './support/actors';
import { eventually, validCase } from './support/cases';
import { openCase } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let patient: Actor;
let ops: Actor;
let reference: string;
/** The case's first payload as the Temporal UI gets it: base64 JSON, encrypted. */
let stored: { metadata: Record<string, string>; data: string };

const UI_ORIGIN = 'http://localhost:8233';
const fromB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

beforeAll(async () => {
  stack = await startStack({ env: { TEMPORAL_UI_URL: UI_ORIGIN } });
  patient = await signUp(stack);
  ops = await staff(stack, 'ops');
  reference = await openCase(stack, patient, 'medical_opinion', { patient: { ...validCase().patient, firstName: 'Zoubida', lastName: 'Codecova' } });
  const history = await stack.client.withDeadline(Date.now() + 10_000, () => stack.client.workflow.getHandle(`case-${reference}`).fetchHistory());
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  stored = {
    metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(input.data!).toString('base64'),
  };
});
afterAll(async () => {
  await stack?.stop();
});

const decode = (headers: Record<string, string>, body: unknown = { payloads: [stored] }) => request(stack.app).post('/codec/decode').set(headers).send(body as object);

describe('the codec server', () => {
  it('is given ciphertext by Temporal: no patient name in what it stores', () => {
    expect(fromB64(stored.metadata.encoding)).toBe('binary/encrypted');
    expect(fromB64(stored.data)).not.toContain('Codecova');
  });

  it('decrypts for ops, with a token or with the console session cookie, and writes each decode to the audit trail', async () => {
    const withToken = await decode(ops.auth);
    expect(withToken.status).toBe(200);
    const [plain] = (withToken.body as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    expect(fromB64(plain.metadata.encoding)).toBe('json/plain');
    expect(fromB64(plain.data)).toContain('Codecova');

    const cookie = `${SESSION_COOKIE}=${Buffer.from(JSON.stringify({ accessToken: ops.token, refreshToken: ops.refreshToken, userId: ops.userId, name: 'Ops', kind: 'staff', role: 'ops' })).toString('base64url')}`;
    const withCookie = await decode({ Cookie: cookie, Origin: UI_ORIGIN });
    expect(withCookie.status).toBe(200);
    expect(fromB64((withCookie.body as { payloads: { data: string }[] }).payloads[0].data)).toContain('Codecova');
    expect(withCookie.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(withCookie.headers['access-control-allow-credentials']).toBe('true');

    await eventually(async () => {
      const trail = await stack.db.auditEntry.findMany({ where: { action: 'codec.decode', caseReference: reference } });
      expect(trail).toHaveLength(2);
      expect(trail.every((e) => e.actorId === ops.userId && e.actorRole === 'ops')).toBe(true);
    });
  });

  it('refuses every other role (403), the patient (403) and no sign-in (401), and writes nothing', async () => {
    for (const role of STAFF_ROLES.filter((r) => r !== 'ops')) {
      const member = await staff(stack, role);
      const res = await decode(member.auth);
      expect({ role, status: res.status, code: (res.body as { error: { code: string } }).error?.code }).toEqual({ role, status: 403, code: 'forbidden' });
    }
    expect((await decode(patient.auth)).status).toBe(403);
    const anonymous = await decode({ Origin: UI_ORIGIN });
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain('Codecova');
    expect(await stack.db.auditEntry.count({ where: { action: 'codec.decode', actorId: { not: ops.userId } } })).toBe(0);
  });

  it("answers the UI's preflight with credentials allowed, and no other origin's", async () => {
    const preflight = (origin: string) =>
      request(stack.app).options('/codec/decode').set({ Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(ui.headers['access-control-allow-credentials']).toBe('true');
    expect(ui.headers['access-control-allow-headers']).toMatch(/x-namespace/i);
    const twin = await preflight('http://127.0.0.1:8233');
    expect(twin.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    const other = await preflight('https://evil.example');
    // Without Access-Control-Allow-Origin a browser gives that page nothing, credentials or not.
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const otherPost = await decode({ ...ops.auth, Origin: 'https://evil.example' });
    expect(otherPost.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('encodes what the UI sends and decodes it back; refuses a malformed body with 400', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') };
    const enc = await request(stack.app).post('/codec/encode').set(ops.auth).send({ payloads: [plain] });
    expect(enc.status).toBe(200);
    const [sealed] = (enc.body as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    expect(fromB64(sealed.metadata.encoding)).toBe('binary/encrypted');
    const back = await decode(ops.auth, { payloads: [sealed] });
    expect((back.body as { payloads: unknown[] }).payloads[0]).toEqual(plain);
    expect((await request(stack.app).post('/codec/encode').set(patient.auth).send({ payloads: [plain] })).status).toBe(403);
    const bad = await decode(ops.auth, { payloads: [{ data: 'not base64!' }] });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('validation_failed');
  });
});
