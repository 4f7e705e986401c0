// The staff console: the worklist of my role, my cases (care coordinators), my team's tasks, and the
// case page with the actions my role may take at the case's phase. Every action is one call to the
// JSON API with the staff member's token, so the API's policy, validation and the workflow's rules
// apply unchanged; a refusal is shown on the page with the server's own message (field by field when
// the API names the fields).
import crypto from 'node:crypto';
import { isAllowed, type Action, type StaffRole } from '../../api/policy';
import { referencePattern } from '../../api/schemas/cases';
import type { RulesRegistry } from '../../lib/rules';
import type { ReadCase } from '../views/case';
import { quotedTariff } from '../../workflows/pricing';
import type { ApiCall, ApiResponse } from '../apiClient';
import { type Ctx, fieldErrorsOf, Handled, handled, throwUnlessOk, PageError, type Portal } from '../portal';
import { moneyOwedView, notStaffView, tasksView, worklistView, type MoneyOwedItem, type Paged, type TaskItem, type WorklistItem } from '../views/staff';
import { staffCaseView, type ActionError, type ConsoleAction, type ConsoleCaseData, type ConsoleDone, type ConsoleMessage, type DocumentItem } from '../views/staffCase';

export interface StaffRouteOptions {
  /** Base of the Temporal UI (config.temporal.uiUrl) and the namespace: ops get a link to each case's workflow. */
  temporalUiUrl: string;
  namespace: string;
  /** The published rules versions: the estimate form offers the tariff in force today. */
  rules: RulesRegistry;
}

const PAGE_SIZE = 25;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const body = (ctx: Ctx): Record<string, unknown> => (ctx.req.body as Record<string, unknown> | undefined) ?? {};
/** A form field that may be sent several times (checkboxes), as a list. */
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The response was already sent (a redirect, or the page for someone who is not staff). */

/** The signed-in staff member's role; others are sent to sign in, or told the console is for staff. */
function requireStaff(ctx: Ctx): StaffRole {
  const s = ctx.session;
  if (!s) {
    ctx.res.redirect(303, `/login?next=${encodeURIComponent(ctx.req.method === 'GET' ? ctx.req.originalUrl : '/console')}`);
    throw new Handled();
  }
  if (s.kind !== 'staff' || !s.role) {
    ctx.render(ctx.t('error.title'), notStaffView(ctx.t), 403);
    throw new Handled();
  }
  return s.role as StaffRole;
}

function referenceOf(ctx: Ctx): string {
  const reference = String(ctx.req.params.reference);
  if (!referencePattern.test(reference)) throw new PageError(404, 'error.notFound');
  return reference;
}

/** A form's own key (sent as a hidden field), else a new one: the same form sent twice is applied once. */
const formKey = (sent: string): string => (/^[\w-]{8,64}$/.test(sent) ? sent : crypto.randomUUID());

