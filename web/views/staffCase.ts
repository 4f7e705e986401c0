// The staff console's case page: summary, the patient's identity and contact, the stay (arrival, visa,
// companions), the actions this role may take at this phase (each form re-rendered with the server's
// refusal, field by field when the API names the fields), checklist, documents, estimates, tasks,
// timeline and messages. Every code is said in words; every time says its zone (Paris, and the
// patient's own where it differs). For ops, a link to the workflow in the Temporal UI.
import { DOCUMENT_KINDS, documentKindLabel } from '../../config/documentKinds';
import type { CaseRules } from '../../config/rules/types';
import type { TariffItem } from '../../config/tariffs';
import { isAllowed, STAFF_ROLES, type Action, type StaffRole } from '../../api/policy';
import { countryName } from '../../lib/countryNames';
import { requestKindsOpen } from '../../workflows/stayParts';
import { MDT_STRATEGIES, REFUND_METHODS, TERMINAL_PHASES } from '../../workflows/definitions';
import type { ActionName } from '../../workflows/refusals';
import type { ReadCase } from './case';
import { html, type SafeHtml } from '../html';
import { colon, formatDate, formatEuros, isMessageKey, languageName, visaWords, type T } from '../i18n';
import { csrfField, field, notice, type PageContext } from '../layout';
import { consoleNav, deadlineCell } from './staff';

export interface DocumentItem {
  documentId: string;
  kind: string;
  language: string;
  originalName: string;
  createdAt: string;
}

export interface ConsoleMessage {
  id: string;
  authorRole: string;
  authorSide: 'patient' | 'staff';
  body: string;
  createdAt: string;
}

export const CONSOLE_ACTIONS = [
  'review-complete', 'review-incomplete', 'coordinator', 'approve', 'request-changes', 'report', 'estimate', 'letter', 'payment',
  'arrived', 'task', 'start', 'discharge', 'follow-up', 'message', 'upload', 'study', 'refund', 'cancel', 'request',
] as const;
export type ConsoleAction = (typeof CONSOLE_ACTIONS)[number];

/** A refused form: which one (and which task or estimate), the server's message, field errors, what was typed. */
export interface ActionError {
  action: ConsoleAction;
  key?: string;
  message: string;
  fields: Record<string, string>;
  values: Record<string, string | string[]>;
}

export interface ConsoleCaseData {
  /** The case as GET /cases/{reference} answers it (with the patient's country of residence). */
  /** With what this role may do in the case's phase (`allowedActions`, workflows/actions.ts). */
  state: ReadCase;
  documents: DocumentItem[];
  /** Null when the role may not read the messages. */
  messages: ConsoleMessage[] | null;
  /** Active care coordinators, when the role may list staff. */
  coordinators: { id: string; name: string }[] | null;
  role: StaffRole;
  userId: string;
  /** The workflow in the Temporal UI (ops only). */
  temporalUrl: string | null;
  /** A key for the forms that create something (payment, refund, request): the same form sent twice is applied once. */
  paymentKey: string;
  /** The catalogue each form offers: today's tariff for an estimate, the case's invoice tariff for the discharge. */
  tariffs: { estimate: readonly TariffItem[]; discharge: readonly TariffItem[] };
  /** The rules version the case runs under (labels of its requests). */
  rules: CaseRules;
}

const eurosInput = (cents: number): string => (cents / 100).toFixed(2);

