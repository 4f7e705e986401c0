// Steps 1–2 end to end, for each request type: file → completeness → coordinator → approval → fee →
// report → delivered; `treatment_here` waits in treatment planning, other outcomes close the case.
import { recordHistory } from './support/histories';
import request from 'supertest';
import { studyFees } from '../config/fees';
import { searchAttributes, type RequestType } from '../workflows/definitions';
import { signUp, type Actor } from './support/actors';
import { eventually, waitForState } from './support/cases';
import { CALM_TIMINGS, call, makeTeam, openCase, state, toReportPending, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let team: Team;
beforeAll(async () => {
  stack = await startStack({ env: CALM_TIMINGS });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const reports: Record<RequestType, Record<string, string>> = {
  medical_opinion: { kind: 'mdt', strategy: 'alternative_proposed', summary: 'Chemoradiation rather than surgery.' },
  sample_analysis: { kind: 'analysis', diagnosis: 'Chordoma, conventional type', diagnosisStatus: 'confirmed', summary: 'Diagnosis confirmed.' },
  treatment: { kind: 'mdt', strategy: 'confirm_home_treatment', summary: 'The treatment proposed at home is appropriate.' },
  proton_therapy: { kind: 'mdt', strategy: 'treatment_here', summary: 'Proton therapy indicated: 30 fractions.' },
};

describe.each(Object.keys(reports) as RequestType[])('a %s case', (requestType) => {
  let patient: Actor;
  let reference: string;

  it('goes from the file to the report, every step in the read model and the Temporal UI', async () => {
    patient = await signUp(stack);
    reference = await openCase(stack, patient, requestType);
    const fee = studyFees[requestType].amountCents;
    await toReportPending(stack, patient, team, reference, requestType, fee);

    // The physicians were asked (the radiotherapy team for proton therapy).
    const to = requestType === 'proton_therapy' ? stack.config.radiotherapyTeamEmail : stack.config.mdtSecretariatEmail;
    await stack.smtp.waitFor((m) => m.to.includes(to) && m.subject.includes(reference));
    const pending = await state(stack, patient, reference);
    expect(pending).toMatchObject({ awaitingRole: 'mdt', paymentStatus: 'paid', amountDueCents: fee, amountPaidCents: fee, coordinatorId: team.care.userId, coordinatorInitials: 'TCC' });
    // The report's SLA is the next deadline, also as the NextDeadline search attribute (the ops views' column).
    const waiting = (await stack.client.workflow.getHandle(`case-${reference}`).describe()).typedSearchAttributes;
    expect(waiting.get(searchAttributes.NextDeadline)?.toISOString()).toBe(pending.nextDeadline);

    const res = await call(stack, team.mdt, 'post', `/cases/${reference}/report`, reports[requestType]);
    expect(res.status).toBe(200);
    const expectedPhase = requestType === 'proton_therapy' ? 'treatment_planning' : 'closed';
    const final = await waitForState(stack.app, patient.auth, reference, (s) => s.phase === expectedPhase);
    expect(final.report).toMatchObject({ kind: reports[requestType].kind, summary: reports[requestType].summary, by: team.mdt.userId });

    // The patient is told the report is available (never its content by email).
    const mail = await stack.smtp.waitFor((m) => m.to.includes('amina.benali@example.ma') && m.subject.includes(reference) && /report|compte rendu/i.test(m.subject));
    expect(mail.text).not.toContain(reports[requestType].summary);
    if (expectedPhase === 'closed') await stack.smtp.waitFor((m) => m.subject.includes(reference) && /follow-up|suivi/i.test(m.subject));

    // Business events in the audit trail / read model, in order.
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: { orderBy: { id: 'asc' } } } });
      expect(row.phase).toBe(expectedPhase);
      expect(row.coordinatorId).toBe(team.care.userId);
      const types = row.events.map((e) => e.type);
      // Every business event, including those raised by the patient's and staff's updates.
      for (const t of ['case_received', 'acknowledgement_sent', 'questionnaire_answered', 'file_submitted', 'review_requested', 'file_complete', 'coordinator_assigned', 'contents_review_requested', 'contents_approved', 'fee_requested', 'payment_received', 'fee_paid', 'study_started', 'report_delivered']) {
        expect(types).toContain(t);
      }
    });
    // The search attributes and the read model are written by separate steps of the workflow: they
    // agree once both are written.
    await eventually(async () => {
      const sa = (await stack.client.workflow.getHandle(`case-${reference}`).describe()).typedSearchAttributes;
      expect(sa.get(searchAttributes.CasePhase)).toBe(expectedPhase);
      expect(sa.get(searchAttributes.CoordinatorId)).toBe(team.care.userId);
      expect(sa.get(searchAttributes.PaymentStatus)).toBe('paid');
      expect(sa.get(searchAttributes.AwaitingRole)).toBe(expectedPhase === 'closed' ? 'none' : 'care_coordinator');
      // Closed: no deadline, the attribute unset; treatment planning: the estimate is due.
      const last = await state(stack, patient, reference);
      expect(sa.get(searchAttributes.NextDeadline)?.toISOString()).toBe(last.nextDeadline ?? undefined);
      if (expectedPhase === 'closed') expect(last.nextDeadline).toBeNull();
      else expect(last.nextDeadline).not.toBeNull();
    });

    // `RECORD_HISTORIES=<label> npx jest test/pathway.test.ts` records this version's histories as
    // test/histories/carePathway-<type>-<label>.json, beside the older ones test/replay.test.ts keeps replaying.
    const label = process.env.RECORD_HISTORIES;
    if (label) await recordHistory(stack, `case-${reference}`, `carePathway-${requestType}-${label}`);
  }, 60_000);

  it('refuses further steps once the report is in', async () => {
    const again = await call(stack, team.mdt, 'post', `/cases/${reference}/report`, reports[requestType]);
    expect([409]).toContain(again.status);
    const list = await request(stack.app).get('/worklist').set(team.mdt.auth);
    expect((list.body as { items: { reference: string }[] }).items.map((i) => i.reference)).not.toContain(reference);
  });
});
