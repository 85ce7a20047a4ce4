import type { Request, Response, Router } from 'express';
import { addMonths } from '../../domain/commission.js';
import type { I18n } from '../../i18n.js';
import type { Program } from '../../program/schema.js';
import type { Services } from '../../services/index.js';
import { sendCsv } from './csv.js';
import { field } from './params.js';
import { localsOf, type BackOffice } from './session.js';

export interface PartnerRoutesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  backOffice: BackOffice;
}

/** What a redirect after marking paid may say (anything else in `?done=` is ignored). */
const notices = ['paid'] as const;

/**
 * The owner's partner pages: every partner with this and last month's figures, a partner's month
 * line by line (and marking a closed month paid, through the service the chat uses, which claims
 * the payment so a second submit pays nothing), the month's reconciliation, and both as CSV.
 */
export function registerPartnerRoutes(router: Router, deps: PartnerRoutesDeps): void {
  const { services, program, i18n, backOffice } = deps;
  const reports = services.commissions;
  const planName = (planId: string, locale: 'vi' | 'en') => program.partners.plans.find((p) => p.id === planId)?.name[locale] ?? planId;
  const monthOf = (source: unknown) => field(source, 'month', 7);
  const codeOf = (req: Request) => String(req.params.code ?? '');
  const here = (code: string, month: string, locale: string, extra: Record<string, string> = {}) =>
    `/dashboard/partners/${encodeURIComponent(code)}?${new URLSearchParams({ lang: locale, month, ...extra }).toString()}`;

  router.get('/dashboard/partners', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const found = await reports.partners(access.actor);
    if (!found.ok) return backOffice.refuse(res, locale, 'signedOut');
    const rows = found.rows.map((row) => ({ ...row, plan: planName(row.planId, locale) }));
    backOffice.frame(req, res, 'back-office/partners', 'partners', {
      title: i18n.forLocale(locale)('partnerpages:list.title'),
      styles: ['people', 'partners'],
      month: found.month,
      lastMonth: addMonths(found.month, -1),
      rows,
      owed: found.owed,
      here,
    });
  });

  router.get('/dashboard/partners/summary', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const month = monthOf(req.query);
    const shown = await reports.closeSummary(access.actor, month);
    if (!shown.ok && shown.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    backOffice.frame(
      req,
      res,
      'back-office/partners-summary',
      'partners',
      {
        title: i18n.forLocale(locale)('partnerpages:summary.title'),
        styles: ['people', 'partners'],
        month,
        summary: shown.ok ? shown.summary : undefined,
        error: shown.ok ? undefined : `partnerpages:error.${shown.reason}`,
      },
      shown.ok ? 200 : 400,
    );
  });

  router.get('/dashboard/partners/summary/download', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const month = monthOf(req.query);
    const opened = await reports.summaryFile(access.actor, month);
    if (opened.ok) return sendCsv(req, res, opened.file, 'program_close');
    if (opened.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    res.redirect(303, `/dashboard/partners/summary?${new URLSearchParams({ lang: locale, month }).toString()}`);
  });

  async function showStatement(req: Request, res: Response, month: string, message?: { error?: string; done?: string }) {
    const { access, locale } = localsOf(res);
    const code = codeOf(req);
    const found = await reports.statementLines(access.actor, code, month);
    if (!found.ok && found.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    const t = i18n.forLocale(locale);
    backOffice.frame(
      req,
      res,
      'back-office/partner-statement',
      'partners',
      {
        title: found.ok ? t('partnerpages:statement.title', { name: found.partner.name || found.partner.code }) : t('partnerpages:statement.missing'),
        styles: ['people', 'partners'],
        code,
        month,
        partner: found.ok ? found.partner : undefined,
        statement: found.ok ? found.statement : undefined,
        lines: found.ok ? found.lines : [],
        error: message?.error ?? (found.ok ? undefined : `partnerpages:error.${found.reason}`),
        done: message?.done,
        downloadHref: `/dashboard/partners/${encodeURIComponent(code)}/download?${new URLSearchParams({ lang: locale, month }).toString()}`,
      },
      found.ok ? (message?.error ? 409 : 200) : found.reason === 'bad_month' ? 400 : 404,
    );
  }

  router.get('/dashboard/partners/:code', backOffice.page('owner'), async (req, res) => {
    const done = notices.find((n) => n === field(req.query, 'done'));
    await showStatement(req, res, monthOf(req.query), done ? { done: `partnerpages:done.${done}` } : undefined);
  });

  router.get('/dashboard/partners/:code/download', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const month = monthOf(req.query);
    const opened = await reports.statementFile(access.actor, codeOf(req), month);
    if (opened.ok) return sendCsv(req, res, opened.file, 'partner_statement');
    if (opened.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
    await showStatement(req, res, month);
  });

  router.post('/dashboard/partners/:code/paid', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const month = monthOf(req.body);
    const result = await services.commissions.markPaid(access.actor, codeOf(req), month);
    if (result.ok) return res.redirect(303, here(codeOf(req), month, locale, { done: 'paid' }));
    if (result.reason === 'not_owner') return backOffice.refuse(res, locale, 'signedOut');
    await showStatement(req, res, month, { error: `partnerpages:paid.${result.reason}` });
  });
}
