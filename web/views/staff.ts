// The staff console's lists: the worklist of my role (overdue first, filters, pages), "My cases" (every
// case a care coordinator coordinates, whatever it waits on), my team's open tasks and the money to return. Tables with a caption and header cells; "overdue" is said in words, not only in colour.
import { PATIENT_REQUESTS, type PatientRequestKind } from '../../config/stay';
import { isAllowed, type StaffRole } from '../../api/policy';
import { countryName } from '../../lib/countryNames';
import { AWAITING_ROLES, PHASES, REQUEST_TYPES, TERMINAL_PHASES, type AwaitingRole, type Phase, type RequestType } from '../../workflows/definitions';
import { html, type SafeHtml } from '../html';
import { formatDate, formatEuros, type T } from '../i18n';
import { field, notice, type PageContext } from '../layout';

export interface WorklistItem {
  reference: string;
  requestType: RequestType;
  phase: Phase;
  awaitingRole: AwaitingRole | null;
  countryOfResidence: string;
  patientName: string;
  coordinatorId: string | null;
  nextDeadline: string | null;
  overdue: boolean;
  createdAt: string;
}

export interface TaskItem {
  taskId: string;
  kind: PatientRequestKind;
  team: string;
  reference: string;
  patientName: string;
  requestType: RequestType;
  phase: Phase;
  createdAt: string;
}

export interface Paged<I> {
  items: I[];
  total: number;
  limit: number;
  offset: number;
}

export interface WorklistFilters {
  phase?: string;
  requestType?: string;
  country?: string;
  awaitingRole?: string;
}

export type ConsolePage = 'worklist' | 'mine' | 'tasks' | 'money';

/** The console's own navigation (worklist, my cases and money to return for the roles that see them, tasks), on every console page. */
export function consoleNav(t: T, current: ConsolePage | null, role?: StaffRole): SafeHtml {
  const link = (href: string, key: 'console.worklist' | 'console.mine' | 'console.tasks' | 'console.money', here: boolean) => html`<li><a href="${href}"${here ? html` aria-current="page"` : ''}>${t(key)}</a></li>`;
  const may = (action: 'worklist.mine' | 'money_owed.read') => !!role && isAllowed(action, { kind: 'staff', role });
  const mine = may('worklist.mine') ? link('/console/mine', 'console.mine', current === 'mine') : '';
  const money = may('money_owed.read') ? link('/console/money-owed', 'console.money', current === 'money') : '';
  return html`<nav class="console-nav" aria-label="${t('console.nav')}"><ul>${link('/console', 'console.worklist', current === 'worklist')}${mine}${link('/console/tasks', 'console.tasks', current === 'tasks')}${money}</ul></nav>`;
}

/** A due date in words, with "Overdue" written out (not only shown in colour); in the patient's time too when `residence` is given. */
export function deadlineCell(ctx: PageContext, t: T, deadline: string | null, overdue: boolean, residence?: string): SafeHtml {
  if (!deadline) return html`<span class="muted">${t('console.noDeadline')}</span>`;
  const when = html`<time datetime="${deadline}">${formatDate(ctx.lang, deadline, true, residence)}</time>`;
  return overdue ? html`<strong class="overdue">${t('console.overdue')}</strong> · ${when}` : when;
}