/** "1500", "1500.5", "1 500,00", "1,500.00" → cents; null when it is not an amount. */
export function parseEuros(text: string): number | null {
  let s = text.replace(/[\s\u00a0\u202f€]/g, '');
  if (s.includes(',') && s.includes('.')) s = s.replace(/,/g, '');
  else s = s.replace(',', '.');
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

/** A date and an HH:MM time in Paris, as an ISO 8601 date-time with its offset (what the API takes). */
export function parisDateTime(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return null;
  const utc = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(utc)) return null;
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' }).formatToParts(new Date(utc)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return `${date}T${time}:00${m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00'}`;
}

export function registerStaffRoutes(portal: Portal, opts: StaffRouteOptions): void {
  const may = (role: StaffRole, action: Action) => isAllowed(action, { kind: 'staff', role });

  // ---- the worklists -----------------------------------------------------------------------------------
  /** A list of cases with its filters: my role's worklist (`/worklist`), or every case I coordinate (`/worklist/mine`). */
  const caseList = (list: 'role' | 'mine') => handled(async (ctx) => {
    const role = requireStaff(ctx);
    if (list === 'mine' && !may(role, 'worklist.mine')) throw new PageError(403, 'console.notStaff');
    const q = ctx.req.query;
    const filters = {
      phase: str(q.phase),
      requestType: str(q.requestType),
      country: str(q.country).trim().toUpperCase(),
      awaitingRole: role === 'ops' && list === 'role' ? str(q.awaitingRole) : '',
    };
    const title = list === 'mine' ? ctx.t('console.mine.title') : ctx.t('console.worklist.title', { role: ctx.t(`role.${role}`) });
    const view = (data: Paged<WorklistItem> | null, errors: Record<string, string>) => worklistView(ctx.pageContext(), ctx.t, role, data, filters, errors, list);
    // Checked here first: the API's country check must never see anything but two letters.
    if (filters.country && !/^[A-Z]{2}$/.test(filters.country)) {
      return ctx.render(title, view(null, { country: ctx.t('console.filter.countryInvalid') }), 400);
    }
    const pageNumber = Math.min(100_000, Math.max(1, Number.parseInt(str(q.page), 10) || 1));
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((pageNumber - 1) * PAGE_SIZE) });
    for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
    const r = await ctx.api<Paged<WorklistItem>>({ method: 'GET', path: `${list === 'mine' ? '/worklist/mine' : '/worklist'}?${params.toString()}` });
    if (r.status === 400) {
      const errors = fieldErrorsOf(r);
      if (Object.keys(errors).length === 0) errors.phase = r.error?.message ?? ctx.t('error.generic', { requestId: '' });
      return ctx.render(title, view(null, errors), 400);
    }
    throwUnlessOk(r);
    ctx.render(title, view(r.body, {}));
  });
  portal.page('/console', caseList('role'));
  portal.page('/console/mine', caseList('mine'));

  portal.page('/console/tasks', handled(async (ctx) => {
    const role = requireStaff(ctx);
    const pageNumber = Math.min(100_000, Math.max(1, Number.parseInt(str(ctx.req.query.page), 10) || 1));
    const data = await ctx.apiOk<Paged<TaskItem>>({ method: 'GET', path: `/worklist/tasks?limit=${PAGE_SIZE}&offset=${(pageNumber - 1) * PAGE_SIZE}` });
    const hasTeam = role !== 'admission_coordinator' && role !== 'mdt';
    ctx.render(ctx.t('console.tasks.title'), tasksView(ctx.pageContext(), ctx.t, data, hasTeam, role));
  }));

  portal.page('/console/money-owed', handled(async (ctx) => {
    const role = requireStaff(ctx);
    if (!may(role, 'money_owed.read')) throw new PageError(403, 'console.notStaff');
    const pageNumber = Math.min(100_000, Math.max(1, Number.parseInt(str(ctx.req.query.page), 10) || 1));
    const data = await ctx.apiOk<Paged<MoneyOwedItem> & { totalOwedCents: number }>({ method: 'GET', path: `/worklist/money-owed?limit=${PAGE_SIZE}&offset=${(pageNumber - 1) * PAGE_SIZE}` });
    ctx.render(ctx.t('console.money.title'), moneyOwedView(ctx.pageContext(), ctx.t, role, data));
  }));

  // ---- the case page ----------------------------------------------------------------------------------
  /** Everything the case page shows, read with the staff member's token (one call at a time: a token refresh is never raced). */
  async function loadCase(ctx: Ctx, role: StaffRole, reference: string): Promise<ConsoleCaseData> {
    const state = await ctx.apiOk<ReadCase>({ method: 'GET', path: `/cases/${reference}` });
    const documents = (await ctx.apiOk<{ items: DocumentItem[] }>({ method: 'GET', path: `/cases/${reference}/documents` })).items;
    const messages = may(role, 'message.read') ? (await ctx.apiOk<{ items: ConsoleMessage[] }>({ method: 'GET', path: `/cases/${reference}/messages` })).items : null;
    const coordinators = may(role, 'staff.list') ? (await ctx.apiOk<{ items: { id: string; name: string }[] }>({ method: 'GET', path: '/staff?role=care_coordinator' })).items : null;
    const temporalUrl = role === 'ops' ? `${opts.temporalUiUrl}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(`case-${reference}`)}` : null;
    // An estimate is priced at the tariff in force today; the care at the tariff of the case's first
    // estimate, or of its own rules version before one was issued (as the workflow invoices it).
    const own = ctx.rulesOf(state);
    const tariffs = {
      estimate: quotedTariff(state.requestType, opts.rules.inForce(new Date()))?.items ?? [],
      discharge: (state.treatment.tariff ?? quotedTariff(state.requestType, own))?.items ?? [],
    };
    return { state, documents, messages, coordinators, role, userId: ctx.session?.userId ?? '', temporalUrl, paymentKey: crypto.randomUUID(), tariffs, rules: own };
  }

  async function renderCase(ctx: Ctx, role: StaffRole, reference: string, o: { error?: ActionError; done?: string } = {}, status = 200): Promise<void> {
    const data = await loadCase(ctx, role, reference);
    ctx.render(ctx.t('console.case.title', { reference }), staffCaseView(ctx.pageContext(), ctx.t, data, o), status);
  }

  portal.page('/console/cases/:reference', handled(async (ctx) => {
    const role = requireStaff(ctx);
    await renderCase(ctx, role, referenceOf(ctx), { done: str(ctx.req.query.done) || undefined });
  }));

  portal.page('/console/cases/:reference/documents/:documentId', handled(async (ctx) => {
    requireStaff(ctx);
    const reference = referenceOf(ctx);
    const documentId = String(ctx.req.params.documentId);
    if (!/^[\w-]{1,100}$/.test(documentId)) throw new PageError(404, 'error.notFound');
    const r = await ctx.api({ method: 'GET', path: `/cases/${reference}/documents/${documentId}` });
    throwUnlessOk(r);
    ctx.res.set({
      'Content-Type': String(r.headers['content-type'] ?? 'application/octet-stream'),
      'Content-Disposition': String(r.headers['content-disposition'] ?? 'attachment'),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    ctx.res.send(r.bytes);
  }));

  // ---- actions ------------------------------------------------------------------------------------------
  interface Attempt {
    action: ConsoleAction;
    done: ConsoleDone;
    key?: string;
    /** What the form sent, to show it again when refused. */
    values: Record<string, string | string[]>;
    /** The API call; or a local refusal (the form could not be turned into a call) with its field errors. */
    call: Omit<ApiCall, 'token' | 'clientIp' | 'requestId'> | { refuse: Record<string, string> };
    /** API field paths (`lines.2.quantity`) to form field names (`qty.proton_fraction`). */
    fieldOf?: (path: string) => string | undefined;
    anchor?: string;
  }

  /** Sends the action; on success back to the case page, else the page again with the server's refusal. */
  async function attempt(ctx: Ctx, role: StaffRole, reference: string, a: Attempt): Promise<void> {
    if ('refuse' in a.call) {
      const message = Object.values(a.call.refuse)[0] ?? ctx.t('error.generic', { requestId: '' });
      return renderCase(ctx, role, reference, { error: { action: a.action, key: a.key, message, fields: a.call.refuse, values: a.values } }, 400);
    }
    const r: ApiResponse = await ctx.api(a.call);
    if (r.status < 300) return void ctx.res.redirect(303, `/console/cases/${reference}?done=${a.done}${a.anchor ? `#${a.anchor}` : ''}`);
    // 400 invalid, 403 not this case's coordinator (or not this role), 409 wrong phase / missing items / closed, 413/415 uploads.
    if (![400, 403, 409, 413, 415].includes(r.status) || !r.error) throwUnlessOk(r);
    const fields: Record<string, string> = {};
    for (const [path, message] of Object.entries(fieldErrorsOf(r))) {
      const name = a.fieldOf?.(path) ?? path.split('.')[0];
      fields[name] ??= message;
    }
    await renderCase(ctx, role, reference, { error: { action: a.action, key: a.key, message: r.error?.message ?? '', fields, values: a.values } }, r.status);
  }

  /** A console form target: staff only, a valid reference, then the action built from the form. */
  const action = (path: string, build: (ctx: Ctx, role: StaffRole, reference: string, b: Record<string, unknown>) => Attempt) => {
    portal.form(`/portal/console/cases/:reference/${path}`, handled(async (ctx) => {
      const role = requireStaff(ctx);
      const reference = referenceOf(ctx);
      await attempt(ctx, role, reference, build(ctx, role, reference, body(ctx)));
    }));
  };
  const text = (b: Record<string, unknown>, name: string) => str(b[name]).trim();
  const caseCall = (reference: string, method: ApiCall['method'], path: string, json?: unknown) => ({ method, path: `/cases/${reference}${path}`, ...(json === undefined ? {} : { json }) });

  action('review', (_ctx, _role, reference, b) => {
    if (text(b, 'decision') === 'complete') return { action: 'review-complete', done: 'review', values: {}, call: caseCall(reference, 'POST', '/review', { decision: 'complete' }) };
    const values = { missingItems: list(b.missingItems), message: text(b, 'message') };
    return { action: 'review-incomplete', done: 'review', values, call: caseCall(reference, 'POST', '/review', { decision: 'incomplete', ...values }) };
  });

  action('coordinator', (_ctx, _role, reference, b) => {
    const values = { coordinatorId: text(b, 'coordinatorId') };
    return { action: 'coordinator', done: 'coordinator', values, call: caseCall(reference, 'PUT', '/coordinator', values) };
  });

  action('approve', (_ctx, _role, reference) => ({ action: 'approve', done: 'approve', values: {}, call: caseCall(reference, 'POST', '/approve') }));

  action('request-changes', (_ctx, _role, reference, b) => {
    const values = { message: text(b, 'message') };
    return { action: 'request-changes', done: 'requestChanges', values, call: caseCall(reference, 'POST', '/request-changes', values) };
  });

  action('report', (_ctx, _role, reference, b): Attempt => {
    const kind = text(b, 'kind') === 'analysis' ? 'analysis' : 'mdt';
    const values: Record<string, string> = kind === 'analysis'
      ? { kind, diagnosis: text(b, 'diagnosis'), diagnosisStatus: text(b, 'diagnosisStatus'), summary: text(b, 'summary') }
      : { kind, strategy: text(b, 'strategy'), summary: text(b, 'summary') };
    return { action: 'report', done: 'report', values, call: caseCall(reference, 'POST', '/report', values) };
  });

  /** Tariff lines from the `qty.<code>` fields of a form; blank or 0 leaves a line out. */
  const linesOf = (b: Record<string, unknown>) => {
    const values: Record<string, string> = {};
    const lines: { code: string; quantity: number | string }[] = [];
    for (const [name, raw] of Object.entries(b)) {
      const code = /^qty\.([a-z_]{2,50})$/.exec(name)?.[1];
      if (!code) continue;
      const v = str(raw).trim();
      values[name] = v;
      if (v === '' || v === '0') continue;
      // A number when it is one; otherwise as typed, so the API names the field.
      lines.push({ code, quantity: /^\d+$/.test(v) ? Number(v) : v });
    }
    const fieldOf = (prefix: string) => (path: string) => {
      const m = new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(path);
      return m && lines[Number(m[1])] ? `qty.${lines[Number(m[1])].code}` : undefined;
    };
    return { values, lines, fieldOf };
  };

  action('estimates', (_ctx, _role, reference, b) => {
    const { values, lines, fieldOf } = linesOf(b);
    return { action: 'estimate', done: 'estimate', values, call: caseCall(reference, 'POST', '/estimates', { lines }), fieldOf: fieldOf('lines') };
  });

  action('insurer-letters', (ctx, _role, reference, b): Attempt => {
    const values = { number: text(b, 'number'), insurer: text(b, 'insurer'), policyNumber: text(b, 'policyNumber'), covered: text(b, 'covered'), documentId: text(b, 'documentId') };
    const coveredCents = parseEuros(values.covered);
    if (!/^DEV-\d{4}-\d{6}$/.test(values.number)) return { action: 'letter', done: 'letter', values, call: { refuse: { number: ctx.t('error.notFound') } } };
    if (coveredCents === null || coveredCents <= 0) return { action: 'letter', done: 'letter', values, call: { refuse: { covered: ctx.t('action.invalidAmount') } } };
    return {
      action: 'letter', done: 'letter', values,
      call: caseCall(reference, 'POST', `/estimates/${values.number}/insurer-letters`, { insurer: values.insurer, policyNumber: values.policyNumber, coveredCents, documentId: values.documentId }),
      fieldOf: (path) => (path === 'coveredCents' ? 'covered' : undefined),
    };
  });

  action('payments', (ctx, _role, reference, b): Attempt => {
    const values = { amount: text(b, 'amount'), purpose: text(b, 'purpose'), receivedOn: text(b, 'receivedOn'), paymentId: text(b, 'paymentId'), paymentKey: text(b, 'paymentKey') };
    const amountCents = parseEuros(values.amount);
    if (amountCents === null || amountCents <= 0) return { action: 'payment', done: 'payment', values, call: { refuse: { amount: ctx.t('action.invalidAmount') } } };
    // Without a bank reference, the form's own key: the same form sent twice is counted once.
    const key = formKey(values.paymentKey);
    return {
      action: 'payment', done: 'payment', values,
      call: caseCall(reference, 'POST', '/payments', { paymentId: values.paymentId || `transfer_${key}`, amountCents, purpose: values.purpose, receivedOn: values.receivedOn }),
      fieldOf: (path) => (path === 'amountCents' ? 'amount' : undefined),
    };
  });

  action('study/open', (_ctx, _role, reference) => ({ action: 'study', done: 'study', values: {}, call: caseCall(reference, 'POST', '/study/open') }));

  action('refunds', (ctx, _role, reference, b): Attempt => {
    const values = { amount: text(b, 'amount'), method: text(b, 'method'), reference: text(b, 'reference'), refundKey: text(b, 'refundKey') };
    const amountCents = parseEuros(values.amount);
    if (amountCents === null || amountCents <= 0) return { action: 'refund', done: 'refund', values, call: { refuse: { amount: ctx.t('action.invalidAmount') } } };
    // The form's own key: the same form sent twice records the refund once.
    const key = formKey(values.refundKey);
    return {
      action: 'refund', done: 'refund', values,
      call: { ...caseCall(reference, 'POST', '/refunds', { amountCents, method: values.method, reference: values.reference }), headers: { 'Idempotency-Key': `console-${key}` } },
      fieldOf: (path) => (path === 'amountCents' ? 'amount' : undefined),
    };
  });

  action('cancel', (_ctx, _role, reference, b) => {
    const values = { reason: text(b, 'reason') };
    return { action: 'cancel', done: 'cancel', values, call: caseCall(reference, 'POST', '/cancel', values) };
  });

  action('requests', (_ctx, _role, reference, b) => {
    const values = { kind: text(b, 'kind'), details: text(b, 'details'), requestKey: text(b, 'requestKey') };
    // The form's own key: the same form sent twice raises one request.
    const key = formKey(values.requestKey);
    return { action: 'request', done: 'request', values, call: { ...caseCall(reference, 'POST', '/requests', { kind: values.kind, details: values.details }), headers: { 'Idempotency-Key': `console-${key}` } } };
  });

  action('arrived', (_ctx, _role, reference) => ({ action: 'arrived', done: 'arrived', values: {}, call: caseCall(reference, 'POST', '/arrived') }));

  action('tasks/:taskId/complete', (ctx, _role, reference, b) => {
    const taskId = String(ctx.req.params.taskId);
    if (!/^[\w.:-]{1,100}$/.test(taskId)) throw new PageError(404, 'error.notFound');
    const values = { outcome: text(b, 'outcome') };
    return { action: 'task', key: taskId, done: 'task', values, call: caseCall(reference, 'POST', `/tasks/${taskId}/complete`, values) };
  });

  action('estimates/:number/start', (ctx, _role, reference) => {
    const number = String(ctx.req.params.number);
    if (!/^DEV-\d{4}-\d{6}$/.test(number)) throw new PageError(404, 'error.notFound');
    return { action: 'start', key: number, done: 'start', values: {}, call: caseCall(reference, 'POST', `/estimates/${number}/start`) };
  });

  action('discharge', (_ctx, _role, reference, b) => {
    const { values, lines, fieldOf } = linesOf(b);
    return { action: 'discharge', done: 'discharge', values, call: caseCall(reference, 'POST', '/discharge', lines.length ? { performed: lines } : {}), fieldOf: fieldOf('performed') };
  });

  action('follow-ups', (ctx, _role, reference, b): Attempt => {
    const values = { date: text(b, 'date'), time: text(b, 'time'), description: text(b, 'description') };
    const at = parisDateTime(values.date, values.time);
    if (!at) return { action: 'follow-up', done: 'followUp', values, call: { refuse: { time: ctx.t('action.invalidTime') } } };
    return { action: 'follow-up', done: 'followUp', values, call: caseCall(reference, 'POST', '/follow-ups', { at, description: values.description }), fieldOf: (path) => (path === 'at' ? 'date' : undefined) };
  });

  action('messages', (_ctx, _role, reference, b) => {
    const values = { body: str(b.body) };
    return { action: 'message', done: 'message', values, call: caseCall(reference, 'POST', '/messages', values), anchor: 'messages' };
  });

  // Uploads stream through to the API (the insurer's letter, a report…); portal.js adds a progress bar.
  portal.streamForm('/portal/console/cases/:reference/documents', handled(async (ctx) => {
    const role = requireStaff(ctx);
    const reference = referenceOf(ctx);
    const wantsJson = ctx.req.accepts(['text/html', 'application/json']) === 'application/json';
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/documents`, stream: { body: ctx.req, contentType: ctx.req.get('Content-Type') ?? '', contentLength: ctx.req.get('Content-Length') } });
    const target = `/console/cases/${reference}?done=upload#documents`;
    if (r.status === 201) return void (wantsJson ? ctx.res.json({ redirect: target }) : ctx.res.redirect(303, target));
    if (![400, 403, 409, 413, 415].includes(r.status) || !r.error) throwUnlessOk(r);
    const refused = Array.isArray(r.error?.details) ? (r.error.details as { file?: unknown; reason?: unknown; message?: unknown; path?: unknown }[]).map((d) => `${str(d.file ?? d.path)}: ${str(d.reason ?? d.message)}`) : [];
    const message = [r.error?.message ?? '', ...refused].filter(Boolean).join(' ');
    if (wantsJson) return void ctx.res.status(r.status).json({ message: ctx.t('console.case.refused', { message }) });
    await renderCase(ctx, role, reference, { error: { action: 'upload', message, fields: {}, values: {} } }, r.status);
  }));
}
