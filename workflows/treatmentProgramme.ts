// Step 3 to the end of a case whose MDT proposed treatment here (domain: step 3, visa, during and
// after the stay): estimate → acceptance → guarantee (paid in full or an insurer letter) → arrival
// date, visa certificates, practical pack → the stay (patient requests become team tasks; additional
// estimates follow the same accept → guarantee rule) → discharge → reconciliation and final invoice →
// follow-up → closed. Deterministic workflow code: it runs inside `carePathway` and uses its helpers.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, Trigger, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailTemplateName } from '../activities/emailTemplates';
import type { StaffAudience, StaffTemplate } from '../activities/staffEmails';
import type { PathwayTimings } from '../config/pathway';
import { coverageRoute } from './coverage';
import {
  acceptEstimateUpdate,
  completeTaskUpdate,
  declareCoverageUpdate,
  declineEstimateUpdate,
  FAILURE_TYPES,
  issueEstimateUpdate,
  paymentPathFor,
  patientArrivedUpdate,
  raiseRequestUpdate,
  recordDischargeUpdate,
  recordInsurerLetterUpdate,
  scheduleFollowUpUpdate,
  setArrivalDateUpdate,
  setCompanionUpdate,
  startTreatmentUpdate,
  type AllocatedPayment,
  type ArrivalInput,
  type CompanionInput,
  type InsurerLetterInput,
  type IssueEstimateRequest,
  type PatientRequestInput,
  type AwaitingRole,
  type CaseStartInput,
  type CaseState,
  type CaseView,
  type CaseTask,
  type EstimateState,
  type EventPayload,
  type FollowUp,
  type PaymentStatus,
  type Phase,
  type ResumePoint,
} from './definitions';
import { fail } from './failures';
import { refusals, type ActionName } from './refusals';
import { BEFORE_GUARANTEE, requireActionPhase } from './actions';
import { formatEuros, priceEstimate, tariffFor, type EstimateLine, type EstimateLineInput, type Tariff } from './pricing';
import { reconcile } from './reconciliation';
import { STAY_PARTS } from './stayParts';
import type { CaseRules } from './rules';
import { visaRequirement, type VisaRequirement } from './visa';

export type Ending = { phase: Extract<Phase, 'withdrawn' | 'cancelled' | 'abandoned' | 'expired' | 'closed'>; reason: string };

/** What the treatment programme uses of the case workflow (carePathway.ts). */
export interface CaseContext {
  input: CaseStartInput;
  workflowId: string;
  timings: PathwayTimings;
  /** The rules the case was given when it started (workflows/rules.ts). */
  rules: CaseRules;
  state: CaseState;
  ending(): Ending | undefined;
  moveTo(phase: Phase, awaitingRole: AwaitingRole, type: string, actor: string, summary: string, nextDeadline?: string | null, payload?: EventPayload): Promise<void>;
  record(type: string, actor: string, summary: string, payload?: EventPayload, readModel?: { nextDeadline?: string | null }): Promise<void>;
  emailPatient(template: EmailTemplateName, summary: string, vars: Record<string, string>, options?: { key?: string; attachDocumentIds?: string[] }): Promise<void>;
  staffEmail(audience: StaffAudience, template: StaffTemplate, summary: string, vars?: Record<string, string>): Promise<void>;
  /** Recomputes the payment status (search attribute, details) from the state. */
  refreshPaymentStatus(): void;
  setDeadline(deadline: string | null): void;
  publishDetails(): void;
  requireNotEnded(action: ActionName): void;
  issueEstimate: Activities['issueEstimate'];
  issueVisaCertificate: Activities['issueVisaCertificate'];
  issueFinalInvoice: Activities['issueFinalInvoice'];
  /** What a new run needs besides the state (continue-as-new). */
  carried(): Omit<ResumePoint, 'state' | 'stage'>;
  /** Overpaid towards the treatment: owed back apart, so the final account leaves it out. */
  treatmentOverpaidCents(): number;
  /** The view (no timeline), with a new version if it changed: what an update answers (the API stores it in the read model). */
  current(): CaseView;
}

export { emptyTreatment } from './caseState';

/**
 * Patch: an S2 on file puts the case on EU planned care as soon as it is uploaded; finance records the
 * home insurer's acceptance (the S2 document) like an insurer letter, and until then the patient is
 * never asked to prepay what it covers (no payment link, finance reminded instead).
 */
const S2_PLANNED_CARE = 's2-planned-care';
/** Patch: a follow-up's reminder is watched from when it is scheduled (before it, from when it was announced). */
const FOLLOW_UP_WATCH_AT_ONCE = 'follow-up-watch-at-once';
/** Patch: an estimate's supervisor stops without emailing once the discharge expired it (it sent a payment link, then reminders). */
const ESTIMATE_EXPIRED_QUIETLY = 'estimate-expired-at-discharge-quietly';
/** Patch: nothing left to prepay on an accepted estimate (French insurance): no payment request for €0. */
const NO_ZERO_PAYMENT_REQUEST = 'no-payment-request-for-nothing';
/** Patch: a companion's certificate comes with an email naming the companion (before it, the general visa email). */
const COMPANION_NAMED_IN_EMAIL = 'companion-named-in-certificate-email';

const ms = (d: Duration) => msToNumber(d);
const iso = (at: number) => new Date(at).toISOString();
const today = () => new Date().toISOString().slice(0, 10);
/** An appointment time as the patient reads it (the centre's time zone). */
const whenText = (at: string) => `${new Date(at).toLocaleString('en-GB', { timeZone: 'Europe/Paris', dateStyle: 'medium', timeStyle: 'short' })} (Paris)`;
/** A calendar date's instant for timers: 08:00 UTC, the morning at the centre. */
const dayStart = (date: string) => Date.parse(`${date}T08:00:00Z`);

