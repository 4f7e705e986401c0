// Sign-in, registration, email confirmation and password pages.
import { html, type SafeHtml } from '../html';
import type { T } from '../i18n';
import { csrfField, errorSummary, field, notice, type PageContext } from '../layout';

export function loginView(ctx: PageContext, t: T, o: { email?: string; error?: string; next?: string; info?: string }): SafeHtml {
  return html`${o.info ? notice('success', o.info) : ''}${o.error ? notice('error', o.error) : ''}
<form method="post" action="/portal/login" class="stack" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${o.next ?? ''}">
  ${field({ name: 'email', label: t('login.email'), type: 'email', value: o.email, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password' })}
  <button type="submit">${t('login.submit')}</button>
</form>
<p>${t('login.noAccount')} <a href="/register">${t('nav.register')}</a> · <a href="/forgot-password">${t('login.forgot')}</a></p>`;
}

export interface RegisterValues {
  name?: string;
  email?: string;
  kind?: string;
  language?: string;
}

export function registerView(ctx: PageContext, t: T, values: RegisterValues, errors: Record<string, string>): SafeHtml {
  const labels = { name: t('register.name'), email: t('login.email'), password: t('login.password'), kind: t('register.kind'), language: t('register.language') };
  return html`${errorSummary(t, errors, labels)}
<form method="post" action="/portal/register" class="stack" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'name', label: labels.name, value: values.name, required: true, autocomplete: 'name', error: errors.name })}
  ${field({ name: 'email', label: labels.email, type: 'email', value: values.email, required: true, autocomplete: 'email', error: errors.email })}
  ${field({ name: 'password', label: labels.password, type: 'password', required: true, autocomplete: 'new-password', hint: t('register.passwordHint'), error: errors.password })}
  ${field({ name: 'kind', label: labels.kind, value: values.kind, options: [['patient', t('register.kind.patient')], ['referrer', t('register.kind.referrer')]], error: errors.kind })}
  ${field({ name: 'language', label: labels.language, value: values.language ?? ctx.lang, options: [['fr', 'Français'], ['en', 'English']], error: errors.language })}
  <button type="submit">${t('register.submit')}</button>
</form>`;
}

export function emailOnlyView(ctx: PageContext, t: T, action: string, submit: string): SafeHtml {
  return html`<form method="post" action="${action}" class="stack" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'email', label: t('login.email'), type: 'email', required: true, autocomplete: 'email' })}
  <button type="submit">${submit}</button>
</form>`;
}

export function setPasswordView(ctx: PageContext, t: T, token: string, error?: string): SafeHtml {
  return html`<form method="post" action="/portal/set-password" class="stack" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${token}">
  ${field({ name: 'password', label: t('setPassword.password'), type: 'password', required: true, autocomplete: 'new-password', hint: t('register.passwordHint'), error })}
  <button type="submit">${t('setPassword.submit')}</button>
</form>`;
}
