// Publishing a rules version (config/rules/) against the real server: cases opened before keep the
// fee, checklist, visa list and invoice tariff they were given through to closure, across the
// redeploy that brings the new version; cases opened after get the new rules; an estimate is priced
// at the tariff in force on the day it is issued. Also GET /rules, and the registry's own checks.
import crypto from 'node:crypto';
import fs from 'node:fs';
import request from 'supertest';
import { Worker } from '@temporalio/worker';
import type { CaseRules } from '../config/rules/types';
import { PUBLISHED_RULES } from '../config/rules';
import { parisDay, RulesRegistry, rulesFingerprint } from '../lib/rules';
import { searchAttributes, type CaseState } from '../workflows/definitions';
import { RULES_BEFORE_VERSIONING as v1 } from '../workflows/rules';
import { signUp, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, fillFile, inDays, issueEstimate, makeTeam, openCase, pay, toReportPending, toTreatmentPlanning, upload, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';
import { dataConverterOf } from '../lib/payloadCrypto';

const published = JSON.parse(fs.readFileSync(`${__dirname}/../config/rules/published.json`, 'utf8')) as Record<string, string>;

describe('the published rules versions', () => {
  it('are unchanged since they were published, and each is on record', () => {
    const now = Object.fromEntries(PUBLISHED_RULES.map((v) => [v.id, rulesFingerprint(v)]));
    // A difference here means a published version (or a config module it is read from) was edited:
    // undo it and publish a new version instead. A new version: add its fingerprint once reviewed.
    expect(now).toEqual(published);
  });

  it('give a case the latest version whose effective day (Paris) has come', () => {
    const v2: CaseRules = { ...v1, id: '2027-01', effectiveFrom: '2027-01-01', summary: 'test' };
    const registry = new RulesRegistry([v1, v2]);
    expect(registry.inForce(new Date('2026-12-31T22:59:59Z')).id).toBe('2026-01'); // 23:59:59 in Paris
    expect(registry.inForce(new Date('2026-12-31T23:00:00Z')).id).toBe('2027-01'); // midnight in Paris
    expect(registry.byId('2026-01')).toBe(v1);
    expect(registry.byId('2025-01')).toBeUndefined();
    expect(() => registry.inForce(new Date('2025-06-01T00:00:00Z'))).toThrow('No rules version is in force on 2025-06-01');
  });

  it('refuse a list that would make the version of a case ambiguous', () => {
    expect(() => new RulesRegistry([v1, { ...v1 }])).toThrow(/"2026-01" is listed twice/);
    expect(() => new RulesRegistry([{ ...v1, id: '2027-01', effectiveFrom: '2027-01-01' }, v1])).toThrow(/list versions oldest first/);
    expect(() => new RulesRegistry([{ ...v1, id: 'latest' }])).toThrow(/the id must be YYYY-MM/);
    expect(() => new RulesRegistry([])).toThrow(/no version is published/);
  });
});

/** The day the test's own version takes effect (yesterday in Paris: in force whatever the hour). */
const yesterday = parisDay(new Date(Date.now() - 86_400_000));
/** The published versions in force before it (a version published for a later day is left out). */
const prior = PUBLISHED_RULES.filter((v) => v.effectiveFrom < yesterday);
/** The version in force before the test publishes its own. */
const latest = prior[prior.length - 1];

/** A version published today: a higher proton therapy fee and consultation price, one more checklist item, Turkey on the visa list. */
function newVersion(): CaseRules {
  const today = yesterday;
  return {
    ...latest,
    id: today,
    effectiveFrom: today,
    summary: 'Proton therapy file study 900 €, consultation 175 €; identity document required; Turkey on the short-stay visa list.',
    studyFees: { ...latest.studyFees, proton_therapy: { ...latest.studyFees.proton_therapy, amountCents: 90_000 } },
    tariffs: { ...latest.tariffs, proton_therapy: latest.tariffs.proton_therapy.map((i) => (i.code === 'consultation' ? { ...i, unitCents: 17_500 } : i)) },
    checklists: {
      ...latest.checklists,
      proton_therapy: [...latest.checklists.proton_therapy, { id: 'identity_document', label: { fr: "Pièce d'identité (passeport)", en: 'Identity document (passport)' }, source: 'document', documentKind: 'identity_document' }],
    },
    visa: { ...latest.visa, shortStayVisaNationalities: [...latest.visa.shortStayVisaNationalities, 'TR'] },
  };
}

const TIMINGS = { ...CALM_TIMINGS, AUTH_SECRET: crypto.randomBytes(32).toString('hex'), PAYMENT_WEBHOOK_SECRET: crypto.randomBytes(32).toString('hex'), PATHWAY_FOLLOW_UP_WINDOW: '3s', PATHWAY_ARRIVAL_REMINDER_BEFORE: '30 days', PATHWAY_TASK_REMINDER_AFTER: '1h', TEMPORAL_CALL_TIMEOUT: '2m' };
const consultation = [{ code: 'consultation', quantity: 1 }];

describe('publishing a new rules version while cases run', () => {
  let before: Stack | undefined;
  let after: Stack | undefined;
  const v2 = newVersion();

  afterAll(async () => {
    await before?.stop();
    await after?.stop();
  });

  it('leaves running cases on their version to closure; new cases, and estimates issued from then on, use the new one', async () => {
    const first = await startStack({ env: TIMINGS, rules: new RulesRegistry(prior) });
    before = first;
    const team: Team = await makeTeam(first);
    const waitFor = (s: Stack, actor: Actor, reference: string, done: (x: CaseState) => boolean) => waitForState(s.app, actor.auth, reference, done, 60_000);

    // Case A reaches its guarantee under the latest published version (fee and estimate), case C only the tumour board's proposal.
    const a = await toTreatmentPlanning(first, team, { nationality: 'TR', countryOfResidence: 'TR' });
    const estimateA = await issueEstimate(first, team, a.patient, a.reference, consultation);
    expect(estimateA.totalCents).toBe(15_000);
    expect((await call(first, a.patient, 'post', `/cases/${a.reference}/estimates/${estimateA.number}/accept`)).status).toBe(200);
    await waitFor(first, a.patient, a.reference, (s) => s.phase === 'guarantee_pending');
    expect((await pay(first, a.reference, 15_000, `pay-${estimateA.number}`, `Estimate ${estimateA.number}`)).status).toBe(200);
    await waitFor(first, a.patient, a.reference, (s) => s.phase === 'stay_preparation');
    const c = await toTreatmentPlanning(first, team, { nationality: 'TR', countryOfResidence: 'TR' });
    // Case D waits for its (old) fee when the new version comes.
    const d = { patient: await signUp(first) };
    const dReference = await openCase(first, d.patient, 'proton_therapy');

    // Finance publishes the new version: the API and the worker are redeployed with it, on the same database and task queue.
    const reuse = { databaseFile: first.config.databaseUrl.replace(/^file:/, ''), taskQueue: first.taskQueue };
    before = undefined;
    await first.stop();
    after = await startStack({ env: TIMINGS, reuse, rules: new RulesRegistry([...prior, v2]) });
    const s = after;
    // Same signing secret: everyone stays signed in across the redeploy.
    const [patientA, patientC, patientD] = [a.patient, c.patient, d.patient];

    // A goes on under its version to closure: Turkey is not on its visa list, its care is invoiced at its estimate's tariff.
    expect((await call(s, patientA, 'put', `/cases/${a.reference}/arrival`, { date: inDays(20), plannedStayDays: 10 })).status).toBe(200);
    const arriving = await waitFor(s, patientA, a.reference, (x) => x.phase === 'awaiting_arrival' && x.treatment.visa !== null);
    expect(arriving.treatment.visa).toMatchObject({ status: 'check_with_consulate', reason: 'unknown_nationality' });
    expect((await call(s, team.care, 'post', `/cases/${a.reference}/arrived`)).status).toBe(200);
    await waitFor(s, patientA, a.reference, (x) => x.phase === 'in_stay');
    expect((await call(s, team.care, 'post', `/cases/${a.reference}/discharge`, { performed: [{ code: 'consultation', quantity: 2 }] })).status).toBe(200);
    const settled = await waitFor(s, patientA, a.reference, (x) => x.treatment.reconciliation !== null);
    expect(settled.treatment.reconciliation).toMatchObject({ invoicedCents: 30_000, paidCents: 15_000, balanceDueCents: 15_000, outcome: 'balance_due' });
    expect(settled.treatment.tariff?.rulesVersion).toBe(latest.id);
    const invoiceNumber = settled.treatment.reconciliation!.invoiceNumber;
    expect((await pay(s, a.reference, 15_000, `bal-${a.reference}`, `balance ${invoiceNumber}`)).status).toBe(200);
    const closedA = await waitFor(s, patientA, a.reference, (x) => x.phase === 'closed');
    expect(closedA).toMatchObject({ rulesVersion: latest.id, paymentStatus: 'paid' });
    expect(closedA.payments.map((p) => p.amountCents)).toEqual([80_000, 15_000, 15_000]);
    expect(closedA.checklist.map((e) => e.id)).not.toContain('identity_document');

    // D pays the fee it was asked for (800 €): paid in full, not "partially paid" against the new 900 €.
    const dBefore = await waitFor(s, patientD, dReference, () => true);
    expect(dBefore.rulesVersion).toBe(latest.id);
    await toReportPending(s, patientD, team, dReference, 'proton_therapy', latest.studyFees.proton_therapy.amountCents);
    const dPaid = await waitFor(s, patientD, dReference, (x) => x.phase === 'report_pending');
    expect(dPaid).toMatchObject({ paymentStatus: 'paid', amountDueCents: 80_000, amountPaidCents: 80_000 });

    // C was opened under the older version, but its estimate is issued now: the tariff in force today applies.
    const estimateC = await issueEstimate(s, team, patientC, c.reference, consultation);
    expect(estimateC.totalCents).toBe(17_500);
    const stateC = await waitFor(s, patientC, c.reference, (x) => x.treatment.tariff !== null);
    expect(stateC).toMatchObject({ rulesVersion: latest.id, treatment: { tariff: { rulesVersion: v2.id, programme: 'proton_therapy' } } });

    // B, opened now, runs under the new version: fee, checklist, visa list and tariff.
    const b = await toTreatmentPlanning(s, team, { nationality: 'TR', countryOfResidence: 'TR', rules: v2 });
    const stateB = await waitFor(s, b.patient, b.reference, () => true);
    expect(stateB.rulesVersion).toBe(v2.id);
    expect(stateB.checklist.map((e) => e.id)).toContain('identity_document');
    expect(stateB.amountPaidCents).toBe(90_000);
    const estimateB = await issueEstimate(s, team, b.patient, b.reference, consultation);
    expect(estimateB.totalCents).toBe(17_500);
    expect((await call(s, b.patient, 'post', `/cases/${b.reference}/estimates/${estimateB.number}/accept`)).status).toBe(200);
    await waitFor(s, b.patient, b.reference, (x) => x.phase === 'guarantee_pending');
    expect((await pay(s, b.reference, 17_500, `pay-${estimateB.number}`, `Estimate ${estimateB.number}`)).status).toBe(200);
    await waitFor(s, b.patient, b.reference, (x) => x.phase === 'stay_preparation');
    expect((await call(s, b.patient, 'put', `/cases/${b.reference}/arrival`, { date: inDays(20), plannedStayDays: 10 })).status).toBe(200);
    const arrivingB = await waitFor(s, b.patient, b.reference, (x) => x.phase === 'awaiting_arrival' && x.treatment.visa !== null);
    expect(arrivingB.treatment.visa).toMatchObject({ status: 'required', reason: 'listed_nationality' });

    // Ops see each case's version in the Temporal UI.
    const version = async (reference: string) => (await s.client.workflow.getHandle(`case-${reference}`).describe()).typedSearchAttributes.get(searchAttributes.RulesVersion);
    expect(await version(a.reference)).toBe(latest.id);
    expect(await version(b.reference)).toBe(v2.id);

    // A's whole history, recorded across the publication, replays with the workflow code as it is.
    const history = await s.client.workflow.getHandle(`case-${a.reference}`).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.PARCOURS_TEST_WORKFLOW_BUNDLE! }, dataConverter: dataConverterOf(s.client) }, history, `case-${a.reference}`);

    // Staff read the versions; the patient side does not.
    const list = await request(s.app).get('/rules').set(team.finance.auth);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      inForce: v2.id,
      versions: [
        ...prior.map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom, summary: v.summary, inForce: false, future: false })),
        { id: v2.id, effectiveFrom: v2.effectiveFrom, summary: v2.summary, inForce: true, future: false },
      ],
    });
    const old = await request(s.app).get('/rules/2026-01').set(team.care.auth);
    expect(old.status).toBe(200);
    expect(old.body.studyFees.proton_therapy.amountCents).toBe(80_000);
    expect((await request(s.app).get('/rules/2031-01').set(team.care.auth)).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await request(s.app).get('/rules/latest').set(team.care.auth)).status).toBe(400);
    expect((await request(s.app).get('/rules').set(patientA.auth)).status).toBe(403);
  }, 600_000);
});

