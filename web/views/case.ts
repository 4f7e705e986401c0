// A patient's cases: the list, a new case, the case page (status, file, money, stay), the
// questionnaire and the secure messages.
import type { RequestTypeId } from '../../config/checklists';
import type { CaseRules } from '../../config/rules/types';
import { documentKindLabel } from '../../config/documentKinds';
import { COMPANION_REQUIRED_DOCUMENT } from '../../config/visa';
import { PATIENT_REQUEST_KINDS } from '../../config/stay';
import type { CaseState, EstimateState, Phase } from '../../workflows/definitions';
import type { ActionName } from '../../workflows/refusals';
import { html, type SafeHtml } from '../html';
import { waitingWords } from '../../lib/waitingWords';
import { countryName } from '../../lib/countryNames';
import { colon, formatDate, formatEuros, isMessageKey, paymentPurposeWords, visaWords, type Lang, type T } from '../i18n';
import { csrfField, errorSummary, field, notice, type PageContext } from '../layout';

export interface CaseSummary {
  reference: string;
  requestType: RequestTypeId;
  phase: Phase;
  awaitingRole: CaseState['awaitingRole'];
  createdAt: string;
}

const REQUEST_TYPES: readonly RequestTypeId[] = ['medical_opinion', 'sample_analysis', 'treatment', 'proton_therapy'];

export function casesView(ctx: PageContext, t: T, items: CaseSummary[]): SafeHtml {
  return html`<p><a class="button" href="/cases/new">${t('cases.new')}</a></p>
${items.length === 0
    ? html`<p>${t('cases.none')}</p>`
    : html`<ul class="cards">${items.map(
        (c) => html`<li class="card"><h2><a href="/cases/${c.reference}">${c.reference}</a></h2>
  <p>${t(`requestType.${c.requestType}`)} · ${t('cases.opened')} ${formatDate(ctx.lang, c.createdAt)}</p>
  <p>${waitingWords(ctx.lang, c.phase, c.awaitingRole)}</p></li>`,
      )}</ul>`}
${exportLink(t)}`;
}

/** The patient's right of access: their whole data in one archive (GET /me/export, through /my-data/export). */
const exportLink = (t: T) => html`<p class="export"><a href="/my-data/export" download>${t('cases.export')}</a> <span class="hint">${t('cases.exportHint')}</span></p>`;

export const NEW_CASE_FIELDS = ['requestType', 'language', 'patient.firstName', 'patient.lastName', 'patient.email', 'patient.nationality', 'patient.countryOfResidence', 'reason'] as const;

export function newCaseView(ctx: PageContext, t: T, values: Record<string, string>, errors: Record<string, string>, idempotencyKey: string): SafeHtml {
  const labels: Record<string, string> = {
    requestType: t('newCase.requestType'), language: t('newCase.language'), 'patient.firstName': t('newCase.firstName'), 'patient.lastName': t('newCase.lastName'),
    'patient.email': t('newCase.email'), 'patient.nationality': t('newCase.nationality'), 'patient.countryOfResidence': t('newCase.residence'), reason: t('newCase.reason'),
  };
  const f = (name: string, extra: Partial<Parameters<typeof field>[0]> = {}) => field({ name, label: labels[name], value: values[name], error: errors[name], ...extra });
  return html`${errorSummary(t, errors, labels)}
<form method="post" action="/portal/cases" class="stack" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="idempotencyKey" value="${idempotencyKey}">
  ${f('requestType', { options: REQUEST_TYPES.map((r) => [r, t(`requestType.${r}`)] as const), required: true })}
  ${f('language', { options: [['fr', 'Français'], ['en', 'English']], value: values.language ?? ctx.lang })}
  <fieldset><legend>${t('newCase.patient')}</legend>
  ${f('patient.firstName', { required: true, autocomplete: 'given-name' })}
  ${f('patient.lastName', { required: true, autocomplete: 'family-name' })}
  ${f('patient.email', { type: 'email', required: true, autocomplete: 'email' })}
  ${f('patient.nationality', { required: true })}
  ${f('patient.countryOfResidence', { required: true })}
  </fieldset>
  ${f('reason', { multiline: true })}
  <button type="submit">${t('newCase.submit')}</button>
</form>`;
}

