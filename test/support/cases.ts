// Test data and polling helpers shared by the API tests.
import type { Express } from 'express';
import request from 'supertest';
import { caseState } from '../../api/schemas/cases';
import type { CaseState } from '../../workflows/definitions';
import { departures } from './documentedShape';

export function validCase(overrides: Record<string, unknown> = {}) {
  return {
    requestType: 'proton_therapy',
    language: 'fr',
    patient: {
      firstName: 'Amina',
      lastName: 'Benali',
      email: 'amina.benali@example.ma',
      nationality: 'MA',
      countryOfResidence: 'MA',
      sex: 'female',
      dateOfBirth: '1978-03-14',
      phone: '+212 6 12 34 56 78',
    },
    reason: 'Second opinion on a skull base chordoma before surgery.',
    ...overrides,
  };
}

/** Polls GET /cases/:reference until `done` holds (the workflow moves asynchronously). */
export async function waitForState(app: Express, auth: { Authorization: string }, reference: string, done: (s: CaseState) => boolean, timeoutMs = 20_000): Promise<CaseState> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await request(app).get(`/cases/${reference}`).set(auth);
    last = res.body;
    if (res.status === 200) {
      // Every state a test reads is also checked against the documented CaseState (docs/openapi.json).
      const off = departures(caseState, res.body);
      if (off.length) throw new Error(`GET /cases/${reference} answered outside its documented schema (api/schemas/cases.ts): ${off.join('; ')}`);
      if (done(res.body as CaseState)) return res.body as CaseState;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Case ${reference} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/**
 * Retries `probe` every `intervalMs` until it stops throwing (for effects that land asynchronously,
 * like read-model rows; a short interval catches a state that lasts only a moment).
 */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