/** Links to the other pages of a list, keeping its filters. */
function pagination(t: T, basePath: string, query: Record<string, string>, page: { total: number; limit: number; offset: number }): SafeHtml {
  const pages = Math.max(1, Math.ceil(page.total / page.limit));
  const current = Math.floor(page.offset / page.limit) + 1;
  if (pages <= 1) return html``;
  const href = (n: number) => {
    const q = new URLSearchParams({ ...query, ...(n > 1 ? { page: String(n) } : {}) });
    const s = q.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  return html`<nav class="pagination" aria-label="${t('console.pagination')}"><ul>
  ${current > 1 ? html`<li><a href="${href(current - 1)}" rel="prev">${t('console.previous')}</a></li>` : ''}
  <li aria-current="page">${t('console.page', { page: current, pages })}</li>
  ${current < pages ? html`<li><a href="${href(current + 1)}" rel="next">${t('console.next')}</a></li>` : ''}
</ul></nav>`;
}

/**
 * A list of cases: the worklist of my role (`role`), or every case I coordinate (`mine`, which says
 * what each case waits on, as ops' list does).
 */
export function worklistView(
  ctx: PageContext,
  t: T,
  role: StaffRole,
  data: Paged<WorklistItem> | null,
  filters: WorklistFilters,
  errors: Record<string, string>,
  list: 'role' | 'mine' = 'role',
): SafeHtml {
  const any = [['', t('console.filter.any')] as const];
  const openPhases = PHASES.filter((p) => !TERMINAL_PHASES.includes(p));
  const mine = list === 'mine';
  const here: ConsolePage = mine ? 'mine' : 'worklist';
  const basePath = mine ? '/console/mine' : '/console';
  const showAwaiting = mine || role === 'ops';
  const filterForm = html`<form method="get" action="${basePath}" class="filters" aria-labelledby="filters-h">
  <h2 id="filters-h">${t('console.filters')}</h2>
  <div class="filter-fields">
  ${field({ name: 'phase', label: t('console.filter.phase'), value: filters.phase ?? '', error: errors.phase, options: [...any, ...openPhases.map((p) => [p, t(`phase.${p}`)] as const)] })}
  ${field({ name: 'requestType', label: t('console.filter.requestType'), value: filters.requestType ?? '', error: errors.requestType, options: [...any, ...REQUEST_TYPES.map((r) => [r, t(`requestType.${r}`)] as const)] })}
  ${field({ name: 'country', label: t('console.filter.country'), value: filters.country ?? '', error: errors.country, attrs: html`maxlength="2" size="4" autocapitalize="characters"` })}
  ${role === 'ops' && !mine
    ? field({ name: 'awaitingRole', label: t('console.filter.awaitingRole'), value: filters.awaitingRole ?? '', error: errors.awaitingRole, options: [...any, ...AWAITING_ROLES.filter((r) => r !== 'none').map((r) => [r, t(`awaiting.${r}`)] as const)] })
    : ''}
  </div>
  <p class="actions-row"><button type="submit">${t('console.filter.apply')}</button> <a href="${basePath}">${t('console.filter.clear')}</a></p>
</form>`;

  if (!data) return html`${consoleNav(t, here, role)}${filterForm}`;
  if (!mine && data.total === 0 && role !== 'ops' && !['admission_coordinator', 'care_coordinator', 'finance', 'mdt'].includes(role)) {
    return html`${consoleNav(t, here, role)}<p>${t('console.worklist.noRole')} <a href="/console/tasks">${t('console.tasks')}</a></p>`;
  }
  const caption = mine ? 'console.mine.caption' : role === 'ops' ? 'console.worklist.captionOps' : 'console.worklist.caption';
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters) as [string, string | undefined][]) if (v) query[k] = v;
  const table =
    data.items.length === 0
      ? html`<p>${t(mine && Object.keys(query).length === 0 ? 'console.mine.none' : 'console.worklist.none')}</p>`
      : html`<div class="table-wrap" role="region" aria-labelledby="worklist-caption" tabindex="0"><table class="worklist">
  <caption id="worklist-caption">${t(caption, { total: data.total })}</caption>
  <thead><tr>
    <th scope="col">${t('console.col.reference')}</th>
    <th scope="col">${t('console.col.patient')}</th>
    <th scope="col">${t('console.col.deadline')}</th>
    <th scope="col">${t('console.col.phase')}</th>
    ${showAwaiting ? html`<th scope="col">${t('console.col.awaiting')}</th>` : ''}
    <th scope="col">${t('console.col.requestType')}</th>
    <th scope="col">${t('console.col.country')}</th>
    <th scope="col">${t('console.col.opened')}</th>
  </tr></thead>
  <tbody>${data.items.map(
    (c) => html`<tr${c.overdue ? html` class="row-overdue"` : ''}>
    <th scope="row"><a href="/console/cases/${c.reference}">${c.reference}</a></th>
    <td>${c.patientName}</td>
    <td>${deadlineCell(ctx, t, c.nextDeadline, c.overdue)}</td>
    <td>${t(`phase.${c.phase}`)}</td>
    ${showAwaiting ? html`<td>${c.awaitingRole ? t(`awaiting.${c.awaitingRole}`) : ''}</td>` : ''}
    <td>${t(`requestType.${c.requestType}`)}</td>
    <td>${countryName(c.countryOfResidence, ctx.lang)}</td>
    <td>${formatDate(ctx.lang, c.createdAt)}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
  return html`${consoleNav(t, here, role)}${filterForm}${Object.keys(errors).length ? '' : table}${pagination(t, basePath, query, data)}`;
}