/** Errors the case page shows next to the form they belong to (after a refused POST). */
export interface CaseErrors {
  upload?: { item: string; message: string; refused: { file: string; reason: string }[] };
  submit?: string;
  estimate?: string;
  arrival?: string;
  arrivalFields?: Record<string, string>;
  request?: string;
  /** The coverage form: a refusal not tied to a field, and field errors. */
  coverage?: string;
  coverageFields?: Record<string, string>;
  companion?: string;
  companionFields?: Record<string, string>;
  /** What the companion form had when it was refused (shown again). */
  companionValues?: Record<string, string>;
}

const DONE_KEYS = {
  upload: 'case.upload.done',
  submitted: 'case.submit.done',
  questionnaire: 'questionnaire.saved',
  request: 'case.request.done',
  message: 'messages.sent',
  coverage: 'case.coverage.done',
  companion: 'case.companion.done',
  withdrawn: 'withdraw.done',
} as const;
export type DoneKey = keyof typeof DONE_KEYS;
export const isDoneKey = (v: unknown): v is DoneKey => typeof v === 'string' && v in DONE_KEYS;

/** The document kinds that prove a companion's place (config/visa.ts). */
export const COMPANION_PROOF_KINDS: readonly string[] = Object.values(COMPANION_REQUIRED_DOCUMENT);

/**
 * The case as the API answers it to its reader: with what they may do in its phase (`allowedActions`,
 * from the table in workflows/actions.ts). The pages keep no phase lists: a form shows when its action
 * is allowed, and the other conditions it needs (an estimate to answer, no arrival yet) hold.
 */
export type ReadCase = CaseState & { allowedActions: readonly ActionName[]; countryOfResidence?: string };

/** Whether the patient may withdraw now (the workflow takes it until the case ends). */
export const canWithdraw = (s: Pick<ReadCase, 'allowedActions'>): boolean => s.allowedActions.includes('withdraw');

/** The coverage route's notices (ids in the state) in the page's language. */
function coverageNoticeTexts(s: CaseState, rules: CaseRules, lang: Lang): string[] {
  const notices: Partial<Record<string, { fr: string; en: string }>> = rules.coverage.notices;
  return (s.treatment.coverage?.notices ?? []).map((id) => notices[id]?.[lang] ?? id);
}

const docLink = (reference: string, documentId: string, label: string) => html`<a href="/cases/${reference}/documents/${documentId}">${label}</a>`;

/** What the patient still pays on an accepted estimate (as the workflow counts it). */
function remainingCents(s: CaseState, e: EstimateState): number {
  if (s.treatment.coverage?.route === 'french_insured') return 0;
  // EU planned care: nothing to prepay until finance records the home insurer's acceptance of the S2.
  if (s.treatment.coverage?.route === 'eu_planned_care' && e.insurerLetters.length === 0) return 0;
  const covered = e.insurerLetters.reduce((sum, l) => sum + l.coveredCents, 0);
  return Math.max(0, e.totalCents - covered - e.paidCents);
}

const payHref = (reference: string, purpose: string, amountCents: number) => `/pay/${reference}?purpose=${encodeURIComponent(purpose)}&amountCents=${amountCents}`;

/**
 * The patient's case page; `rules` is the version the case runs under (its checklist, texts and lists).
 * `s` is the case as GET /cases/{reference} answers it: with the patient's country of residence, times
 * are shown in Paris time and, where it differs, in the patient's own.
 */
