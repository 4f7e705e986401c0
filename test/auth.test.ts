// Accounts end to end: registration and emailed verification, sign-in, refresh rotation, sign-out,
// password set by one-time link, staff creation, rate limits, and what the logs never contain.
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { linkTokenFor, login, PASSWORD, signUp, staff, uniqueEmail } from './support/actors';
import { validCase } from './support/cases';
import { startStack, type Stack } from './support/stack';

const logLines: string[] = [];
let stack: Stack;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  stack = await startStack({ logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await stack.stop();
});

describe('registration and email verification', () => {
  it('registers, emails a signed link, refuses sign-in until the address is confirmed, then signs in', async () => {
    const email = uniqueEmail('reg');
    const reg = await request(stack.app).post('/auth/register').send({ email, password: PASSWORD, name: 'Leila Haddad', kind: 'patient', language: 'fr' });
    expect(reg.status).toBe(202);
    const user = await stack.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.emailVerifiedAt).toBeNull();

    const early = await request(stack.app).post('/auth/login').send({ email, password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('email_not_verified');

    const token = await linkTokenFor(stack, email, /Confirmez/); // in the language chosen at registration
    expect((await request(stack.app).get('/auth/verify-email').query({ token })).status).toBe(200);
    const reused = await request(stack.app).get('/auth/verify-email').query({ token });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invalid_link');

    const ok = await request(stack.app).post('/auth/login').send({ email: email.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', user: { email, kind: 'patient', role: null, language: 'fr' } });
    const me = await request(stack.app).get('/me').set('Authorization', `Bearer ${ok.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
  });

  it('gives the same answer for an address that already has an account, and makes no second account', async () => {
    const email = uniqueEmail('dup');
    const body = { email, password: PASSWORD, name: 'A', kind: 'patient' };
    expect((await request(stack.app).post('/auth/register').send(body)).status).toBe(202);
    expect((await request(stack.app).post('/auth/register').send({ ...body, kind: 'referrer' })).status).toBe(202);
    expect(await stack.db.user.count({ where: { email } })).toBe(1);
  });

  it('refuses a forged, tampered or wrong-purpose link', async () => {
    const email = uniqueEmail('forge');
    await request(stack.app).post('/auth/register').send({ email, password: PASSWORD, name: 'A', kind: 'patient' });
    const token = await linkTokenFor(stack, email, /Confirm/);
    const [h, p, sig] = token.split('.');
    const tampered = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await request(stack.app).get('/auth/verify-email').query({ token: tampered })).status).toBe(400);
    // A verification link is not a password link.
    expect((await request(stack.app).post('/auth/password/set').send({ token, password: 'a brand new passphrase' })).status).toBe(400);
    expect((await request(stack.app).get('/auth/verify-email').query({ token: 'x'.repeat(30) })).status).toBe(400);
  });

  it('answers 400 with field errors for bad registrations, and rejects roles or verification set by the client', async () => {
    const cases = [
      { email: 'nope', password: PASSWORD, name: 'A', kind: 'patient' },
      { email: uniqueEmail('short'), password: 'short', name: 'A', kind: 'patient' },
      { email: uniqueEmail('kind'), password: PASSWORD, name: 'A', kind: 'staff' },
      { email: uniqueEmail('role'), password: PASSWORD, name: 'A', kind: 'patient', role: 'ops' },
      { email: uniqueEmail('verified'), password: PASSWORD, name: 'A', kind: 'patient', emailVerifiedAt: '2026-01-01' },
    ];
    const before = await stack.db.user.count();
    for (const body of cases) {
      const res = await request(stack.app).post('/auth/register').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    expect(await stack.db.user.count()).toBe(before);
  });
});

describe('sessions', () => {
  it('rotates refresh tokens: the new pair works, the old refresh token does not', async () => {
    const patient = await signUp(stack);
    const refreshed = await request(stack.app).post('/auth/refresh').send({ refreshToken: patient.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(patient.refreshToken);
    expect((await request(stack.app).get('/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`)).status).toBe(200);
    const replay = await request(stack.app).post('/auth/refresh').send({ refreshToken: patient.refreshToken });
    expect(replay.status).toBe(401);
  });

  it('signs out: the access token and the refresh token stop working at once', async () => {
    const patient = await signUp(stack);
    expect((await request(stack.app).post('/auth/logout').set(patient.auth)).status).toBe(204);
    const after = await request(stack.app).get('/me').set(patient.auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_token');
    expect((await request(stack.app).post('/auth/refresh').send({ refreshToken: patient.refreshToken })).status).toBe(401);
  });

  it('refuses wrong passwords and unknown addresses with the same answer', async () => {
    const patient = await signUp(stack);
    const wrong = await request(stack.app).post('/auth/login').send({ email: patient.email, password: 'not the password at all' });
    const unknown = await request(stack.app).post('/auth/login').send({ email: uniqueEmail('ghost'), password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('answers 401 for a missing, malformed or foreign-signed token', async () => {
    expect((await request(stack.app).get('/me')).status).toBe(401);
    expect((await request(stack.app).get('/me').set('Authorization', 'Basic abc')).status).toBe(401);
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwic2lkIjoieSIsImtpbmQiOiJzdGFmZiIsInJvbGUiOiJvcHMifQ.c2lnbmF0dXJl';
    expect((await request(stack.app).get('/me').set('Authorization', `Bearer ${forged}`)).status).toBe(401);
  });
});

describe('passwords and staff', () => {
  it('sets a new password from the emailed link and signs out every session', async () => {
    const patient = await signUp(stack);
    expect((await request(stack.app).post('/auth/password/forgot').send({ email: patient.email })).status).toBe(202);
    const token = await linkTokenFor(stack, patient.email, /password/i);
    expect((await request(stack.app).post('/auth/password/set').send({ token, password: 'another long passphrase' })).status).toBe(204);
    expect((await request(stack.app).get('/me').set(patient.auth)).status).toBe(401);
    await expect(login(stack, patient.email)).rejects.toThrow(/401/);
    expect((await login(stack, patient.email, 'another long passphrase')).token).toBeTruthy();
  });

  it('creates staff without a password: they cannot sign in until they set one from the link', async () => {
    const email = uniqueEmail('nurse');
    const created = await stack.accounts.addStaff({ email, name: 'Claire', role: 'medical_assistant', language: 'fr' });
    expect(created.emailed).toBe(true);
    expect((await stack.db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toBeNull();
    expect((await request(stack.app).post('/auth/login').send({ email, password: '' })).status).toBe(400);
    expect((await request(stack.app).post('/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
    const assistant = await staff(stack, 'finance');
    const me = await request(stack.app).get('/me').set(assistant.auth);
    expect(me.body).toMatchObject({ kind: 'staff', role: 'finance' });
    await expect(stack.accounts.addStaff({ email, name: 'Claire', role: 'ops', language: 'fr' })).rejects.toThrow(/already exists/);
  });
});

describe('protection', () => {
  it('rate-limits sign-in attempts with 429', async () => {
    const limited = await startStack({ env: { RATE_LIMIT_AUTH_PER_15_MIN: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await request(limited.app).post('/auth/login').send({ email: 'a@b.test', password: 'x' })).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const res = await request(limited.app).post('/auth/login').send({ email: 'a@b.test', password: 'x' });
      expect(res.body.error.code).toBe('rate_limited');
    } finally {
      await limited.stop();
    }
  });

  it('sets security headers and allows no cross-origin caller by default', async () => {
    const res = await request(stack.app).get('/health').set('Origin', 'https://evil.example');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/[\w-]{8,}/);
  });

  it('allows cross-origin calls only from the configured origins', async () => {
    const portal = await startStack({ env: { CORS_ORIGINS: 'https://portal.hospital.example' } });
    try {
      const allowed = await request(portal.app).get('/health').set('Origin', 'https://portal.hospital.example');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://portal.hospital.example');
      const other = await request(portal.app).get('/health').set('Origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await portal.stop();
    }
  });

  it('keeps health data and tokens out of the logs', async () => {
    const patient = await signUp(stack);
    const body = validCase({ reason: 'Glioblastoma recurrence, second opinion wanted' });
    const res = await request(stack.app).post('/cases').set(patient.auth).query({ secret: 'abc' }).send(body);
    expect(res.status).toBe(201);
    const logs = logLines.join('\n');
    expect(logs).toContain('/cases'); // requests are logged…
    for (const secret of ['Glioblastoma', 'Amina', 'amina.benali', patient.token, PASSWORD, 'secret=abc']) expect(logs).not.toContain(secret); // …but not their content
  });
});
