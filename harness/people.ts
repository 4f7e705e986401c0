// People using Parcours over HTTP: patients register and confirm their address from the emailed
// link; staff are created by `staff:add` (dist/scripts/staffAdd.js) and set a password from theirs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { projectRoot } from '../lib/databaseUrl';
import type { StaffRole } from '../api/policy';
import { expectStatus, type Http } from './http';
import type { SmtpCapture } from './smtpCapture';

export interface Person {
  userId: string;
  email: string;
  token: string;
}

export const PASSWORD = 'correct horse battery staple';

async function linkToken(smtp: SmtpCapture, to: string, subject: RegExp): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject), 60_000);
  const token = /token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`No link token in the email to ${to}.`);
  return token;
}

export async function login(http: Http, email: string): Promise<Person> {
  const res = expectStatus(`login ${email}`, await http.send<{ accessToken: string; user: { id: string } }>('post', '/auth/login', { json: { email, password: PASSWORD } }), 200);
  return { userId: res.body.user.id, email, token: res.body.accessToken };
}

/** A patient (or, with `kind`, a referring doctor) registers and confirms the address. */
export async function registerPatient(http: Http, smtp: SmtpCapture, email: string, kind: 'patient' | 'referrer' = 'patient'): Promise<Person> {
  expectStatus(`register ${email}`, await http.send('post', '/auth/register', { json: { email, password: PASSWORD, name: 'Bench Patient', kind, language: 'en' } }), 202);
  const token = await linkToken(smtp, email, /Confirm/);
  expectStatus(`verify ${email}`, await http.send('get', `/auth/verify-email?token=${encodeURIComponent(token)}`), 200);
  return login(http, email);
}

export async function addStaff(http: Http, smtp: SmtpCapture, env: Record<string, string>, role: StaffRole, email: string): Promise<Person> {
  const root = projectRoot();
  // Asynchronously: the SMTP capture runs in this process and must answer meanwhile.
  const { stdout: printed } = await promisify(execFile)(process.execPath, [path.join(root, 'dist', 'scripts', 'staffAdd.js'), '--email', email, '--role', role, '--language', 'en'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (!printed.includes('is queued for')) throw new Error(`staff:add did not queue an email to ${email}: ${printed}`);
  const token = await linkToken(smtp, email, /password/i);
  expectStatus(`set password ${email}`, await http.send('post', '/auth/password/set', { json: { token, password: PASSWORD } }), 204);
  return login(http, email);
}

export interface Team {
  admission: Person;
  care: Person;
  mdt: Person;
  finance: Person;
  support: Person;
}

export async function makeTeam(http: Http, smtp: SmtpCapture, env: Record<string, string>): Promise<Team> {
  const tag = Date.now().toString(36);
  const one = (role: StaffRole) => addStaff(http, smtp, env, role, `${role}.${tag}@parcours.test`);
  return { admission: await one('admission_coordinator'), care: await one('care_coordinator'), mdt: await one('mdt'), finance: await one('finance'), support: await one('support') };
}
