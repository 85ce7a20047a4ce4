import express, { type Router } from 'express';
import { isLocale } from '../../i18n.js';
import { createDocuments, recordFileName } from '../../documents/privacy.js';
import { otherLanguage } from '../views.js';
import { registerAnnouncementRoutes } from './announcements.js';
import { registerAuditRoutes } from './audit.js';
import { registerCustomerActionRoutes } from './customer-actions.js';
import { registerCustomerRoutes } from './customers.js';
import { registerErasureRoutes } from './erasure.js';
import { registerExportRoutes } from './exports.js';
import { registerImportRoutes } from './import.js';
import { registerOverviewRoutes } from './overview.js';
import { registerPartnerRoutes } from './partners.js';
import { registerVoucherRoutes } from './vouchers.js';
import { registerRulesRoutes } from './rules.js';
import { createBackOffice, localsOf, SESSION_COOKIE, sessionCookie, type BackOfficeDeps } from './session.js';

/**
 * The back office under /dashboard. The link from the `/dashboard` command (`/dashboard?token=…`)
 * is traded once for a session cookie (HttpOnly, SameSite=Strict, only sent to /dashboard), and
 * the browser is sent on to `/dashboard` without the token. Server-rendered; forms are plain
 * posts carrying the session's CSRF value (see session.ts).
 */
export function createDashboardRouter(deps: BackOfficeDeps): Router {
  const { services, program, i18n, views } = deps;
  const backOffice = createBackOffice(deps);
  const documents = createDocuments(i18n);
  const { refuse } = backOffice;
  const router = express.Router();
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.publicUrl.startsWith('https:'),
    path: '/dashboard',
  } as const;

  router.use('/dashboard', (_req, res, next) => {
    res.set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
    next();
  });

  /** Signing in: the one-time link becomes a session; arriving from another site needs one same-site step. */
  router.get('/dashboard', async (req, res, next) => {
    const askedLocale = isLocale(req.query.lang) ? req.query.lang : undefined;
    const cookie = sessionCookie(req);
    if (Object.hasOwn(req.query, 'token')) {
      const signIn = await services.dashboard.signIn(req.query.token);
      if (signIn.ok) res.cookie(SESSION_COOKIE, signIn.sessionId, { ...cookieOptions, maxAge: signIn.days * 24 * 3600_000 });
      // A link opened again in the browser it already signed in goes on to the page; anywhere else it is spent.
      if (signIn.ok) return res.redirect(303, signIn.role === 'staff' ? '/dashboard/customers' : '/dashboard');
      if ((await services.dashboard.open(cookie)).ok) return res.redirect(303, '/dashboard');
      return refuse(res, askedLocale ?? i18n.defaultLocale, 'linkUsed');
    }
    // The browser withholds a SameSite=Strict cookie on a cross-site arrival; a meta refresh (no script) brings it along.
    if (req.get('sec-fetch-site') === 'cross-site' && !(await services.dashboard.open(cookie)).ok) {
      const locale = askedLocale ?? i18n.defaultLocale;
      const t = i18n.forLocale(locale);
      return views.render(res, 'back-office/continue', {
        locale,
        title: t('dashboard:title', { business: program.business.name }),
        refreshTo: req.originalUrl,
      });
    }
    next();
  });

  // Staff have no overview: their back office starts at the customers.
  router.get('/dashboard', backOffice.page('owner', 'staff'), (req, res, next) => {
    const { access, locale } = localsOf(res);
    if (access.role === 'owner') return next();
    res.redirect(303, `/dashboard/customers?lang=${locale}`);
  });

  registerOverviewRoutes(router, { services, program, i18n, backOffice });

  /** The shop's processing record from the live rules and roles: a printable page, or (`download=1`) the same page as a file. */
  router.get('/dashboard/record', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const record = await services.personalData.processingRecord(access.actor);
    if (!record.ok) return refuse(res, locale, 'signedOut');
    const download = req.query.download === '1';
    const links = {
      download: `/dashboard/record?lang=${locale}&download=1`,
      other: otherLanguage(locale, (lang) => `/dashboard/record?lang=${lang}`),
      back: `/dashboard?lang=${locale}`,
    };
    if (download) res.set('content-disposition', `attachment; filename="${recordFileName(record.facts.generatedAt, locale)}"`);
    res.type('html').send(documents.processingRecord({ locale, program, facts: record.facts, links: download ? undefined : links }));
  });

  registerCustomerRoutes(router, { services, program, i18n, backOffice });
  registerCustomerActionRoutes(router, { services, program, i18n, backOffice });
  registerVoucherRoutes(router, { services, i18n, backOffice });
  registerPartnerRoutes(router, { services, program, i18n, backOffice });
  registerAuditRoutes(router, { services, i18n, backOffice });
  registerErasureRoutes(router, { services, i18n, backOffice });
  registerExportRoutes(router, { services, i18n, backOffice });
  registerImportRoutes(router, { services, i18n, backOffice });
  registerAnnouncementRoutes(router, { services, program, i18n, backOffice });
  registerRulesRoutes(router, { services, i18n, backOffice });

  return router;
}
