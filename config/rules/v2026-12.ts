// Rules version 2026-12: residence counts for the visa. A foreign national who lives in France, or
// holds a residence permit of another Schengen state, needs no visa to come for care (up to 90 days
// in any 180 for a permit of another state), and is asked for the permit. Version 2026-01 decided on
// nationality alone and told such a patient to apply at "the French consulate of your country of
// residence (FR)". Everything else is 2026-01's. PUBLISHED: never edit it; publish a new version.
import type { CaseRules } from './types';
import { rules202601 } from './v2026-01';

/** The Schengen area: 25 EU states (not Ireland or Cyprus) and Iceland, Liechtenstein, Norway, Switzerland. */
const SCHENGEN_STATES = [
  'AT', 'BE', 'BG', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IT', 'LT', 'LU', 'LV',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO', 'CH',
] as const;

export const rules202612: CaseRules = {
  ...rules202601,
  id: '2026-12',
  effectiveFrom: '2026-12-01',
  summary: 'Visa: a resident of France, or a holder of a residence permit of another Schengen state (stays up to 90 days), needs no visa and is asked for the permit.',
  visa: {
    ...rules202601.visa,
    residence: {
      countries: SCHENGEN_STATES,
      anyLength: ['FR'],
      text: {
        fr: "Vous résidez en France, ou dans un autre État de l'espace Schengen avec un titre de séjour : vous n'avez pas besoin de visa pour ce séjour (au plus 90 jours sur 180 avec le titre d'un autre État). Merci de déposer votre titre de séjour sur le portail (pièce « Titre de séjour ») ; emportez-le pendant votre voyage.",
        en: 'You live in France, or in another Schengen state with a residence permit: you do not need a visa for this stay (up to 90 days in any 180 with another state’s permit). Please upload your residence permit on the portal (document "Residence permit") and carry it when you travel.',
      },
    },
  },
};
