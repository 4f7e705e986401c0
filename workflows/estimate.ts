// Step 3, the estimate and its guarantee: the coverage route (workflows/coverage.ts), estimates issued,
// accepted or declined by the patient, then guaranteed (paid in full, an insurer letter, or nothing to
// prepay). The first estimate moves the case through its phases; an additional one (during the stay)
// follows the same rule beside it.
import { setHandler } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import { coverageRoute } from './coverage';
import {
  acceptEstimateUpdate,
  declareCoverageUpdate,
  declineEstimateUpdate,
  FAILURE_TYPES,
  issueEstimateUpdate,
  paymentPathFor,
  recordInsurerLetterUpdate,
  type EstimateState,
  type InsurerLetterInput,
  type IssueEstimateRequest,
} from './definitions';
import { fail } from './failures';
import { refusals } from './refusals';
import { formatEuros, priceEstimate, tariffFor } from './pricing';
import type { CaseRules } from './rules';
import { issued as documents, type Case } from './case';
import type { Background } from './background';
import { superviseEstimate } from './estimateSupervision';

/**
 * Patch: an S2 on file puts the case on EU planned care as soon as it is uploaded; finance records the
 * home insurer's acceptance (the S2 document) like an insurer letter, and until then the patient is
 * never asked to prepay what it covers (no payment link, finance reminded instead).
 */
const S2_PLANNED_CARE = 's2-planned-care';

/** What an insurer's letters on an estimate cover. */
export const coveredCents = (e: EstimateState) => e.insurerLetters.reduce((sum, l) => sum + l.coveredCents, 0);

