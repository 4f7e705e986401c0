// The emails of step 3 to the end of the case: each template renders in French and English with
// exactly the values the workflow passes, fills every placeholder, and refuses to render when a
// value is missing (an email is never sent with "{amount}" in it).
import { emailTemplates, renderTemplate, type EmailTemplateName } from '../activities/emailTemplates';
import type { StaffTemplate } from '../activities/staffEmails';

// What the workflow passes to each template (the contract), besides what is always given:
// reference, firstName and lastName for the patient; reference for staff.
const patientTemplates = {
  estimate_issued: ['number', 'total', 'validUntil', 'coverageNotice'],
  estimate_reminder: ['number', 'total', 'validUntil'],
  estimate_expired: ['number'],
  estimate_declined: ['number'],
  guarantee_request: ['number', 'total', 'amount', 'paymentPath', 'coverageNotice'],
  guarantee_reminder: ['number', 'amount', 'paymentPath'],
  guarantee_expired: ['number'],
  insurer_remainder: ['number', 'insurer', 'covered', 'amount', 'paymentPath'],
  treatment_guaranteed: ['number'],
  visa_information: ['visaText', 'consulateCountry'],
  practical_pack: ['arrivalDate', 'siteName', 'siteAddress', 'accessMapUrl', 'samplesNotice', 'supportName', 'supportPhone', 'supportEmail', 'accommodationAdvice'],
  arrival_reminder: ['arrivalDate', 'siteName', 'siteAddress', 'accessMapUrl'],
  request_received: ['requestLabel'],
  request_answered: ['requestLabel', 'outcome'],
  final_invoice_settled: ['invoiceNumber', 'invoiced', 'insurerShare', 'paid'],
  final_invoice_balance: ['invoiceNumber', 'invoiced', 'insurerShare', 'paid', 'amount', 'paymentPath'],
  final_invoice_refund: ['invoiceNumber', 'invoiced', 'insurerShare', 'paid', 'amount'],
  balance_reminder: ['invoiceNumber', 'amount', 'paymentPath'],
  follow_up_scheduled: ['date', 'description'],
  follow_up_reminder: ['date', 'description'],
  case_closed: [],
} satisfies Partial<Record<EmailTemplateName, string[]>>;

const staffTemplates = {
  estimate_to_finance: ['number', 'total'],
  estimate_accepted: ['number'],
  visa_urgent: ['arrivalDate'],
  task_assigned: ['taskLabel', 'taskId'],
  task_reminder: ['taskLabel', 'taskId'],
  task_overdue: ['taskLabel'],
  account_to_settle: ['invoiceNumber', 'settlement'],
} satisfies Partial<Record<StaffTemplate, string[]>>;

const BASE = 'http://parcours.test';
const OFFICE = { email: 'office@parcours.test', phone: '+33 1 23 45 67 89' };
const REFERENCE = 'INT-2026-000042';
const CASE_URL = `${BASE}/cases/${REFERENCE}`;

/** A distinct value per variable, so the test can see each one in the output. */
const valueOf = (name: string) => `[${name} value]`;

/**
 * The values sendEmail would fill in: the template's own, the always-given ones, and those it
 * derives (caseUrl from the reference, paymentUrl from paymentPath, the office's contact).
 */
function valuesFor(own: readonly string[], audience: 'patient' | 'staff'): Record<string, string> {
  const values: Record<string, string> = { reference: REFERENCE, caseUrl: CASE_URL, officeEmail: OFFICE.email, officePhone: OFFICE.phone };
  if (audience === 'patient') Object.assign(values, { firstName: 'Amina', lastName: 'Benali' });
  for (const name of own) values[name] = valueOf(name);
  if (values.paymentPath) {
    values.paymentPath = `/cases/${REFERENCE}/payments/pay_123`;
    values.paymentUrl = `${BASE}${values.paymentPath}`;
  }
  return values;
}

const placeholders = (name: EmailTemplateName, language: 'fr' | 'en') => {
  const { subject, text } = emailTemplates[name][language];
  return [...new Set([...`${subject}\n${text}`.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))];
};

