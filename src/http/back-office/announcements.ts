import type { Request, Response, Router } from 'express';
import { ANNOUNCEMENT_TEXT_LIMIT, MAX_INACTIVE_DAYS, type DraftError } from '../../domain/announcements.js';
import type { I18n, Locale } from '../../i18n.js';
import type { Program } from '../../program/schema.js';
import { tierLabel } from '../../channels/conversation/format.js';
import { tierName } from '../../domain/loyalty.js';
import type { AnnouncementView } from '../../services/announcements.js';
import type { Services } from '../../services/index.js';
import { localsOf, type BackOffice } from './session.js';

/** Two texts of 1,500 characters, each Vietnamese letter up to 9 characters once form-encoded (%E1%BB%87). */
const DRAFT_FORM_LIMIT = '64kb';

export interface AnnouncementRoutesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  backOffice: BackOffice;
}

const BASE = '/dashboard/announcements';
const notices = ['saved', 'tested', 'sent'] as const;
const pageErrors = ['no_recipients', 'not_found', 'already_sent'] as const;
const pick = <T extends string>(value: unknown, allowed: readonly T[]) =>
  (allowed as readonly unknown[]).includes(value) ? (value as T) : undefined;

interface FormValues {
  vi: string;
  en: string;
  audience: string;
  tier: string;
  days: string;
}

const valuesOf = (body: Record<string, unknown>): FormValues => {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  return { vi: text('vi'), en: text('en'), audience: text('audience'), tier: text('tier'), days: text('days') };
};

const valuesOfDraft = (announcement: AnnouncementView): FormValues => ({
  vi: announcement.text.vi,
  en: announcement.text.en,
  audience: announcement.audience.kind,
  tier: announcement.audience.tier ?? '',
  days: announcement.audience.days ? String(announcement.audience.days) : '',
});

/**
 * The owner's announcements: the list of those sent with their figures, and a compose form
 * saved as a draft (its id is the form's, so a form sent twice is one announcement). Each step
 * is a post, then a redirect to the draft's page: save and count, a test to the owner, review,
 * and send with a confirmation. Errors stay on the form, next to their field.
 */
export function registerAnnouncementRoutes(router: Router, deps: AnnouncementRoutesDeps): void {
  const { services, program, i18n, backOffice } = deps;
  const announcements = services.announcements;

  function errorTexts(locale: Locale, errors: DraftError[]): Record<string, string> {
    const t = i18n.forLocale(locale);
    const texts: Record<string, string> = {};
    for (const { field, reason } of errors)
      texts[field] =
        field === 'audience'
          ? t('announcements:web.error.audience')
          : t(`announcements:web.error.${reason}`, { limit: ANNOUNCEMENT_TEXT_LIMIT, max: MAX_INACTIVE_DAYS });
    return texts;
  }

  function form(locale: Locale, id: string, values: FormValues, errors: Record<string, string> = {}) {
    return {
      id,
      values,
      errors,
      limit: ANNOUNCEMENT_TEXT_LIMIT,
      maxDays: MAX_INACTIVE_DAYS,
      tiers: program.tiers.map((tier) => ({ key: tier.id, label: tierName(tier, locale) })),
    };
  }

  function render(req: Request, res: Response, template: string, data: Record<string, unknown>, status = 200) {
    const t = i18n.forLocale(localsOf(res).locale);
    const done = pick(req.query.done, notices);
    backOffice.frame(
      req,
      res,
      template,
      'announcements',
      {
        title: t('announcements:web.title'),
        styles: ['announcements'],
        notice: done ? t(`announcements:web.done.${done}`) : undefined,
        tierLabel,
        ...data,
      },
      status,
    );
  }

  async function listPage(req: Request, res: Response, values: FormValues, errors: Record<string, string> = {}, id?: string, status = 200) {
    const { access, locale } = localsOf(res);
    const listed = await announcements.list(access.actor);
    if (!listed.ok) return backOffice.refuse(res, locale, 'signedOut');
    render(
      req,
      res,
      'back-office/announcements',
      { items: listed.items, form: form(localsOf(res).locale, id ?? announcements.newDraftId(), values, errors) },
      status,
    );
  }

  router.get(BASE, backOffice.page('owner'), async (req, res) => {
    await listPage(req, res, { vi: '', en: '', audience: 'everyone', tier: '', days: '30' });
  });

  router.get(`${BASE}/:id`, backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const found = await announcements.get(access.actor, String(req.params.id));
    if (!found.ok && found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    if (!found.ok) return res.redirect(303, `${BASE}?lang=${locale}`);
    const { announcement } = found;
    const error = pick(req.query.error, pageErrors);
    const t = i18n.forLocale(locale);
    render(req, res, 'back-office/announcement', {
      announcement,
      count: found.count,
      figures: found.figures,
      review: req.query.step === 'review' && announcement.status === 'draft' && !error,
      pageError: error ? t(`announcements:web.error.${error}`) : undefined,
      form: announcement.status === 'draft' ? form(locale, String(announcement._id), valuesOfDraft(announcement)) : undefined,
    });
  });

  router.post(`${BASE}/:id`, ...backOffice.formUpTo(DRAFT_FORM_LIMIT, 'owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const id = String(req.params.id);
    const body = req.body as Record<string, unknown>;
    const saved = await announcements.saveDraft(access.actor, id, body);
    if (!saved.ok && saved.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    if (!saved.ok && saved.reason === 'invalid') return listPage(req, res, valuesOf(body), errorTexts(locale, saved.errors), id, 400);
    if (!saved.ok)
      return res.redirect(303, `${BASE}/${encodeURIComponent(id)}?${new URLSearchParams({ lang: locale, error: saved.reason }).toString()}`);
    const query = new URLSearchParams({ lang: locale });
    if (body.step === 'test') {
      const tested = await announcements.sendTest(access.actor, id);
      query.set(tested.ok ? 'done' : 'error', tested.ok ? 'tested' : tested.reason);
    } else if (body.step === 'review') query.set('step', 'review');
    else query.set('done', 'saved');
    res.redirect(303, `${BASE}/${id}?${query.toString()}`);
  });

  router.post(`${BASE}/:id/send`, ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const id = String(req.params.id);
    const sent = await announcements.send(access.actor, id);
    if (!sent.ok && sent.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    const query = new URLSearchParams({ lang: locale, ...(sent.ok ? { done: 'sent' } : { error: sent.reason }) });
    res.redirect(303, `${BASE}/${encodeURIComponent(id)}?${query.toString()}`);
  });
}
