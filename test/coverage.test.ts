// The coverage route on its own (pure function, no server): each route, the precedence between
// them, the NIR check and the notices patients are shown.
import { EEA_NON_EU_STATES, EU_EEA_CH, EU_MEMBER_STATES, coverageNotices } from '../config/coverage';
import { coverageRoute as routeUnder, isValidNir, normaliseCountryCode, type CoverageInput } from '../workflows/coverage';
import { RULES_BEFORE_VERSIONING } from '../workflows/rules';

// The example of the NIR's French Wikipedia article (key 38), and keys computed separately as
// 97 − (number mod 97), Corsica's 2A/2B counted as 19/18.
const NIR_WIKIPEDIA = '255081416802538';
const NIR_MAINLAND = '185057800608491';
const NIR_CORSICA_2A = '285022A12345632';
const NIR_CORSICA_2B = '176052B12345616';
const NIR_TEMPORARY = '792019912300146';

/** Under the first rules version, whose lists and notices the expectations below quote. */
const coverageRoute = (input: CoverageInput) => routeUnder(input, RULES_BEFORE_VERSIONING);

const ids = (input: CoverageInput) => coverageRoute(input).notices.map((n) => n.id);

describe('isValidNir', () => {
  it('accepts a well-formed number whose key matches, in groups as printed on the Carte Vitale too', () => {
    for (const nir of [NIR_WIKIPEDIA, NIR_MAINLAND, NIR_CORSICA_2A, NIR_CORSICA_2B, NIR_TEMPORARY]) expect(isValidNir(nir)).toBe(true);
    expect(isValidNir('2 55 08 14 168 025 38')).toBe(true);
    expect(isValidNir('2.55.08.14.168.025-38')).toBe(true);
    expect(isValidNir('285022a12345632')).toBe(true); // Corsica in lower case
  });

  it('refuses a bad key', () => {
    expect(isValidNir('255081416802539')).toBe(false);
    expect(isValidNir('255081416802537')).toBe(false);
    expect(isValidNir('185057800608400')).toBe(false);
    // 2A counts as 19, not 20: the key of the same digits with "20" is 05.
    expect(isValidNir('285022012345605')).toBe(true);
    expect(isValidNir('285022A12345605')).toBe(false);
  });

  it('refuses a wrong length', () => {
    expect(isValidNir('25508141680253')).toBe(false); // 14
    expect(isValidNir('2550814168025380')).toBe(false); // 16
    expect(isValidNir('2550814168025')).toBe(false); // the 13 digits without the key
    expect(isValidNir('')).toBe(false);
  });

  it('refuses letters outside the Corsican department and an impossible first digit', () => {
    expect(isValidNir('2550814168O2538')).toBe(false);
    expect(isValidNir('25508A416802538')).toBe(false);
    // Same digits as the Wikipedia example with sex digit 5, key recomputed (97 − n mod 97 = 82).
    expect(isValidNir('555081416802582')).toBe(false);
  });
});

