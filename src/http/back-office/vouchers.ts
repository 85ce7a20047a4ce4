import type { Router } from 'express';
import type { I18n } from '../../i18n.js';
import type { Services } from '../../services/index.js';
import { voucherCauses, voucherStatuses, type VoucherSearch } from '../../services/listings.js';
import { field, listHref } from './params.js';
import { localsOf, type BackOffice } from './session.js';

export interface ListRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

/** The owner's vouchers: by status, what they were issued for, the period issued and the customer, newest first. */
export function registerVoucherRoutes(router: Router, deps: ListRoutesDeps): void {
  const { services, i18n, backOffice } = deps;

  router.get('/dashboard/vouchers', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const status = voucherStatuses.find((s) => s === field(req.query, 'status'));
    const cause = voucherCauses.find((c) => c === field(req.query, 'cause'));
    const filters = { status, cause, from: field(req.query, 'from', 10), to: field(req.query, 'to', 10), customer: field(req.query, 'customer', 16) };
    const search: VoucherSearch = { ...filters, after: field(req.query, 'after') };
    const found = await services.listings.vouchers(access.actor, search);
    if (!found.ok && found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    backOffice.frame(req, res, 'back-office/vouchers', 'vouchers', {
      title: i18n.forLocale(locale)('people:vouchers.title'),
      styles: ['people'],
      filters,
      statuses: voucherStatuses,
      causes: voucherCauses,
      rows: found.ok ? found.rows : [],
      error: found.ok ? undefined : `people:list.error.${found.reason}`,
      nextHref: found.ok && found.next ? listHref('/dashboard/vouchers', locale, { ...filters, after: found.next }) : undefined,
      firstHref: search.after ? listHref('/dashboard/vouchers', locale, filters) : undefined,
    });
  });
}
