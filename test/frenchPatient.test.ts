// A French-speaking patient reads Parcours in French, through the running system (real Temporal
// server, database and SMTP capture): who the case waits for, the timeline, refusals of the API and of
// the workflow, the visa emails and the companion's certificate email, which names the companion.
// The same case read in English is in English. `languages.test.ts` walks every text at its source.
import request from 'supertest';
import type { CaseState } from '../workflows/definitions';
import { waitForState } from './support/cases';
import { expectInLanguage } from './support/languageCheck';
import { CALM_TIMINGS, call, inDays, makeTeam, toGuaranteed, upload, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let team: Team;
beforeAll(async () => {
  stack = await startStack({ env: { ...CALM_TIMINGS, PATHWAY_ARRIVAL_REMINDER_BEFORE: '30 days' } });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

/** The case, read by an actor in one language. */
async function read(auth: { Authorization: string }, reference: string, lang: 'fr' | 'en') {
  const res = await request(stack.app).get(`/cases/${reference}`).set(auth).set('Accept-Language', lang);
  expect(res.status).toBe(200);
  expect(res.headers['content-language']).toBe(lang);
  return res.body as CaseState;
}

/** The words of a case people read: who it waits for and every line of its timeline. */
const wordsOfCase = (s: CaseState): Record<string, string> => ({
  waitingFor: s.waitingFor,
  ...Object.fromEntries(s.timeline.map((e, i) => [`timeline.${i}.${e.type}`, e.summary])),
});

describe('a French-speaking patient who needs a visa, with a companion', () => {
  let reference: string;
  let patient: Awaited<ReturnType<typeof toGuaranteed>>['patient'];

  it('reads the case, its timeline and the refusals in French, and the same case in English in English', async () => {
    ({ patient, reference } = await toGuaranteed(stack, team, { language: 'fr', nationality: 'MA' }));
    // A refusal of the API's own checks (a field), and one of the workflow (its validator).
    const badDate = await request(stack.app).put(`/cases/${reference}/arrival`).set(patient.auth).set('Accept-Language', 'fr').send({ date: '2020-01-01', plannedStayDays: 'ten' });
    expect(badDate.status).toBe(400);
    expect(badDate.headers['content-language']).toBe('fr');
    const fieldWords = Object.fromEntries((badDate.body.error.details as { path: string; message: string }[]).map((d) => [d.path, d.message]));
    expect(Object.keys(fieldWords).sort()).toEqual(['date', 'plannedStayDays']);
    expectInLanguage('fr', { message: badDate.body.error.message, ...fieldWords });
    const tooEarly = await request(stack.app).post(`/cases/${reference}/arrived`).set(team.care.auth).set('Accept-Language', 'fr').send({});
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error.code).toBe('wrong_phase');
    expect(tooEarly.body.error.message).toMatch(/^Impossible d'enregistrer l'arrivée maintenant : le dossier est à l'étape « Préparation du séjour »/);
    const inEnglish = await request(stack.app).post(`/cases/${reference}/arrived`).set(team.care.auth).set('Accept-Language', 'en').send({});
    expect(inEnglish.body.error.message).toMatch(/^Cannot record the arrival now: the case is at the step "Stay preparation" \(possible at: "Awaiting arrival"/);

    const fr = await read(patient.auth, reference, 'fr');
    expect(fr.waitingFor).toMatch(/^Votre traitement est confirmé/);
    expect(fr.timeline.length).toBeGreaterThan(15);
    expectInLanguage('fr', wordsOfCase(fr));
    const en = await read(patient.auth, reference, 'en');
    expect(en.waitingFor).toMatch(/^Your treatment is confirmed/);
    expectInLanguage('en', wordsOfCase(en));
    // Staff read who acts, in their language.
    expect((await read(team.care.auth, reference, 'fr')).waitingFor).toBe('Le coordinateur de soins');
    expect((await read(team.care.auth, reference, 'en')).waitingFor).toBe('The care coordinator');
  }, 120_000);

  it('gets the visa emails in French, and an email naming the companion with their certificate', async () => {
    expect((await call(stack, patient, 'put', `/cases/${reference}/arrival`, { date: inDays(20), plannedStayDays: 10 })).status).toBe(200);
    const visa = await stack.smtp.waitFor((m) => m.subject.includes(reference) && /visa pour votre séjour/.test(m.subject));
    expect(visa.text).toMatch(/Maroc/);
    await waitForState(stack.app, patient.auth, reference, (s) => s.treatment.visa?.certificateDocumentId != null);

    // The companion comes after the visa email: their certificate has its own email, naming them.
    const proof = await upload(stack, patient, reference, 'proof_of_relationship');
    const proofId = (proof.body as { items: { documentId: string }[] }).items[0].documentId;
    await waitForState(stack.app, patient.auth, reference, (x) => x.documents.some((d) => d.documentId === proofId));
    expect((await call(stack, patient, 'put', `/cases/${reference}/companions`, { fullName: 'Karim Benali', relationship: 'family', nationality: 'MA', proofDocumentId: proofId })).status).toBe(200);
    const companion = await stack.smtp.waitFor((m) => m.subject.includes(reference) && m.subject.includes('Karim Benali'));
    expect(companion.subject).toBe(`Dossier ${reference} : attestation de visa pour Karim Benali`);
    expect(companion.text).toMatch(/L'attestation pour la demande de visa de Karim Benali, qui vous accompagne/);
    expect(companion.attachments).toHaveLength(1);
    expect(companion.attachments[0].contentType).toBe('application/pdf');

    // Every email this patient got is in French; the timeline says the companion's certificate in French too.
    const mails = stack.smtp.messages.filter((m) => m.subject.includes(reference) && m.to.includes('amina.benali@example.ma'));
    expect(mails.length).toBeGreaterThanOrEqual(6);
    expectInLanguage('fr', Object.fromEntries(mails.flatMap((m, i) => [[`${i}.subject`, m.subject], [`${i}.text`, m.text]])));
    const s = await waitForState(stack.app, patient.auth, reference, (x) => x.timeline.some((e) => e.type === 'visa_certificate_issued'));
    const fr = await read(patient.auth, reference, 'fr');
    expectInLanguage('fr', wordsOfCase(fr));
    expect(fr.timeline.find((e) => e.type === 'visa_assessed')?.summary).toMatch(/visa/i);
    expect(s.timeline.length).toBe(fr.timeline.length);
  }, 120_000);
});