export function caseView(ctx: PageContext, t: T, s: ReadCase, rules: CaseRules, o: { errors?: CaseErrors; done?: DoneKey } = {}): SafeHtml {
  const lang: Lang = ctx.lang;
  const errors = o.errors ?? {};
  const money = (cents: number) => formatEuros(lang, cents);
  const ref = s.reference;
  const can = (action: ActionName) => s.allowedActions.includes(action);
  const editable = can('submitFile');
  const items = rules.checklists[s.requestType];

  const status = html`<section class="status" aria-labelledby="status-h">
  <h2 id="status-h">${t('case.status')}</h2>
  <p class="waiting">${waitingWords(lang, s.phase, s.awaitingRole)}</p>
  ${s.nextDeadline ? html`<p>${t('case.nextDeadline', { date: formatDate(lang, s.nextDeadline, true, s.countryOfResidence) })}</p>` : ''}
  ${s.lastRequest && editable ? html`<p>${t('case.lastRequest', { message: s.lastRequest.message })}</p>` : ''}
  <p><a href="/cases/${ref}/messages">${t('case.messages')}</a></p>
  ${exportLink(t)}
</section>`;

  const checklist = html`<section aria-labelledby="file-h">
  <h2 id="file-h">${t('case.file')}</h2>
  <ul class="checklist">${s.checklist.map((entry) => {
    const item = items.find((i) => i.id === entry.id);
    const label = entry.label[lang];
    const uploadError = errors.upload?.item === entry.id ? errors.upload : undefined;
    return html`<li class="item item-${entry.status}" id="item-${entry.id}">
    <h3>${label}</h3>
    <p class="item-status"><span class="badge badge-${entry.status}">${t(`case.item.${entry.status}`)}</span>
    ${entry.missingFields?.length ? html` ${t('case.item.missingFields', { fields: entry.missingFields.map((f) => t(`q.${f}` as Parameters<T>[0])).join(', ') })}` : ''}</p>
    ${can('answerQuestionnaire') && entry.source === 'questionnaire' ? html`<p><a href="/cases/${ref}/questionnaire">${t('case.item.answer')}</a></p>` : ''}
    ${editable && item?.source === 'document'
      ? html`<form method="post" action="/portal/cases/${ref}/documents?_csrf=${encodeURIComponent(ctx.csrfToken)}&amp;item=${entry.id}" enctype="multipart/form-data" class="upload stack" data-upload>
      <input type="hidden" name="kind" value="${item.documentKind}">
      ${uploadError ? html`<div class="notice notice-error" role="alert" id="upload-error-${entry.id}"><p>${t('case.upload.refused', { message: uploadError.message })}</p>${uploadError.refused.length ? html`<ul>${uploadError.refused.map((r) => html`<li>${r.file}: ${r.reason}</li>`)}</ul>` : ''}</div>` : html`<div class="upload-result" role="status" aria-live="polite"></div>`}
      ${field({ name: 'language', label: t('case.upload.language'), value: lang, required: true, id: `lang-${entry.id}`, attrs: html`maxlength="2" size="3"` })}
      ${field({ name: 'files', label: `${t('case.upload.files')}: ${label}`, type: 'file', required: true, id: `files-${entry.id}`, attrs: html`multiple accept=".pdf,.jpg,.jpeg,.png,.dcm,application/pdf,image/jpeg,image/png,application/dicom"` })}
      <progress max="100" value="0" hidden aria-label="${t('case.upload.progress')}"></progress>
      <button type="submit">${t('case.upload.submit')}</button>
    </form>
    ${item.mayBeDeclaredNone && can('changeChecklist')
      ? html`<form method="post" action="/portal/cases/${ref}/checklist/${entry.id}/none" class="inline">${csrfField(ctx)}<input type="hidden" name="none" value="${entry.status === 'declared_none' ? 'false' : 'true'}"><button type="submit" class="secondary">${entry.status === 'declared_none' ? t('case.none.undo') : t('case.none')}</button></form>`
      : ''}`
      : ''}
  </li>`;
  })}</ul>
  ${editable
    ? html`<form method="post" action="/portal/cases/${ref}/submit" class="stack">${csrfField(ctx)}
    ${errors.submit ? notice('error', errors.submit) : ''}
    <p class="hint" id="submit-hint">${t('case.submit.hint')}</p>
    <button type="submit" aria-describedby="submit-hint">${t('case.submit')}</button></form>`
    : ''}
</section>`;

  const notices = coverageNoticeTexts(s, rules, lang);
  // A sample analysis ends with its report: never a treatment here to be covered.
  const showCoverage = can('declareInsurance') && s.requestType !== 'sample_analysis';
  const declared = s.treatment.coverageDeclaration;
  const coverageFields = errors.coverageFields ?? {};
  const declaredWhat = [
    declared.frenchSocialSecurityNumber ? t('case.coverage.declared.nir') : '',
    declared.declaredTreatingPhysician ? t('case.coverage.declared.physician', { name: declared.declaredTreatingPhysician }) : '',
    declared.hasEhic ? t('case.coverage.declared.ehic') : '',
  ].filter(Boolean);
  const coverage = showCoverage
    ? html`<section aria-labelledby="cov-h" id="coverage"><h2 id="cov-h">${t('case.coverage')}</h2>
    ${notices.length ? html`<div class="notice notice-info"><h3>${t('case.coverage.route')}</h3>${notices.map((n) => html`<p>${n}</p>`)}</div>` : ''}
    ${declaredWhat.length ? html`<p>${t('case.coverage.declared', { what: declaredWhat.join(', ') })}</p>` : ''}
    <form method="post" action="/portal/cases/${ref}/coverage" class="stack" novalidate>${csrfField(ctx)}
      <p class="hint">${t('case.coverage.hint')}</p>
      ${errors.coverage ? notice('error', errors.coverage) : ''}
      <fieldset><legend>${t('case.coverage.french')}</legend>
      ${field({ name: 'frenchSocialSecurityNumber', label: t('case.coverage.nir'), hint: t('case.coverage.nirHint'), error: coverageFields.frenchSocialSecurityNumber, attrs: html`maxlength="21" inputmode="text" spellcheck="false"` })}
      ${field({ name: 'declaredTreatingPhysician', label: t('case.coverage.physician'), value: declared.declaredTreatingPhysician, error: coverageFields.declaredTreatingPhysician })}
      </fieldset>
      <input type="hidden" name="hadEhic" value="${declared.hasEhic ? 'true' : 'false'}">
      <div class="field checkbox${coverageFields.hasEhic ? ' field-error' : ''}">
        <input type="checkbox" id="f-hasEhic" name="hasEhic" value="true"${declared.hasEhic ? html` checked` : ''} aria-describedby="f-hasEhic-hint">
        <label for="f-hasEhic">${t('case.coverage.ehic')}</label>
        <p class="hint" id="f-hasEhic-hint">${t('case.coverage.ehicHint')}</p>
      </div>
      <button type="submit">${t('case.coverage.submit')}</button>
    </form></section>`
    : html``;

  const feeOutstanding = s.phase === 'fee_payment' ? Math.max(0, s.amountDueCents - s.amountPaidCents) : 0;
  const payments = feeOutstanding > 0 || s.payments.length > 0
    ? html`<section aria-labelledby="pay-h"><h2 id="pay-h">${t('case.payments')}</h2>
    ${feeOutstanding > 0 ? html`<p>${t('case.feeDue', { amount: money(feeOutstanding) })}</p><p><a class="button" href="${payHref(ref, 'study_fee', feeOutstanding)}">${t('case.pay', { amount: money(feeOutstanding) })}</a></p>` : ''}
    ${s.payments.length ? html`<ul>${s.payments.map((p) => html`<li>${t('case.paid', { amount: money(p.amountCents) })} · ${formatDate(lang, p.paidAt)} · ${paymentPurposeWords(t, p.purpose)}</li>`)}</ul>` : ''}
  </section>`
    : html``;

  const estimates = s.treatment.estimates.length
    ? html`<section aria-labelledby="est-h"><h2 id="est-h">${t('case.estimates')}</h2>
    ${errors.estimate ? notice('error', errors.estimate) : ''}
    ${s.treatment.coverage?.notices.includes('extra_costs') ? '' : html`<p>${t('case.estimate.extra')}</p>`}
    ${!showCoverage && notices.length ? html`<ul>${notices.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
    <ul class="cards">${s.treatment.estimates.map((e) => {
      const remaining = e.status === 'accepted' ? remainingCents(s, e) : 0;
      return html`<li class="card" id="estimate-${e.number}">
      <h3>${t('case.estimate', { number: e.number, total: money(e.totalCents), validUntil: formatDate(lang, e.validUntil) })}</h3>
      <p><span class="badge">${t(`case.estimate.status.${e.status}`)}</span></p>
      <p>${docLink(ref, e.documentId, t('case.estimate.view'))}</p>
      ${remaining > 0 ? html`<p>${t('case.estimate.remaining', { amount: money(remaining) })}</p><p><a class="button" href="${payHref(ref, e.number, remaining)}">${t('case.pay', { amount: money(remaining) })}</a></p>` : ''}
      ${e.status === 'issued'
        ? html`<form method="post" action="/portal/cases/${ref}/estimates/${e.number}/accept" class="inline">${csrfField(ctx)}<button type="submit">${t('case.estimate.accept', { number: e.number })}</button></form>
      <form method="post" action="/portal/cases/${ref}/estimates/${e.number}/decline" class="stack">${csrfField(ctx)}
        ${field({ name: 'reason', label: t('case.estimate.declineReason'), id: `reason-${e.number}` })}
        <button type="submit" class="secondary">${t('case.estimate.decline', { number: e.number })}</button></form>`
        : ''}
    </li>`;
    })}</ul></section>`
    : html``;

  const tr = s.treatment;
  /** The site in words (its name in the rules is one language only). */
  const siteWords = (x: { id: string; name: string }) => {
    const key = `site.${x.id}`;
    return isMessageKey(key) ? t(key) : x.name;
  };
  const site = tr.arrival ? rules.stay.sites.find((x) => x.id === tr.arrival?.site) : undefined;
  const arrivalFields = errors.arrivalFields ?? {};
  const showArrivalForm = can('setArrival') && !tr.arrivedAt && tr.estimates.length > 0;
  // A date sent before the form is offered (before the guarantee) is refused: the refusal still shows.
  const stay = showArrivalForm || tr.arrival || tr.visa || errors.arrival
    ? html`<section aria-labelledby="stay-h"><h2 id="stay-h">${t('case.stay')}</h2>
    ${tr.arrival ? html`<p>${t('case.arrival.set', { date: formatDate(lang, tr.arrival.date), days: tr.arrival.plannedStayDays })}</p>` : ''}
    ${errors.arrival && !showArrivalForm ? notice('error', errors.arrival) : ''}
    ${showArrivalForm
      ? html`<form method="post" action="/portal/cases/${ref}/arrival" class="stack" id="arrival-form">${csrfField(ctx)}
      <h3>${t('case.arrival')}</h3>
      ${errors.arrival ? notice('error', errors.arrival) : ''}
      ${field({ name: 'date', label: t('case.arrival.date'), type: 'date', required: true, value: tr.arrival?.date, error: arrivalFields.date })}
      ${field({ name: 'plannedStayDays', label: t('case.arrival.days'), type: 'number', required: true, value: tr.arrival ? String(tr.arrival.plannedStayDays) : '', error: arrivalFields.plannedStayDays, attrs: html`min="1" max="365" inputmode="numeric"` })}
      <button type="submit">${t('case.arrival.submit')}</button></form>`
      : ''}
    ${site
      ? html`<h3>${t('case.practical')}</h3>
      <p>${t('case.practical.site', { site: siteWords(site), address: site.address })} · <a href="${site.accessMapUrl}" rel="noopener noreferrer">${t('case.practical.map')}</a></p>
      <p>${rules.stay.practicalPackTexts.samplesNotice[lang]}</p>
      <p>${t('case.practical.support', { name: rules.stay.supportContact.name, phone: rules.stay.supportContact.phone, email: rules.stay.supportContact.email })}</p>
      <p>${rules.stay.practicalPackTexts.accommodationAdvice[lang]}</p>`
      : ''}
    ${tr.visa
      ? html`<h3>${t('case.visa')}</h3><p>${visaWords(t, tr.visa)}</p>
      ${tr.visa.status !== 'not_required' && tr.visa.consulateCountry ? html`<p>${t('case.visa.consulate', { country: countryName(tr.visa.consulateCountry, lang) })}</p>` : ''}
      ${tr.visa.urgent ? html`<p><strong>${rules.visa.texts.urgent[lang]}</strong></p>` : ''}
      <ul>${tr.visa.certificateDocumentId ? html`<li>${docLink(ref, tr.visa.certificateDocumentId, t('case.visa.certificate'))}</li>` : ''}
      ${tr.companions.filter((c) => c.certificateDocumentId).map((c) => html`<li>${docLink(ref, c.certificateDocumentId ?? '', t('case.visa.companion', { name: c.fullName }))}</li>`)}</ul>`
      : ''}
  </section>`
    : html``;

  const proofs = s.documents.filter((d) => COMPANION_PROOF_KINDS.includes(d.kind));
  const cv = errors.companionValues ?? {};
  const cf = errors.companionFields ?? {};
  const companionUploadError = errors.upload?.item === 'companions' ? errors.upload : undefined;
  const companions = can('addCompanion')
    ? html`<section aria-labelledby="comp-h" id="item-companions"><h2 id="comp-h">${t('case.companions')}</h2>
    <p class="hint">${t('case.companions.hint')}</p>
    ${tr.companions.length
      ? html`<ul>${tr.companions.map((c) => html`<li>${c.fullName} · ${c.relationship === 'family' ? t('case.companion.family') : t('case.companion.other')} · ${countryName(c.nationality, lang)} · <span class="badge ${c.proofDocumentId ? 'badge-provided' : 'badge-missing'}">${c.proofDocumentId ? t('case.companions.proofOk') : t('case.companions.proofMissing')}</span></li>`)}</ul>`
      : html`<p>${t('case.companions.none')}</p>`}
    <form method="post" action="/portal/cases/${ref}/documents?_csrf=${encodeURIComponent(ctx.csrfToken)}&amp;item=companions" enctype="multipart/form-data" class="upload stack" data-upload>
      <h3>${t('case.companion.upload')}</h3>
      ${companionUploadError ? html`<div class="notice notice-error" role="alert" id="upload-error-companions"><p>${t('case.upload.refused', { message: companionUploadError.message })}</p>${companionUploadError.refused.length ? html`<ul>${companionUploadError.refused.map((x) => html`<li>${x.file}: ${x.reason}</li>`)}</ul>` : ''}</div>` : html`<div class="upload-result" role="status" aria-live="polite"></div>`}
      ${field({ name: 'kind', id: 'kind-companions', label: t('case.companion.uploadKind'), options: COMPANION_PROOF_KINDS.map((k) => [k, documentKindLabel(k, lang) ?? k] as const) })}
      ${field({ name: 'language', label: t('case.upload.language'), value: lang, required: true, id: 'lang-companions', attrs: html`maxlength="2" size="3"` })}
      ${field({ name: 'files', label: t('case.upload.files'), type: 'file', required: true, id: 'files-companions', attrs: html`accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"` })}
      <progress max="100" value="0" hidden aria-label="${t('case.upload.progress')}"></progress>
      <button type="submit">${t('case.upload.submit')}</button>
    </form>
    <form method="post" action="/portal/cases/${ref}/companions" class="stack" id="companion-form" novalidate>${csrfField(ctx)}
      <h3>${t('case.companion.add')}</h3>
      ${errors.companion ? notice('error', errors.companion) : ''}
      ${field({ name: 'fullName', id: 'f-companion-fullName', label: t('case.companion.fullName'), required: true, value: cv.fullName, error: cf.fullName, autocomplete: 'off' })}
      ${field({ name: 'relationship', id: 'f-companion-relationship', label: t('case.companion.relationship'), value: cv.relationship ?? 'family', error: cf.relationship, options: [['family', t('case.companion.family')], ['other', t('case.companion.other')]] })}
      ${field({ name: 'nationality', id: 'f-companion-nationality', label: t('case.companion.nationality'), required: true, value: cv.nationality, error: cf.nationality, attrs: html`maxlength="2" size="3"` })}
      ${field({ name: 'proofDocumentId', id: 'f-companion-proof', label: t('case.companion.proof'), value: cv.proofDocumentId ?? proofs.at(-1)?.documentId ?? '', error: cf.proofDocumentId,
        options: [['', t('case.companion.proofNone')], ...proofs.map((d, i) => [d.documentId, `${documentKindLabel(d.kind, lang) ?? d.kind} (${i + 1})`] as const)] })}
      <button type="submit">${t('case.companion.submit')}</button>
    </form></section>`
    : html``;

  const report = s.report
    ? html`<section aria-labelledby="report-h" id="report"><h2 id="report-h">${t('case.report')}</h2>
    ${s.report.kind === 'mdt'
      ? html`<h3>${t('case.report.mdt', { date: formatDate(lang, s.report.at) })}</h3><p class="waiting">${t(`case.report.strategy.${s.report.strategy}`)}</p>`
      : html`<h3>${t('case.report.analysis', { date: formatDate(lang, s.report.at) })}</h3><p class="waiting">${t('case.report.diagnosis', { diagnosis: s.report.diagnosis })} (${t(`case.report.diagnosis.${s.report.diagnosisStatus}`)})</p>`}
    <p class="report-summary">${s.report.summary}</p>
  </section>`
    : html``;

  const followUps = tr.followUps.length
    ? html`<section aria-labelledby="fu-h"><h2 id="fu-h">${t('case.followUps')}</h2><ul>${tr.followUps.map(
        (f) => html`<li><time datetime="${f.at}">${formatDate(lang, f.at, true, s.countryOfResidence)}</time>${colon(lang)} ${f.description}</li>`,
      )}</ul></section>`
    : html``;

  const withdraw = can('withdraw') ? html`<p class="withdraw"><a href="/cases/${ref}/withdraw">${t('case.withdraw.link')}</a></p>` : html``;

  const r = tr.reconciliation;
  const invoice = r
    ? html`<section aria-labelledby="inv-h"><h2 id="inv-h">${t('case.invoice')}</h2>
    <p>${docLink(ref, r.invoiceDocumentId, t('case.invoice.view', { number: r.invoiceNumber }))}</p>
    ${r.outcome === 'settled' ? html`<p>${t('case.invoice.settled')}</p>` : ''}
    ${r.outcome === 'refund_due' ? html`<p>${t('case.invoice.refund', { amount: money(r.refundDueCents) })}</p>` : ''}
    ${r.outcome === 'balance_due' ? html`<p>${t('case.invoice.balance', { amount: money(r.balanceDueCents) })}</p><p><a class="button" href="${payHref(ref, `balance ${r.invoiceNumber}`, r.balanceDueCents)}">${t('case.pay', { amount: money(r.balanceDueCents) })}</a></p>` : ''}
    <p><a href="#f-kind">${t('case.invoice.question')}</a></p>
  </section>`
    : html``;

  const requests = can('makeRequest')
    ? html`<section aria-labelledby="req-h"><h2 id="req-h">${t('case.requests')}</h2>
    ${tr.tasks.length ? html`<h3>${t('case.request.list')}</h3><ul>${tr.tasks.map((k) => html`<li>${rules.stay.patientRequests[k.kind].label[lang]}: ${k.details} · ${k.status === 'done' ? t('case.request.doneStatus', { outcome: k.outcome ?? '' }) : t('case.request.open')}</li>`)}</ul>` : ''}
    <form method="post" action="/portal/cases/${ref}/requests" class="stack" id="request-form">${csrfField(ctx)}
      ${errors.request ? notice('error', errors.request) : ''}
      ${field({ name: 'kind', label: t('case.request.kind'), value: r ? 'billing_question' : 'interpreter', options: PATIENT_REQUEST_KINDS.map((k) => [k, rules.stay.patientRequests[k].label[lang]] as const) })}
      ${field({ name: 'details', label: t('case.request.details'), multiline: true, required: true })}
      <button type="submit">${t('case.request.submit')}</button>
    </form></section>`
    : html``;

  const documents = s.documents.length
    ? html`<section aria-labelledby="docs-h"><h2 id="docs-h">${t('case.documents')}</h2><ul>${s.documents.map(
        (d) => html`<li>${docLink(ref, d.documentId, documentKindLabel(d.kind, lang) ?? d.kind)}</li>`,
      )}</ul></section>`
    : html``;

  return html`${o.done ? notice('success', t(DONE_KEYS[o.done])) : ''}
<p>${t(`requestType.${s.requestType}`)}</p>
${status}${report}${estimates}${coverage}${payments}${stay}${companions}${invoice}${followUps}${requests}${checklist}${documents}${withdraw}`;
}

export const QUESTIONNAIRE_FIELDS = [
  'firstName', 'lastName', 'sex', 'dateOfBirth', 'placeOfBirth', 'nationality', 'phone', 'email', 'postalAddress',
  'referrerName', 'referrerInstitution', 'referrerPhone', 'referrerEmail', 'reason', 'pathologyName', 'pathologyLocation',
] as const;
export type QuestionnaireField = (typeof QUESTIONNAIRE_FIELDS)[number];

export function questionnaireView(ctx: PageContext, t: T, reference: string, values: Record<string, string>, errors: Record<string, string>): SafeHtml {
  const labels = Object.fromEntries(QUESTIONNAIRE_FIELDS.map((f) => [f, t(`q.${f}`)]));
  const types: Partial<Record<QuestionnaireField, 'email' | 'date' | 'tel'>> = { dateOfBirth: 'date', email: 'email', referrerEmail: 'email', phone: 'tel', referrerPhone: 'tel' };
  const autocomplete: Partial<Record<QuestionnaireField, string>> = { firstName: 'given-name', lastName: 'family-name', dateOfBirth: 'bday', phone: 'tel', email: 'email', postalAddress: 'street-address' };
  return html`<p><a href="/cases/${reference}">${t('case.back', { reference })}</a></p>
<p>${t('questionnaire.hint')}</p>
${errorSummary(t, errors, labels)}
<form method="post" action="/portal/cases/${reference}/questionnaire" class="stack" novalidate>
  ${csrfField(ctx)}
  ${QUESTIONNAIRE_FIELDS.map((f) =>
    f === 'sex'
      ? field({ name: f, label: labels[f], value: values[f], error: errors[f], options: [['', '—'], ['female', t('q.sex.female')], ['male', t('q.sex.male')], ['other', t('q.sex.other')]] })
      : field({ name: f, label: labels[f], value: values[f], error: errors[f], type: types[f], autocomplete: autocomplete[f], multiline: f === 'reason' || f === 'postalAddress' }),
  )}
  <button type="submit">${t('questionnaire.submit')}</button>
</form>`;
}

export interface MessageItem {
  id: string;
  authorSide: 'patient' | 'staff';
  body: string;
  createdAt: string;
}

export function messagesView(ctx: PageContext, t: T, reference: string, items: MessageItem[], o: { error?: string; sent?: boolean; draft?: string; residence?: string }): SafeHtml {
  return html`<p><a href="/cases/${reference}">${t('case.back', { reference })}</a></p>
${o.sent ? notice('success', t('messages.sent')) : ''}
${items.length === 0
    ? html`<p>${t('messages.none')}</p>`
    : html`<ol class="messages">${items.map(
        (m) => html`<li class="message message-${m.authorSide}"><p class="meta"><strong>${m.authorSide === 'patient' ? t('messages.you') : t('messages.team')}</strong> · <time datetime="${m.createdAt}">${formatDate(ctx.lang, m.createdAt, true, o.residence)}</time></p><p class="body">${m.body}</p></li>`,
      )}</ol>`}
<form method="post" action="/portal/cases/${reference}/messages" class="stack" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'body', label: t('messages.body'), multiline: true, required: true, value: o.draft, error: o.error })}
  <button type="submit">${t('messages.send')}</button>
</form>`;
}

/** The confirmation step before a withdrawal: what it means, a reason, and a way back. */
export function withdrawView(ctx: PageContext, t: T, reference: string, o: { reason?: string; error?: string } = {}): SafeHtml {
  return html`<p><a href="/cases/${reference}">${t('case.back', { reference })}</a></p>
${errorSummary(t, o.error ? { reason: o.error } : {}, { reason: t('withdraw.reason') })}
<div class="notice notice-warning"><p>${t('withdraw.warning')}</p></div>
<form method="post" action="/portal/cases/${reference}/withdraw" class="stack" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'reason', label: t('withdraw.reason'), multiline: true, required: true, value: o.reason, error: o.error })}
  <button type="submit" class="danger">${t('withdraw.confirm')}</button>
  <a class="button secondary" href="/cases/${reference}">${t('withdraw.keep')}</a>
</form>`;
}
