// The timeline in the reader's language (lib/timelineWords.ts): every event type the code records has
// its own words; each entry reads in French and in English, with a realistic payload and with nothing
// (older events), never in the other language, never with a raw code or a person's UUID. Pure: no
// server, no database.
import fs from 'node:fs';
import path from 'node:path';
import { describeEvent, TIMELINE_EVENT_TYPES, timelineWords, type TimelineEventType, type TimelinePayload } from '../lib/timelineWords';
import { LANGUAGES, TERMINAL_PHASES, type Language } from '../workflows/definitions';

const UUID_A = '2dccaeba-98eb-47ff-b151-e4a818c6d271';
const UUID_B = '7f1c9e0a-3b2d-4c5e-8f6a-9b0c1d2e3f4a';

/** A payload like the one the workflow records (with the fields it is asked to add), per event type. */
const samples: Record<TimelineEventType, Record<string, string | number | boolean | null>> = {
  case_received: { requestType: 'proton_therapy', language: 'fr', countryOfResidence: 'MA' },
  acknowledgement_sent: {},
  questionnaire_answered: { fields: 'firstName,lastName,sex,dateOfBirth,placeOfBirth,nationality,phone,email,postalAddress,reason' },
  item_declared_none: { itemId: 'operation_reports' },
  item_none_withdrawn: { itemId: 'chemotherapy_reports' },
  file_submitted: { missingCount: 4 },
  file_reminder_sent: { reminder: 1, maxReminders: 3 },
  review_requested: {},
  file_incomplete: { missingItems: 'pathology_report,imaging_report,some_retired_item' },
  file_complete: {},
  coordinator_assigned: { coordinatorId: UUID_A, previous: null },
  coordinator_reassigned: { coordinatorId: UUID_B, previous: UUID_A },
  contents_review_requested: {},
  contents_approved: {},
  changes_requested: {},
  fee_covered_by_s2: {},
  fee_requested: { amountCents: 45_000 },
  fee_reminder_sent: { reminder: 2, maxReminders: 3 },
  fee_paid: { amountCents: 45_000 },
  payment_received: { paymentId: 'p3-INT-2026-001001', amountCents: 90_000, allocatedTo: 'DEV-2026-000002' },
  study_started: {},
  study_opened: {},
  report_overdue: {},
  report_delivered: { kind: 'mdt', strategy: 'treatment_here' },
  treatment_proposed: {},
  coverage_declared: { route: 'insurer_guarantee' },
  estimate_issued: { number: 'DEV-2026-000001', totalCents: 965_000, additional: false, validUntil: '2027-01-01T10:00:00.000Z' },
  additional_estimate_issued: { number: 'DEV-2026-000002', totalCents: 90_000, additional: true, validUntil: '2027-01-15' },
  estimate_review: { number: 'DEV-2026-000001', validUntil: '2027-01-01' },
  estimate_reminder_sent: { number: 'DEV-2026-000001', reminder: 1, maxReminders: 3 },
  estimate_accepted: { number: 'DEV-2026-000001' },
  estimate_declined: { number: 'DEV-2026-000001' },
  estimate_expired: { number: 'DEV-2026-000001' },
  guarantee_requested: { number: 'DEV-2026-000001', remainingCents: 965_000 },
  payment_request_skipped: { number: 'DEV-2026-000001', route: 'eu_planned_care' },
  coverage_route_changed: { number: 'DEV-2026-000001', route: 'eu_planned_care' },
  guarantee_reminder_sent: { number: 'DEV-2026-000001', reminder: 2, maxReminders: 3 },
  guarantee_expired: { number: 'DEV-2026-000001', reminders: 3 },
  insurer_letter_recorded: { number: 'DEV-2026-000001', insurer: 'Allianz Care', coveredCents: 800_000, documentId: UUID_B },
  estimate_guaranteed: { number: 'DEV-2026-000002', paidCents: 90_000, coveredCents: 0, route: 'self_pay' },
  treatment_started: { number: 'DEV-2026-000002' },
  stay_preparation: {},
  arrival_date_set: { date: '2026-12-24', plannedStayDays: 40, site: 'orsay' },
  arrival_date_changed: { date: '2027-01-01', plannedStayDays: 1, site: 'saint_cloud', previous: '2026-12-24' },
  arrival_scheduled: { date: '2026-12-24', site: 'paris' },
  visa_assessed: { status: 'required', reason: 'listed_nationality', urgent: true },
  companion_set: { companionId: 'C1', relationship: 'family', proof: false },
  visa_certificate_issued: { companionId: 'C1', documentId: UUID_A },
  patient_arrived: {},
  stay_started: { site: 'orsay' },
  task_created: { taskId: 'T1', team: 'medical_assistant', kind: 'appointment_change' },
  task_done: { taskId: 'T1', kind: 'interpreter', team: 'support' },
  task_overdue: { taskId: 'T2', kind: 'billing_question', team: 'finance' },
  discharged: {},
  account_reconciled: { invoiceNumber: 'FAC-2026-000001', outcome: 'refund_due', invoicedCents: 865_000, insurerShareCents: 0, paidCents: 1_055_000, balanceDueCents: 0, refundDueCents: 190_000 },
  follow_up_started: {},
  follow_up_scheduled: { followUpId: 'F1', at: '2026-12-04T12:00:12.265Z' },
  continued_as_new: { stage: 'in_stay' },
  overpayment_received: { paymentId: 'pay_3N8x', excessCents: 5_000, towards: 'study_fee', afterEnd: false },
  refund_awaited: { owedCents: 190_000 },
  refund_reminder_sent: { reminder: 2, owedCents: 190_000 },
  refund_recorded: { refundId: 'refund_6848672bd8fd3a4645086c207812c7bb', amountCents: 190_000, method: 'bank_transfer', owedCents: 0, afterEnd: true },
  money_returned: {},
  case_closed: { reason: 'Follow-up completed (1 appointment(s))', refundDueCents: 190_000 },
  case_withdrawn: { reason: `Treated at home after all (patient:${UUID_A})`, refundDueCents: 45_000 },
  case_cancelled: { reason: `Duplicate of another case (${UUID_B})`, refundDueCents: 0 },
  case_abandoned: { reason: 'No answer after 3 reminder(s)', refundDueCents: 0 },
  case_expired: { reason: 'Estimate DEV-2026-000001 not guaranteed', refundDueCents: 0 },
};