export function createTreatmentProgramme(ctx: CaseContext) {
  const { input, state, timings, rules, workflowId } = ctx;
  const t = state.treatment;
  const lang = input.language;
  const money = (cents: number) => formatEuros(cents, lang);
  const ended = () => ctx.ending() !== undefined;
  /** Set when the case is closing or continuing as new: background waits stop. */
  let stopping = false;
  /** Set once no follow-up remains and the case closes: a follow-up added now would never be watched. */
  let closing = false;
  const stop = () => stopping || ended();
  const background: Promise<void>[] = [];
  let issuing = false;
  // Decided once, when the workflow starts: runs started before it keep their recorded behaviour.
  const s2Care = patched(S2_PLANNED_CARE);
  let discharge: { performed?: EstimateLineInput[]; by: string } | undefined;
  /** Bumped when the arrival date changes or the patient arrives: the pre-arrival wait starts again. */
  let arrivalVersion = 0;

  const coordinatorOnly = (by: string, action: ActionName) => {
    if (by !== state.coordinatorId) throw fail(FAILURE_TYPES.notAllowed, refusals.coordinatorOnly({ action }));
  };
  const requirePhase = (action: ActionName) => {
    ctx.requireNotEnded(action);
    requireActionPhase(action, state.phase);
  };
  const findEstimate = (number: string): EstimateState => {
    const e = t.estimates.find((x) => x.number === number);
    if (!e) throw fail(FAILURE_TYPES.invalid, refusals.noSuchEstimate({ reference: input.reference, number, numbers: t.estimates.map((x) => x.number) }));
    return e;
  };
  const pastDate = (date: string) => date <= today();

  // ---- coverage and guarantee ----------------------------------------------------------------------

  function refreshCoverage(): void {
    const decision = coverageRoute({
      countryOfResidence: input.patient.countryOfResidence,
      frenchSocialSecurityNumber: t.coverageDeclaration.frenchSocialSecurityNumber ?? null,
      declaredTreatingPhysician: t.coverageDeclaration.declaredTreatingPhysician ?? null,
      hasEhic: t.coverageDeclaration.hasEhic,
      priorAuthorisation: state.documents.some((d) => d.kind === 's2_form') ? 's2_form' : null,
      insurerGuaranteeLetter: t.estimates.some((e) => e.insurerLetters.length > 0),
    }, rules);
    t.coverage = { route: decision.route, prepayment: decision.prepayment, notices: decision.notices.map((n) => n.id) };
  }
  const coverageText = () => (t.coverage ? t.coverage.notices.map((id) => rules.coverage.notices[id as keyof CaseRules['coverage']['notices']][lang]).join(' ') : '');
  /** What is still neither paid nor covered on an estimate: it is guaranteed at 0. */
  const remainingCents = (e: EstimateState) => (t.coverage?.route === 'french_insured' ? 0 : Math.max(0, e.totalCents - coveredCents(e) - e.paidCents));
  /** On EU planned care, the home insurer's acceptance is awaited from finance: nothing is asked of the patient. */
  const awaitingS2 = (e: EstimateState) => s2Care && t.coverage?.route === 'eu_planned_care' && e.insurerLetters.length === 0;
  const paymentPath = (purpose: string, amountCents: number) => paymentPathFor(input.reference, purpose, amountCents);

  /** An accepted estimate becomes guaranteed as soon as nothing remains to prepay. */
  async function checkGuarantee(e: EstimateState, actor: string): Promise<void> {
    if (e.status !== 'accepted' || remainingCents(e) > 0) return;
    e.status = 'guaranteed';
    ctx.refreshPaymentStatus();
    const how = t.coverage?.route === 'french_insured' ? 'Assurance Maladie (co-payment only)' : e.insurerLetters.length ? `insurer letter(s) ${money(coveredCents(e))}, paid ${money(e.paidCents)}` : `paid in full ${money(e.paidCents)}`;
    await ctx.record('estimate_guaranteed', actor, `Estimate ${e.number} guaranteed: ${how}`, { number: e.number, paidCents: e.paidCents, coveredCents: coveredCents(e), route: t.coverage?.route ?? null });
    await ctx.emailPatient('treatment_guaranteed', `Email patient: estimate ${e.number} guaranteed`, { number: e.number });
  }

  /** Where a payment counts: the purpose the payer gave, else the oldest thing waiting for money. */
  function allocate(purpose: string): string {
    const number = /DEV-\d{4}-\d{6}/.exec(purpose)?.[0];
    if (number && t.estimates.some((e) => e.number === number)) return number;
    if (t.reconciliation && /balance|FAC-\d{4}-\d{6}/i.test(purpose)) return 'balance';
    if (/study_fee/.test(purpose) || t.estimates.length === 0) return 'study_fee';
    const open = t.estimates.find((e) => e.status === 'accepted' && remainingCents(e) > 0) ?? t.estimates.find((e) => e.status === 'issued');
    if (open) return open.number;
    if (t.reconciliation && balanceRemaining() > 0) return 'balance';
    return 'unallocated';
  }
  /** What a payment's target still needs before it is counted (0 for `unallocated`: nothing asked it). */
  function neededCents(target: string | undefined): number {
    const e = t.estimates.find((x) => x.number === target);
    if (e) return e.status === 'issued' || e.status === 'accepted' ? remainingCents(e) : 0;
    if (target === 'balance') return balanceRemaining();
    return 0;
  }
  const balancePaid = () => state.payments.filter((p) => p.allocatedTo === 'balance').reduce((s, p) => s + p.amountCents, 0);
  const balanceRemaining = () => Math.max(0, (t.reconciliation?.balanceDueCents ?? 0) - balancePaid());

  /** Called by the payment handler, state already changed: counts the payment and checks guarantees. */
  async function paymentAllocated(payment: AllocatedPayment): Promise<void> {
    const e = t.estimates.find((x) => x.number === payment.allocatedTo);
    if (e) {
      e.paidCents += payment.amountCents;
      ctx.refreshPaymentStatus();
      await checkGuarantee(e, 'payment_provider');
    }
  }

  /** The payment status once step 3 has money in play (null before: the fee logic applies). */
  function paymentStatus(): PaymentStatus | null {
    if (t.reconciliation) return balanceRemaining() > 0 ? 'balance_due' : null;
    const live = t.estimates.filter((e) => e.status === 'accepted' || e.status === 'guaranteed');
    if (!live.length) return null;
    const open = live.filter((e) => e.status === 'accepted');
    if (open.length) return open.some((e) => e.paidCents > 0 || coveredCents(e) > 0) ? 'partially_paid' : 'due';
    return live.some((e) => coveredCents(e) > 0) || t.coverage?.route === 'french_insured' ? 'guaranteed' : 'paid';
  }
  /** What the patient owes in all (fee + estimates to prepay, or the reconciled share). */
  function amountDueCents(feeCents: number): number {
    if (t.reconciliation) return feeCents + t.reconciliation.patientShareCents;
    const live = t.estimates.filter((e) => e.status === 'accepted' || e.status === 'guaranteed');
    return feeCents + live.reduce((s, e) => s + (t.coverage?.route === 'french_insured' || (e.status === 'accepted' && awaitingS2(e)) ? 0 : Math.max(0, e.totalCents - coveredCents(e))), 0);
  }

  // ---- handlers ------------------------------------------------------------------------------------

  setHandler(
    declareCoverageUpdate,
    async ({ by, ...declared }) => {
      Object.assign(t.coverageDeclaration, declared);
      refreshCoverage();
      for (const e of t.estimates) await checkGuarantee(e, by);
      await ctx.record('coverage_declared', by, `Coverage declared: route ${t.coverage!.route}`, { route: t.coverage!.route });
      return ctx.current();
    },
    { validator: (_arg) => requirePhase('declareInsurance') },
  );

  setHandler(
    issueEstimateUpdate,
    async ({ lines, by }) => {
      issuing = true;
      try {
        refreshCoverage();
        const additional = t.estimates.some((e) => !e.additional);
        const issuedAt = new Date().toISOString();
        const issued = await ctx.issueEstimate({
          idempotencyKey: `${workflowId}:estimate:${t.estimates.length + 1}`,
          reference: input.reference,
          requestType: input.requestType,
          lines,
          language: lang,
          patientName: `${input.patient.firstName} ${input.patient.lastName}`,
          issuedAt,
          validUntil: iso(Date.now() + ms(timings.estimateValidity)),
        });
        const estimate: EstimateState = {
          number: issued.number, documentId: issued.documentId, issuedAt, validUntil: issued.validUntil, totalCents: issued.totalCents, lines: issued.lines,
          additional, status: 'issued', paidCents: 0, insurerLetters: [], treatmentStartedAt: null,
        };
        t.estimates.push(estimate);
        // The care is invoiced at the tariff of the first estimate (older activity results carry none).
        if (!additional && issued.tariff) t.tariff = issued.tariff;
        // Money paid ahead with this estimate's number in its purpose was kept aside: count it now.
        await ctx.record(additional ? 'additional_estimate_issued' : 'estimate_issued', by, `Estimate ${issued.number}: ${money(issued.totalCents)}, valid until ${issued.validUntil.slice(0, 10)}`, { number: issued.number, totalCents: issued.totalCents, additional, validUntil: issued.validUntil.slice(0, 10) });
        await ctx.emailPatient('estimate_issued', `Email patient: estimate ${issued.number}`, { number: issued.number, total: money(issued.totalCents), validUntil: issued.validUntil.slice(0, 10), coverageNotice: coverageText() }, { attachDocumentIds: [issued.documentId] });
        await ctx.staffEmail('finance', 'estimate_to_finance', `Email finance: estimate ${issued.number}`, { number: issued.number, total: money(issued.totalCents) });
        if (additional) background.push(superviseEstimate(estimate).then(() => undefined));
        return estimate;
      } finally {
        issuing = false;
      }
    },
    {
      validator: ({ lines, by }: IssueEstimateRequest) => {
        requirePhase('issueEstimate');
        coordinatorOnly(by, 'issueEstimate');
        if (issuing) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateBeingIssued());
        // The discharge expires open estimates once: one issued after it would stay open on a closed case.
        if (discharge) throw fail(FAILURE_TYPES.wrongPhase, refusals.dischargedNoEstimate());
        if (state.phase === 'treatment_planning' && t.estimates.some((e) => !e.additional)) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateAlreadyIssued());
        priceEstimate(tariffFor(input.requestType, rules), lang, lines); // refuses unknown items or bad quantities before anything is issued
      },
    },
  );

  setHandler(
    acceptEstimateUpdate,
    async ({ number, by }) => {
      const e = findEstimate(number);
      e.status = 'accepted';
      ctx.refreshPaymentStatus();
      await ctx.record('estimate_accepted', by, `Estimate ${number} accepted`, { number });
      await ctx.staffEmail('finance', 'estimate_accepted', `Email finance: estimate ${number} accepted`, { number });
      await checkGuarantee(e, by);
      return ctx.current();
    },
    { validator: ({ number }: { number: string }) => requireOpenEstimate(number, 'accept') },
  );

  setHandler(
    declineEstimateUpdate,
    async ({ number, reason, by }) => {
      const e = findEstimate(number);
      e.status = 'declined';
      ctx.refreshPaymentStatus();
      await ctx.record('estimate_declined', by, `Estimate ${number} declined${reason ? `: ${reason}` : ''}`, { number });
      return ctx.current();
    },
    { validator: ({ number }: { number: string }) => requireOpenEstimate(number, 'decline') },
  );

  function requireOpenEstimate(number: string, verb: 'accept' | 'decline'): void {
    requirePhase(verb === 'accept' ? 'acceptEstimate' : 'declineEstimate');
    const e = findEstimate(number);
    if (e.status !== 'issued') throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateNotOpen({ number, status: e.status, verb }), { status: e.status });
    if (Date.now() > Date.parse(e.validUntil)) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateExpired({ number, on: e.validUntil.slice(0, 10) }));
  }

  setHandler(
    recordInsurerLetterUpdate,
    async (letter) => {
      const e = findEstimate(letter.estimateNumber);
      e.insurerLetters.push({ insurer: letter.insurer, policyNumber: letter.policyNumber, coveredCents: letter.coveredCents, documentId: letter.documentId, by: letter.by, at: new Date().toISOString() });
      refreshCoverage();
      ctx.refreshPaymentStatus();
      await ctx.record('insurer_letter_recorded', letter.by, `Insurer letter (${letter.insurer}, policy ${letter.policyNumber}) covers ${money(letter.coveredCents)} of ${e.number}`, { number: e.number, insurer: letter.insurer, coveredCents: letter.coveredCents, documentId: letter.documentId });
      const remaining = remainingCents(e);
      if (e.status === 'accepted' && remaining > 0) {
        await ctx.emailPatient('insurer_remainder', `Email patient: remainder of ${e.number} to pay`, { number: e.number, insurer: letter.insurer, covered: money(coveredCents(e)), amount: money(remaining), paymentPath: paymentPath(e.number, remaining) });
      }
      await checkGuarantee(e, letter.by);
      return ctx.current();
    },
    {
      validator: (letter: InsurerLetterInput) => {
        requirePhase('recordInsurerLetter');
        const e = findEstimate(letter.estimateNumber);
        if (e.status === 'declined' || e.status === 'expired') throw fail(FAILURE_TYPES.wrongPhase, refusals.letterChangesNothing({ number: e.number, status: e.status }));
        if (!Number.isSafeInteger(letter.coveredCents) || letter.coveredCents <= 0) throw fail(FAILURE_TYPES.invalid, refusals.coveredAmountInvalid());
        const doc = state.documents.find((d) => d.documentId === letter.documentId);
        const kinds = s2Care && t.coverage?.route === 'eu_planned_care' ? ['insurer_guarantee_letter', 's2_form'] : ['insurer_guarantee_letter'];
        if (!doc || !kinds.includes(doc.kind)) throw fail(FAILURE_TYPES.invalid, refusals.uploadLetterFirst({ kinds }));
      },
    },
  );

  setHandler(
    setArrivalDateUpdate,
    async ({ date, plannedStayDays, site, by }) => {
      const previous = t.arrival?.date;
      t.arrival = { date, plannedStayDays, site: site ?? t.arrival?.site ?? rules.stay.defaultSite[input.requestType], setBy: by };
      arrivalVersion++;
      await ctx.record(previous ? 'arrival_date_changed' : 'arrival_date_set', by, `Arrival ${previous ? `moved from ${previous} to` : 'on'} ${date} for ${plannedStayDays} day(s) at ${siteOf().name}`, { date, plannedStayDays, site: t.arrival.site, previous: previous ?? null });
      return ctx.current();
    },
    {
      validator: ({ date, plannedStayDays }: ArrivalInput) => {
        if (BEFORE_GUARANTEE.includes(state.phase)) {
          throw fail(FAILURE_TYPES.notGuaranteed, refusals.arrivalNotGuaranteed(), { phase: state.phase });
        }
        requirePhase('setArrival');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw fail(FAILURE_TYPES.invalid, refusals.dateInvalid());
        if (pastDate(date)) throw fail(FAILURE_TYPES.invalid, refusals.arrivalInPast({ today: today() }));
        if (t.arrivedAt) throw fail(FAILURE_TYPES.wrongPhase, refusals.alreadyArrived());
        if (!Number.isInteger(plannedStayDays) || plannedStayDays < 1 || plannedStayDays > 365) throw fail(FAILURE_TYPES.invalid, refusals.stayDaysInvalid());
      },
    },
  );
  const siteOf = () => rules.stay.sites.find((s) => s.id === (t.arrival?.site ?? rules.stay.defaultSite[input.requestType]))!;

  setHandler(
    setCompanionUpdate,
    async ({ fullName, relationship, nationality, proofDocumentId, by }) => {
      let c = t.companions.find((x) => x.fullName.toLowerCase() === fullName.toLowerCase());
      if (!c) {
        c = { id: `C${t.companions.length + 1}`, fullName, relationship, nationality, proofDocumentId: null, certificateDocumentId: null };
        t.companions.push(c);
      }
      Object.assign(c, { relationship, nationality, proofDocumentId: proofDocumentId ?? c.proofDocumentId });
      await ctx.record('companion_set', by, `Companion ${c.id} (${relationship})${c.proofDocumentId ? ' with proof' : ': proof still needed for a visa certificate'}`, { companionId: c.id, relationship, proof: c.proofDocumentId !== null });
      // Visa already assessed as needed: this companion's certificate is issued now.
      if (t.visa?.status === 'required' && c.proofDocumentId && !c.certificateDocumentId) {
        const id = await companionCertificate(c.id);
        const named = patched(COMPANION_NAMED_IN_EMAIL);
        await ctx.emailPatient(named ? 'visa_certificate_companion' : 'visa_information', `Email patient: visa certificate for companion ${c.id}`, named ? { companionName: c.fullName } : visaVars(visaNow()), { attachDocumentIds: [id] });
      }
      return ctx.current();
    },
    {
      validator: ({ relationship, proofDocumentId }: CompanionInput) => {
        requirePhase('addCompanion');
        if (proofDocumentId !== undefined) {
          const needed = rules.visa.companionRequiredDocument[relationship];
          const doc = state.documents.find((d) => d.documentId === proofDocumentId);
          if (!doc || doc.kind !== needed) throw fail(FAILURE_TYPES.invalid, refusals.companionProofNeeded({ relationship, needed }), { needed });
        }
      },
    },
  );

  setHandler(
    patientArrivedUpdate,
    async ({ by }) => {
      t.arrivedAt = new Date().toISOString();
      arrivalVersion++;
      await ctx.record('patient_arrived', by, 'The patient has arrived');
      return ctx.current();
    },
    { validator: (_arg) => requirePhase('recordArrival') },
  );

  setHandler(
    raiseRequestUpdate,
    async ({ kind, details, by }) => {
      const rule = rules.stay.patientRequests[kind];
      const task: CaseTask = { id: `T${t.tasks.length + 1}`, kind, team: rule.team, details, requestedBy: by, createdAt: new Date().toISOString(), status: 'open', outcome: null, doneBy: null, remindersSent: 0 };
      t.tasks.push(task);
      ctx.publishDetails();
      await ctx.record('task_created', by, `Task ${task.id} for ${rule.team}: ${rule.label.en}`, { taskId: task.id, team: rule.team, kind });
      await ctx.emailPatient('request_received', `Email patient: request received (${kind})`, { requestLabel: rule.label[lang] });
      await ctx.staffEmail(audienceOf(rule.team), 'task_assigned', `Email ${rule.team}: new task ${task.id}`, { taskLabel: rule.label.en, taskId: task.id });
      background.push(watchTask(task));
      return task;
    },
    {
      validator: ({ kind }: PatientRequestInput) => {
        ctx.requireNotEnded('makeRequest');
        const rule = rules.stay.patientRequests[kind];
        if (!rule) throw fail(FAILURE_TYPES.invalid, refusals.unknownRequestKind({ kind: String(kind) }));
        const part = STAY_PARTS[state.phase];
        if (!part || !rule.during.includes(part)) {
          throw fail(FAILURE_TYPES.wrongPhase, refusals.requestNotNow({ kind, label: rule.label, during: rule.during, phase: state.phase }), { phase: state.phase, during: rule.during });
        }
      },
    },
  );

  setHandler(
    completeTaskUpdate,
    async ({ taskId, outcome, by }) => {
      const task = t.tasks.find((x) => x.id === taskId)!;
      Object.assign(task, { status: 'done', outcome, doneBy: by });
      ctx.publishDetails();
      await ctx.record('task_done', by, `Task ${task.id} done`, { taskId: task.id, kind: task.kind, team: task.team });
      const label = rules.stay.patientRequests[task.kind].label[lang];
      // A medical answer stays on the portal: emails never carry health data.
      const told = task.kind === 'medical_question' ? (lang === 'fr' ? 'consultez la réponse sur le portail' : 'read the answer on the portal') : outcome;
      await ctx.emailPatient('request_answered', `Email patient: request ${task.id} handled`, { requestLabel: label, outcome: told });
      return ctx.current();
    },
    {
      validator: ({ taskId, byRole }: { taskId: string; byRole: string }) => {
        ctx.requireNotEnded('completeTask');
        const task = t.tasks.find((x) => x.id === taskId);
        if (!task) throw fail(FAILURE_TYPES.invalid, refusals.noSuchTask({ reference: input.reference, taskId, open: t.tasks.filter((x) => x.status === 'open').map((x) => x.id) }));
        if (task.status === 'done') throw fail(FAILURE_TYPES.wrongPhase, refusals.taskAlreadyDone({ taskId }));
        if (byRole !== task.team && byRole !== 'care_coordinator') throw fail(FAILURE_TYPES.notAllowed, refusals.taskForOtherTeam({ taskId, team: task.team }));
      },
    },
  );

  setHandler(
    startTreatmentUpdate,
    async ({ estimateNumber, by }) => {
      const e = findEstimate(estimateNumber);
      e.treatmentStartedAt = new Date().toISOString();
      await ctx.record('treatment_started', by, `Treatment of estimate ${e.number} started`, { number: e.number });
      return ctx.current();
    },
    {
      validator: ({ estimateNumber, by }: { estimateNumber: string; by: string }) => {
        requirePhase('startTreatment');
        coordinatorOnly(by, 'startTreatment');
        const e = findEstimate(estimateNumber);
        if (e.status !== 'guaranteed') {
          throw fail(FAILURE_TYPES.notGuaranteed, refusals.treatmentNotGuaranteed({ number: e.number, status: e.status, remainingCents: remainingCents(e) }), { status: e.status, remainingCents: remainingCents(e) });
        }
        if (e.treatmentStartedAt) throw fail(FAILURE_TYPES.wrongPhase, refusals.treatmentAlreadyStarted({ number: e.number }));
      },
    },
  );

  setHandler(
    recordDischargeUpdate,
    (request) => {
      discharge = request;
      return ctx.current();
    },
    {
      validator: ({ performed, by }: { performed?: EstimateLineInput[]; by: string }) => {
        requirePhase('recordDischarge');
        coordinatorOnly(by, 'recordDischarge');
        if (discharge) throw fail(FAILURE_TYPES.wrongPhase, refusals.dischargeAlreadyRecorded());
        if (issuing) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateBeingIssuedDischarge()); // else it lands after the expiry
        if (performed) priceEstimate(invoiceTariff(), lang, performed);
      },
    },
  );

  setHandler(
    scheduleFollowUpUpdate,
    async ({ at, description, by }) => {
      const f: FollowUp = { id: `F${t.followUps.length + 1}`, at: iso(Date.parse(at)), description, reminded: false };
      t.followUps.push(f);
      ctx.publishDetails();
      // Watched from now: closing waits for `background`, and a slow announcement (SMTP outage) let a
      // case close before the watcher joined it. Read once, so a replay that goes live keeps the choice.
      const atOnce = patched(FOLLOW_UP_WATCH_AT_ONCE);
      const announced = new Trigger<void>();
      if (atOnce) background.push(watchFollowUp(f, announced));
      try {
        await ctx.record('follow_up_scheduled', by, `Follow-up ${f.id} at ${f.at}`, { followUpId: f.id, at: f.at });
        await ctx.emailPatient('follow_up_scheduled', `Email patient: follow-up ${f.id}`, { date: whenText(f.at), description });
      } finally {
        announced.resolve();
      }
      if (!atOnce) background.push(watchFollowUp(f));
      return ctx.current();
    },
    {
      validator: ({ at, by }: { at: string; by: string }) => {
        requirePhase('scheduleFollowUp');
        if (closing) throw fail(FAILURE_TYPES.wrongPhase, refusals.caseClosing());
        coordinatorOnly(by, 'scheduleFollowUp');
        const when = Date.parse(at);
        if (Number.isNaN(when)) throw fail(FAILURE_TYPES.invalid, refusals.followUpTimeInvalid());
        if (when <= Date.now()) throw fail(FAILURE_TYPES.invalid, refusals.followUpInPast({ now: new Date().toISOString() }));
      },
    },
  );

  // ---- the main flow ------------------------------------------------------------------------------

  /** From `treatment_planning` (the report proposed treatment here) to the end of the case. */
  async function run(): Promise<Ending> {
    refreshCoverage();
    ctx.setDeadline(iso(Date.now() + ms(timings.reviewWithin)));
    await condition(() => t.estimates.length > 0 || ended());
    if (ended()) return ctx.ending()!;
    const estimate = t.estimates[0];
    const outcome = await superviseEstimate(estimate);
    if (outcome !== 'guaranteed') return outcome;

    await ctx.moveTo('stay_preparation', 'care_coordinator', 'stay_preparation', 'system', 'Estimate guaranteed: the arrival date can be set', iso(Date.now() + ms(timings.reviewWithin)));
    const arrived = await prepareArrival();
    if (arrived !== 'arrived') return arrived;
    return stay();
  }

  /** Picks up a case that continued as new. */
  async function resume(stage: ResumePoint['stage']): Promise<Ending> {
    for (const task of t.tasks) if (task.status === 'open') background.push(watchTask(task));
    for (const f of t.followUps) if (!f.reminded) background.push(watchFollowUp(f));
    for (const e of t.estimates) if (e.additional && (e.status === 'issued' || e.status === 'accepted')) background.push(superviseEstimate(e).then(() => undefined));
    return stage === 'in_stay' ? stay() : followUp();
  }

  /**
   * The life of one estimate: the patient's answer (reminders; expiry at the end of its validity or
   * after the last reminder), then its guarantee (reminders; expiry). The first estimate moves the
   * case through its phases; an additional one runs beside the stay.
   */
  async function superviseEstimate(e: EstimateState): Promise<'guaranteed' | Ending> {
    const main = !e.additional;
    if (main) await ctx.moveTo('estimate_review', 'patient', 'estimate_review', 'system', `Estimate ${e.number} sent: waiting for the patient's answer`, e.validUntil, { number: e.number, validUntil: e.validUntil.slice(0, 10) });
    let reminders = 0;
    for (;;) {
      const left = Date.parse(e.validUntil) - Date.now();
      // At least one reminder before it expires: halfway through the validity when that comes first.
      const wait = Math.max(1, Math.min(ms(timings.reminderAfter), reminders === 0 ? left / 2 : left));
      await condition(() => e.status !== 'issued' || stop(), wait, { summary: `Reminder: estimate ${e.number} unanswered` });
      if (ended()) return ctx.ending()!;
      if (stopping && e.status === 'issued') return { phase: 'closed', reason: 'stopping' };
      if (e.status !== 'issued') break;
      if (Date.now() >= Date.parse(e.validUntil) || reminders >= timings.maxReminders) {
        e.status = 'expired';
        ctx.refreshPaymentStatus();
        await ctx.record('estimate_expired', 'system', `Estimate ${e.number} expired unanswered`, { number: e.number });
        await ctx.emailPatient('estimate_expired', `Email patient: estimate ${e.number} expired`, { number: e.number });
        return { phase: 'expired', reason: `Estimate ${e.number} unanswered` };
      }
      reminders++;
      await ctx.emailPatient('estimate_reminder', `Email patient: reminder, estimate ${e.number}`, { number: e.number, total: money(e.totalCents), validUntil: e.validUntil.slice(0, 10) });
      await ctx.record('estimate_reminder_sent', 'system', `Reminder ${reminders}/${timings.maxReminders}: estimate ${e.number}`, { number: e.number, reminder: reminders, maxReminders: timings.maxReminders });
    }
    if (e.status === 'declined') {
      await ctx.emailPatient('estimate_declined', `Email patient: estimate ${e.number} declined`, { number: e.number });
      return { phase: 'closed', reason: `Estimate ${e.number} declined` };
    }
    if (e.status === 'guaranteed') return 'guaranteed';
    const expired = (): Ending => ({ phase: 'expired', reason: `Estimate ${e.number} expired at discharge` });
    if (e.status === 'expired' && patched(ESTIMATE_EXPIRED_QUIETLY)) return expired(); // the discharge ended the wait for an answer: no payment link

    // Accepted: nothing about the treatment proceeds until it is guaranteed.
    const insurerRoute = t.coverage?.prepayment === 'insurer';
    if (main) await ctx.moveTo('guarantee_pending', insurerRoute ? 'finance' : 'patient', 'guarantee_requested', 'system', `Estimate ${e.number} accepted: ${money(remainingCents(e))} to pay, or an insurer letter`, iso(Date.now() + ms(timings.guaranteeReminderAfter)), { number: e.number, remainingCents: remainingCents(e) });
    // Before the patch a French-insured patient was asked to "pay €0.00" through a link to pay nothing.
    // Paid in full already (a payment that arrived meanwhile) or nothing to prepay: the audit trail says why no request went out.
    const nothingToPay = remainingCents(e) === 0 && patched(NO_ZERO_PAYMENT_REQUEST);
    if (awaitingS2(e)) await s2Awaited(e);
    else if (nothingToPay) await ctx.record('payment_request_skipped', 'system', `Estimate ${e.number}: nothing left to prepay, no payment request sent`, { number: e.number });
    else await ctx.emailPatient('guarantee_request', `Email patient: payment link for ${e.number}`, { number: e.number, total: money(e.totalCents), amount: money(remainingCents(e)), paymentPath: paymentPath(e.number, remainingCents(e)), coverageNotice: coverageText() });
    reminders = 0;
    let seen = e.paidCents + coveredCents(e);
    let routeSeen = t.coverage?.route;
    const routeChanged = () => s2Care && t.coverage?.route !== routeSeen;
    for (;;) {
      const woke = await condition(() => e.status === 'guaranteed' || stop() || e.paidCents + coveredCents(e) !== seen || routeChanged(), timings.guaranteeReminderAfter, { summary: `Reminder: estimate ${e.number} not guaranteed` });
      if (ended()) return ctx.ending()!;
      if (isGuaranteed(e)) return 'guaranteed';
      if (stopping) return { phase: 'closed', reason: 'stopping' };
      if (woke) {
        if (routeChanged()) {
          routeSeen = t.coverage?.route;
          // An S2 arrived while the patient was asked to pay: finance takes over, the patient is told.
          if (awaitingS2(e)) {
            if (main) await ctx.moveTo('guarantee_pending', 'finance', 'coverage_route_changed', 'system', `S2 on file: EU planned care; finance records the insurer's acceptance of ${e.number}`, iso(Date.now() + ms(timings.guaranteeReminderAfter)), { number: e.number });
            await s2Awaited(e);
          }
        }
        seen = e.paidCents + coveredCents(e);
        reminders = 0; // money came in: the clock starts again
        continue;
      }
      if (e.status === 'expired' && patched(ESTIMATE_EXPIRED_QUIETLY)) return expired(); // expired by the discharge meanwhile: no reminder
      if (reminders >= timings.maxReminders) {
        e.status = 'expired';
        ctx.refreshPaymentStatus();
        await ctx.record('guarantee_expired', 'system', `Estimate ${e.number} neither paid nor guaranteed after ${reminders} reminder(s)`, { number: e.number, reminders });
        await ctx.emailPatient('guarantee_expired', `Email patient: estimate ${e.number} expired (not guaranteed)`, { number: e.number });
        return { phase: 'expired', reason: `Estimate ${e.number} not guaranteed` };
      }
      reminders++;
      if (awaitingS2(e)) await ctx.staffEmail('finance', 's2_acceptance_reminder', `Email finance: reminder, S2 acceptance for ${e.number}`, { number: e.number });
      else await ctx.emailPatient('guarantee_reminder', `Email patient: reminder, ${e.number} not guaranteed`, { number: e.number, amount: money(remainingCents(e)), paymentPath: paymentPath(e.number, remainingCents(e)) });
      await ctx.record('guarantee_reminder_sent', 'system', `Reminder ${reminders}/${timings.maxReminders}: estimate ${e.number} not guaranteed`, { number: e.number, reminder: reminders, maxReminders: timings.maxReminders });
    }
  }

  /** On EU planned care: the patient is told nothing is to prepay, finance that the acceptance is awaited. */
  async function s2Awaited(e: EstimateState): Promise<void> {
    await ctx.record('payment_request_skipped', 'system', `Estimate ${e.number}: EU planned care (S2), the insurer's acceptance is awaited from finance; no payment request`, { number: e.number, route: 'eu_planned_care' });
    await ctx.emailPatient('s2_acceptance_pending', `Email patient: S2 acceptance awaited for ${e.number}`, { number: e.number });
    await ctx.staffEmail('finance', 's2_acceptance_to_record', `Email finance: S2 acceptance to record for ${e.number}`, { number: e.number });
  }

  /** A document reached the case: an S2 changes the coverage route at once (before the patch, at the next declaration or estimate). */
  function documentAdded(kind: string): void {
    if (s2Care && kind === 's2_form' && t.coverage) refreshCoverage();
  }

  /** Arrival date → visa certificates and practical pack → the wait (with a reminder) → arrival. */
  async function prepareArrival(): Promise<'arrived' | Ending> {
    await condition(() => t.arrival !== null || ended());
    if (ended()) return ctx.ending()!;
    for (;;) {
      const version = arrivalVersion;
      const arrival = t.arrival!;
      if (t.arrivedAt) break;
      await ctx.moveTo('awaiting_arrival', 'patient', 'arrival_scheduled', arrival.setBy, `Arrival expected on ${arrival.date} at ${siteOf().name}`, iso(dayStart(arrival.date)), { date: arrival.date, site: siteOf().id });
      await assessVisa();
      const site = siteOf();
      await ctx.emailPatient('practical_pack', `Email patient: practical pack (${arrival.date})`, {
        arrivalDate: arrival.date, siteName: site.name, siteAddress: site.address, accessMapUrl: site.accessMapUrl,
        samplesNotice: rules.stay.practicalPackTexts.samplesNotice[lang], supportName: rules.stay.supportContact.name, supportPhone: rules.stay.supportContact.phone, supportEmail: rules.stay.supportContact.email,
        accommodationAdvice: rules.stay.practicalPackTexts.accommodationAdvice[lang],
      });
      const changed = () => arrivalVersion !== version || ended();
      const remindAt = dayStart(arrival.date) - ms(timings.arrivalReminderBefore);
      if (!(await condition(changed, Math.max(1, remindAt - Date.now()), { summary: 'Timer: arrival reminder' }))) {
        await ctx.emailPatient('arrival_reminder', `Email patient: arrival reminder (${arrival.date})`, { arrivalDate: arrival.date, siteName: site.name, siteAddress: site.address, accessMapUrl: site.accessMapUrl });
        await condition(changed, Math.max(1, dayStart(arrival.date) - Date.now()), { summary: `Timer: arrival on ${arrival.date}` });
      }
      if (ended()) return ctx.ending()!;
      if (arrivalVersion === version) {
        // The day came: the stay starts (the coordinator can still record the exact arrival).
        t.arrivedAt = new Date().toISOString();
        break;
      }
    }
    return 'arrived';
  }

  /** Whether the patient (and companions) need a visa; certificates when they do. */
  async function assessVisa(): Promise<void> {
    const arrivalDate = t.arrival!.date;
    const v = visaNow();
    t.visa = { status: v.status, reason: v.reason, urgent: v.urgent, consulateCountry: v.consulateCountry, certificateDocumentId: null };
    await ctx.record('visa_assessed', 'system', `Visa: ${v.status} (${v.reason})${v.urgent ? ', URGENT' : ''}`, { status: v.status, reason: v.reason, urgent: v.urgent });
    // A resident needs no visa but is asked for the permit (only rules from 2026-12 decide so: older cases never reach it).
    if (v.status === 'not_required' && v.reason !== 'resident_with_permit') return;
    const attach: string[] = [];
    if (v.status === 'required') {
      const issued = await ctx.issueVisaCertificate({ ...certificateBase(), idempotencyKey: `${workflowId}:visa:patient:${arrivalDate}`, holder: { role: 'patient', fullName: patientName(), nationality: input.patient.nationality } });
      t.visa.certificateDocumentId = issued.documentId;
      attach.push(issued.documentId);
      for (const c of t.companions) if (c.proofDocumentId) attach.push(await companionCertificate(c.id));
    }
    if (v.urgent) await ctx.staffEmail('coordinator', 'visa_urgent', 'Email coordinator: urgent visa', { arrivalDate });
    await ctx.emailPatient('visa_information', 'Email patient: visa information', visaVars(v), { attachDocumentIds: attach });
  }
  const patientName = () => `${state.questionnaire.firstName ?? input.patient.firstName} ${state.questionnaire.lastName ?? input.patient.lastName}`;
  function certificateBase() {
    const site = siteOf();
    return {
      reference: input.reference, language: lang, issuedAt: new Date().toISOString(),
      patient: { fullName: patientName(), nationality: input.patient.nationality, dateOfBirth: state.questionnaire.dateOfBirth },
      arrivalDate: t.arrival!.date, plannedStayDays: t.arrival!.plannedStayDays, site: { name: site.name, address: site.address }, urgent: t.visa?.urgent ?? false,
    };
  }
  async function companionCertificate(id: string): Promise<string> {
    const c = t.companions.find((x) => x.id === id)!;
    const issued = await ctx.issueVisaCertificate({ ...certificateBase(), idempotencyKey: `${workflowId}:visa:companion:${c.id}:${t.arrival!.date}`, holder: { role: 'companion', fullName: c.fullName, nationality: c.nationality, relationship: c.relationship } });
    c.certificateDocumentId = issued.documentId;
    await ctx.record('visa_certificate_issued', 'system', `Visa certificate for companion ${c.id}`, { companionId: c.id, documentId: issued.documentId });
    return issued.documentId;
  }
  /** The visa rule for the patient's nationality and the planned arrival and stay. */
  const visaNow = () =>
    visaRequirement({
      nationality: state.questionnaire.nationality ?? input.patient.nationality,
      countryOfResidence: input.patient.countryOfResidence,
      plannedStayDays: t.arrival!.plannedStayDays,
      arrivalDate: t.arrival!.date,
      today: today(),
    }, rules);
  // The email names the country in words (activities/email.ts); the answer delay is in the visa text.
  const visaVars = (v: VisaRequirement) => ({ visaText: v.texts[lang], consulateCountry: v.consulateCountry ?? '?' });

  /** The stay, until the coordinator records the discharge; then the account and the follow-up. */
  async function stay(): Promise<Ending> {
    if (state.phase !== 'in_stay') await ctx.moveTo('in_stay', 'care_coordinator', 'stay_started', 'system', `Stay started at ${siteOf().name}`, null, { site: siteOf().id });
    for (;;) {
      await condition(() => discharge !== undefined || ended() || historyLong());
      if (ended()) return ctx.ending()!;
      if (discharge) break;
      await continueAsNewAt('in_stay');
    }
    const d = discharge;
    t.dischargedAt = new Date().toISOString();
    // Additional estimates never accepted or guaranteed were not carried out.
    for (const e of t.estimates) if (e.status === 'issued' || e.status === 'accepted') e.status = 'expired';
    await ctx.record('discharged', d.by, 'Discharge recorded', {});
    await settleAccount(d.performed);
    return followUp();
  }

  /** The catalogue the care is invoiced from: the first estimate's tariff, else the case's own rules. */
  function invoiceTariff(): Tariff {
    return t.tariff ?? tariffFor(input.requestType, rules);
  }

  /** Reconciles what was done with what was paid or guaranteed: final invoice, refund or balance. */
  async function settleAccount(performed: EstimateLineInput[] | undefined): Promise<void> {
    const guaranteed = t.estimates.filter((e) => e.status === 'guaranteed');
    const lines = performed ?? mergeLines(guaranteed.flatMap((e) => e.lines));
    t.invoiced = lines.length ? priceEstimate(invoiceTariff(), lang, lines).lines : [];
    const treatmentPayments = state.payments.filter(isTreatmentPayment);
    // Overpayments are owed back apart (workflows/moneyBack.ts): the account counts what was asked for.
    const treatmentPaid = treatmentPayments.reduce((s, p) => s + p.amountCents, 0) - ctx.treatmentOverpaidCents();
    const insurerCovered = guaranteed.reduce((s, e) => s + coveredCents(e), 0);
    const r = reconcile({ coverageRoute: t.coverage?.route ?? 'self_pay', invoiced: t.invoiced, insurerCoveredCents: insurerCovered, paidCents: treatmentPaid, copaymentPercent: rules.stay.copaymentPercent });
    const invoice = await ctx.issueFinalInvoice({
      idempotencyKey: `${workflowId}:final-invoice`,
      reference: input.reference,
      language: lang,
      patientName: patientName(),
      issuedAt: new Date().toISOString(),
      lines: t.invoiced,
      reconciliation: r,
      coverageRoute: t.coverage?.route ?? 'self_pay',
      insurers: guaranteed.flatMap((e) => e.insurerLetters.map((l) => ({ insurer: l.insurer, policyNumber: l.policyNumber, coveredCents: l.coveredCents }))),
      payments: treatmentPayments.map((p) => ({ paymentId: p.paymentId, amountCents: p.amountCents, paidAt: p.paidAt })),
    });
    t.reconciliation = { ...r, invoiceNumber: invoice.number, invoiceDocumentId: invoice.documentId };
    state.refundDueCents += r.refundDueCents;
    ctx.refreshPaymentStatus();
    await ctx.record('account_reconciled', 'system', `Final invoice ${invoice.number}: ${r.outcome} (invoiced ${money(r.invoicedCents)}, insurer ${money(r.insurerShareCents)}, paid ${money(r.paidCents)})`, {
      invoiceNumber: invoice.number, outcome: r.outcome, invoicedCents: r.invoicedCents, balanceDueCents: r.balanceDueCents, refundDueCents: r.refundDueCents, insurerShareCents: r.insurerShareCents, paidCents: r.paidCents,
    });
    const vars = { invoiceNumber: invoice.number, invoiced: money(r.invoicedCents), insurerShare: money(r.insurerShareCents), paid: money(r.paidCents) };
    const attach = { attachDocumentIds: [invoice.documentId] };
    if (r.outcome === 'balance_due') {
      await ctx.emailPatient('final_invoice_balance', 'Email patient: final invoice, balance due', { ...vars, amount: money(r.balanceDueCents), paymentPath: paymentPath(`balance ${invoice.number}`, r.balanceDueCents) }, attach);
      background.push(chaseBalance(invoice.number));
    } else if (r.outcome === 'refund_due') {
      await ctx.emailPatient('final_invoice_refund', 'Email patient: final invoice, refund due', { ...vars, amount: money(r.refundDueCents) }, attach);
    } else {
      await ctx.emailPatient('final_invoice_settled', 'Email patient: final invoice, settled', vars, attach);
    }
    if (r.outcome !== 'settled') {
      const settlement = r.outcome === 'balance_due' ? `balance due ${money(r.balanceDueCents)}` : `refund due ${money(r.refundDueCents)}`;
      await ctx.staffEmail('finance', 'account_to_settle', `Email finance: ${settlement}`, { invoiceNumber: invoice.number, settlement });
    }
  }

  /** After the stay: closes once no follow-up remains and nothing is open for `followUpWindow`. */
  async function followUp(): Promise<Ending> {
    const closeAt = () => Math.max(Date.parse(t.dischargedAt ?? new Date().toISOString()), ...t.followUps.map((f) => Date.parse(f.at))) + ms(timings.followUpWindow);
    for (;;) {
      if (state.phase !== 'follow_up') await ctx.moveTo('follow_up', balanceRemaining() > 0 ? 'patient' : 'care_coordinator', 'follow_up_started', 'system', 'After the stay: follow-up and billing', iso(closeAt()));
      const scheduled = t.followUps.length;
      const due = closeAt();
      ctx.setDeadline(iso(due));
      const woke = await condition(() => ended() || t.followUps.length !== scheduled || historyLong(), Math.max(1, due - Date.now()), { summary: 'Timer: close when no follow-up remains' });
      if (ended()) return ctx.ending()!;
      if (historyLong()) await continueAsNewAt('follow_up');
      if (woke) continue;
      if (t.tasks.some((x) => x.status === 'open')) {
        await condition(() => ended() || t.tasks.every((x) => x.status === 'done') || t.followUps.length !== scheduled);
        continue;
      }
      break;
    }
    closing = true;
    stopping = true;
    await Promise.all(background);
    await ctx.emailPatient('case_closed', 'Email patient: case closed', {});
    return { phase: 'closed', reason: t.followUps.length ? `Follow-up completed (${t.followUps.length} appointment(s))` : 'Stay completed; no follow-up needed' };
  }

  // ---- background work ----------------------------------------------------------------------------

  /** Reminds the team of an open task; after the last reminder the coordinator is alerted once. */
  async function watchTask(task: CaseTask): Promise<void> {
    const label = rules.stay.patientRequests[task.kind].label.en;
    while (task.remindersSent < timings.maxReminders) {
      if (await condition(() => task.status === 'done' || stop(), timings.taskReminderAfter, { summary: `Reminder: task ${task.id} (${task.kind})` })) return;
      task.remindersSent++;
      await ctx.staffEmail(audienceOf(task.team), 'task_reminder', `Email ${task.team}: reminder, task ${task.id}`, { taskLabel: label, taskId: task.id });
    }
    if (await condition(() => task.status === 'done' || stop(), timings.taskReminderAfter, { summary: `Escalation: task ${task.id} (${task.kind})` })) return;
    await ctx.staffEmail('coordinator', 'task_overdue', `Email coordinator: task ${task.id} overdue`, { taskLabel: label });
    await ctx.record('task_overdue', 'system', `Task ${task.id} not handled after ${task.remindersSent} reminder(s): coordinator alerted`, { taskId: task.id, kind: task.kind, team: task.team });
  }

  /** Reminds the patient of a follow-up appointment a few days before, never ahead of its announcement. */
  async function watchFollowUp(f: FollowUp, announced?: PromiseLike<void>): Promise<void> {
    const at = Date.parse(f.at) - ms(timings.arrivalReminderBefore);
    if (await condition(stop, Math.max(1, at - Date.now()), { summary: `Timer: follow-up ${f.id} reminder` })) return;
    if (announced) {
      // Due: sent even if the case is closing or continuing as new meanwhile, not if it was withdrawn or cancelled.
      await announced;
      if (ended()) return;
    }
    f.reminded = true;
    await ctx.emailPatient('follow_up_reminder', `Email patient: follow-up ${f.id} reminder`, { date: whenText(f.at), description: f.description });
  }

  /** Reminds the patient of a balance due; after the last reminder, finance follows it up. */
  async function chaseBalance(invoiceNumber: string): Promise<void> {
    for (let n = 1; n <= timings.maxReminders; n++) {
      let seen = balancePaid();
      for (;;) {
        const woke = await condition(() => balanceRemaining() === 0 || stop() || balancePaid() !== seen, timings.feeReminderAfter, { summary: 'Reminder: balance due' });
        if (balanceRemaining() === 0 || stop()) return;
        if (!woke) break;
        seen = balancePaid();
      }
      await ctx.emailPatient('balance_reminder', `Email patient: reminder, balance due (${n})`, { invoiceNumber, amount: money(balanceRemaining()), paymentPath: paymentPath(`balance ${invoiceNumber}`, balanceRemaining()) });
    }
  }

  // ---- long histories ---------------------------------------------------------------------------------

  function historyLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > timings.continueAsNewAfterEvents;
  }

  /** Stops the background waits, lets handlers finish, and continues as a new run with the state. */
  async function continueAsNewAt(stage: ResumePoint['stage']): Promise<never> {
    stopping = true;
    await Promise.all(background);
    await condition(allHandlersFinished);
    await ctx.record('continued_as_new', 'system', `History long (${workflowInfo().historyLength} events): continuing as a new run`, { stage });
    const carried = ctx.carried();
    // The timeline keeps its recent entries; the audit trail in the database has them all.
    const keep = 50;
    const dropped = Math.max(0, state.timeline.length - keep);
    const next: ResumePoint = { ...carried, stage, timelineOffset: carried.timelineOffset + dropped, state: { ...state, timeline: state.timeline.slice(dropped) } };
    return continueAsNew<(input: CaseStartInput) => Promise<unknown>>({ ...input, resume: next });
  }

  /** Treatment prepayments to give back when the case ends before the stay started. */
  function unusedPrepaymentsCents(): number {
    if (t.arrivedAt) return 0;
    return state.payments.filter(isTreatmentPayment).reduce((s, p) => s + p.amountCents, 0);
  }

  return { run, resume, allocate, neededCents, documentAdded, unusedPrepaymentsCents, paymentAllocated, paymentStatus, amountDueCents, stop: () => (stopping = true), settled: () => Promise.all(background) };
}

/** What an insurer's letters on an estimate cover. */
export const coveredCents = (e: EstimateState) => e.insurerLetters.reduce((sum, l) => sum + l.coveredCents, 0);

/** Money towards the treatment (estimates, balance, unallocated), as opposed to the study fee. */
export const isTreatmentPayment = (p: AllocatedPayment) => p.allocatedTo !== undefined && p.allocatedTo !== 'study_fee';

/** Read through a function: handlers change the status while the flow awaits (no narrowing). */
const isGuaranteed = (e: EstimateState) => e.status === 'guaranteed';

function audienceOf(team: CaseTask['team']): StaffAudience {
  return team === 'medical_assistant' ? 'medical_assistants' : team === 'care_coordinator' ? 'coordinator' : team;
}

/** One line per item: quantities of the same item across estimates add up. */
function mergeLines(lines: readonly EstimateLine[]): EstimateLineInput[] {
  const byCode = new Map<string, number>();
  for (const l of lines) byCode.set(l.code, (byCode.get(l.code) ?? 0) + l.quantity);
  return [...byCode].map(([code, quantity]) => ({ code, quantity }));
}