describe('whether a patient on EU planned care pays the study fee is data of the rules version', () => {
  let stack: Stack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it('published versions say they pay it; a version saying the S2 covers it skips the fee for an EU resident whose S2 is on file, and only for them', async () => {
    expect(PUBLISHED_RULES.find((v) => v.id === '2027-01')?.coverage.euPlannedCare).toEqual({ studyFee: 'patient_pays' });
    const covered: CaseRules = { ...latest, id: yesterday, effectiveFrom: yesterday, summary: 'EU planned care: the S2 covers the study fee.', coverage: { ...latest.coverage, euPlannedCare: { studyFee: 'covered' } } };
    const s = await startStack({ env: TIMINGS, rules: new RulesRegistry([...prior, covered]) });
    stack = s;
    const team: Team = await makeTeam(s);
    const toFee = async (patient: Actor, reference: string, withS2: boolean) => {
      if (withS2) await upload(s, patient, reference, 's2_form', 'en');
      await fillFile(s, patient, reference, 'proton_therapy', {}, covered);
      expect((await call(s, patient, 'post', `/cases/${reference}/submit`)).status).toBe(200);
      await waitForState(s.app, patient.auth, reference, (x) => x.phase === 'completeness_review');
      expect((await call(s, team.admission, 'post', `/cases/${reference}/review`, { decision: 'complete' })).status).toBe(200);
      await waitForState(s.app, patient.auth, reference, (x) => x.phase === 'coordinator_assignment');
      expect((await call(s, team.admission, 'put', `/cases/${reference}/coordinator`, { coordinatorId: team.care.userId })).status).toBe(200);
      await waitForState(s.app, patient.auth, reference, (x) => x.phase === 'contents_review');
      expect((await call(s, team.care, 'post', `/cases/${reference}/approve`)).status).toBe(200);
      return waitForState(s.app, patient.auth, reference, (x) => x.phase === 'report_pending' || x.phase === 'fee_payment');
    };
    const german = await signUp(s);
    const withS2 = await openCase(s, german, 'proton_therapy', { patient: { ...validCase().patient, nationality: 'DE', countryOfResidence: 'DE' } });
    const other = await signUp(s);
    const withoutS2 = await openCase(s, other, 'proton_therapy', { patient: { ...validCase().patient, nationality: 'DE', countryOfResidence: 'DE' } });

    const free = await toFee(german, withS2, true);
    expect(free).toMatchObject({ phase: 'report_pending', rulesVersion: covered.id, amountDueCents: 0, amountPaidCents: 0 });
    const events = (await s.db.case.findUniqueOrThrow({ where: { reference: withS2 }, include: { events: true } })).events.map((e) => e.type);
    expect(events).toContain('fee_covered_by_s2');
    expect(events).not.toContain('fee_paid');
    expect(s.smtp.messages.filter((m) => m.subject.includes(withS2) && /service fees to pay/.test(m.subject))).toEqual([]);

    const paying = await toFee(other, withoutS2, false);
    expect(paying).toMatchObject({ phase: 'fee_payment', amountDueCents: latest.studyFees.proton_therapy.amountCents });
  }, 300_000);
});