export interface MoneyOwedItem {
  reference: string;
  patientName: string;
  requestType: RequestType;
  phase: Phase;
  owedCents: number;
  reasons: ('refund_due' | 'overpayment' | 'payment_after_end')[];
  caseEnded: boolean;
  since: string;
}

/** Finance's list of money to return: one row per case, the oldest first, with the total. */
export function moneyOwedView(ctx: PageContext, t: T, role: StaffRole, data: Paged<MoneyOwedItem> & { totalOwedCents: number }): SafeHtml {
  const body =
    data.items.length === 0
      ? html`<p>${t('console.money.none')}</p>`
      : html`<div class="table-wrap" role="region" aria-labelledby="money-caption" tabindex="0"><table>
  <caption id="money-caption">${t('console.money.caption', { total: data.total, amount: formatEuros(ctx.lang, data.totalOwedCents) })}</caption>
  <thead><tr><th scope="col">${t('console.col.reference')}</th><th scope="col">${t('console.col.patient')}</th><th scope="col">${t('console.col.owed')}</th><th scope="col">${t('console.col.reasons')}</th><th scope="col">${t('console.col.phase')}</th><th scope="col">${t('console.col.since')}</th></tr></thead>
  <tbody>${data.items.map(
    (m) => html`<tr>
    <th scope="row"><a href="/console/cases/${m.reference}#action-refund">${m.reference}</a></th>
    <td>${m.patientName}</td>
    <td>${formatEuros(ctx.lang, m.owedCents)}</td>
    <td>${m.reasons.map((r) => t(`moneyReason.${r}`)).join(' · ')}</td>
    <td>${t(`phase.${m.phase}`)}${m.caseEnded ? html` <span class="muted">(${t('console.money.ended')})</span>` : ''}</td>
    <td>${formatDate(ctx.lang, m.since, true)}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
  return html`${consoleNav(t, 'money', role)}${body}${pagination(t, '/console/money-owed', {}, data)}`;
}

export function tasksView(ctx: PageContext, t: T, data: Paged<TaskItem>, hasTeam: boolean, role?: StaffRole): SafeHtml {
  if (!hasTeam) return html`${consoleNav(t, 'tasks', role)}<p>${t('console.tasks.noTeam')}</p>`;
  const teamLabel = (team: string) => (team in { support: 1, medical_assistant: 1, care_coordinator: 1, finance: 1 } ? t(`role.${team as 'support'}`) : team);
  const body =
    data.items.length === 0
      ? html`<p>${t('console.tasks.none')}</p>`
      : html`<div class="table-wrap" role="region" aria-labelledby="tasks-caption" tabindex="0"><table>
  <caption id="tasks-caption">${t('console.tasks.caption', { total: data.total })}</caption>
  <thead><tr><th scope="col">${t('console.col.task')}</th><th scope="col">${t('console.col.reference')}</th><th scope="col">${t('console.col.patient')}</th><th scope="col">${t('console.col.team')}</th><th scope="col">${t('console.col.phase')}</th><th scope="col">${t('console.col.requested')}</th></tr></thead>
  <tbody>${data.items.map(
    (task) => html`<tr>
    <th scope="row"><a href="/console/cases/${task.reference}#task-${task.taskId}">${t('console.tasks.task', { id: task.taskId, kind: PATIENT_REQUESTS[task.kind]?.label[ctx.lang] ?? task.kind })}</a></th>
    <td><a href="/console/cases/${task.reference}">${task.reference}</a></td>
    <td>${task.patientName}</td>
    <td>${teamLabel(task.team)}</td>
    <td>${t(`phase.${task.phase}`)}</td>
    <td>${formatDate(ctx.lang, task.createdAt, true)}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
  return html`${consoleNav(t, 'tasks', role)}${body}${pagination(t, '/console/tasks', {}, data)}`;
}

export const notStaffView = (t: T): SafeHtml => notice('error', t('console.notStaff'));