// Words of one language only (the brief's lists, and test/support's): "visa", "urgent", "date",
// "questionnaire" and "note" are both French and English, so they are not listed.
const ENGLISH = new Set(
  'the and of to with for is was were your you has have been case estimate payment please will from what which this that must not only now when our we it its be yet still after before than more any all then again first here there team fee fees file received sign if would could should about'.split(' '),
);
const FRENCH = new Set('le la les du des est été une pour avec dossier devis votre vos nous vous dans pas être sont cette qui que aux leur leurs très déjà encore équipe ne plus'.split(' '));
const wordsOf = (line: string) => line.toLowerCase().split(/[^a-zà-öø-ÿœ]+/i).filter(Boolean);
const wrongWords = (line: string, lang: Language) => wordsOf(line).filter((w) => (lang === 'fr' ? ENGLISH : FRENCH).has(w));
const SNAKE = /\b[a-z0-9]+_[a-z0-9_]+\b/i;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Every line of the table, for a payload per type, keyed `type.lang`. */
function lines(payloadOf: (type: TimelineEventType) => TimelinePayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const type of TIMELINE_EVENT_TYPES) {
    const words = timelineWords[type](payloadOf(type));
    for (const lang of LANGUAGES) out[`${type}.${lang}`] = words[lang];
  }
  return out;
}
const withSamples = lines((type) => samples[type]);
const withNothing = lines(() => ({}));

describe.each([
  ['a realistic payload', withSamples],
  ['an empty payload (older events)', withNothing],
])('every event type, with %s', (_what, rendered) => {
  it('has a line in each language, not empty, and different in French and in English', () => {
    for (const type of TIMELINE_EVENT_TYPES) {
      for (const lang of LANGUAGES) expect(rendered[`${type}.${lang}`]).toMatch(/\S/);
      expect({ type, fr: rendered[`${type}.fr`] }).not.toEqual({ type, fr: rendered[`${type}.en`] });
    }
  });

  it.each(LANGUAGES)('writes its %s line with no word of the other language', (lang) => {
    const wrong = Object.entries(rendered).filter(([k]) => k.endsWith(`.${lang}`)).map(([k, line]) => ({ k, line, words: wrongWords(line, lang) })).filter((x) => x.words.length);
    expect(wrong).toEqual([]);
  });

  it('shows no code (snake_case) and no UUID', () => {
    const bad = Object.entries(rendered).filter(([, line]) => SNAKE.test(line) || UUID.test(line));
    expect(bad).toEqual([]);
  });

  it('writes French with a space before « : » and « ; »', () => {
    const bad = Object.entries(rendered).filter(([k, line]) => k.endsWith('.fr') && /[^\s\d][:;]/.test(line));
    expect(bad).toEqual([]);
  });
});

