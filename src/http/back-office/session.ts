import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isLocale, type I18n, type Locale } from '../../i18n.js';
import type { Program } from '../../program/schema.js';
import type { DashboardAccess } from '../../services/dashboard.js';
import type { Services } from '../../services/index.js';
import type { PageData, Views } from '../views.js';
import { navFor } from './nav.js';

export type BackOfficeAccess = Extract<DashboardAccess, { ok: true }>;
export type BackOfficeRole = BackOfficeAccess['role'];

export interface BackOfficeDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  views: Views;
  /** Decides whether the session cookie is Secure (an https PUBLIC_URL). */
  publicUrl: string;
}

export const SESSION_COOKIE = 'dashboard_session';

export function sessionCookie(req: Pick<Request, 'headers'>): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const sameSecret = (given: unknown, expected: string) =>
  typeof given === 'string' && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

const refusals = {
  linkUsed: ['access:linkUsedTitle', 'access:linkUsedBody'],
  signedOut: ['access:signedOutTitle', 'access:signedOutBody'],
} as const;
export type Refusal = keyof typeof refusals;

/** What a guarded handler finds in `res.locals`. */
export interface BackOfficeLocals {
  access: BackOfficeAccess;
  /** `?lang=` (or a form's `lang`), else the signed-in person's language. */
  locale: Locale;
}

export const localsOf = (res: Response) => res.locals as unknown as BackOfficeLocals;

/**
 * The back office's guard: every page and form checks the session (the role is read again from
 * the database on each request, so a removed owner or staff member is out at once) and every
 * post its CSRF value. Handlers then call the services with `access.actor`, which check the
 * role once more: the guard keeps strangers out, the services decide.
 */
export function createBackOffice(deps: BackOfficeDeps) {
  const { services, i18n, views, program } = deps;

  /** A page that shows no numbers: why the back office did not open, and how to get in. */
  function refuse(res: Response, locale: Locale, why: Refusal): void {
    const [title, text] = refusals[why];
    const t = i18n.forLocale(locale);
    views.render(res, 'back-office/refused', { locale, title: t(title), text: t(text) }, 403);
  }

  function askedLocale(req: Request): Locale | undefined {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (isLocale(req.query.lang)) return req.query.lang;
    return isLocale(body.lang) ? body.lang : undefined;
  }

  async function check(req: Request, res: Response, roles: readonly BackOfficeRole[], post: boolean): Promise<boolean> {
    const access = await services.dashboard.open(sessionCookie(req));
    const asked = askedLocale(req);
    const csrf = ((req.body ?? {}) as Record<string, unknown>).csrf;
    if (!access.ok || !roles.includes(access.role) || (post && !sameSecret(csrf, access.csrf))) {
      refuse(res, asked ?? (access.ok ? access.person.locale : i18n.defaultLocale), 'signedOut');
      return false;
    }
    Object.assign(res.locals, { access, locale: asked ?? access.person.locale } satisfies BackOfficeLocals);
    return true;
  }

  /** For GET pages: only a live session of one of `roles`. */
  function page(...roles: BackOfficeRole[]): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      check(req, res, roles, false).then((ok) => ok && next(), next);
    };
  }

  /**
   * For form posts (urlencoded, at most `limit`, else 413 before any check): a live session of one
   * of `roles` and the session's CSRF value. `form` is for the small forms; long texts (rules,
   * announcements) name their own limit.
   */
  function formUpTo(limit: string, ...roles: BackOfficeRole[]): RequestHandler[] {
    return [
      express.urlencoded({ extended: false, limit }),
      (req: Request, res: Response, next: NextFunction) => {
        check(req, res, roles, true).then((ok) => ok && next(), next);
      },
    ];
  }

  const form = (...roles: BackOfficeRole[]) => formUpTo('4kb', ...roles);

  /**
   * Renders `template` inside the back office's frame (header, navigation for the person's role,
   * language switch). `current` is the navigation item the page belongs to.
   */
  function frame(
    req: Request,
    res: Response,
    template: string,
    current: string,
    data: Omit<PageData, 'locale'> & { title: string },
    status = 200,
  ): void {
    const { access, locale } = localsOf(res);
    const here = new URL(req.originalUrl, 'http://x');
    views.render(
      res,
      template,
      {
        ...data,
        locale,
        program,
        csrf: access.csrf,
        role: access.role,
        person: access.person.name || access.person.code,
        nav: navFor(access.role, current, locale),
        otherLanguageHref: (lang: Locale) => {
          here.searchParams.set('lang', lang);
          return `${here.pathname}${here.search}`;
        },
      },
      status,
    );
  }

  return { page, form, formUpTo, refuse, frame };
}

export type BackOffice = ReturnType<typeof createBackOffice>;