export function staffCaseView(ctx: PageContext, t: T, d: ConsoleCaseData, o: { error?: ActionError; done?: string } = {}): SafeHtml {
  const { state: s, role } = d;
  const lang = ctx.lang;
  const ref = s.reference;
  const may = (action: Action) => isAllowed(action, { kind: 'staff', role });
  /** An action of the table this role may take in the case's phase (the API says which). */
  const can = (action: ActionName) => s.allowedActions.includes(action);
  const open = !TERMINAL_PHASES.includes(s.phase);
  const money = (cents: number) => formatEuros(lang, cents);
  const err = o.error;

  /** The error of this form, if it is the one refused. */
  const errorFor = (action: ConsoleAction, key?: string) => (err && err.action === action && (key === undefined || err.key === key) ? err : undefined);
  const value = (e: ActionError | undefined, name: string, fallback = ''): string => {
    const v = e?.values[name];
    return typeof v === 'string' ? v : fallback;
  };
  /** A form posting to /portal/console/cases/{ref}/{path}, with its refusal at the top. */
  const actionForm = (action: ConsoleAction, path: string, body: SafeHtml, key?: string) => {
    const e = errorFor(action, key);
    const id = `action-${action}${key ? `-${key}` : ''}`;
    return html`<form method="post" action="/portal/console/cases/${ref}/${path}" class="stack action-form" id="${id}" novalidate>
  ${csrfField(ctx)}
  ${e ? html`<div class="notice notice-error" role="alert"><p>${t('console.case.refused', { message: e.message })}</p></div>` : ''}
  ${body}
</form>`;
  };
  const fieldId = (action: string, name: string, key?: string) => `f-${action}${key ? `-${key}` : ''}-${name.replace(/[^\w-]/g, '-')}`;

  // ---- summary ----
  const coordinator = !s.coordinatorId
    ? t('console.case.coordinator.none')
    : s.coordinatorId === d.userId
      ? t('console.case.coordinator.you')
      : (d.coordinators?.find((c) => c.id === s.coordinatorId)?.name ?? t('console.case.coordinator.other'));
  const overdue = !!s.nextDeadline && Date.parse(s.nextDeadline) < Date.now() && open;
  const residence = s.countryOfResidence;
  const tr = s.treatment;
  // The coverage route matters from the treatment's planning on (the patient may declare it earlier).
  const coverageRow = tr.coverage || tr.estimates.length > 0 || s.phase === 'treatment_planning'
    ? html`<dt>${t('console.case.coverage')}</dt><dd>${tr.coverage ? t(`coverageRoute.${tr.coverage.route}`) : t('console.case.coverage.none')}</dd>`
    : '';
  const report = s.report;
  const reportRow = report
    ? html`<dt>${t('console.case.report')}</dt><dd>${report.kind === 'mdt'
      ? t('console.case.report.mdt', { date: formatDate(lang, report.at), strategy: t(`strategy.${report.strategy}`) })
      : t('console.case.report.analysis', { date: formatDate(lang, report.at), diagnosis: report.diagnosis, status: t(`diagnosisStatus.${report.diagnosisStatus}`) })}</dd>`
    : '';
  const summary = html`<section aria-labelledby="summary-h" id="summary">
  <h2 id="summary-h">${t('console.case.summary')}</h2>
  <dl class="summary">
    <dt>${t('console.case.requestType')}</dt><dd>${t(`requestType.${s.requestType}`)}</dd>
    <dt>${t('console.case.language')}</dt><dd>${t(`language.${s.language}`)}</dd>
    <dt>${t('console.case.rulesVersion')}</dt><dd>${s.rulesVersion}</dd>
    <dt>${t('console.case.phase')}</dt><dd>${t(`phase.${s.phase}`)}</dd>
    <dt>${t('console.case.awaiting')}</dt><dd>${t(`awaiting.${s.awaitingRole}`)}</dd>
    <dt>${t('console.case.deadline')}</dt><dd>${deadlineCell(ctx, t, s.nextDeadline, overdue, residence)}</dd>
    <dt>${t('console.case.coordinator')}</dt><dd>${coordinator}</dd>
    <dt>${t('console.case.payment')}</dt><dd>${t('console.case.paymentAmounts', { status: t(`paymentStatus.${s.paymentStatus}`), paid: money(s.amountPaidCents), due: money(s.amountDueCents) })}</dd>
    ${coverageRow}
    ${reportRow}
  </dl>
  ${report ? html`<p class="report-summary">${report.summary}</p>` : ''}
  ${d.temporalUrl ? html`<p><a href="${d.temporalUrl}" rel="noopener noreferrer">${t('console.case.temporal')}</a></p>` : ''}
</section>`;

  // ---- the patient: identity and contact, from the questionnaire (which starts with what the case was opened with) ----
  const q = s.questionnaire;
  const given = (value: string | undefined, shown?: (v: string) => string) => (value ? (shown ? shown(value) : value) : html`<span class="muted">${t('console.case.notGiven')}</span>`);
  const patient = html`<section aria-labelledby="patient-h" id="patient">
  <h2 id="patient-h">${t('console.case.patient')}</h2>
  <dl class="summary">
    <dt>${t('console.case.name')}</dt><dd>${given([q.firstName, q.lastName].filter(Boolean).join(' '))}</dd>
    <dt>${t('console.case.dateOfBirth')}</dt><dd>${given(q.dateOfBirth, (v) => formatDate(lang, v))}</dd>
    <dt>${t('console.case.nationality')}</dt><dd>${given(q.nationality, (v) => countryName(v, lang))}</dd>
    <dt>${t('console.case.residence')}</dt><dd>${given(residence, (v) => countryName(v, lang))}</dd>
    <dt>${t('console.case.email')}</dt><dd>${q.email ? html`<a href="mailto:${q.email}">${q.email}</a>` : given(undefined)}</dd>
    <dt>${t('console.case.phone')}</dt><dd>${q.phone ? html`<a href="tel:${q.phone.replace(/[^\d+]/g, '')}">${q.phone}</a>` : given(undefined)}</dd>
  </dl>
</section>`;

  // ---- the stay: arrival, visa, companions (once the treatment here is being prepared) ----
  const site = tr.arrival ? d.rules.stay.sites.find((x) => x.id === tr.arrival?.site) : undefined;
  const stay = tr.estimates.length > 0 || tr.arrival || tr.visa || tr.companions.length > 0
    ? html`<section aria-labelledby="stay-h" id="stay">
  <h2 id="stay-h">${t('console.case.stay')}</h2>
  <dl class="summary">
    <dt>${t('console.case.arrival')}</dt><dd>${tr.arrival
      ? html`${t('console.case.arrival.planned', { date: formatDate(lang, tr.arrival.date), days: tr.arrival.plannedStayDays })}${isMessageKey(`site.${tr.arrival.site}`) ? html` · ${t(`site.${tr.arrival.site}`)}` : ''}${site ? html`, ${site.address}` : ''}`
      : t('console.case.arrival.none')}</dd>
    ${tr.arrivedAt ? html`<dt>${t('console.case.arrivedAt')}</dt><dd><time datetime="${tr.arrivedAt}">${formatDate(lang, tr.arrivedAt, true)}</time></dd>` : ''}
    <dt>${t('console.case.visa')}</dt><dd>${tr.visa
      ? html`${visaWords(t, tr.visa)}${tr.visa.urgent ? html` · <strong>${t('console.case.visa.urgent')}</strong>` : ''}${tr.visa.status !== 'not_required' && tr.visa.consulateCountry ? html` · ${t('console.case.visa.consulate', { country: countryName(tr.visa.consulateCountry, lang) })}` : ''}${tr.visa.certificateDocumentId ? html` · <a href="/console/cases/${ref}/documents/${tr.visa.certificateDocumentId}">${t('console.case.visa.certificate')}</a>` : ''}`
      : t('console.case.visa.none')}</dd>
    <dt>${t('console.case.companions')}</dt><dd>${tr.companions.length === 0
      ? t('console.case.companions.none')
      : html`<ul>${tr.companions.map((c) => html`<li>${t('console.case.companion', {
          name: c.fullName,
          relationship: t(c.relationship === 'family' ? 'console.case.companion.family' : 'console.case.companion.other'),
          nationality: countryName(c.nationality, lang),
          proof: t(c.proofDocumentId ? 'case.companions.proofOk' : 'case.companions.proofMissing'),
        })}${c.certificateDocumentId ? html` · <a href="/console/cases/${ref}/documents/${c.certificateDocumentId}">${t('console.case.companion.certificate', { name: c.fullName })}</a>` : ''}</li>`)}</ul>`}</dd>
  </dl>
</section>`
    : '';

  // ---- actions ----
  const actions: SafeHtml[] = [];

  if (can('reviewCompleteness')) {
    const e = errorFor('review-incomplete');
    const chosen = e ? [e.values.missingItems ?? []].flat() : s.checklist.filter((c) => c.status === 'missing' || c.status === 'needs_translation').map((c) => c.id);
    actions.push(html`<div class="action">
  <h3>${t('action.review.complete')}</h3>
  ${actionForm('review-complete', 'review', html`<input type="hidden" name="decision" value="complete"><p class="hint">${t('action.review.completeHint')}</p><button type="submit">${t('action.review.completeSubmit')}</button>`)}
  <h3>${t('action.review.incomplete')}</h3>
  ${actionForm('review-incomplete', 'review', html`<input type="hidden" name="decision" value="incomplete">
  <fieldset${e?.fields.missingItems ? html` aria-describedby="missing-error"` : ''}><legend>${t('action.review.missingItems')}</legend>
    ${e?.fields.missingItems ? html`<p class="error" id="missing-error">${e.fields.missingItems}</p>` : ''}
    ${s.checklist.map((c) => html`<div class="check"><input type="checkbox" name="missingItems" value="${c.id}" id="missing-${c.id}"${chosen.includes(c.id) ? html` checked` : ''}> <label for="missing-${c.id}">${c.label[lang]} <span class="muted">(${t(`case.item.${c.status}`)})</span></label></div>`)}
  </fieldset>
  ${field({ name: 'message', id: fieldId('review', 'message'), label: t('action.review.message'), multiline: true, required: true, value: value(e, 'message'), error: e?.fields.message })}
  <button type="submit">${t('action.review.incompleteSubmit')}</button>`)}
</div>`);
  }

  if (can('assignCoordinator')) {
    const e = errorFor('coordinator');
    const list = d.coordinators ?? [];
    const selected = value(e, 'coordinatorId', s.coordinatorId ?? (role === 'care_coordinator' ? d.userId : ''));
    actions.push(html`<div class="action"><h3>${t('action.coordinator')}</h3>
  ${list.length === 0
    ? html`<p>${t('action.coordinator.none')}</p>`
    : actionForm('coordinator', 'coordinator', html`${field({ name: 'coordinatorId', id: fieldId('coordinator', 'coordinatorId'), label: t('action.coordinator.select'), options: list.map((c) => [c.id, c.id === d.userId ? `${c.name} (${t('console.case.coordinator.you')})` : c.name] as const), value: selected, error: e?.fields.coordinatorId })}
  <button type="submit">${t('action.coordinator.submit')}</button>`)}</div>`);
  }

  if (can('approveContents')) {
    const e = errorFor('request-changes');
    actions.push(html`<div class="action"><h3>${t('action.contents')}</h3>
  ${actionForm('approve', 'approve', html`<p class="hint">${t('action.contents.approveHint')}</p><button type="submit">${t('action.contents.approve')}</button>`)}
  ${actionForm('request-changes', 'request-changes', html`${field({ name: 'message', id: fieldId('changes', 'message'), label: t('action.contents.message'), multiline: true, required: true, value: value(e, 'message'), error: e?.fields.message })}
  <button type="submit" class="secondary">${t('action.contents.requestChanges')}</button>`)}</div>`);
  }

  if (can('openFile')) {
    actions.push(html`<div class="action"><h3>${t('action.study')}</h3>
  ${s.studyOpenedAt
    ? html`<p>${t('action.study.opened', { date: formatDate(lang, s.studyOpenedAt, true) })}</p>`
    : actionForm('study', 'study/open', html`<p class="hint">${t('action.study.hint')}</p><button type="submit">${t('action.study.submit')}</button>`)}</div>`);
  }

  if (can('submitReport')) {
    const e = errorFor('report');
    const analysis = s.requestType === 'sample_analysis';
    const body = analysis
      ? html`<input type="hidden" name="kind" value="analysis">
  ${field({ name: 'diagnosis', id: fieldId('report', 'diagnosis'), label: t('action.report.diagnosis'), required: true, value: value(e, 'diagnosis'), error: e?.fields.diagnosis })}
  ${field({ name: 'diagnosisStatus', id: fieldId('report', 'diagnosisStatus'), label: t('action.report.diagnosisStatus'), options: (['new', 'confirmed'] as const).map((v) => [v, t(`diagnosisStatus.${v}`)] as const), value: value(e, 'diagnosisStatus'), error: e?.fields.diagnosisStatus })}`
      : html`<input type="hidden" name="kind" value="mdt">
  ${field({ name: 'strategy', id: fieldId('report', 'strategy'), label: t('action.report.strategy'), options: MDT_STRATEGIES.map((v) => [v, t(`strategy.${v}`)] as const), value: value(e, 'strategy'), error: e?.fields.strategy })}`;
    actions.push(html`<div class="action"><h3>${t(analysis ? 'action.report.analysis' : 'action.report.mdt')}</h3>
  ${actionForm('report', 'report', html`${body}
  ${field({ name: 'summary', id: fieldId('report', 'summary'), label: t('action.report.summary'), multiline: true, required: true, value: value(e, 'summary'), error: e?.fields.summary })}
  <button type="submit">${t('action.report.submit')}</button>`)}</div>`);
  }

  const quoted = d.tariffs.estimate.length > 0;
  const lineInputs = (action: 'estimate' | 'discharge', defaults: boolean) => {
    const e = errorFor(action);
    return d.tariffs[action].map((item) =>
      field({
        name: `qty.${item.code}`, id: fieldId(action, item.code), type: 'number',
        label: t('action.estimate.line', { label: item.label[lang], unit: money(item.unitCents) }),
        value: value(e, `qty.${item.code}`, defaults ? String(item.defaultQuantity) : ''),
        error: e?.fields[`qty.${item.code}`], attrs: html`min="0" max="999" step="1" inputmode="numeric"`,
      }),
    );
  };
  if (can('issueEstimate') && quoted) {
    actions.push(html`<div class="action"><h3>${t('action.estimate')}</h3>
  ${actionForm('estimate', 'estimates', html`<fieldset><legend>${t('action.estimate')}</legend><p class="hint">${t('action.estimate.hint')}</p>${lineInputs('estimate', true)}</fieldset>
  <button type="submit">${t('action.estimate.submit')}</button>`)}</div>`);
  }

  const letterEstimates = s.treatment.estimates.filter((x) => x.status === 'issued' || x.status === 'accepted');
  if (can('recordInsurerLetter') && letterEstimates.length > 0) {
    const e = errorFor('letter');
    // On EU planned care, the S2 itself is the home insurer's acceptance once confirmed.
    const letterKinds = s.treatment.coverage?.route === 'eu_planned_care' ? ['insurer_guarantee_letter', 's2_form'] : ['insurer_guarantee_letter'];
    const letters = d.documents.filter((doc) => letterKinds.includes(doc.kind));
    actions.push(html`<div class="action"><h3>${t('action.letter')}</h3>
  <p class="hint">${t('action.letter.hint')}</p>
  ${letters.length === 0
    ? html`<p>${t('action.letter.noDocument')}</p>`
    : actionForm('letter', 'insurer-letters', html`
  ${field({ name: 'number', id: fieldId('letter', 'number'), label: t('action.letter.estimate'), options: letterEstimates.map((x) => [x.number, `${x.number} (${money(x.totalCents)})`] as const), value: value(e, 'number'), error: e?.fields.number })}
  ${field({ name: 'insurer', id: fieldId('letter', 'insurer'), label: t('action.letter.insurer'), required: true, value: value(e, 'insurer'), error: e?.fields.insurer })}
  ${field({ name: 'policyNumber', id: fieldId('letter', 'policyNumber'), label: t('action.letter.policyNumber'), required: true, value: value(e, 'policyNumber'), error: e?.fields.policyNumber })}
  ${field({ name: 'covered', id: fieldId('letter', 'covered'), label: t('action.letter.covered'), required: true, value: value(e, 'covered'), error: e?.fields.covered, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'documentId', id: fieldId('letter', 'documentId'), label: t('action.letter.document'), options: letters.map((doc) => [doc.documentId, `${doc.originalName} · ${formatDate(lang, doc.createdAt, true)}`] as const), value: value(e, 'documentId', letters[letters.length - 1].documentId), error: e?.fields.documentId })}
  <button type="submit">${t('action.letter.submit')}</button>`)}</div>`);
  }

  if (can('recordPayment')) {
    const e = errorFor('payment');
    const purposes: [string, string][] = [['study_fee', t('action.payment.purpose.study_fee')]];
    for (const x of s.treatment.estimates) if (x.status === 'accepted' || x.status === 'issued') purposes.unshift([`Estimate ${x.number}`, t('action.payment.purpose.estimate', { number: x.number })]);
    if (s.treatment.reconciliation) purposes.unshift(['balance', t('action.payment.purpose.balance')]);
    actions.push(html`<div class="action"><h3>${t('action.payment')}</h3>
  ${actionForm('payment', 'payments', html`<input type="hidden" name="paymentKey" value="${value(e, 'paymentKey', d.paymentKey)}">
  ${field({ name: 'amount', id: fieldId('payment', 'amount'), label: t('action.payment.amount'), required: true, value: value(e, 'amount', s.amountDueCents > 0 ? eurosInput(s.amountDueCents) : ''), error: e?.fields.amount, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'purpose', id: fieldId('payment', 'purpose'), label: t('action.payment.purpose'), options: purposes, value: value(e, 'purpose'), error: e?.fields.purpose })}
  ${field({ name: 'receivedOn', id: fieldId('payment', 'receivedOn'), label: t('action.payment.receivedOn'), type: 'date', required: true, value: value(e, 'receivedOn', new Date().toISOString().slice(0, 10)), error: e?.fields.receivedOn })}
  ${field({ name: 'paymentId', id: fieldId('payment', 'paymentId'), label: t('action.payment.paymentId'), hint: t('action.payment.paymentIdHint'), value: value(e, 'paymentId'), error: e?.fields.paymentId })}
  <button type="submit">${t('action.payment.submit')}</button>`)}</div>`);
  }

  // Money owed back: while the case says so, or once it has ended (a payment may arrive after the end).
  const owed = s.moneyBack?.owedCents ?? (s.paymentStatus === 'refund_due' ? s.refundDueCents : 0);
  if (can('recordRefund') && (owed > 0 || !open)) {
    const e = errorFor('refund');
    actions.push(html`<div class="action"><h3>${t('action.refund')}</h3>
  <p class="hint">${owed > 0 ? t('action.refund.hint', { amount: money(owed) }) : t('action.refund.hintEnded')}</p>
  ${actionForm('refund', 'refunds', html`<input type="hidden" name="refundKey" value="${value(e, 'refundKey', d.paymentKey)}">
  ${field({ name: 'amount', id: fieldId('refund', 'amount'), label: t('action.refund.amount'), required: true, value: value(e, 'amount', owed > 0 ? eurosInput(owed) : ''), error: e?.fields.amount, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'method', id: fieldId('refund', 'method'), label: t('action.refund.method'), options: REFUND_METHODS.map((m) => [m, t(`refundMethod.${m}`)] as const), value: value(e, 'method'), error: e?.fields.method })}
  ${field({ name: 'reference', id: fieldId('refund', 'reference'), label: t('action.refund.reference'), required: true, value: value(e, 'reference'), error: e?.fields.reference })}
  <button type="submit">${t('action.refund.submit')}</button>`)}</div>`);
  }

  // The kinds the case's rules take in its phase: the same function the workflow's validator uses.
  const requestKinds = requestKindsOpen(s.phase, d.rules);
  if (can('makeRequest') && requestKinds.length > 0) {
    const e = errorFor('request');
    actions.push(html`<div class="action"><h3>${t('action.request')}</h3>
  ${actionForm('request', 'requests', html`<p class="hint">${t('action.request.hint')}</p><input type="hidden" name="requestKey" value="${value(e, 'requestKey', d.paymentKey)}">
  ${field({ name: 'kind', id: fieldId('request', 'kind'), label: t('action.request.kind'), options: requestKinds.map((k) => [k, d.rules.stay.patientRequests[k].label[lang]] as const), value: value(e, 'kind'), error: e?.fields.kind })}
  ${field({ name: 'details', id: fieldId('request', 'details'), label: t('action.request.details'), multiline: true, required: true, value: value(e, 'details'), error: e?.fields.details })}
  <button type="submit">${t('action.request.submit')}</button>`)}</div>`);
  }

  if (can('recordArrival')) {
    actions.push(html`<div class="action"><h3>${t('action.arrived')}</h3>${actionForm('arrived', 'arrived', html`<button type="submit">${t('action.arrived.submit')}</button>`)}</div>`);
  }

  /** The open tasks this role completes here (a coordinator any task; each team its own). */
  const myOpenTasks = can('completeTask') ? s.treatment.tasks.filter((x) => x.status === 'open' && (role === 'care_coordinator' || x.team === role)) : [];
  for (const task of myOpenTasks) {
    const e = errorFor('task', task.id);
    actions.push(html`<div class="action" id="task-${task.id}"><h3>${t('console.case.task', { id: task.id, kind: d.rules.stay.patientRequests[task.kind]?.label[lang] ?? task.kind, team: t(`role.${task.team}`) })}</h3>
  <p class="pre">${task.details}</p>
  ${actionForm('task', `tasks/${task.id}/complete`, html`${field({ name: 'outcome', id: fieldId('task', 'outcome', task.id), label: t('action.task.outcome', { id: task.id }), multiline: true, required: true, value: value(e, 'outcome'), error: e?.fields.outcome })}
  <button type="submit">${t('action.task.submit', { id: task.id })}</button>`, task.id)}</div>`);
  }

  if (can('startTreatment')) {
    for (const x of s.treatment.estimates.filter((y) => y.additional && !y.treatmentStartedAt && (y.status === 'accepted' || y.status === 'guaranteed'))) {
      actions.push(html`<div class="action"><h3>${t('action.start', { number: x.number })}</h3>
  ${actionForm('start', `estimates/${x.number}/start`, html`<p class="hint">${t('action.start.hint')}</p><button type="submit">${t('action.start', { number: x.number })}</button>`, x.number)}</div>`);
    }
  }

  if (can('recordDischarge')) {
    actions.push(html`<div class="action"><h3>${t('action.discharge')}</h3>
  ${actionForm('discharge', 'discharge', html`<fieldset><legend>${t('action.discharge')}</legend><p class="hint">${t('action.discharge.hint')}</p>${lineInputs('discharge', false)}</fieldset>
  <button type="submit">${t('action.discharge.submit')}</button>`)}</div>`);
  }

  if (can('scheduleFollowUp')) {
    const e = errorFor('follow-up');
    actions.push(html`<div class="action"><h3>${t('action.followUp')}</h3>
  ${actionForm('follow-up', 'follow-ups', html`${field({ name: 'date', id: fieldId('followUp', 'date'), label: t('action.followUp.date'), type: 'date', required: true, value: value(e, 'date'), error: e?.fields.date })}
  ${field({ name: 'time', id: fieldId('followUp', 'time'), label: t('action.followUp.time'), required: true, value: value(e, 'time', '10:00'), error: e?.fields.time, attrs: html`pattern="[0-2][0-9]:[0-5][0-9]" inputmode="numeric"` })}
  ${field({ name: 'description', id: fieldId('followUp', 'description'), label: t('action.followUp.description'), required: true, value: value(e, 'description'), error: e?.fields.description })}
  <button type="submit">${t('action.followUp.submit')}</button>`)}</div>`);
  }

  if (can('cancelCase')) {
    const e = errorFor('cancel');
    actions.push(html`<div class="action"><h3>${t('action.cancel')}</h3>
  ${actionForm('cancel', 'cancel', html`<p class="hint">${t('action.cancel.hint')}</p>
  ${field({ name: 'reason', id: fieldId('cancel', 'reason'), label: t('action.cancel.reason'), multiline: true, required: true, value: value(e, 'reason'), error: e?.fields.reason })}
  <button type="submit" class="secondary">${t('action.cancel.submit')}</button>`)}</div>`);
  }

  const actionsSection = html`<section aria-labelledby="actions-h" id="actions">
  <h2 id="actions-h">${t('console.case.actions')}</h2>
  ${actions.length ? actions : html`<p>${t('console.case.noAction')}</p>`}
</section>`;

  // ---- the file ----
  const checklist = html`<section aria-labelledby="checklist-h">
  <h2 id="checklist-h">${t('console.case.checklist')}</h2>
  <ul class="checklist">${s.checklist.map(
    (c) => html`<li class="item"><span class="badge badge-${c.status}">${t(`case.item.${c.status}`)}</span> ${c.label[lang]}${c.missingFields?.length ? html` <span class="muted">(${c.missingFields.map((f) => { const key = `q.${f}`; return isMessageKey(key) ? t(key) : f; }).join(', ')})</span>` : ''}</li>`,
  )}</ul>
</section>`;

  const uploadError = errorFor('upload');
  const uploadForm = may('document.upload') && open
    ? html`<h3 id="upload-h">${t('console.case.upload')}</h3>
<form method="post" action="/portal/console/cases/${ref}/documents?_csrf=${encodeURIComponent(ctx.csrfToken)}" enctype="multipart/form-data" class="stack upload" id="action-upload" aria-labelledby="upload-h" data-upload>
  ${uploadError ? html`<div class="notice notice-error" role="alert"><p>${t('console.case.refused', { message: uploadError.message })}</p></div>` : html`<div role="status"></div>`}
  ${field({ name: 'kind', id: 'f-upload-kind', label: t('console.case.upload.kind'), options: DOCUMENT_KINDS.map((k) => [k.id, k.label[lang]] as const), value: role === 'finance' ? 'insurer_guarantee_letter' : role === 'mdt' ? 'mdt_report' : 'other' })}
  ${field({ name: 'language', id: 'f-upload-language', label: t('console.case.upload.language'), value: lang, required: true, attrs: html`maxlength="2" size="4"` })}
  ${field({ name: 'files', id: 'f-upload-files', label: t('console.case.upload.files'), type: 'file', required: true, attrs: html`multiple accept=".pdf,.jpg,.jpeg,.png,.dcm,application/pdf,image/jpeg,image/png,application/dicom"` })}
  <progress max="100" value="0" hidden aria-label="${t('case.upload.progress')}"></progress>
  <button type="submit">${t('console.case.upload.submit')}</button>
</form>`
    : '';
  const documents = html`<section aria-labelledby="documents-h" id="documents">
  <h2 id="documents-h">${t('console.case.documents')}</h2>
  ${d.documents.length === 0
    ? html`<p>${t('console.case.documents.none')}</p>`
    : html`<ul class="documents">${d.documents.map(
        (doc) => html`<li><a href="/console/cases/${ref}/documents/${doc.documentId}" download>${t('console.case.download', { name: doc.originalName })}</a> <span class="muted">· ${documentKindLabel(doc.kind, lang) ?? doc.kind} · ${languageName(lang, doc.language)} · ${formatDate(lang, doc.createdAt, true)}</span></li>`,
      )}</ul>`}
  ${uploadForm}
</section>`;

  const invoice = tr.reconciliation;
  const estimates = s.treatment.estimates.length
    ? html`<section aria-labelledby="estimates-h"><h2 id="estimates-h">${t('console.case.estimates')}</h2>
  ${invoice ? html`<p><a href="/console/cases/${ref}/documents/${invoice.invoiceDocumentId}">${t('console.case.invoice', { number: invoice.invoiceNumber, outcome: t(`reconciliation.${invoice.outcome}`) })}</a></p>` : ''}
  <ul class="cards">${s.treatment.estimates.map(
        (x) => html`<li class="card"><h3>${t('console.case.estimate', { number: x.number, total: money(x.totalCents) })}</h3>
  <p>${t('console.case.estimate.status', { status: t(`estimateStatus.${x.status}`), paid: money(x.paidCents) })}</p>
  <p><a href="/console/cases/${ref}/documents/${x.documentId}">${t('console.case.estimate.pdf', { number: x.number })}</a></p></li>`,
      )}</ul></section>`
    : '';

  // Every task with its status; an open task this role completes here shows its details in its action above.
  const tasks = s.treatment.tasks.length
    ? html`<section aria-labelledby="tasks-h"><h2 id="tasks-h">${t('console.case.tasks')}</h2><ul class="cards">${s.treatment.tasks.map((x) => {
        const title = t('console.case.task', { id: x.id, kind: d.rules.stay.patientRequests[x.kind]?.label[lang] ?? x.kind, team: t(`role.${x.team}`) });
        const actionHere = myOpenTasks.includes(x);
        return html`<li class="card"><p><strong>${actionHere ? html`<a href="#task-${x.id}">${title}</a>` : title}</strong> · ${t('console.case.task.status', { status: t(`taskStatus.${x.status}`) })} · <time datetime="${x.createdAt}">${formatDate(lang, x.createdAt, true)}</time></p>
  ${actionHere ? '' : html`<p class="pre">${x.details}</p>`}
  ${x.status === 'done' ? html`<p class="pre">${t('console.case.task.done', { outcome: x.outcome ?? '' })}</p>` : ''}</li>`;
      })}</ul></section>`
    : '';

  const followUps = s.treatment.followUps.length
    ? html`<section aria-labelledby="followups-h"><h2 id="followups-h">${t('console.case.followUps')}</h2><ul>${s.treatment.followUps.map(
        (f) => html`<li><time datetime="${f.at}">${formatDate(lang, f.at, true, residence)}</time>${colon(lang)} ${f.description}</li>`,
      )}</ul></section>`
    : '';

  const timeline = html`<section aria-labelledby="timeline-h">
  <h2 id="timeline-h">${t('console.case.timeline')}</h2>
  ${s.timeline.length === 0
    ? html`<p>${t('console.case.timeline.none')}</p>`
    : html`<ol class="timeline" reversed>${[...s.timeline].reverse().map(
        (e) => html`<li><time datetime="${e.at}">${formatDate(lang, e.at, true, residence)}</time> · ${e.summary}</li>`,
      )}</ol>`}
</section>`;

  const messageError = errorFor('message');
  const messages = d.messages
    ? html`<section aria-labelledby="messages-h" id="messages">
  <h2 id="messages-h">${t('console.case.messages')}</h2>
  ${d.messages.length === 0
    ? html`<p>${t('messages.none')}</p>`
    : html`<ol class="messages">${d.messages.map(
        (m) => html`<li class="message message-${m.authorSide}"><p class="meta"><strong>${m.authorSide === 'patient' ? t('console.case.messages.patient') : t('console.case.messages.staff', { role: (STAFF_ROLES as readonly string[]).includes(m.authorRole) ? t(`role.${m.authorRole as StaffRole}`) : m.authorRole })}</strong> · <time datetime="${m.createdAt}">${formatDate(lang, m.createdAt, true, residence)}</time></p><p class="body">${m.body}</p></li>`,
      )}</ol>`}
  ${may('message.write') && open
    ? actionForm('message', 'messages', html`${field({ name: 'body', id: 'f-message-body', label: t('console.case.messages.reply'), multiline: true, required: true, value: value(messageError, 'body'), error: messageError?.fields.body })}
  <button type="submit">${t('console.case.messages.send')}</button>`)
    : ''}
</section>`
    : '';

  const doneKey = o.done && (CONSOLE_DONE as readonly string[]).includes(o.done) ? (o.done as ConsoleDone) : undefined;
  return html`${consoleNav(t, null, role)}
${doneKey ? notice('success', t(`console.done.${doneKey}`)) : ''}
${err ? html`<div class="notice notice-error" role="alert"><p>${t('console.case.refused', { message: err.message })}</p><p><a href="#action-${err.action}${err.key ? `-${err.key}` : ''}">${t('console.case.refusedLink')}</a></p></div>` : ''}
${summary}
${patient}
${stay}
${actionsSection}
${checklist}
${documents}
${estimates}
${tasks}
${followUps}
${messages}
${timeline}`;
}

export const CONSOLE_DONE = ['review', 'coordinator', 'approve', 'requestChanges', 'report', 'estimate', 'letter', 'payment', 'arrived', 'task', 'start', 'discharge', 'followUp', 'message', 'upload', 'study', 'refund', 'cancel', 'request'] as const;
export type ConsoleDone = (typeof CONSOLE_DONE)[number];
