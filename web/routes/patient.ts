// The patient portal's pages and form targets. Every action is one call to the JSON API with the
// user's token (web/portal.ts Ctx.api), so the API's rules, policy and messages apply unchanged.
import crypto from 'node:crypto';
import { signPayload } from '../../api/payments/signature';
import { referencePattern } from '../../api/schemas/cases';
import { html } from '../html';
import { formatEuros, isLang, setLanguageCookie, type T } from '../i18n';
import { notice } from '../layout';
import { type Ctx, fieldErrorsOf, Handled, handled, throwUnlessOk, PageError, type Portal, safeLocalPath } from '../portal';
import { emailOnlyView, loginView, registerView, setPasswordView } from '../views/auth';
import { canWithdraw, caseView, type ReadCase, casesView, isDoneKey, withdrawView, messagesView, newCaseView, questionnaireView, QUESTIONNAIRE_FIELDS, type CaseErrors, type CaseSummary, type MessageItem } from '../views/case';
import { fakePayView } from '../views/pay';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const body = (ctx: Ctx): Record<string, unknown> => (ctx.req.body as Record<string, unknown> | undefined) ?? {};

/** The reference in the path, checked before it reaches the API (anything else is simply not found). */
function referenceOf(ctx: Ctx): string {
  const reference = String(ctx.req.params.reference);
  if (!referencePattern.test(reference)) throw new PageError(404, 'error.notFound');
  return reference;
}

function requireSession(ctx: Ctx): void {
  if (!ctx.session) {
    ctx.res.redirect(303, `/login?next=${encodeURIComponent(ctx.req.originalUrl)}`);
    throw new Handled();
  }
}

/** The response was already sent (a redirect): nothing more to do. */

const loadCase = (ctx: Ctx, reference: string) => ctx.apiOk<ReadCase>({ method: 'GET', path: `/cases/${reference}` });

async function renderCase(ctx: Ctx, reference: string, errors: CaseErrors, status: number): Promise<void> {
  const state = await loadCase(ctx, reference);
  ctx.render(ctx.t('case.title', { reference }), caseView(ctx.pageContext(), ctx.t, state, ctx.rulesOf(state), { errors }), status);
}

/** The API's message for a refused step (the workflow's explanation), shown on the page. */
const refusal = (t: T, r: { error?: { message: string } }) => r.error?.message ?? t('error.generic', { requestId: '' });

export interface PatientRouteOptions {
  /** Serve the development payment provider page (lib/config.ts payments.fakeProvider). */
  fakePaymentProvider: boolean;
  webhookSecret: string;
}

