// The case's state as it starts, and what of it people see (the read model's view), as pure functions:
// the workflow builds its state with them, and the API writes the same first view when it opens the case,
// so a new case reads and accepts the questionnaire as soon as `POST /cases` answers.
import { computeChecklist } from './checklist';
import type { AwaitingRole, CaseStartInput, CaseState, CaseView, MoneyBack, TreatmentState } from './definitions';
import { caseRules } from './rules';
import { applyPart, changedBetween, partOf, type Changed, type ViewPart } from './viewParts';

export const waitingForText: Record<AwaitingRole, string> = {
  system: 'Parcours is recording the case',
  patient: 'The patient',
  admission_coordinator: 'The admission team: completeness check',
  care_coordinator: 'The care coordinator',
  finance: 'The financial administrator',
  mdt: 'The tumour board (MDT) report',
  none: 'Nothing: the case has ended',
};

export const emptyTreatment = (): TreatmentState => ({
  coverage: null,
  coverageDeclaration: {},
  estimates: [],
  arrival: null,
  arrivedAt: null,
  visa: null,
  companions: [],
  tasks: [],
  dischargedAt: null,
  tariff: null,
  invoiced: [],
  reconciliation: null,
  followUps: [],
});

/** Nothing owed back yet. */
export const emptyMoneyBack = (): MoneyBack => ({ overpayments: [], refunds: [], owedCents: 0 });

/**
 * A new case: collecting its file from the start (the patient may answer at once), with the answers it
 * was opened with. Version 0 is this state; the workflow's first recorded change is version 1.
 */
export function initialCaseState(input: CaseStartInput): CaseState {
  const p = input.patient;
  const r = input.referrer;
  const questionnaire = strip({
    firstName: p.firstName, lastName: p.lastName, email: p.email, nationality: p.nationality, sex: p.sex, dateOfBirth: p.dateOfBirth,
    placeOfBirth: p.placeOfBirth, phone: p.phone, postalAddress: p.postalAddress, reason: input.reason,
    referrerName: r?.name, referrerInstitution: r?.institution, referrerPhone: r?.phone, referrerEmail: r?.email,
  });
  const rules = caseRules(input);
  return {
    version: 0,
    reference: input.reference,
    requestType: input.requestType,
    rulesVersion: rules.id,
    language: input.language,
    phase: 'file_collection',
    awaitingRole: 'patient',
    waitingFor: waitingForText.patient,
    nextDeadline: null,
    paymentStatus: 'none',
    amountDueCents: 0,
    amountPaidCents: 0,
    refundDueCents: 0,
    studyOpenedAt: null,
    moneyBack: emptyMoneyBack(),
    checklist: computeChecklist(input.requestType, questionnaire, [], [], rules),
    questionnaire,
    declaredNone: [],
    coordinatorId: null,
    lastRequest: null,
    remindersSent: 0,
    report: null,
    documents: [],
    payments: [],
    timeline: [],
    treatment: emptyTreatment(),
  };
}

/** The view of a state: everything but the timeline (the read model's CaseEvent rows are the timeline). */
export function viewOf(state: CaseState): CaseView {
  const { timeline: _timeline, ...view } = state;
  return view;
}

/**
 * A change of the view: the top-level fields that changed in any version after `base`, with their values
 * at `version`. Applied to any stored version from `base` up, it gives exactly the view at `version`
 * (a field left out kept one value through all those versions), so a write never needs the whole view.
 */
export interface ViewChange {
  base: number;
  version: number;
  fields: Partial<CaseView>;
  /** Cases opened under VIEW_PARTS: fields of which only some entries changed, as parts (workflows/viewParts.ts). */
  parts?: Record<string, ViewPart>;
}

type Fields = Record<string, string>;

/**
 * Versions of the view: `bump` gives the state a new version when its view changed since the last one,
 * `toSend` says what the read model has not been sent yet, as a `ViewChange` (history keeps the changed
 * fields only), and `whole` the full view for a read model that fell behind. Deterministic (JSON of the state).
 */
export function viewVersions(state: CaseState, withParts = false) {
  /** Each top-level field of the view as JSON (version and timeline excluded). */
  const fieldsOf = (): Fields => {
    const { version: _version, timeline: _timeline, ...rest } = state;
    const out: Fields = {};
    for (const [k, v] of Object.entries(rest)) out[k] = JSON.stringify(v);
    return out;
  };
  const differing = (a: Fields, b: Fields): string[] => [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  let last = fieldsOf();
  let sent = state.version;
  /** Fields changed in a version after `sent`: whole (`true`), or (withParts) the entries that changed. */
  const dirty = new Map<string, Changed>();
  /** What changed in a field: all of it, or (withParts) its entries that changed, added to what changed since `sent`. */
  const changedIn = (k: string, before: string | undefined, after: string | undefined): Changed => {
    if (!withParts || before === undefined || after === undefined) return true;
    return changedBetween(JSON.parse(before), JSON.parse(after), dirty.get(k)) ?? true;
  };
  return {
    /** True when the view changed since it was last sent to the read model. */
    pending(): boolean {
      return dirty.size > 0 || differing(fieldsOf(), last).length > 0;
    },
    bump(): void {
      const now = fieldsOf();
      const changed = differing(now, last);
      if (!changed.length) return;
      for (const k of changed) dirty.set(k, changedIn(k, last[k], now[k]));
      last = now;
      state.version++;
    },
    /** The change to send with the next write, or undefined when the read model has this version already. */
    toSend(): ViewChange | undefined {
      this.bump();
      if (state.version <= sent || !dirty.size) return undefined;
      const view = viewOf(state) as unknown as Record<string, unknown>;
      const fields: Record<string, unknown> = {};
      const parts: Record<string, ViewPart> = {};
      for (const [k, c] of dirty) {
        // A part only when it is smaller than the field it changes (a new estimate is sent whole).
        const part = c === true ? undefined : partOf(JSON.parse(last[k]), c);
        if (part && JSON.stringify(part).length < last[k].length) parts[k] = part;
        else fields[k] = view[k];
      }
      const change: ViewChange = { base: sent, version: state.version, fields, ...(Object.keys(parts).length ? { parts } : {}) };
      sent = state.version;
      dirty.clear();
      return change;
    },
    /** The newest version sent to the read model (by a change, or at the start: the version it began with). */
    lastSent(): number {
      return sent;
    },
    /** The whole view at the current version, for a read model too far behind to apply a change. */
    whole(): { view: CaseView; version: number } {
      this.bump();
      return { view: viewOf(state), version: state.version };
    },
  };
}

/** The view a change gives when applied to a stored view (see `ViewChange`). */
export function applyViewChange(view: CaseView, change: ViewChange): CaseView {
  const parts: Record<string, unknown> = {};
  for (const [k, part] of Object.entries(change.parts ?? {})) parts[k] = applyPart((view as unknown as Record<string, unknown>)[k], part, k);
  return { ...view, ...change.fields, ...parts, version: change.version };
}

/** Drops empty values so they never overwrite an earlier answer. */
export function strip(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}
