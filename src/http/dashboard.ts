import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { isLocale, type I18n, type Locale } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import { recordFileName, renderProcessingRecord } from '../domain/privacy-documents.js';
import { doneKeys, isPeriod, renderDashboard, style, type Done } from './dashboard-page.js';
import { registerErasureRoutes } from './erasure-pages.js';
import { escapeHtml, htmlPage, otherLanguageLink } from './html.js';

export interface DashboardDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  /** Decides whether the session cookie is Secure (an https PUBLIC_URL). */
  publicUrl: string;
}

const SESSION_COOKIE = 'dashboard_session';

function sessionCookie(req: Pick<Request, 'headers'>): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const sameSecret = (given: unknown, expected: string) =>
  typeof given === 'string' && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

/**
 * The owner's dashboard. The link from the `/dashboard` command (`/dashboard?token=…`) is
 * traded once for a session cookie (HttpOnly, SameSite=Strict, only sent to /dashboard),
 * and the browser is sent on to `/dashboard` without the token. Server-rendered, no
 * scripts; flags are resolved with plain form posts carrying the session's CSRF value.
 */
export function createDashboardRouter(deps: DashboardDeps): Router {
  const { services, program, i18n } = deps;
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

  const refusals = {
    linkUsed: ['access:linkUsedTitle', 'access:linkUsedBody'],
    signedOut: ['access:signedOutTitle', 'access:signedOutBody'],
  } as const;

  /** A page that shows no numbers: why the dashboard did not open, and how to get in. */
  function refuse(res: Response, locale: Locale, why: keyof typeof refusals): void {
    const t = i18n.forLocale(locale);
    const [title, text] = refusals[why];
    res
      .status(403)
      .send(htmlPage({ locale, title: t(title), style, body: `<main><h1>${escapeHtml(t(title))}</h1><p>${escapeHtml(t(text))}</p></main>` }));
  }

  router.get('/dashboard', async (req, res) => {
    const askedLocale = isLocale(req.query.lang) ? req.query.lang : undefined;
    const cookie = sessionCookie(req);
    if (Object.hasOwn(req.query, 'token')) {
      const signIn = await services.dashboard.signIn(req.query.token);
      if (signIn.ok) res.cookie(SESSION_COOKIE, signIn.sessionId, { ...cookieOptions, maxAge: signIn.days * 24 * 3600_000 });
      // A link opened again in the browser it already signed in goes on to the page; anywhere else it is spent.
      if (signIn.ok || (await services.dashboard.open(cookie)).ok) return res.redirect(303, '/dashboard');
      return refuse(res, askedLocale ?? i18n.defaultLocale, 'linkUsed');
    }
    const access = await services.dashboard.open(cookie);
    if (!access.ok) {
      // Arriving from another site, the browser withholds a SameSite=Strict cookie; one
      // same-site step (a meta refresh needs no script) brings it along.
      if (req.get('sec-fetch-site') === 'cross-site') {
        const t = i18n.forLocale(askedLocale ?? i18n.defaultLocale);
        const again = escapeHtml(req.originalUrl);
        res.send(
          htmlPage({
            locale: askedLocale ?? i18n.defaultLocale,
            title: t('dashboard:title', { business: program.business.name }),
            style,
            head: `<meta http-equiv="refresh" content="0;url=${again}">`,
            body: `<main><p><a href="${again}">${escapeHtml(t('access:continue'))}</a></p></main>`,
          }),
        );
        return;
      }
      return refuse(res, askedLocale ?? i18n.defaultLocale, 'signedOut');
    }
    const locale = askedLocale ?? access.owner.locale;
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
        owner: access.owner.name || access.owner.code,
      }),
    );
  });

  /** The shop's processing record from the live rules and roles: a printable page, or (`download=1`) the same page as a file. */
  router.get('/dashboard/record', async (req, res) => {
    const askedLocale = isLocale(req.query.lang) ? req.query.lang : undefined;
    const access = await services.dashboard.open(sessionCookie(req));
    if (!access.ok) return refuse(res, askedLocale ?? i18n.defaultLocale, 'signedOut');
    const locale = askedLocale ?? access.owner.locale;
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

  router.post('/dashboard/flags/:id', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const access = await services.dashboard.open(sessionCookie(req));
    if (!access.ok || !sameSecret(body.csrf, access.csrf)) return refuse(res, isLocale(body.lang) ? body.lang : i18n.defaultLocale, 'signedOut');
    const decision = body.decision === 'dismissed' || body.decision === 'confirmed' ? body.decision : undefined;
    const result = decision ? await services.fraud.resolve(access.actor, req.params.id, decision) : undefined;
    const done: Done = result?.ok && decision ? decision : 'not_found';
    const query = new URLSearchParams({
      period: isPeriod(body.period) ? body.period : 'today',
      lang: isLocale(body.lang) ? body.lang : access.owner.locale,
      done,
    });
    res.redirect(303, `/dashboard?${query.toString()}`);
  });

  registerErasureRoutes(router, {
    services,
    i18n,
    authenticate: async (cookie, csrf) => {
      const access = await services.dashboard.open(sessionCookie({ headers: { cookie } }));
      return access.ok && sameSecret(csrf, access.csrf) ? access : undefined;
    },
    refuse: (res, locale) => refuse(res, locale, 'signedOut'),
  });

  return router;
}
