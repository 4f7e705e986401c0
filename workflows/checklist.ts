// The file's checklist: a pure function of the request type's items, the questionnaire answers,
// the documents received and the items declared "none". Used by the workflow (state, validator)
// and shown to patients and staff.
import type { ChecklistItem } from '../config/checklists';
import type { CaseRules } from './rules';
import type { DocumentAdded, RequestType } from './definitions';

export type ItemStatus = 'missing' | 'provided' | 'declared_none' | 'needs_translation';

export interface ChecklistEntry {
  id: string;
  label: { fr: string; en: string };
  source: 'questionnaire' | 'document';
  status: ItemStatus;
  mayBeDeclaredNone: boolean;
  /** Questionnaire fields still missing, for questionnaire items. */
  missingFields?: string[];
}

export type Answers = Record<string, string | undefined>;

export function checklistItems(requestType: RequestType, rules: Pick<CaseRules, 'checklists'>): readonly ChecklistItem[] {
  return rules.checklists[requestType];
}

function entry(item: ChecklistItem, answers: Answers, documents: readonly DocumentAdded[], declaredNone: readonly string[]): ChecklistEntry {
  if (item.source === 'questionnaire') {
    const missingFields = item.fields.filter((f) => !answers[f]?.trim());
    return { id: item.id, label: item.label, source: 'questionnaire', mayBeDeclaredNone: false, status: missingFields.length ? 'missing' : 'provided', missingFields };
  }
  const ofKind = documents.filter((d) => d.kind === item.documentKind);
  let status: ItemStatus = 'missing';
  if (ofKind.some((d) => !d.needsTranslation)) status = 'provided';
  else if (item.mayBeDeclaredNone && declaredNone.includes(item.id)) status = 'declared_none';
  else if (ofKind.length) status = 'needs_translation'; // only in another language: does not count
  return { id: item.id, label: item.label, source: 'document', mayBeDeclaredNone: !!item.mayBeDeclaredNone, status };
}

export function computeChecklist(requestType: RequestType, answers: Answers, documents: readonly DocumentAdded[], declaredNone: readonly string[], rules: Pick<CaseRules, 'checklists'>): ChecklistEntry[] {
  return checklistItems(requestType, rules).map((item) => entry(item, answers, documents, declaredNone));
}

/** The IDs of required items not yet satisfied. */
export function missingItems(checklist: readonly ChecklistEntry[]): string[] {
  return checklist.filter((e) => e.status === 'missing' || e.status === 'needs_translation').map((e) => e.id);
}