export function registerPatientRoutes(portal: Portal, opts: PatientRouteOptions): void {
  // ---- language and home ----------------------------------------------------------------------------
  portal.page('/lang/:lang', (ctx) => {
    const lang = ctx.req.params.lang;
    if (isLang(lang)) setLanguageCookie(ctx.res, lang, portal.cookies.secure);
    ctx.res.redirect(303, safeLocalPath(ctx.req.query.next, '/'));
  });
  portal.page('/', (ctx) => {
    ctx.res.redirect(303, ctx.session ? (ctx.session.kind === 'staff' ? '/console' : '/cases') : '/login');
  });

  // ---- accounts -------------------------------------------------------------------------------------
  portal.page('/login', (ctx) => {
    const info = ctx.req.query.expired ? ctx.t('error.signedOut') : undefined;
    ctx.render(ctx.t('login.title'), loginView(ctx.pageContext(), ctx.t, { next: safeLocalPath(ctx.req.query.next, ''), info }));
  });
  portal.form('/portal/login', async (ctx) => {
    const b = body(ctx);
    const email = str(b.email).trim();
    const next = safeLocalPath(b.next, '/cases');
    const r = await portal.deps.dispatch<{ accessToken: string; refreshToken: string; user: { id: string; name: string; kind: string; role: string | null } }>({
      method: 'POST', path: '/auth/login', json: { email, password: str(b.password) }, clientIp: ctx.req.ip,
    });
    if (r.status === 200) {
      ctx.startSession({ accessToken: r.body.accessToken, refreshToken: r.body.refreshToken, userId: r.body.user.id, name: r.body.user.name, kind: r.body.user.kind, role: r.body.user.role });
      // Staff land on their console (web/routes/staff.ts), the patient side on its cases.
      const home = r.body.user.kind === 'staff' ? '/console' : '/cases';
      const target = safeLocalPath(b.next, home);
      ctx.res.redirect(303, target === '/' ? home : target);
      return;
    }
    if (r.status === 429 || r.status === 503) throwUnlessOk(r);
    const error = r.status === 403 ? ctx.t('login.unverified') : ctx.t('login.failed');
    ctx.render(ctx.t('login.title'), loginView(ctx.pageContext(), ctx.t, { email, error, next }), r.status === 403 ? 403 : 401);
  });
  portal.form('/portal/logout', async (ctx) => {
    if (ctx.session) await ctx.api({ method: 'POST', path: '/auth/logout' }).catch(() => undefined);
    ctx.endSession();
    ctx.res.redirect(303, '/login');
  });

  portal.page('/register', (ctx) => {
    ctx.render(ctx.t('register.title'), registerView(ctx.pageContext(), ctx.t, {}, {}));
  });
  portal.form('/portal/register', async (ctx) => {
    const b = body(ctx);
    const values = { name: str(b.name).trim(), email: str(b.email).trim(), kind: str(b.kind) || 'patient', language: str(b.language) || ctx.lang };
    const r = await portal.deps.dispatch({ method: 'POST', path: '/auth/register', json: { ...values, password: str(b.password) }, clientIp: ctx.req.ip, language: ctx.lang });
    if (r.status === 202) {
      ctx.render(ctx.t('register.title'), notice('success', ctx.t('register.done')));
      return;
    }
    if (r.status !== 400) throwUnlessOk(r);
    ctx.render(ctx.t('register.title'), registerView(ctx.pageContext(), ctx.t, values, fieldErrorsOf(r)), 400);
  });

  // The address-confirmation link: the API's own path (emails use it) and a short one.
  const verify = async (ctx: Ctx) => {
    const token = str(ctx.req.query.token);
    const r = await portal.deps.dispatch({ method: 'GET', path: `/auth/verify-email?token=${encodeURIComponent(token)}`, clientIp: ctx.req.ip, language: ctx.lang });
    if (r.status === 503) throwUnlessOk(r);
    const ok = r.status === 200;
    ctx.render(ctx.t('verify.title'), ok ? notice('success', ctx.t('verify.ok')) : notice('error', ctx.t('verify.failed')), ok ? 200 : 400);
  };
  portal.page('/auth/verify-email', verify);
  portal.page('/verify-email', verify);

  portal.page('/forgot-password', (ctx) => {
    ctx.render(ctx.t('forgot.title'), emailOnlyView(ctx.pageContext(), ctx.t, '/portal/forgot-password', ctx.t('forgot.submit')));
  });
  portal.form('/portal/forgot-password', async (ctx) => {
    const r = await portal.deps.dispatch({ method: 'POST', path: '/auth/password/forgot', json: { email: str(body(ctx).email).trim() }, clientIp: ctx.req.ip, language: ctx.lang });
    if (r.status === 429 || r.status === 503) throwUnlessOk(r);
    // The same answer whether or not the address has an account (as the API does).
    ctx.render(ctx.t('forgot.title'), notice('success', ctx.t('forgot.done')));
  });
  portal.page('/set-password', (ctx) => {
    ctx.render(ctx.t('setPassword.title'), setPasswordView(ctx.pageContext(), ctx.t, str(ctx.req.query.token)));
  });
  portal.form('/portal/set-password', async (ctx) => {
    const b = body(ctx);
    const token = str(b.token);
    const r = await portal.deps.dispatch({ method: 'POST', path: '/auth/password/set', json: { token, password: str(b.password) }, clientIp: ctx.req.ip, language: ctx.lang });
    if (r.status === 204) {
      ctx.render(ctx.t('setPassword.title'), notice('success', ctx.t('setPassword.done')));
      return;
    }
    if (r.status === 429 || r.status === 503) throwUnlessOk(r);
    const errors = fieldErrorsOf(r);
    ctx.render(ctx.t('setPassword.title'), setPasswordView(ctx.pageContext(), ctx.t, token, errors.password ?? ctx.t('setPassword.failed')), 400);
  });

  // ---- cases ----------------------------------------------------------------------------------------
  portal.page('/cases', handled(async (ctx) => {
    requireSession(ctx);
    const { items } = await ctx.apiOk<{ items: CaseSummary[] }>({ method: 'GET', path: '/cases' });
    ctx.render(ctx.t('cases.title'), casesView(ctx.pageContext(), ctx.t, items));
  }));
  portal.page('/cases/new', handled((ctx) => {
    requireSession(ctx);
    ctx.render(ctx.t('newCase.title'), newCaseView(ctx.pageContext(), ctx.t, {}, {}, crypto.randomUUID()));
  }));
  portal.form('/portal/cases', handled(async (ctx) => {
    requireSession(ctx);
    const b = body(ctx);
    const v = (name: string) => str(b[name]).trim();
    const opt = (name: string) => v(name) || undefined;
    const values: Record<string, string> = {};
    for (const name of ['requestType', 'language', 'patient.firstName', 'patient.lastName', 'patient.email', 'patient.nationality', 'patient.countryOfResidence', 'reason']) values[name] = v(name);
    const key = /^[\x21-\x7e]{8,200}$/.test(v('idempotencyKey')) ? v('idempotencyKey') : crypto.randomUUID();
    const r = await ctx.api<{ reference: string }>({
      method: 'POST', path: '/cases', headers: { 'idempotency-key': key },
      json: {
        requestType: v('requestType'), language: v('language') || ctx.lang, reason: opt('reason'),
        patient: { firstName: v('patient.firstName'), lastName: v('patient.lastName'), email: v('patient.email'), nationality: v('patient.nationality').toUpperCase(), countryOfResidence: v('patient.countryOfResidence').toUpperCase() },
      },
    });
    if (r.status === 201) return void ctx.res.redirect(303, `/cases/${r.body.reference}`);
    // The same form sent twice (a double click): the case it opened.
    const already = (r.error?.details as { reference?: unknown } | undefined)?.reference;
    if (r.status === 409 && typeof already === 'string' && referencePattern.test(already)) return void ctx.res.redirect(303, `/cases/${already}`);
    if (r.status !== 400) throwUnlessOk(r);
    ctx.render(ctx.t('newCase.title'), newCaseView(ctx.pageContext(), ctx.t, values, fieldErrorsOf(r), key), 400);
  }));

  portal.page('/cases/:reference', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const state = await loadCase(ctx, reference);
    const done = isDoneKey(ctx.req.query.done) ? ctx.req.query.done : undefined;
    ctx.render(ctx.t('case.title', { reference }), caseView(ctx.pageContext(), ctx.t, state, ctx.rulesOf(state), { done }));
  }));

  // The patient's right of access: one ZIP of all their data (the API records the export in the audit trail).
  portal.page('/my-data/export', handled(async (ctx) => {
    requireSession(ctx);
    const r = await ctx.api({ method: 'GET', path: '/me/export' });
    throwUnlessOk(r);
    ctx.res.set({ 'Content-Type': 'application/zip', 'Content-Disposition': String(r.headers['content-disposition'] ?? 'attachment; filename="parcours.zip"'), 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' });
    ctx.res.send(r.bytes);
  }));

  // A document of the case (estimate PDF, visa certificate, invoice, uploads), fetched with the user's token.
  portal.page('/cases/:reference/documents/:documentId', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const documentId = String(ctx.req.params.documentId);
    if (!/^[\w-]{1,100}$/.test(documentId)) throw new PageError(404, 'error.notFound');
    const r = await ctx.api({ method: 'GET', path: `/cases/${reference}/documents/${documentId}` });
    throwUnlessOk(r);
    const type = String(r.headers['content-type'] ?? 'application/octet-stream');
    const disposition = String(r.headers['content-disposition'] ?? 'attachment');
    // PDFs open in the browser's viewer; other files download.
    ctx.res.set({ 'Content-Type': type, 'Content-Disposition': type.startsWith('application/pdf') ? disposition.replace(/^attachment/, 'inline') : disposition, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' });
    ctx.res.send(r.bytes);
  }));

  // ---- the file ---------------------------------------------------------------------------------------
  portal.page('/cases/:reference/questionnaire', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const state = await loadCase(ctx, reference);
    ctx.render(ctx.t('questionnaire.title', { reference }), questionnaireView(ctx.pageContext(), ctx.t, reference, state.questionnaire, {}));
  }));
  portal.form('/portal/cases/:reference/questionnaire', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const b = body(ctx);
    const values: Record<string, string> = {};
    for (const f of QUESTIONNAIRE_FIELDS) {
      const value = str(b[f]).trim();
      if (value) values[f] = value;
    }
    const r = await ctx.api({ method: 'PUT', path: `/cases/${reference}/questionnaire`, json: values });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}?done=questionnaire`);
    if (r.status !== 400 && r.status !== 409) throwUnlessOk(r);
    const errors = fieldErrorsOf(r);
    // A refusal not tied to one field (e.g. the file was already sent) goes at the top.
    if (Object.keys(errors).every((k) => !(QUESTIONNAIRE_FIELDS as readonly string[]).includes(k))) errors['firstName'] ??= refusal(ctx.t, r);
    ctx.render(ctx.t('questionnaire.title', { reference }), questionnaireView(ctx.pageContext(), ctx.t, reference, values, errors), r.status);
  }));

  // Uploads stream straight through to the API (no copy on the portal's disk). A script (portal.js)
  // sends them with a progress bar and asks for JSON; without it the browser posts the form.
  portal.streamForm('/portal/cases/:reference/documents', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const item = /^[a-z_]{2,50}$/.test(str(ctx.req.query.item)) ? str(ctx.req.query.item) : '';
    const wantsJson = ctx.req.accepts(['text/html', 'application/json']) === 'application/json';
    const r = await ctx.api({
      method: 'POST', path: `/cases/${reference}/documents`,
      stream: { body: ctx.req, contentType: ctx.req.get('Content-Type') ?? '', contentLength: ctx.req.get('Content-Length') },
    });
    const target = `/cases/${reference}?done=upload#item-${item}`;
    if (r.status === 201) {
      if (wantsJson) return void ctx.res.json({ redirect: target });
      return void ctx.res.redirect(303, target);
    }
    if (r.status === 401 || r.status === 404 || r.status === 403 || r.status === 503 || r.status === 429 || r.status >= 500) throwUnlessOk(r);
    const refused = Array.isArray(r.error?.details) ? (r.error.details as { file?: unknown; reason?: unknown; message?: unknown; path?: unknown }[]).map((d) => ({ file: str(d.file ?? d.path), reason: str(d.reason ?? d.message) })) : [];
    const message = refusal(ctx.t, r);
    if (wantsJson) return void ctx.res.status(r.status).json({ message: ctx.t('case.upload.refused', { message }), refused });
    await renderCase(ctx, reference, { upload: { item, message, refused } }, r.status);
  }));

  portal.form('/portal/cases/:reference/checklist/:itemId/none', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const itemId = String(ctx.req.params.itemId);
    const r = await ctx.api({ method: 'PUT', path: `/cases/${reference}/checklist/${encodeURIComponent(itemId)}/none`, json: { none: str(body(ctx).none) !== 'false' } });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}#item-${itemId}`);
    if (r.status !== 400 && r.status !== 409) throwUnlessOk(r);
    await renderCase(ctx, reference, { submit: refusal(ctx.t, r) }, r.status);
  }));

  portal.form('/portal/cases/:reference/submit', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/submit` });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}?done=submitted`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    await renderCase(ctx, reference, { submit: refusal(ctx.t, r) }, r.status);
  }));

  // ---- estimates, stay, requests ----------------------------------------------------------------------
  portal.form('/portal/cases/:reference/estimates/:number/:answer', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const number = String(ctx.req.params.number);
    const answer = String(ctx.req.params.answer);
    if (!/^DEV-\d{4}-\d{6}$/.test(number) || (answer !== 'accept' && answer !== 'decline')) throw new PageError(404, 'error.notFound');
    const reason = str(body(ctx).reason).trim();
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/estimates/${number}/${answer}`, ...(answer === 'decline' ? { json: reason ? { reason } : {} } : {}) });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}#estimate-${number}`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    await renderCase(ctx, reference, { estimate: refusal(ctx.t, r) }, r.status);
  }));

  portal.form('/portal/cases/:reference/arrival', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const b = body(ctx);
    const days = Number(str(b.plannedStayDays));
    const r = await ctx.api({ method: 'PUT', path: `/cases/${reference}/arrival`, json: { date: str(b.date), plannedStayDays: Number.isFinite(days) && str(b.plannedStayDays) !== '' ? days : str(b.plannedStayDays) } });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}#arrival-form`);
    if (r.status === 409 && r.error?.code === 'not_guaranteed') return renderCase(ctx, reference, { arrival: ctx.t('case.arrival.notGuaranteed') }, 409);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    await renderCase(ctx, reference, { arrival: refusal(ctx.t, r), arrivalFields: fieldErrorsOf(r) }, r.status);
  }));

  portal.form('/portal/cases/:reference/requests', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const b = body(ctx);
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/requests`, json: { kind: str(b.kind), details: str(b.details).trim() } });
    if (r.status === 200 || r.status === 201) return void ctx.res.redirect(303, `/cases/${reference}?done=request#request-form`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    const fields = fieldErrorsOf(r);
    await renderCase(ctx, reference, { request: fields.details ?? fields.kind ?? refusal(ctx.t, r) }, r.status);
  }));

  // ---- coverage, companions, withdrawal ---------------------------------------------------------------
  portal.form('/portal/cases/:reference/coverage', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const b = body(ctx);
    const nir = str(b.frenchSocialSecurityNumber).trim();
    const physician = str(b.declaredTreatingPhysician).trim();
    const ehic = str(b.hasEhic) === 'true';
    // Unticking the EHIC box clears an earlier "yes"; an empty form says nothing (the API refuses it).
    const declaration = { ...(nir ? { frenchSocialSecurityNumber: nir } : {}), ...(physician ? { declaredTreatingPhysician: physician } : {}), ...(ehic || str(b.hadEhic) === 'true' ? { hasEhic: ehic } : {}) };
    if (Object.keys(declaration).length === 0) return renderCase(ctx, reference, { coverage: ctx.t('case.coverage.empty') }, 400);
    const r = await ctx.api({ method: 'PUT', path: `/cases/${reference}/coverage`, json: declaration });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}?done=coverage#coverage`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    const fields = fieldErrorsOf(r);
    await renderCase(ctx, reference, { coverage: Object.keys(fields).length ? undefined : refusal(ctx.t, r), coverageFields: fields }, r.status);
  }));

  portal.form('/portal/cases/:reference/companions', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const b = body(ctx);
    const values = { fullName: str(b.fullName).trim(), relationship: str(b.relationship), nationality: str(b.nationality).trim().toUpperCase(), proofDocumentId: str(b.proofDocumentId) };
    const r = await ctx.api({ method: 'PUT', path: `/cases/${reference}/companions`, json: { fullName: values.fullName, relationship: values.relationship, nationality: values.nationality, ...(values.proofDocumentId ? { proofDocumentId: values.proofDocumentId } : {}) } });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}?done=companion#item-companions`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    const fields = fieldErrorsOf(r);
    // The workflow's refusal (e.g. a proof of the wrong kind for the relationship) belongs to the proof field.
    if (Object.keys(fields).length === 0 && r.error?.code !== 'wrong_phase' && values.proofDocumentId) fields.proofDocumentId = refusal(ctx.t, r);
    await renderCase(ctx, reference, { companion: Object.keys(fields).length ? undefined : refusal(ctx.t, r), companionFields: fields, companionValues: values }, r.status);
  }));

  // Withdrawal is two steps: this page says what it means and asks why; its form does it.
  portal.page('/cases/:reference/withdraw', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const state = await loadCase(ctx, reference);
    if (!canWithdraw(state)) return void ctx.res.redirect(303, `/cases/${reference}`);
    ctx.render(ctx.t('withdraw.title', { reference }), withdrawView(ctx.pageContext(), ctx.t, reference));
  }));
  portal.form('/portal/cases/:reference/withdraw', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const reason = str(body(ctx).reason).trim();
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/withdraw`, json: { reason } });
    if (r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}?done=withdrawn`);
    if (r.status !== 409 && r.status !== 400) throwUnlessOk(r);
    const error = fieldErrorsOf(r).reason ?? refusal(ctx.t, r);
    ctx.render(ctx.t('withdraw.title', { reference }), withdrawView(ctx.pageContext(), ctx.t, reference, { reason, error }), r.status);
  }));

  // ---- messages ---------------------------------------------------------------------------------------
  const listMessages = (ctx: Ctx, reference: string) => ctx.apiOk<{ items: MessageItem[]; countryOfResidence?: string }>({ method: 'GET', path: `/cases/${reference}/messages` });
  portal.page('/cases/:reference/messages', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const { items, countryOfResidence } = await listMessages(ctx, reference);
    ctx.render(ctx.t('messages.title', { reference }), messagesView(ctx.pageContext(), ctx.t, reference, items, { sent: ctx.req.query.done === 'message', residence: countryOfResidence }));
  }));
  portal.form('/portal/cases/:reference/messages', handled(async (ctx) => {
    requireSession(ctx);
    const reference = referenceOf(ctx);
    const text = str(body(ctx).body);
    const r = await ctx.api({ method: 'POST', path: `/cases/${reference}/messages`, json: { body: text } });
    if (r.status === 201 || r.status === 200) return void ctx.res.redirect(303, `/cases/${reference}/messages?done=message`);
    if (r.status !== 400 && r.status !== 409) throwUnlessOk(r);
    const { items, countryOfResidence } = await listMessages(ctx, reference);
    ctx.render(ctx.t('messages.title', { reference }), messagesView(ctx.pageContext(), ctx.t, reference, items, { error: fieldErrorsOf(r).body ?? refusal(ctx.t, r), draft: text, residence: countryOfResidence }), r.status);
  }));

  // ---- payment links ------------------------------------------------------------------------------------
  // `/pay/{reference}?purpose=…&amountCents=…` is the link emails carry. With the development provider
  // it shows a page whose button delivers the signed webhook, exactly as a provider would.
  const payment = (reference: string, purpose: unknown, amount: unknown) => {
    const amountCents = Number(amount);
    const p = str(purpose).trim();
    if (!referencePattern.test(reference) || !Number.isSafeInteger(amountCents) || amountCents <= 0 || p.length < 1 || p.length > 100) return null;
    return { reference, purpose: p, amountCents };
  };
  portal.page('/pay/:reference', (ctx) => {
    const reference = String(ctx.req.params.reference);
    const title = ctx.t('pay.title', { reference });
    if (!opts.fakePaymentProvider) return ctx.render(title, notice('error', ctx.t('pay.disabled')), 404);
    const p = payment(reference, ctx.req.query.purpose, ctx.req.query.amountCents);
    if (!p) return ctx.render(title, notice('error', ctx.t('pay.invalid')), 400);
    ctx.render(title, fakePayView(ctx.pageContext(), ctx.t, { ...p, amount: formatEuros(ctx.lang, p.amountCents) }));
  });
  portal.form('/portal/pay/:reference', async (ctx) => {
    const reference = String(ctx.req.params.reference);
    const title = ctx.t('pay.title', { reference });
    if (!opts.fakePaymentProvider) return ctx.render(title, notice('error', ctx.t('pay.disabled')), 404);
    const b = body(ctx);
    const p = payment(reference, b.purpose, b.amountCents);
    if (!p) return ctx.render(title, notice('error', ctx.t('pay.invalid')), 400);
    const delivery = { paymentId: `fake_${crypto.randomUUID()}`, caseReference: p.reference, amountCents: p.amountCents, currency: 'EUR', purpose: p.purpose, paidAt: new Date().toISOString() };
    const timestamp = Math.floor(Date.now() / 1000);
    // The dispatcher serialises `json` with JSON.stringify too: the signed bytes are the bytes sent.
    const signature = signPayload(opts.webhookSecret, timestamp, JSON.stringify(delivery));
    const r = await portal.deps.dispatch({ method: 'POST', path: '/webhooks/payments', json: delivery, headers: { 'parcours-timestamp': String(timestamp), 'parcours-signature': signature }, clientIp: ctx.req.ip, language: ctx.lang });
    if (r.status === 404) return ctx.render(title, notice('error', ctx.t('pay.invalid')), 404);
    throwUnlessOk(r);
    ctx.render(title, html`${notice('success', ctx.t('pay.done', { amount: formatEuros(ctx.lang, p.amountCents) }))}<p><a href="/cases/${p.reference}">${ctx.t('case.back', { reference: p.reference })}</a></p>`);
  });
}
