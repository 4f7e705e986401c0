// What ops read in the Temporal UI's "Current details" (workflows/currentDetails.ts), as text: where
// the case stands first, then a table, with nothing the UI's markdown would draw otherwise (fractions,
// math), no UUID, no patient data or free text, short lines; and staff initials (lib/staffInitials.ts).
// Pure: no server, no database. test/browser.temporalUi.test.ts checks the same panel in the real UI.
import { initialsOf } from '../lib/staffInitials';
import { initialCaseState } from '../workflows/caseState';
import { currentDetailsOf, headlineOf } from '../workflows/currentDetails';
import type { CaseStartInput, CaseState } from '../workflows/definitions';

const NOW = Date.parse('2026-12-04T15:14:00Z');
const UUID_A = '2dccaeba-98eb-47ff-b151-e4a818c6d271';
const UUID_B = '7f1c9e0a-3b2d-4c5e-8f6a-9b0c1d2e3f4a';

const input: CaseStartInput = {
  reference: 'INT-2026-000123',
  requestType: 'proton_therapy',
  language: 'fr',
  patient: { firstName: 'Amina', lastName: 'Benali', email: 'amina.benali@example.ma', nationality: 'MA', countryOfResidence: 'MA', dateOfBirth: '1978-03-14' },
  reason: 'Second opinion on a skull base chordoma before surgery.',
  ownerId: UUID_B,
};

/** A case far along: everything the panel can show, with UUIDs and free text wherever the state holds them. */
function busyCase(): CaseState {
  const s = initialCaseState(input);
  Object.assign(s, {
    phase: 'in_stay', awaitingRole: 'care_coordinator', nextDeadline: '2026-12-06T15:14:50.270Z', paymentStatus: 'partially_paid',
    amountDueCents: 1_234_500, amountPaidCents: 1_000_000, coordinatorId: UUID_A, coordinatorInitials: 'CM',
    report: { kind: 'mdt', strategy: 'treatment_here', summary: 'Chordoma of the clivus: proton therapy advised.', by: UUID_A, at: '2026-11-02T10:00:00Z' },
    timeline: [
      { at: '2026-11-02T10:00:00Z', type: 'coordinator_assigned', actor: UUID_B, summary: `Coordinator ${UUID_A} assigned` },
      { at: '2026-12-04T14:02:00Z', type: 'task_created', actor: `patient:${UUID_B}`, summary: 'Medical question: is the pain after the session normal? 10/10' },
    ],
  } satisfies Partial<CaseState>);
  s.moneyBack!.owedCents = 12_000;
  s.treatment.coverage = { route: 'insurer_guarantee', prepayment: 'insurer', notices: ['Insurer letter expected'] };
  s.treatment.estimates = [1, 2, 3].map((n) => ({
    number: `DEV-2026-00000${n}`, documentId: UUID_A, issuedAt: '2026-11-03T10:00:00Z', validUntil: '2026-12-03T10:00:00Z', totalCents: 1_500_000 + n, lines: [],
    additional: n > 1, status: 'guaranteed' as const, paidCents: 0, insurerLetters: [], treatmentStartedAt: null,
  }));
  s.treatment.arrival = { date: '2026-12-01', plannedStayDays: 14, site: 'saint_cloud', setBy: UUID_A };
  s.treatment.arrivedAt = '2026-12-01T09:00:00Z';
  s.treatment.visa = { status: 'check_with_consulate', reason: 'unknown_nationality', urgent: true, consulateCountry: 'MA', certificateDocumentId: UUID_A };
  s.treatment.tasks = [
    { id: 'T1', kind: 'medical_question', team: 'medical_assistant', details: 'Pain after the session: normal?', requestedBy: `patient:${UUID_B}`, createdAt: '2026-12-04T14:02:00Z', status: 'open', outcome: null, doneBy: null, remindersSent: 0 },
    { id: 'T2', kind: 'interpreter', team: 'support', details: 'Arabic interpreter on Monday', requestedBy: `patient:${UUID_B}`, createdAt: '2026-12-04T14:03:00Z', status: 'open', outcome: null, doneBy: null, remindersSent: 0 },
    { id: 'T3', kind: 'accommodation', team: 'support', details: 'Room for my husband', requestedBy: `patient:${UUID_B}`, createdAt: '2026-12-04T14:04:00Z', status: 'open', outcome: null, doneBy: null, remindersSent: 0 },
  ] as CaseState['treatment']['tasks'];
  s.treatment.reconciliation = { invoiceNumber: 'FAC-2026-000042', invoiceDocumentId: UUID_A, outcome: 'balance_due' } as CaseState['treatment']['reconciliation'];
  s.treatment.followUps = [
    { id: 'F1', at: '2026-11-01T09:00:00Z', description: 'Past check-up', reminded: true },
    { id: 'F2', at: '2027-01-12T09:30:00Z', description: 'MRI control of the clivus', reminded: false },
  ];
  return s;
}