/** `dischargeRecorded`: the stay's discharge (workflows/stay.ts) was recorded, which closes estimates. */
export function createEstimates(c: Case, bg: Background, refreshPaymentStatus: () => void, dischargeRecorded: () => boolean) {
  const { input, state, timings, rules, workflowId, lang } = c;
  const t = state.treatment;
  const money = (cents: number) => formatEuros(cents, lang);
  let issuing = false;
  // Decided once, when the workflow starts: runs started before it keep their recorded behaviour.
  const s2Care = c.patched(S2_PLANNED_CARE);

  const findEstimate = (number: string): EstimateState => {
    const e = t.estimates.find((x) => x.number === number);
    if (!e) throw fail(FAILURE_TYPES.invalid, refusals.noSuchEstimate({ reference: input.reference, number, numbers: t.estimates.map((x) => x.number) }));
    return e;
  };

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
    refreshPaymentStatus();
    const how = t.coverage?.route === 'french_insured' ? 'Assurance Maladie (co-payment only)' : e.insurerLetters.length ? `insurer letter(s) ${money(coveredCents(e))}, paid ${money(e.paidCents)}` : `paid in full ${money(e.paidCents)}`;
    await c.record('estimate_guaranteed', actor, `Estimate ${e.number} guaranteed: ${how}`, { number: e.number, paidCents: e.paidCents, coveredCents: coveredCents(e), route: t.coverage?.route ?? null });
    await c.emailPatient('treatment_guaranteed', `Email patient: estimate ${e.number} guaranteed`, { number: e.number });
  }

  setHandler(
    declareCoverageUpdate,
    async ({ by, ...declared }) => {
      Object.assign(t.coverageDeclaration, declared);
      refreshCoverage();
      for (const e of t.estimates) await checkGuarantee(e, by);
      await c.record('coverage_declared', by, `Coverage declared: route ${t.coverage!.route}`, { route: t.coverage!.route });
      return c.answer();
    },
    { validator: (_arg) => c.stepThree.requirePhase('declareInsurance') },
  );

  setHandler(
    issueEstimateUpdate,
    async ({ lines, by }) => {
      issuing = true;
      try {
        refreshCoverage();
        const additional = t.estimates.some((e) => !e.additional);
        const issuedAt = new Date().toISOString();
        const doc = await documents.issueEstimate.executeWithOptions({ summary: 'Issue estimate (PDF)' }, [{
          idempotencyKey: `${workflowId}:estimate:${t.estimates.length + 1}`,
          reference: input.reference,
          requestType: input.requestType,
          lines,
          language: lang,
          patientName: `${input.patient.firstName} ${input.patient.lastName}`,
          issuedAt,
          validUntil: new Date(Date.now() + msToNumber(timings.estimateValidity)).toISOString(),
        }]);
        const estimate: EstimateState = {
          number: doc.number, documentId: doc.documentId, issuedAt, validUntil: doc.validUntil, totalCents: doc.totalCents, lines: doc.lines,
          additional, status: 'issued', paidCents: 0, insurerLetters: [], treatmentStartedAt: null,
        };
        t.estimates.push(estimate);
        // The care is invoiced at the tariff of the first estimate (older activity results carry none).
        if (!additional && doc.tariff) t.tariff = doc.tariff;
        // Money paid ahead with this estimate's number in its purpose was kept aside: count it now.
        await c.record(additional ? 'additional_estimate_issued' : 'estimate_issued', by, `Estimate ${doc.number}: ${money(doc.totalCents)}, valid until ${doc.validUntil.slice(0, 10)}`, { number: doc.number, totalCents: doc.totalCents, additional, validUntil: doc.validUntil.slice(0, 10) });
        await c.emailPatient('estimate_issued', `Email patient: estimate ${doc.number}`, { number: doc.number, total: money(doc.totalCents), validUntil: doc.validUntil.slice(0, 10), coverageNotice: coverageText() }, { attachDocumentIds: [doc.documentId] });
        await c.staffEmail('finance', 'estimate_to_finance', `Email finance: estimate ${doc.number}`, { number: doc.number, total: money(doc.totalCents) });
        if (additional) bg.add(supervise(estimate).then(() => undefined));
        return c.settled(estimate);
      } finally {
        issuing = false;
      }
    },
    {
      validator: ({ lines, by }: IssueEstimateRequest) => {
        c.stepThree.requirePhase('issueEstimate');
        c.requireCoordinator(by, 'issueEstimate');
        if (issuing) throw fail(FAILURE_TYPES.wrongPhase, refusals.estimateBeingIssued());
        // The discharge expires open estimates once: one issued after it would stay open on a closed case.
        if (dischargeRecorded()) throw fail(FAILURE_TYPES.wrongPhase, refusals.dischargedNoEstimate());
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
      refreshPaymentStatus();
      await c.record('estimate_accepted', by, `Estimate ${number} accepted`, { number });
      await c.staffEmail('finance', 'estimate_accepted', `Email finance: estimate ${number} accepted`, { number });
      await checkGuarantee(e, by);
      return c.answer();
    },
    { validator: ({ number }: { number: string }) => requireOpenEstimate(number, 'accept') },
  );

  setHandler(
    declineEstimateUpdate,
    async ({ number, reason, by }) => {
      const e = findEstimate(number);
      e.status = 'declined';
      refreshPaymentStatus();
      await c.record('estimate_declined', by, `Estimate ${number} declined${reason ? `: ${reason}` : ''}`, { number });
      return c.answer();
    },
    { validator: ({ number }: { number: string }) => requireOpenEstimate(number, 'decline') },
  );

  function requireOpenEstimate(number: string, verb: 'accept' | 'decline'): void {
    c.stepThree.requirePhase(verb === 'accept' ? 'acceptEstimate' : 'declineEstimate');
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
      refreshPaymentStatus();
      await c.record('insurer_letter_recorded', letter.by, `Insurer letter (${letter.insurer}, policy ${letter.policyNumber}) covers ${money(letter.coveredCents)} of ${e.number}`, { number: e.number, insurer: letter.insurer, coveredCents: letter.coveredCents, documentId: letter.documentId });
      const remaining = remainingCents(e);
      if (e.status === 'accepted' && remaining > 0) {
        await c.emailPatient('insurer_remainder', `Email patient: remainder of ${e.number} to pay`, { number: e.number, insurer: letter.insurer, covered: money(coveredCents(e)), amount: money(remaining), paymentPath: paymentPath(e.number, remaining) });
      }
      await checkGuarantee(e, letter.by);
      return c.answer();
    },
    {
      validator: (letter: InsurerLetterInput) => {
        c.stepThree.requirePhase('recordInsurerLetter');
        const e = findEstimate(letter.estimateNumber);
        if (e.status === 'declined' || e.status === 'expired') throw fail(FAILURE_TYPES.wrongPhase, refusals.letterChangesNothing({ number: e.number, status: e.status }));
        if (!Number.isSafeInteger(letter.coveredCents) || letter.coveredCents <= 0) throw fail(FAILURE_TYPES.invalid, refusals.coveredAmountInvalid());
        const doc = state.documents.find((d) => d.documentId === letter.documentId);
        const kinds = s2Care && t.coverage?.route === 'eu_planned_care' ? ['insurer_guarantee_letter', 's2_form'] : ['insurer_guarantee_letter'];
        if (!doc || !kinds.includes(doc.kind)) throw fail(FAILURE_TYPES.invalid, refusals.uploadLetterFirst({ kinds }));
      },
    },
  );

  const guarantee = { s2Care, remainingCents, awaitingS2, coverageText, paymentPath, money };
  /** The life of one estimate, to its guarantee or its end (workflows/estimateSupervision.ts). */
  const supervise = (e: EstimateState) => superviseEstimate(c, bg, refreshPaymentStatus, guarantee, e);

  return {
    refreshCoverage, remainingCents, awaitingS2, checkGuarantee, findEstimate, supervise,
    /** An estimate is being issued (the discharge waits for it). */
    issuing: () => issuing,
    /** A document reached the case: an S2 changes the coverage route at once (before the patch, at the next declaration or estimate). */
    documentAdded(kind: string): void {
      if (s2Care && kind === 's2_form' && t.coverage) refreshCoverage();
    },
    /** A continued run watches the additional estimates still open. */
    resume(): void {
      for (const e of t.estimates) if (e.additional && (e.status === 'issued' || e.status === 'accepted')) bg.add(supervise(e).then(() => undefined));
    },
  };
}
