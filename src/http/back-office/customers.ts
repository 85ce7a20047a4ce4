import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { I18n, Locale } from '../../i18n.js';
import type { Program } from '../../program/schema.js';
import { customerSorts, type CustomerSearch } from '../../services/directory.js';
import type { Services } from '../../services/index.js';
import { field, listHref } from './params.js';
import { tierLabel } from '../../channels/conversation/format.js';
import { tierName } from '../../domain/loyalty.js';
import { journeyText } from './journey-text.js';
import { localsOf, type BackOffice } from './session.js';

export interface CustomerRoutesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  backOffice: BackOffice;
}

/** The notices a customer page shows after an action (post → redirect → get with `done=`). */
export const customerDone = ['points', 'cancelled', 'undone', 'staffAdded', 'staffRemoved', 'unchanged'] as const;
export type CustomerDone = (typeof customerDone)[number];

/** A form's one-time request key: a double submit sends the same one, and the service acts once. */
export const requestKeyOf = () => randomBytes(12).toString('base64url');

/** An action form's error to show next to its field, and what was typed. */
export interface FormError {
  form: 'points' | 'cancel' | 'undo' | 'staff' | 'erase';
  message: string;
  values?: Record<string, string>;
}

const customersHref = (locale: Locale, search: CustomerSearch) => listHref('/dashboard/customers', locale, { ...search });

/**
 * The customers list (owners and staff): search by name, phone or code, filters by tier and
 * referrer, sort orders, a page at a time; and a customer's page (see customer-page.ts).
 */
export function registerCustomerRoutes(router: Router, deps: CustomerRoutesDeps): void {
  const { services, program, i18n, backOffice } = deps;

  router.get('/dashboard/customers', backOffice.page('owner', 'staff'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const sort = customerSorts.find((s) => s === field(req.query, 'sort')) ?? 'newest';
    const search: CustomerSearch = {
      q: field(req.query, 'q', 64),
      tier: field(req.query, 'tier', 64),
      referredBy: field(req.query, 'referredBy', 16),
      sort,
      after: field(req.query, 'after', 200),
    };
    const found = await services.directory.list(access.actor, search);
    if (!found.ok && found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    const { after: _after, ...filters } = search;
    backOffice.frame(req, res, 'back-office/customers', 'customers', {
      title: i18n.forLocale(locale)('people:customers.title'),
      styles: ['people'],
      search: filters,
      sorts: customerSorts,
      tiers: program.tiers.map((tier) => ({ id: tier.id, name: tierName(tier, locale) })),
      tierOf: (id: string | undefined) => (id ? tierLabel(program, id, locale) : '—'),
      done: field(req.query, 'done') === 'erased' ? 'erased' : undefined,
      rows: found.ok ? found.rows : [],
      error: found.ok ? undefined : `people:customers.error.${found.reason}`,
      // A search by phone carries the number to the card, so staff see the number they typed there too.
      cardQuery: found.ok && found.matchedBy === 'phone' ? `&phone=${encodeURIComponent(search.q ?? '')}` : '',
      nextHref: found.ok && found.next ? customersHref(locale, { ...filters, after: found.next }) : undefined,
      firstHref: search.after ? customersHref(locale, filters) : undefined,
    });
  });
}

/** Renders a customer's page, with a notice or an action form's error. */
export async function renderCustomerPage(
  req: Request,
  res: Response,
  deps: CustomerRoutesDeps,
  code: string,
  extra: { done?: CustomerDone; error?: FormError; searchedPhone?: string } = {},
): Promise<void> {
  const { services, backOffice, i18n, program } = deps;
  const { access, locale } = localsOf(res);
  const t = i18n.forLocale(locale);
  const tierOf = (id: string | undefined) => (id ? tierLabel(program, id, locale) : '—');
  const found = await services.directory.card(access.actor, code, extra.searchedPhone);
  if (!found.ok) {
    if (found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    return backOffice.frame(req, res, 'back-office/customer-missing', 'customers', { title: t('people:customer.missing'), styles: ['people'] }, 404);
  }
  const { card } = found;
  backOffice.frame(
    req,
    res,
    'back-office/customer',
    'customers',
    {
      title: card.customer.name || card.customer.code,
      styles: ['people'],
      card,
      done: extra.done,
      error: extra.error,
      requestKey: requestKeyOf(),
      tierOf,
      journeyText: journeyText(t, locale, tierOf),
      owner: access.role === 'owner',
      self: card.customer.id === String(access.person._id),
    },
    extra.error ? 422 : 200,
  );
}