/** The markdown's table rows as label → value. */
const rowsOf = (md: string): Record<string, string> =>
  Object.fromEntries(md.split('\n').filter((l) => /^\| [^|\s]/.test(l)).map((l): [string, string] => { const [label, value] = l.split('|').slice(1, 3).map((c) => c.trim()); return [label, value]; }));
/** Roughly what a reader sees: no markdown marks. */
const visible = (md: string) => md.replace(/\*\*/g, '').replace(/&#160;/g, '');

describe('current details', () => {
  it('a new case: where it stands first, then its file and payment; a blank line before the table; an empty last line', () => {
    const s = initialCaseState(input);
    const md = currentDetailsOf(s, NOW);
    const lines = md.split('\n');
    expect(lines[0]).toBe('**file_collection** · waits for the patient · no deadline');
    expect(lines[1]).toBe(''); // without it the table would join the paragraph
    expect(lines[2]).toBe('| | |');
    expect(lines.slice(-2)).toEqual(['', '&#160;']); // the UI hides the last 14 px: an empty line takes them
    expect(rowsOf(md)).toEqual({ Coordinator: 'not assigned yet', File: expect.stringMatching(/^\d+ of \d+ items, \d+ missing$/), Payment: 'none' });
  });

  it('the deadline in Paris time, with the year only when it is not this year', () => {
    const s = { ...initialCaseState(input), phase: 'completeness_review' as const, awaitingRole: 'admission_coordinator' as const, nextDeadline: '2026-12-06T15:14:50.270Z' };
    expect(headlineOf(s, NOW)).toBe('**completeness_review** · waits for admission team · due Sun 6 Dec 16:14 Paris');
    expect(headlineOf({ ...s, nextDeadline: '2027-07-01T06:00:00Z' }, NOW)).toBe('**completeness_review** · waits for admission team · due Thu 1 Jul 2027 08:00 Paris');
    expect(headlineOf({ ...s, phase: 'closed', awaitingRole: 'none', nextDeadline: null }, NOW)).toBe('**closed** · case ended');
  });

  it('a busy case: every row, short, with staff by role and initials, no UUID, no patient data, no free text', () => {
    const md = currentDetailsOf(busyCase(), NOW);
    expect(rowsOf(md)).toEqual({
      Coordinator: 'care coordinator CM',
      Payment: 'partially_paid · 10000.00 EUR of 12345.00 EUR',
      'Owed back': '120.00 EUR to return',
      Coverage: 'insurer_guarantee',
      Estimate: 'DEV-2026-000003 guaranteed · 15000.03 EUR (3 estimates)',
      Arrival: 'arrived, Tue 1 Dec · 14 days · saint_cloud',
      Visa: 'check_with_consulate, URGENT',
      'Open tasks': '3: medical_assistant, support',
      'Final invoice': 'FAC-2026-000042 balance_due',
      'Follow-up': 'Tue 12 Jan 2027 10:30 Paris',
      'Last event': 'task_created · Fri 4 Dec 15:02',
    });
    expect(md).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    for (const text of ['Amina', 'Benali', 'amina.benali', 'chordoma', 'Chordoma', 'clivus', 'Pain', 'interpreter on', 'husband', 'MRI', 'opinion']) expect(md).not.toContain(text);
    // Nothing the UI's markdown would draw otherwise: a fraction (digits around a slash), math ($), dashes (--), quotes.
    expect(md.replace('|:--|:--|', '')).not.toMatch(/\d\s*\/\s*\d|\$|--|["']/);
    // Short lines: the first fits the panel's width (test/browser.temporalUi.test.ts), each row too.
    const [first, ...rest] = visible(md).split('\n');
    expect(first.length).toBeLessThanOrEqual(80);
    for (const line of rest) expect(line.length).toBeLessThanOrEqual(70);
  });

  it('a coordinator assigned before initials were recorded is named by role only', () => {
    const s = { ...initialCaseState(input), coordinatorId: UUID_A };
    expect(rowsOf(currentDetailsOf(s, NOW)).Coordinator).toBe('care coordinator (initials not recorded)');
  });
});

describe('initialsOf', () => {
  it.each([
    ['Claire Martin', 'CM'],
    ['Jean-Pierre de la Fontaine', 'JPF'],
    ['claire.martin', 'CM'],
    ['Élodie Ünal', 'ÉÜ'],
    ['  Nadia   ', 'N'],
    ['Test care_coordinator', 'TCC'],
    ['', ''],
  ])('%j → %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
