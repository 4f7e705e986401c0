// The case's state as it starts, and what of it people see (the read model's view), as pure functions:
// the workflow builds its state with them, and the API writes the same first view when it opens the case,
// so a new case reads and accepts the questionnaire as soon as `POST /cases` answers.
import { computeChecklist } from './checklist';
import type { AwaitingRole, CaseStartInput, CaseState, CaseView, TreatmentState } from './definitions';

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
  invoiced: [],
  reconciliation: null,
  followUps: [],
});

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
  return {
    version: 0,
    reference: input.reference,
    requestType: input.requestType,
    language: input.language,
    phase: 'file_collection',
    awaitingRole: 'patient',
    waitingFor: waitingForText.patient,
    nextDeadline: null,
    paymentStatus: 'none',
    amountDueCents: 0,
    amountPaidCents: 0,
    refundDueCents: 0,
    checklist: computeChecklist(input.requestType, questionnaire, [], []),
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
 * Versions of the view: `bump` gives the state a new version when its view changed since the last one,
 * `toSend` says which version the read model has not been sent yet. Deterministic (JSON of the state).
 */
export function viewVersions(state: CaseState) {
  const contentOf = () => {
    const { version: _version, timeline: _timeline, ...rest } = state;
    return JSON.stringify(rest);
  };
  let last = contentOf();
  let sent = state.version;
  let sentContent = last;
  return {
    /** True when the view changed since it was last sent to the read model. */
    pending(): boolean {
      return contentOf() !== sentContent;
    },
    bump(): void {
      const now = contentOf();
      if (now === last) return;
      last = now;
      state.version++;
    },
    /** The view to send with the next write, or undefined when the read model has this version already. */
    toSend(): { view: CaseView; version: number } | undefined {
      this.bump();
      if (state.version <= sent) return undefined;
      sent = state.version;
      sentContent = last;
      return { view: viewOf(state), version: state.version };
    },
  };
}

/** Drops empty values so they never overwrite an earlier answer. */
export function strip(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}
