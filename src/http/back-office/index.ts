import express, { type Router } from 'express';
import { isLocale } from '../../i18n.js';
import { recordFileName, renderProcessingRecord } from '../../domain/privacy-documents.js';
import { doneKeys, isPeriod, renderDashboard, type Done } from '../dashboard-page.js';
import { registerErasureRoutes } from './erasure.js';
import { registerRulesRoutes } from './rules.js';
import { escapeHtml, otherLanguageLink } from '../html.js';
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
      if (signIn.ok || (await services.dashboard.open(cookie)).ok) return res.redirect(303, '/dashboard');
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

  router.get('/dashboard', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const period = isPeriod(req.query.period) ? req.query.period : 'today';
    const done = typeof req.query.done === 'string' && Object.hasOwn(doneKeys, req.query.done) ? (req.query.done as Done) : undefined;
    const view = await services.dashboard.getView(access.actor, period);
    if (!view.ok) return refuse(res, locale, 'signedOut');
    res.send(
      renderDashboard({
        t: i18n.forLocale(locale),
        locale,
        program,
        view: view.view,
        csrf: access.csrf,
        period,
        done,
        owner: access.person.name || access.person.code,
      }),
    );
  });

  /** The shop's processing record from the live rules and roles: a printable page, or (`download=1`) the same page as a file. */
  router.get('/dashboard/record', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const record = await services.personalData.processingRecord(access.actor);
    if (!record.ok) return refuse(res, locale, 'signedOut');
    const t = i18n.forLocale(locale);
    const download = req.query.download === '1';
    const nav =
      `<nav><a href="/dashboard/record?lang=${locale}&amp;download=1">${escapeHtml(t('mydata:doc.download'))}</a>` +
      otherLanguageLink(locale, (lang) => `/dashboard/record?lang=${lang}`) +
      `<a href="/dashboard?lang=${locale}">${escapeHtml(t('mydata:doc.back'))}</a><small>${escapeHtml(t('mydata:doc.printHint'))}</small></nav>`;
    if (download) res.set('content-disposition', `attachment; filename="${recordFileName(record.facts.generatedAt, locale)}"`);
    res.type('html').send(renderProcessingRecord({ t, locale, program, facts: record.facts, nav: download ? undefined : nav }));
  });

  router.post('/dashboard/flags/:id', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const body = req.body as Record<string, unknown>;
    const decision = body.decision === 'dismissed' || body.decision === 'confirmed' ? body.decision : undefined;
    const result = decision ? await services.fraud.resolve(access.actor, req.params.id as string, decision) : undefined;
    const done: Done = result?.ok && decision ? decision : 'not_found';
    const query = new URLSearchParams({ period: isPeriod(body.period) ? body.period : 'today', lang: locale, done });
    res.redirect(303, `/dashboard?${query.toString()}`);
  });

  registerErasureRoutes(router, { services, i18n, backOffice });
  registerRulesRoutes(router, { services, i18n, backOffice });

  return router;
}
