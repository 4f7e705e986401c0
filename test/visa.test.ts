// The visa requirement and the companion's certificate on their own (pure functions, no server).
import { EU_EEA_CH } from '../config/coverage';
import { SHORT_STAY_VISA_NATIONALITIES, VISA_EXEMPT_NATIONALITIES } from '../config/visa';
import type { CaseRules } from '../config/rules/types';
import { rules202612 } from '../config/rules/v2026-12';
import { RULES_BEFORE_VERSIONING as rules } from '../workflows/rules';
import { companionCertificateAllowed as allowedUnder, dayNumber, visaRequirement, type VisaInput } from '../workflows/visa';

const today = '2026-03-01';
const base: VisaInput = { nationality: 'MA', countryOfResidence: 'MA', plannedStayDays: 30, arrivalDate: '2026-04-15', today };
// Under the first rules version, whose lists and texts the expectations below quote.
const visa = (over: Partial<VisaInput>) => visaRequirement({ ...base, ...over }, rules);
const companionCertificateAllowed = (input: Parameters<typeof allowedUnder>[0]) => allowedUnder(input, rules);

const CONSULATE_EN = 'Apply at the French consulate of your country of residence; the answer usually takes 2 to 10 days.';
const CONSULATE_FR = 'Faites la demande auprès du consulat de France de votre pays de résidence ; la réponse est généralement donnée sous 2 à 10 jours.';

