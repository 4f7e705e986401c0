// The page shell every portal page (and the staff console) shares: language, skip link, header with
// the language switch and sign-out, one main landmark, one CSS and one script file, no inline code.
import { html, type HtmlValue, type SafeHtml } from './html';
import { translator, type Lang, type T } from './i18n';

export interface PageContext {
  lang: Lang;
  /** The CSRF token for this page's forms. */
  csrfToken: string;
  /** Signed-in user's display name and whether they are staff (whose home is the console), or null. */
  user: { name: string; staff: boolean } | null;
  /** The current path and query: where the language switch comes back to. */
  path: string;
}

/** The hidden CSRF field every POST form includes. */
export const csrfField = (ctx: Pick<PageContext, 'csrfToken'>): SafeHtml => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;

/** A status message (success or error) announced by screen readers. */
export function notice(kind: 'success' | 'error', text: HtmlValue): SafeHtml {
  return html`<div class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}

export function page(ctx: PageContext, title: string, main: SafeHtml): SafeHtml {
  const t = translator(ctx.lang);
  const other: Lang = ctx.lang === 'fr' ? 'en' : 'fr';
  const switchHref = `/lang/${other}?next=${encodeURIComponent(ctx.path)}`;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t('site.name')}</title>
<link rel="stylesheet" href="/assets/portal.css">
<script src="/assets/portal.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${t('skip')}</a>
<header class="site-header">
  <a class="site-name" href="/">${t('site.name')}</a>
  <nav aria-label="${ctx.lang === 'fr' ? 'Compte et langue' : 'Account and language'}">
    <ul>
      ${ctx.user ? html`<li>${ctx.user.staff ? html`<a href="/console">${t('nav.console')}</a>` : html`<a href="/cases">${t('nav.cases')}</a>`}</li>` : html`<li><a href="/login">${t('nav.signIn')}</a></li><li><a href="/register">${t('nav.register')}</a></li>`}
      <li><a href="${switchHref}" lang="${other}" hreflang="${other}" aria-label="${t('lang.switchLabel')}">${t('lang.switch')}</a></li>
      ${ctx.user ? html`<li><form method="post" action="/portal/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link-button">${t('nav.signOut')}</button></form></li>` : ''}
    </ul>
  </nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${main}
</main>
</body>
</html>`;
}

/** A labelled form field with its hint and its error (linked by aria-describedby, marked aria-invalid). */
export interface FieldOptions {
  name: string;
  /** Element id (default `f-<name>`): give one when a page has several fields of the same name. */
  id?: string;
  label: string;
  value?: string;
  type?: 'text' | 'email' | 'password' | 'date' | 'number' | 'tel' | 'file';
  required?: boolean;
  hint?: string;
  error?: string;
  autocomplete?: string;
  multiline?: boolean;
  /** Options for a select: value → label. */
  options?: readonly (readonly [string, string])[];
  attrs?: SafeHtml;
}

export function field(o: FieldOptions): SafeHtml {
  const id = o.id ?? `f-${o.name}`;
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = html`id="${id}" name="${o.name}"${o.required ? html` required` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.attrs ? html` ${o.attrs}` : ''}`;
  let control: SafeHtml;
  if (o.options) {
    control = html`<select ${common}>${o.options.map(([v, l]) => html`<option value="${v}"${v === o.value ? html` selected` : ''}>${l}</option>`)}</select>`;
  } else if (o.multiline) {
    control = html`<textarea ${common} rows="5">${o.value ?? ''}</textarea>`;
  } else {
    control = html`<input type="${o.type ?? 'text'}" ${common}${o.type === 'file' ? '' : html` value="${o.value ?? ''}"`}>`;
  }
  return html`<div class="field${o.error ? ' field-error' : ''}">
  <label for="${id}">${o.label}</label>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ''}
  ${control}
</div>`;
}

/** A summary of errors at the top of a form, each linking to its field (keyboard and screen-reader friendly). */
export function errorSummary(t: T, errors: Record<string, string>, labels: Record<string, string>): SafeHtml {
  const entries = Object.entries(errors);
  if (entries.length === 0) return html``;
  return html`<div class="notice notice-error" role="alert" id="error-summary"><p>${t('form.errorSummary')}</p><ul>${entries.map(
    ([name, message]) => html`<li><a href="#f-${name}">${labels[name] ?? name}: ${message}</a></li>`,
  )}</ul></div>`;
}
