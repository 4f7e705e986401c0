// People using the API in tests, signed in through the real flows (registration + emailed link,
// staff creation + set-password link).
import request from 'supertest';
import type { StaffRole } from '../../api/policy';
import type { Stack } from './stack';

export interface Actor {
  userId: string;
  email: string;
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let seq = 0;
export const uniqueEmail = (prefix: string) => `${prefix}.${process.pid}.${++seq}.${Date.now().toString(36)}@example.test`;
export const PASSWORD = 'correct horse battery staple';

/** The token in the link of the latest email to `to` whose subject matches. */
export async function linkTokenFor(stack: Stack, to: string, subject: RegExp): Promise<string> {
  const mail = await stack.smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
  const token = /token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`No link token in the email to ${to}: ${mail.text}`);
  return token;
}

export async function login(stack: Stack, email: string, password = PASSWORD): Promise<Actor> {
  const res = await request(stack.app).post('/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { accessToken: string; refreshToken: string; user: { id: string } };
  return { userId: body.user.id, email, token: body.accessToken, refreshToken: body.refreshToken, auth: { Authorization: `Bearer ${body.accessToken}` } };
}

/** Registers, confirms the address from the emailed link, signs in. */
export async function signUp(stack: Stack, kind: 'patient' | 'referrer' = 'patient', email = uniqueEmail(kind), language: 'fr' | 'en' = 'en'): Promise<Actor> {
  const reg = await request(stack.app).post('/auth/register').send({ email, password: PASSWORD, name: `Test ${kind}`, kind, language });
  if (reg.status !== 202) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = await linkTokenFor(stack, email, /Confirm|Confirmez/);
  const verified = await request(stack.app).get('/auth/verify-email').query({ token });
  if (verified.status !== 200) throw new Error(`verify ${email}: ${verified.status} ${JSON.stringify(verified.body)}`);
  return login(stack, email);
}

/** A staff member as `npm run staff:add` creates one, who sets a password from the emailed link. */
export async function staff(stack: Stack, role: StaffRole, email = uniqueEmail(role), name = `Test ${role}`): Promise<Actor> {
  await stack.accounts.addStaff({ email, name, role, language: 'en' });
  const token = await linkTokenFor(stack, email, /password/i);
  const set = await request(stack.app).post('/auth/password/set').send({ token, password: PASSWORD });
  if (set.status !== 204) throw new Error(`set password ${email}: ${set.status} ${JSON.stringify(set.body)}`);
  return login(stack, email);
}
