import type { Response, Router } from 'express';
import { maskPhone } from '../../domain/phone.js';
import type { I18n, Locale, Translate } from '../../i18n.js';
import type { ErasePreview } from '../../services/erasure.js';
import type { Services } from '../../services/index.js';
import { escapeHtml, htmlPage } from '../html.js';
import { localsOf, type BackOffice } from './session.js';

export interface ErasureRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

/** The old dashboard's look, until these pages move to templates under views/. */
const style =
  `body{font-family:system-ui,sans-serif;margin:0;background:#f6f4f1;color:#2d2a26}main{max-width:60rem;margin:0 auto;padding:1.25rem}` +
  `h1{font-size:1.4rem;margin:.25rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}nav a{display:inline-block;margin:.25rem .5rem .25rem 0;padding:.4rem .8rem;border-radius:1rem;background:#fff;color:#2d2a26;text-decoration:none;border:1px solid #ddd}` +
  `nav a[aria-current]{background:#c2185b;color:#fff;border-color:#c2185b}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.75rem}` +
  `.card{background:#fff;border-radius:.75rem;padding:.8rem;box-shadow:0 1px 2px #0001}.card b{display:block;font-size:1.5rem;margin-top:.25rem}` +
  `.scroll{overflow-x:auto;border-radius:.75rem}table{width:100%;border-collapse:collapse;background:#fff;border-radius:.75rem;overflow:hidden}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #eee}` +
  `.funnel td:last-child{width:50%}.bar{background:#c2185b;height:.6rem;border-radius:.3rem;min-width:2px}.notice{background:#e8f5e9;padding:.6rem .8rem;border-radius:.5rem}small{color:#6b645c}` +
  `form{display:inline}button{margin:.1rem;padding:.35rem .7rem;border-radius:.5rem;border:1px solid #bbb;background:#fff;cursor:pointer}`;

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** The dashboard's form: an owner erases a customer's data on their request (code or phone, and why). */
export function eraseForm(
  { t, locale, csrf }: { t: Translate; locale: Locale; csrf: string },
  error?: string,
  values = { query: '', reason: '' },
): string {
  return (
    `<h2 id="erase">${escapeHtml(t('erasure:web.title'))}</h2><p><small>${escapeHtml(t('erasure:web.intro'))}</small></p>` +
    (error ? `<p class="notice" role="alert">${escapeHtml(error)}</p>` : '') +
    `<form method="post" action="/dashboard/erase" class="erase">${hidden('csrf', csrf)}${hidden('lang', locale)}` +
    `<label>${escapeHtml(t('erasure:web.query'))} <input name="query" required maxlength="32" value="${escapeHtml(values.query)}"></label> ` +
    `<label>${escapeHtml(t('erasure:web.reason'))} <input name="reason" required maxlength="200" value="${escapeHtml(values.reason)}"></label> ` +
    `<button type="submit">${escapeHtml(t('erasure:web.find'))}</button></form>`
  );
}

const refusalKeys: Record<Exclude<ErasePreview, { ok: true }>['reason'] | 'missing_reason', string> = {
  not_allowed: 'erasure:web.owner',
  not_found: 'erasure:web.notFound',
  ambiguous_phone: 'erasure:web.ambiguous',
  is_staff: 'erasure:web.staffFirst',
  is_owner: 'erasure:web.owner',
  missing_reason: 'erasure:web.missingReason',
};

/**
 * Two steps, both posts with the session's CSRF value: the form finds the customer and shows
 * who it is (name, masked phone, code); the confirmation erases, with the reason, audited.
 */
export function registerErasureRoutes(router: Router, deps: ErasureRoutesDeps): void {
  const { services, i18n, backOffice } = deps;
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

  function page(res: Response, locale: Locale, body: string): void {
    const t = i18n.forLocale(locale);
    res.send(
      htmlPage({
        locale,
        title: t('erasure:web.title'),
        style,
        body: `<main>${body}<p><a href="/dashboard?lang=${locale}">${escapeHtml(t('erasure:web.back'))}</a></p></main>`,
      }),
    );
  }

  router.post('/dashboard/erase', ...backOffice.form('owner'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const values = { query: text(body.query).slice(0, 32), reason: text(body.reason).slice(0, 200) };
    const again = (key: string) => page(res, locale, eraseForm({ t, locale, csrf: access.csrf }, t(key), values));
    if (!values.reason) return again(refusalKeys.missing_reason);
    const found = await services.erasure.preview(access.actor, values.query);
    if (!found.ok) return again(refusalKeys[found.reason]);
    const { customer } = found;
    const row = (label: string, value: string) => `<tr><th>${escapeHtml(t(label))}</th><td>${escapeHtml(value)}</td></tr>`;
    page(
      res,
      locale,
      `<h1>${escapeHtml(t('erasure:web.confirmTitle'))}</h1><table class="erase-who"><tbody>` +
        row('erasure:web.name', customer.name || '—') +
        row('erasure:web.phone', customer.phone ? maskPhone(customer.phone) : '—') +
        row('erasure:web.code', customer.code) +
        row('erasure:web.visits', String(customer.visitCount)) +
        row('erasure:web.points', String(customer.points)) +
        row('erasure:web.reason', values.reason) +
        `</tbody></table><p>${escapeHtml(t('erasure:web.confirmNote'))}</p>` +
        `<form method="post" action="/dashboard/erase/confirm">${hidden('csrf', access.csrf)}${hidden('lang', locale)}` +
        `${hidden('customerId', String(customer._id))}${hidden('reason', values.reason)}` +
        `<button type="submit">${escapeHtml(t('erasure:web.erase'))}</button></form>`,
    );
  });

  router.post('/dashboard/erase/confirm', ...backOffice.form('owner'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const result = await services.erasure.erase(access.actor, text(body.customerId), text(body.reason), { onRequest: true });
    if (!result.ok)
      return page(
        res,
        locale,
        eraseForm({ t, locale, csrf: access.csrf }, t(refusalKeys[result.reason === 'last_owner' ? 'is_owner' : result.reason])),
      );
    res.redirect(303, `/dashboard?${new URLSearchParams({ lang: locale, done: 'erased' }).toString()}`);
  });
}
