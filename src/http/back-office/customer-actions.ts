import type { Request, Response, Router } from 'express';
import { cleanReason } from '../../domain/corrections.js';
import { localsOf } from './session.js';
import { field } from './params.js';
import { renderCustomerPage, type CustomerDone, type CustomerRoutesDeps, type FormError } from './customers.js';

/**
 * The owner's actions on a customer's page, each through the service the chat command uses
 * (adjustments, corrections, roles), with a required reason (audited by the service). A form
 * carries a one-time request key, so a double submit acts once; success redirects (303) to the
 * page with a notice, an error shows the page again with the message next to the form.
 */
export function registerCustomerActionRoutes(router: Router, deps: CustomerRoutesDeps): void {
  const { services, backOffice, i18n } = deps;

  const pageOf = (req: Request) => String(req.params.code ?? '');
  /** The web's request keys are their own kind, apart from chat updates'. */
  const requestKey = (req: Request) => `web:${field(req.body, 'request', 64) || 'none'}`;

  function done(req: Request, res: Response, notice: CustomerDone): void {
    const { locale } = localsOf(res);
    const query = new URLSearchParams({ lang: locale, done: notice });
    res.redirect(303, `/dashboard/customers/${encodeURIComponent(pageOf(req))}?${query.toString()}`);
  }

  function failed(req: Request, res: Response, form: FormError['form'], key: string, values: Record<string, string> = {}, options = {}) {
    const t = i18n.forLocale(localsOf(res).locale);
    return renderCustomerPage(req, res, deps, pageOf(req), { error: { form, message: t(key, options), values } });
  }

  /** The reason every action asks for, or the page again saying so. */
  const reasonOf = (req: Request) => cleanReason(field(req.body, 'reason', 200));

  router.get('/dashboard/customers/:code', backOffice.page('owner', 'staff'), async (req, res) => {
    const notice = field(req.query, 'done');
    const known = ['points', 'cancelled', 'undone', 'staffAdded', 'staffRemoved', 'unchanged'].includes(notice);
    await renderCustomerPage(req, res, deps, pageOf(req), {
      ...(known ? { done: notice as CustomerDone } : {}),
      ...(field(req.query, 'phone', 32) ? { searchedPhone: field(req.query, 'phone', 32) } : {}),
    });
  });

  router.post('/dashboard/customers/:code/points', ...backOffice.form('owner'), async (req, res) => {
    const { access } = localsOf(res);
    const amount = field(req.body, 'amount', 16);
    const reason = reasonOf(req);
    const values = { amount, reason: reason ?? '' };
    if (!reason) return failed(req, res, 'points', 'people:actions.missingReason', values);
    const result = await services.adjustments.adjustPoints(access.actor, pageOf(req), amount, reason, requestKey(req));
    if (result.ok) return done(req, res, 'points');
    if (result.reason === 'not_allowed') return backOffice.refuse(res, localsOf(res).locale, 'signedOut');
    const options = result.reason === 'insufficient_points' ? { balance: result.balance } : {};
    return failed(req, res, 'points', `people:actions.points.${result.reason}`, values, options);
  });

  router.post('/dashboard/customers/:code/cancel', ...backOffice.form('owner'), async (req, res) => {
    const { access } = localsOf(res);
    const voucher = field(req.body, 'voucher', 32);
    const reason = reasonOf(req);
    const values = { voucher, reason: reason ?? '' };
    if (!reason) return failed(req, res, 'cancel', 'people:actions.missingReason', values);
    // Only a voucher of this customer's (the service checks): a code typed here for someone else's is not found.
    const result = await services.adjustments.cancelVoucher(access.actor, voucher, reason, requestKey(req), pageOf(req));
    if (result.ok) return done(req, res, 'cancelled');
    if (result.reason === 'not_allowed') return backOffice.refuse(res, localsOf(res).locale, 'signedOut');
    return failed(req, res, 'cancel', `people:actions.cancel.${result.reason}`, values);
  });

  router.post('/dashboard/customers/:code/undo', ...backOffice.form('owner'), async (req, res) => {
    const { access } = localsOf(res);
    const reason = reasonOf(req);
    if (!reason) return failed(req, res, 'undo', 'people:actions.missingReason');
    const result = await services.corrections.undo(access.actor, pageOf(req), reason, requestKey(req));
    if (result.ok) return done(req, res, 'undone');
    if (result.reason === 'not_allowed') return backOffice.refuse(res, localsOf(res).locale, 'signedOut');
    return failed(req, res, 'undo', `people:actions.undo.${result.reason}`, { reason });
  });

  router.post('/dashboard/customers/:code/staff', ...backOffice.form('owner'), async (req, res) => {
    const { access } = localsOf(res);
    const add = field(req.body, 'change') === 'add';
    const reason = reasonOf(req);
    if (!reason) return failed(req, res, 'staff', 'people:actions.missingReason');
    const result = add
      ? await services.roles.addStaff(access.actor, pageOf(req), reason)
      : await services.roles.removeStaff(access.actor, pageOf(req), reason);
    if (result.ok) return done(req, res, result.changed ? (add ? 'staffAdded' : 'staffRemoved') : 'unchanged');
    if (result.reason === 'not_allowed') return backOffice.refuse(res, localsOf(res).locale, 'signedOut');
    return failed(req, res, 'staff', `people:actions.staff.${result.reason}`, { reason });
  });
}
