// The case as the caller reads it, in the caller's language (Accept-Language): who it waits for in
// plain words (the patient side reads what happens next, staff read who acts) and, from the audit
// trail, the timeline's lines. The workflow's own English `waitingFor` stays for ops.
import { allowedActionsFor } from '../lib/caseView';
import { waitingRoleWords, waitingWords } from '../lib/waitingWords';
import type { Principal } from './auth/principal';
import type { CaseState, Language } from '../workflows/definitions';
import type { ActionName } from '../workflows/refusals';

/** Whose words the caller reads: staff, or the patient side (a patient or their referring doctor). */
export const readerOf = (p: Principal): 'patient_side' | 'staff' => (p.kind === 'staff' ? 'staff' : 'patient_side');

/** `waitingFor` in the reader's words: a patient or referrer reads the phase's sentence, staff the role. */
export function inReaderWords<S extends Pick<CaseState, 'phase' | 'awaitingRole' | 'waitingFor'>>(state: S, lang: Language, reader: 'patient_side' | 'staff'): S {
  return { ...state, waitingFor: reader === 'staff' ? waitingRoleWords(lang, state.awaitingRole) : waitingWords(lang, state.phase, state.awaitingRole) };
}

/** The case as `p` reads it: `waitingFor` in their words, and the actions they may take in its phase. */
export function forReader<S extends Pick<CaseState, 'phase' | 'awaitingRole' | 'waitingFor'>>(state: S, lang: Language, p: Principal): S & { allowedActions: ActionName[] } {
  return { ...inReaderWords(state, lang, readerOf(p)), allowedActions: allowedActionsFor(state.phase, p) };
}
