import type { Router } from 'express';
import type { Translate } from '../../i18n.js';
import type { AuditSearch } from '../../services/listings.js';
import { field, listHref } from './params.js';
import { localsOf } from './session.js';
import type { ListRoutesDeps } from './vouchers.js';

/** The actions the filter offers (the staff and owner actions people ask about; others are found by "all"). */
const auditActions = [
  'confirm_first_visit',
  'record_visit',
  'redeem',
  'adjust_points',
  'cancel_voucher',
  'undo_visit',
  'staff_add',
  'staff_remove',
  'staff_invite',
  'resolve_flag',
  'erase_customer',
  'dashboard_link',
  'dashboard_logout',
] as const;

/**
 * An action's or outcome's label: this page's own wording first, then the one the chat's
 * features already have; anything else is "other".
 */
export const auditLabels = (t: Translate) => ({
  action: (action: string) =>
    t([
      `people:audit.action.${action}`,
      `dashboard:action.${action}`,
      `access:action.${action}`,
      `mydata:action.${action}`,
      'dashboard:action.other',
    ]),
  outcome: (outcome: string) => t([`people:audit.outcome.${outcome}`, `dashboard:outcome.${outcome}`, 'dashboard:outcome.other']),
});

/** The owner's audit log: actions or refused attempts, by period, action and who, newest first. */
export function registerAuditRoutes(router: Router, deps: ListRoutesDeps): void {
  const { services, i18n, backOffice } = deps;

  router.get('/dashboard/audit', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const action = auditActions.find((a) => a === field(req.query, 'action'));
    const filters = {
      action,
      who: field(req.query, 'who', 16),
      from: field(req.query, 'from', 10),
      to: field(req.query, 'to', 10),
      refused: field(req.query, 'refused') === '1' ? '1' : undefined,
    };
    const search: AuditSearch = { ...filters, refused: !!filters.refused, after: field(req.query, 'after') };
    const found = await services.listings.audit(access.actor, search);
    if (!found.ok && found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    backOffice.frame(req, res, 'back-office/audit', 'audit', {
      title: t('people:audit.title'),
      styles: ['people'],
      filters,
      actions: auditActions,
      labels: auditLabels(t),
      rows: found.ok ? found.rows : [],
      error: found.ok ? undefined : `people:list.error.${found.reason}`,
      nextHref: found.ok && found.next ? listHref('/dashboard/audit', locale, { ...filters, after: found.next }) : undefined,
      firstHref: search.after ? listHref('/dashboard/audit', locale, filters) : undefined,
    });
  });
}