describe('coverageRoute', () => {
  const french = { frenchSocialSecurityNumber: NIR_WIKIPEDIA, declaredTreatingPhysician: 'Dr Martin' };

  it('french_insured: a valid NIR and a declared treating physician → no foreign prepayment, co-payment only', () => {
    const decision = coverageRoute({ countryOfResidence: 'FR', ...french });
    expect(decision.route).toBe('french_insured');
    expect(decision.prepayment).toBe('none_copayment_only');
    expect(decision.notices.map((n) => n.id)).toEqual(['french_insured']);
    expect(coverageRoute({ countryOfResidence: 'MA', frenchSocialSecurityNumber: '1 85 05 78 006 084 91', declaredTreatingPhysician: true }).route).toBe('french_insured');
  });

  it('french_insured needs both: a number alone, a physician alone or a bad key falls through, with a notice when a number was given', () => {
    expect(coverageRoute({ countryOfResidence: 'FR', frenchSocialSecurityNumber: NIR_WIKIPEDIA })).toMatchObject({ route: 'self_pay', prepayment: 'full' });
    expect(ids({ countryOfResidence: 'FR', frenchSocialSecurityNumber: NIR_WIKIPEDIA })).toContain('french_insurance_incomplete');
    expect(coverageRoute({ countryOfResidence: 'FR', frenchSocialSecurityNumber: NIR_WIKIPEDIA, declaredTreatingPhysician: '   ' }).route).toBe('self_pay');
    expect(coverageRoute({ countryOfResidence: 'FR', frenchSocialSecurityNumber: NIR_WIKIPEDIA, declaredTreatingPhysician: false }).route).toBe('self_pay');
    expect(coverageRoute({ countryOfResidence: 'FR', frenchSocialSecurityNumber: '255081416802539', declaredTreatingPhysician: 'Dr Martin' }).route).toBe('self_pay');
    expect(ids({ countryOfResidence: 'FR', frenchSocialSecurityNumber: '255081416802539', declaredTreatingPhysician: 'Dr Martin' })).toContain('french_insurance_incomplete');
    // A physician without a number: a foreign patient naming their own doctor, no French notice.
    expect(coverageRoute({ countryOfResidence: 'MA', declaredTreatingPhysician: 'Dr Alaoui' }).route).toBe('self_pay');
    expect(ids({ countryOfResidence: 'MA', declaredTreatingPhysician: 'Dr Alaoui' })).not.toContain('french_insurance_incomplete');
  });

  it('eu_planned_care: an EU/EEA/Swiss resident with an S2 on file → the insurer pays', () => {
    for (const country of ['DE', 'GR', 'IS', 'LI', 'NO', 'CH']) {
      expect(coverageRoute({ countryOfResidence: country, priorAuthorisation: 's2_form' })).toMatchObject({ route: 'eu_planned_care', prepayment: 'insurer' });
    }
    expect(ids({ countryOfResidence: 'BE', priorAuthorisation: 's2_form' })).toEqual(['eu_planned_care', 'extra_costs']);
  });

  it('an S2 from outside the EU/EEA/Switzerland opens no route, and the patient is told why', () => {
    for (const country of ['MA', 'GB', 'US']) {
      expect(coverageRoute({ countryOfResidence: country, priorAuthorisation: 's2_form' })).toMatchObject({ route: 'self_pay', prepayment: 'full' });
      expect(ids({ countryOfResidence: country, priorAuthorisation: 's2_form' })).toContain('s2_requires_eu_residence');
    }
    expect(coverageRoute({ countryOfResidence: 'MA', priorAuthorisation: 's2_form', insurerGuaranteeLetter: true }).route).toBe('insurer_guarantee');
    expect(coverageRoute({ countryOfResidence: 'DE', priorAuthorisation: null }).route).toBe('self_pay');
  });

  it('insurer_guarantee: a guarantee letter on file, for any patient → the insurer pays', () => {
    for (const country of ['US', 'AE', 'DE', 'FR']) {
      expect(coverageRoute({ countryOfResidence: country, insurerGuaranteeLetter: true })).toMatchObject({ route: 'insurer_guarantee', prepayment: 'insurer' });
    }
    expect(ids({ countryOfResidence: 'US', insurerGuaranteeLetter: true })).toEqual(['insurer_guarantee', 'extra_costs']);
  });

  it('self_pay otherwise: the estimate in full before treatment', () => {
    const decision = coverageRoute({ countryOfResidence: 'SA' });
    expect(decision).toMatchObject({ route: 'self_pay', prepayment: 'full' });
    expect(decision.notices.map((n) => n.id)).toEqual(['self_pay', 'extra_costs']);
    expect(coverageRoute({ countryOfResidence: 'SA', insurerGuaranteeLetter: false }).route).toBe('self_pay');
  });

  it('precedence: french_insured > eu_planned_care > insurer_guarantee > self_pay', () => {
    const everything: CoverageInput = { countryOfResidence: 'DE', ...french, hasEhic: true, priorAuthorisation: 's2_form', insurerGuaranteeLetter: true };
    expect(coverageRoute(everything).route).toBe('french_insured');
    expect(coverageRoute({ ...everything, declaredTreatingPhysician: undefined }).route).toBe('eu_planned_care');
    expect(coverageRoute({ ...everything, declaredTreatingPhysician: undefined, priorAuthorisation: null }).route).toBe('insurer_guarantee');
    expect(coverageRoute({ ...everything, declaredTreatingPhysician: undefined, priorAuthorisation: null, insurerGuaranteeLetter: false }).route).toBe('self_pay');
    // The French route ignores where the patient lives; the EU route does not.
    expect(coverageRoute({ ...everything, countryOfResidence: 'MA' }).route).toBe('french_insured');
    expect(coverageRoute({ ...everything, countryOfResidence: 'MA', declaredTreatingPhysician: undefined }).route).toBe('insurer_guarantee');
  });

  it('an EHIC alone is not a route: self_pay (or insurer_guarantee) plus the EHIC notice', () => {
    const ehicOnly = coverageRoute({ countryOfResidence: 'IT', hasEhic: true });
    expect(ehicOnly).toMatchObject({ route: 'self_pay', prepayment: 'full' });
    expect(ehicOnly.notices.map((n) => n.id)).toEqual(['self_pay', 'ehic_not_planned_care', 'extra_costs']);
    const ehic = ehicOnly.notices.find((n) => n.id === 'ehic_not_planned_care')!;
    expect(ehic.en).toMatch(/necessary during a stay, not planned treatment/);
    expect(ehic.fr).toMatch(/pendant un séjour, pas un traitement programmé/);

    expect(coverageRoute({ countryOfResidence: 'IT', hasEhic: true, insurerGuaranteeLetter: true }).route).toBe('insurer_guarantee');
    expect(ids({ countryOfResidence: 'IT', hasEhic: true, insurerGuaranteeLetter: true })).toContain('ehic_not_planned_care');
    // With the S2 the planned care is covered: the warning would only confuse.
    expect(ids({ countryOfResidence: 'IT', hasEhic: true, priorAuthorisation: 's2_form' })).toEqual(['eu_planned_care', 'extra_costs']);
    expect(ids({ countryOfResidence: 'IT', hasEhic: false })).not.toContain('ehic_not_planned_care');
  });

  it('normalises country codes (spaces, case); anything else is not an EU residence', () => {
    expect(coverageRoute({ countryOfResidence: ' de ', priorAuthorisation: 's2_form' }).route).toBe('eu_planned_care');
    expect(coverageRoute({ countryOfResidence: 'Ch', priorAuthorisation: 's2_form' }).route).toBe('eu_planned_care');
    expect(coverageRoute({ countryOfResidence: 'Germany', priorAuthorisation: 's2_form' }).route).toBe('self_pay');
    expect(coverageRoute({ countryOfResidence: 'EL', priorAuthorisation: 's2_form' }).route).toBe('self_pay'); // the EU's code, not ISO
    expect(normaliseCountryCode(' fr ')).toBe('FR');
    expect(normaliseCountryCode('FRA')).toBeNull();
    expect(normaliseCountryCode(undefined)).toBeNull();
  });

  it('returns copies of the notices: a caller changing one does not change the next decision', () => {
    const first = coverageRoute({ countryOfResidence: 'SA' });
    first.notices[0].en = 'changed';
    expect(coverageRoute({ countryOfResidence: 'SA' }).notices[0].en).toBe(coverageNotices.self_pay.en);
    expect(coverageNotices.self_pay.en).not.toBe('changed');
  });
});

describe('config/coverage', () => {
  it('lists the 27 EU member states, then IS, LI, NO and CH, once each', () => {
    expect(EU_MEMBER_STATES).toHaveLength(27);
    expect(new Set(EU_EEA_CH).size).toBe(31);
    expect([...EEA_NON_EU_STATES].sort()).toEqual(['IS', 'LI', 'NO']);
    expect(EU_EEA_CH).toEqual(expect.arrayContaining(['FR', 'DE', 'GR', 'HR', 'CY', 'MT', 'IS', 'LI', 'NO', 'CH']));
    for (const notEu of ['GB', 'EL', 'TR', 'MA', 'US']) expect(EU_EEA_CH).not.toContain(notEu);
    for (const code of EU_EEA_CH) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it('has every notice in French and English, under its own id', () => {
    for (const [id, n] of Object.entries(coverageNotices)) {
      expect(n.id).toBe(id);
      expect(n.fr.trim()).not.toBe('');
      expect(n.en.trim()).not.toBe('');
    }
  });
});
