import type { Request, Response, Router } from 'express';
import { maskPhone } from '../../domain/phone.js';
import type { I18n } from '../../i18n.js';
import type { ErasePreview } from '../../services/erasure.js';
import type { Services } from '../../services/index.js';
import { localsOf, type BackOffice } from './session.js';
import { field } from './params.js';

export interface ErasureRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
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
 * An owner erases a customer's data on their request, in two steps, both posts with the
 * session's CSRF value: the form on the customer's page (or this page again, with why it
 * stopped) finds the customer and shows who it is (name, masked phone, code); the
 * confirmation erases, with the reason, audited by the erasure service.
 */
export function registerErasureRoutes(router: Router, deps: ErasureRoutesDeps): void {
  const { services, i18n, backOffice } = deps;

  function page(req: Request, res: Response, data: Record<string, unknown>, status = 200): void {
    const t = i18n.forLocale(localsOf(res).locale);
    backOffice.frame(req, res, 'back-office/erase', 'customers', { title: t('erasure:web.title'), styles: ['people'], ...data }, status);
  }

  router.post('/dashboard/erase', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const values = { query: field(req.body, 'query', 32), reason: field(req.body, 'reason', 200) };
    const again = (key: string) => page(req, res, { step: 'form', error: t(key), values }, 422);
    if (!values.reason) return again(refusalKeys.missing_reason);
    const found = await services.erasure.preview(access.actor, values.query);
    if (!found.ok) return again(refusalKeys[found.reason]);
    const { customer } = found;
    page(req, res, {
      step: 'confirm',
      values,
      who: {
        id: String(customer._id),
        name: customer.name || '—',
        phone: customer.phone ? maskPhone(customer.phone) : '—',
        code: customer.code,
        visits: customer.visitCount,
        points: customer.points,
      },
    });
  });

  router.post('/dashboard/erase/confirm', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const result = await services.erasure.erase(access.actor, field(req.body, 'customerId', 32), field(req.body, 'reason', 200), {
      onRequest: true,
    });
    if (!result.ok) {
      const key = refusalKeys[result.reason === 'last_owner' ? 'is_owner' : result.reason];
      return page(req, res, { step: 'form', error: t(key), values: { query: '', reason: '' } }, 422);
    }
    res.redirect(303, `/dashboard/customers?${new URLSearchParams({ lang: locale, done: 'erased' }).toString()}`);
  });
}