it('says what the payload tells, in words', () => {
  // Intl writes French amounts with no-break spaces (9 650,00 €): compared here as plain spaces.
  const say = (type: string, lang: Language, payload: unknown = samples[type as TimelineEventType]) => describeEvent({ type, payload, summary: null }, lang).replace(/[\u00a0\u202f]/g, ' ');
  expect(say('visa_assessed', 'en')).toBe('Visa required (nationality subject to a short-stay visa); urgent, the arrival is close');
  expect(say('visa_assessed', 'fr')).toBe("Visa nécessaire (nationalité soumise au visa de court séjour) ; urgent, l'arrivée est proche");
  expect(say('visa_assessed', 'fr', {})).toBe('Le besoin de visa a été évalué');
  expect(say('coordinator_assigned', 'en')).toBe('A care coordinator was assigned');
  expect(say('coordinator_assigned', 'fr')).toBe('Un coordinateur de soins a été désigné');
  expect(say('report_delivered', 'fr')).toBe('Compte rendu de RCP : un traitement dans notre centre est proposé');
  expect(say('payment_received', 'fr')).toBe('Paiement de 900,00 € reçu pour le devis DEV-2026-000002');
  expect(say('payment_received', 'en')).toBe('Payment of €900.00 received towards estimate DEV-2026-000002');
  expect(say('refund_recorded', 'en')).toBe('Refund of €1,900.00 recorded (bank transfer) after the case ended; nothing left to return');
  expect(say('arrival_date_set', 'fr')).toBe("Date d'arrivée fixée : le 24 décembre 2026, pour 40 jours, sur le site d'Orsay (centre de protonthérapie)");
  expect(say('estimate_issued', 'fr')).toBe("Devis DEV-2026-000001 émis : 9 650,00 € ; valable jusqu'au 1er janvier 2027");
  expect(say('file_incomplete', 'en')).toBe('File incomplete, missing: pathology report, imaging report and 1 other item');
  expect(say('case_expired', 'fr')).toBe('Dossier expiré : devis DEV-2026-000001 ni réglé ni pris en charge');
  expect(say('case_abandoned', 'en')).toBe('Case closed for lack of an answer, after 3 reminders');
  // A withdrawal's or cancellation's reason is a person's own words (and who): never shown.
  expect(say('case_withdrawn', 'fr')).toBe('Dossier retiré par le patient ; remboursement dû : 450,00 €');
});

it('reads an event type it does not know as a generic line, never the English summary in French', () => {
  expect(describeEvent({ type: 'phase_changed', payload: {}, summary: 'Phase changed' }, 'fr')).toBe('Événement enregistré');
  expect(describeEvent({ type: 'phase_changed', payload: {}, summary: null }, 'en')).toBe('Event recorded');
  expect(describeEvent({ type: 'phase_changed', payload: {}, summary: 'Phase changed' }, 'en')).toBe('Phase changed');
  expect(describeEvent({ type: 'odd', payload: {}, summary: `Coordinator ${UUID_A} assigned` }, 'en')).toBe('Event recorded');
  // Whatever was stored as the payload, a known type still has its line.
  for (const payload of [null, 'text', 42, [1, 2], { number: 7, amountCents: -5, date: 'soon' }]) {
    for (const type of TIMELINE_EVENT_TYPES) expect(describeEvent({ type, payload, summary: null }, 'fr')).toMatch(/\S/);
  }
});

/**
 * The event types the code records, read from its source: `record(…)`, `businessEvent(…)`, `note(…)`
 * (a ternary gives two), the third argument of `moveTo(…)`, and `type: '…'` of the audit-trail writes
 * outside workflows. Types built from a template are expanded with the values their variable takes.
 */
function recordedTypes(): string[] {
  const root = path.join(__dirname, '..');
  const files = [
    ...fs.readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.ts')).map((f) => path.join('workflows', f)),
    'activities/caseRecords.ts',
    'api/routes/refunds.ts',
  ];
  const expansions: Record<string, readonly string[]> = { what: ['file', 'fee'], 'end.phase': TERMINAL_PHASES };
  const found = new Set<string>();
  const literal = /'([a-z][a-z0-9_]*)'|`([^`]*)`/.source;
  const calls = [
    new RegExp(`\\b(?:record|businessEvent|note)\\(\\s*(?:[\\w.!]+\\s*\\?\\s*'([a-z_]+)'\\s*:\\s*)?(?:${literal})`, 'g'),
    new RegExp(`\\bmoveTo\\(\\s*[^,()]+(?:\\([^()]*\\))?,\\s*[^,]+,\\s*(?:[\\w.!]+\\s*\\?\\s*'([a-z_]+)'\\s*:\\s*)?(?:${literal})`, 'g'),
  ];
  for (const file of files) {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    for (const re of calls) {
      for (const m of source.matchAll(re)) {
        const [, ternary, plain, template] = m;
        if (ternary) found.add(ternary);
        if (plain) found.add(plain);
        if (template !== undefined) {
          const vars = [...template.matchAll(/\$\{([^}]+)\}/g)].map((v) => v[1]);
          if (vars.length !== 1 || !expansions[vars[0]]) throw new Error(`${file}: an event type built from \`${template}\`: add the values of its variable to this test's expansions`);
          for (const value of expansions[vars[0]]) found.add(template.replace(`\${${vars[0]}}`, value));
        }
      }
    }
    if (!file.startsWith('workflows/')) for (const m of source.matchAll(/\btype: '([a-z_]+)'/g)) found.add(m[1]);
  }
  return [...found].sort();
}

it('has words for every event type the workflow, its activities and the API record', () => {
  const recorded = recordedTypes();
  expect(recorded.length).toBeGreaterThan(60);
  expect(recorded).toEqual(expect.arrayContaining(['case_received', 'file_reminder_sent', 'fee_reminder_sent', 'case_abandoned', 'refund_recorded', 'money_returned']));
  expect(recorded.filter((type) => !(TIMELINE_EVENT_TYPES as readonly string[]).includes(type))).toEqual([]);
  // And no entry for a type nothing records (a misspelt one would never be used).
  expect(TIMELINE_EVENT_TYPES.filter((type) => !recorded.includes(type))).toEqual([]);
});
