// Countries in words in the patient's language, never a raw code or a guess.
import { countryName } from '../lib/countryNames';

it('names a country in French and in English from its ISO code, whatever its case and spaces', () => {
  expect(countryName('MA', 'fr')).toBe('Maroc');
  expect(countryName(' ma ', 'en')).toBe('Morocco');
  expect(countryName('DE', 'fr')).toBe('Allemagne');
  expect(countryName('CI', 'en')).toBe('Côte d’Ivoire');
});

it('says the country is not known for anything that is not a known code', () => {
  expect(countryName('?', 'en')).toBe('not known');
  expect(countryName('XQ', 'fr')).toBe('non renseigné');
  expect(countryName('Morocco', 'en')).toBe('not known');
});