const cases = [
  ...Object.entries(patientTemplates).map(([name, own]) => ({ name: name as EmailTemplateName, own, audience: 'patient' as const })),
  ...Object.entries(staffTemplates).map(([name, own]) => ({ name: name as EmailTemplateName, own, audience: 'staff' as const })),
];

describe.each(cases)('$name ($audience)', ({ name, own, audience }) => {
  it.each(['fr', 'en'] as const)('renders in %s with every value filled and the case link', (language) => {
    const values = valuesFor(own, audience);
    const { subject, text } = renderTemplate(name, language, values);
    expect(`${subject}\n${text}`).not.toMatch(/\{\w+\}/);
    expect(subject).toContain(REFERENCE);
    expect(text).toContain(CASE_URL);
    // Every value the workflow passes shows (paymentPath as the absolute link derived from it).
    for (const var_ of own) expect(`${subject}\n${text}`).toContain(var_ === 'paymentPath' ? values.paymentUrl : values[var_]);
    if (audience === 'patient') expect(text).toContain('Amina Benali');
  });

  it.each(['fr', 'en'] as const)('in %s, needs nothing beyond what the workflow passes, and refuses to render without any of it', (language) => {
    const values = valuesFor(own, audience);
    const derivable = new Set(['caseUrl', 'paymentUrl', 'requestTypeLabel', 'officeEmail', 'officePhone']);
    const given = new Set([...Object.keys(values), ...derivable]);
    const needed = placeholders(name, language);
    expect(needed.filter((p) => !given.has(p))).toEqual([]);
    for (const key of needed) {
      const { [key]: _dropped, ...rest } = values;
      expect(() => renderTemplate(name, language, rest)).toThrow(`Email template '${name}' needs a value for {${key}}`);
    }
  });
});

// Once a case has ended its messages are closed: the emails that end it give the office's contact,
// never "write to us through the portal".
const ENDING_TEMPLATES = ['fee_expired', 'follow_up_offer', 'case_cancelled', 'estimate_expired', 'estimate_declined', 'guarantee_expired', 'case_closed'] as const satisfies readonly EmailTemplateName[];
it.each(ENDING_TEMPLATES.flatMap((name) => (['fr', 'en'] as const).map((language) => [name, language] as const)))('%s in %s gives the office contact, not the closed messaging, to reach the team', (name, language) => {
  const { text } = renderTemplate(name, language, { ...valuesFor(['number', 'reason', 'refund'], 'patient') });
  expect(text).toContain(OFFICE.email);
  expect(text).toContain(OFFICE.phone);
  expect(text).not.toMatch(/(write to|reach) (us|your care coordinator) through the portal|contact us through the portal|écri\w* (à votre coordinateur de soins )?par le portail|joindre par le portail|contactez-nous par le portail/i);
});

it('uses the same placeholders in French and English, so neither language misses a value', () => {
  for (const { name } of cases) expect(placeholders(name, 'fr').sort()).toEqual(placeholders(name, 'en').sort());
});

it('fills a value once: braces inside a value are not read as placeholders', () => {
  const values = { ...valuesFor(patientTemplates.request_answered, 'patient'), outcome: 'booked {amount}' };
  expect(renderTemplate('request_answered', 'en', values).text).toContain('handled: booked {amount}');
});

it('tells the patient what the estimate leaves out and what treatment waits for', () => {
  const values = valuesFor(patientTemplates.estimate_issued, 'patient');
  const en = renderTemplate('estimate_issued', 'en', values).text;
  expect(en).toMatch(/transport, accommodation and meals are not included/);
  expect(en).toMatch(/No treatment starts until the estimate is paid in full or a guarantee letter from your insurer is on file/);
  expect(en).toMatch(/financial administrator/);
  const fr = renderTemplate('estimate_issued', 'fr', values).text;
  expect(fr).toMatch(/le transport, l'hébergement et les repas ne sont pas compris/);
  expect(fr).toMatch(/Aucun traitement ne commence avant que le devis soit réglé en totalité ou qu'une lettre de prise en charge/);
});

it('tells the staff how close the arrival is from the visa rule', () => {
  expect(renderTemplate('visa_urgent', 'en', valuesFor(staffTemplates.visa_urgent, 'staff')).text).toContain('in less than 10 days');
});
