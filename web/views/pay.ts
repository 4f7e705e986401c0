// The development payment provider's page: stands in for the configured provider's hosted page.
import { html, type SafeHtml } from '../html';
import { paymentPurposeWords, type T } from '../i18n';
import { csrfField, notice, type PageContext } from '../layout';

export function fakePayView(ctx: PageContext, t: T, o: { reference: string; purpose: string; amountCents: number; amount: string }): SafeHtml {
  return html`${notice('success', t('pay.testNotice'))}
<p>${t('pay.amount', { amount: o.amount })}</p>
<p>${t('pay.purpose', { purpose: paymentPurposeWords(t, o.purpose) })}</p>
<form method="post" action="/portal/pay/${o.reference}" class="stack">
  ${csrfField(ctx)}
  <input type="hidden" name="purpose" value="${o.purpose}">
  <input type="hidden" name="amountCents" value="${o.amountCents}">
  <button type="submit">${t('pay.submit')}</button>
</form>`;
}