describe('visaRequirement', () => {
  it('EU/EEA/Swiss nationals need no visa, whatever the length of the stay or the arrival date', () => {
    for (const nationality of ['FR', 'DE', 'GR', 'IS', 'LI', 'NO', 'CH']) {
      const r = visa({ nationality, countryOfResidence: 'MA', plannedStayDays: 200, arrivalDate: '2026-03-02' });
      expect(r).toMatchObject({ status: 'not_required', reason: 'eu_eea_ch_national', urgent: false });
      expect(r.texts.en).toMatch(/you do not need a visa/);
      expect(r.texts.fr).toMatch(/vous n'avez pas besoin de visa/);
    }
  });

  it('US and UAE nationals are exempt up to 90 days, and need a visa from 91', () => {
    for (const nationality of ['US', 'AE']) {
      expect(visa({ nationality, plannedStayDays: 90 })).toMatchObject({ status: 'not_required', reason: 'exempt_nationality_short_stay', urgent: false });
      expect(visa({ nationality, plannedStayDays: 1 }).status).toBe('not_required');
      const over = visa({ nationality, plannedStayDays: 91 });
      expect(over).toMatchObject({ status: 'required', reason: 'exempt_nationality_stay_over_limit' });
      expect(over.texts.en).toContain(CONSULATE_EN);
      expect(over.texts.fr).toContain(CONSULATE_FR);
      expect(over.texts.en).toContain('A short-stay visa covers at most 90 days in any 180');
    }
    expect(visa({ nationality: 'US', plannedStayDays: 30 }).texts.en).toMatch(/up to 90 days in any 180-day period/);
    // A length that is not a number of days cannot be checked against the limit.
    expect(visa({ nationality: 'US', plannedStayDays: Number.NaN })).toMatchObject({ status: 'check_with_consulate', reason: 'exempt_nationality_stay_unknown' });
    expect(visa({ nationality: 'US', plannedStayDays: -5 }).status).toBe('check_with_consulate');
  });

  it.each(['DZ', 'SA', 'CM', 'CN', 'CI', 'EG', 'GA', 'KW', 'LB', 'MA', 'NE', 'RU', 'SN', 'TN'])('a %s national needs a short-stay visa, applied for where they live', (nationality) => {
    const r = visa({ nationality, countryOfResidence: 'AE', plannedStayDays: 10 });
    expect(r).toMatchObject({ status: 'required', reason: 'listed_nationality', urgent: false, consulateCountry: 'AE', answerDelayDays: { min: 2, max: 10 } });
    expect(r.texts.en).toBe(`You need a short-stay visa for medical reasons. ${CONSULATE_EN} We provide the certificates for your application.`);
    expect(r.texts.fr).toContain(CONSULATE_FR);
  });

  it('a listed national staying over 90 days is told the short-stay visa stops at 90', () => {
    expect(visa({ plannedStayDays: 120 }).texts.en).toContain('A short-stay visa covers at most 90 days in any 180');
    expect(visa({ plannedStayDays: 90 }).texts.en).not.toContain('at most 90 days');
  });

  it('an unknown nationality is sent to the consulate, never guessed', () => {
    for (const nationality of ['BR', 'JP', 'GB', 'XX']) {
      const r = visa({ nationality, countryOfResidence: nationality });
      expect(r).toMatchObject({ status: 'check_with_consulate', reason: 'unknown_nationality' });
      expect(r.texts.en).toMatch(/^We cannot tell whether you need a visa\. Please ask the French consulate of your country of residence/);
      expect(r.texts.fr).toMatch(/consulat de France de votre pays de résidence/);
    }
    expect(visa({ nationality: 'Morocco' })).toMatchObject({ status: 'check_with_consulate', reason: 'invalid_nationality_code' });
    expect(visa({ nationality: '' }).reason).toBe('invalid_nationality_code');
  });

  it('is urgent when a visa is needed and the arrival is 9 days away, not at 10 or more', () => {
    const nine = visa({ arrivalDate: '2026-03-10' });
    expect(nine).toMatchObject({ status: 'required', urgent: true, daysUntilArrival: 9 });
    expect(nine.texts.en).toContain('Your arrival is less than 10 days away');
    expect(nine.texts.fr).toContain('Votre arrivée est prévue dans moins de 10 jours');
    const ten = visa({ arrivalDate: '2026-03-11' });
    expect(ten).toMatchObject({ urgent: false, daysUntilArrival: 10 });
    expect(ten.texts.en).not.toContain('less than 10 days');
    expect(visa({ arrivalDate: '2026-04-15' })).toMatchObject({ urgent: false, daysUntilArrival: 45 });
    expect(visa({ arrivalDate: today })).toMatchObject({ urgent: true, daysUntilArrival: 0 });
    expect(visa({ arrivalDate: '2026-02-20' })).toMatchObject({ urgent: true, daysUntilArrival: -9 });
  });

  it('counts days across month ends, leap years and the new year', () => {
    expect(visa({ today: '2028-02-25', arrivalDate: '2028-03-05' })).toMatchObject({ daysUntilArrival: 9, urgent: true }); // 2028-02-29 exists
    expect(visa({ today: '2027-02-24', arrivalDate: '2027-03-05' })).toMatchObject({ daysUntilArrival: 9, urgent: true });
    expect(visa({ today: '2026-02-25', arrivalDate: '2026-03-07' })).toMatchObject({ daysUntilArrival: 10, urgent: false });
    expect(visa({ today: '2025-12-28', arrivalDate: '2026-01-06' })).toMatchObject({ daysUntilArrival: 9, urgent: true });
  });

  it('is never urgent without a visa need or without an arrival date; urgent when a visa may be needed', () => {
    expect(visa({ nationality: 'DE', arrivalDate: '2026-03-02' }).urgent).toBe(false);
    expect(visa({ nationality: 'US', plannedStayDays: 14, arrivalDate: '2026-03-02' }).urgent).toBe(false);
    expect(visa({ nationality: 'US', plannedStayDays: 100, arrivalDate: '2026-03-02' }).urgent).toBe(true);
    expect(visa({ nationality: 'BR', arrivalDate: '2026-03-04' })).toMatchObject({ status: 'check_with_consulate', urgent: true });
    expect(visa({ arrivalDate: null })).toMatchObject({ status: 'required', urgent: false, daysUntilArrival: null });
    expect(visa({ arrivalDate: undefined }).urgent).toBe(false);
  });

  it('refuses dates that are not YYYY-MM-DD calendar dates', () => {
    for (const bad of ['2026-02-30', '2026-3-10', '10/03/2026', '2026-13-01', '2027-02-29', '']) {
      expect(() => visa({ today: bad })).toThrow(RangeError);
    }
    expect(() => visa({ arrivalDate: '2026-04-31' })).toThrow(/Not a YYYY-MM-DD calendar date: "2026-04-31"/);
  });

  it('normalises country codes: case and surrounding spaces are ignored', () => {
    expect(visa({ nationality: 'ma', countryOfResidence: ' sn ' })).toMatchObject({ status: 'required', reason: 'listed_nationality', consulateCountry: 'SN' });
    expect(visa({ nationality: ' Us ', plannedStayDays: 30 }).status).toBe('not_required');
    expect(visa({ nationality: 'de' }).reason).toBe('eu_eea_ch_national');
    expect(visa({ countryOfResidence: 'Senegal' }).consulateCountry).toBeNull();
  });
});

describe('residence (rules version 2026-12)', () => {
  const under = (version: CaseRules, over: Partial<VisaInput>) => visaRequirement({ ...base, ...over }, version);

  it('a listed national living in France needs no visa, whatever the length of the stay, and is asked for the permit', () => {
    const r = under(rules202612, { nationality: 'DZ', countryOfResidence: 'fr', plannedStayDays: 200, arrivalDate: '2026-03-05' });
    expect(r).toMatchObject({ status: 'not_required', reason: 'resident_with_permit', urgent: false });
    expect(r.texts.en).toContain('you do not need a visa');
    expect(r.texts.en).toContain('upload your residence permit');
    expect(r.texts.fr).toContain('titre de séjour');
    expect(r.texts.en).not.toMatch(/consulate|You need a/);
  });

  it("another Schengen state's permit counts up to 90 days; beyond, or outside Schengen, the nationality decides", () => {
    expect(under(rules202612, { nationality: 'MA', countryOfResidence: 'DE', plannedStayDays: 90 })).toMatchObject({ status: 'not_required', reason: 'resident_with_permit' });
    expect(under(rules202612, { nationality: 'MA', countryOfResidence: 'DE', plannedStayDays: 91 })).toMatchObject({ status: 'required', reason: 'listed_nationality' });
    expect(under(rules202612, { nationality: 'MA', countryOfResidence: 'IE', plannedStayDays: 10 })).toMatchObject({ status: 'required', reason: 'listed_nationality' }); // Ireland is not in Schengen
    expect(under(rules202612, { nationality: 'MA', countryOfResidence: 'MA' })).toMatchObject({ status: 'required', reason: 'listed_nationality' });
    expect(under(rules202612, { nationality: 'ES', countryOfResidence: 'FR' })).toMatchObject({ status: 'not_required', reason: 'eu_eea_ch_national' });
  });

  it('a case under version 2026-01 keeps deciding on nationality alone', () => {
    expect(under(rules, { nationality: 'DZ', countryOfResidence: 'FR' })).toMatchObject({ status: 'required', reason: 'listed_nationality' });
  });
});

describe('dayNumber', () => {
  it('agrees with Date.UTC day by day over four years, leap days included', () => {
    const start = Date.UTC(2027, 0, 1);
    for (let i = 0; i < 4 * 366; i++) {
      const d = new Date(start + i * 86_400_000);
      const iso = d.toISOString().slice(0, 10);
      expect(dayNumber(iso)).toBe(Math.round(d.getTime() / 86_400_000));
    }
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2000-02-29')).toBe(11_016);
  });
});

describe('companionCertificateAllowed', () => {
  it('a family member needs a proof of family relationship', () => {
    expect(companionCertificateAllowed({ relationship: 'family', documents: ['identity_document', 'proof_of_relationship'] })).toBe(true);
    expect(companionCertificateAllowed({ relationship: 'family', documents: ['identity_document'] })).toBe(false);
    expect(companionCertificateAllowed({ relationship: 'family', documents: [] })).toBe(false);
    // The letter is for when there is no family tie.
    expect(companionCertificateAllowed({ relationship: 'family', documents: ['companion_justification_letter'] })).toBe(false);
  });

  it('anyone else needs a letter justifying their presence', () => {
    expect(companionCertificateAllowed({ relationship: 'other', documents: ['companion_justification_letter'] })).toBe(true);
    expect(companionCertificateAllowed({ relationship: 'other', documents: ['proof_of_relationship'] })).toBe(false);
    expect(companionCertificateAllowed({ relationship: 'other', documents: [] })).toBe(false);
  });

  it('matches document kinds exactly', () => {
    expect(companionCertificateAllowed({ relationship: 'family', documents: ['Proof_Of_Relationship'] })).toBe(false);
  });
});

describe('config/visa', () => {
  it("holds the seed's lists, disjoint from each other and from the EU/EEA/Swiss list", () => {
    expect([...VISA_EXEMPT_NATIONALITIES].sort()).toEqual(['AE', 'US']);
    expect(SHORT_STAY_VISA_NATIONALITIES).toHaveLength(14);
    expect(new Set(SHORT_STAY_VISA_NATIONALITIES).size).toBe(14);
    for (const code of SHORT_STAY_VISA_NATIONALITIES) {
      expect(VISA_EXEMPT_NATIONALITIES).not.toContain(code);
      expect(EU_EEA_CH).not.toContain(code);
    }
  });
});
