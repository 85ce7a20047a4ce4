import type { Request, Response, Router } from 'express';
import { EXPORT_KINDS, isExportKind, type ExportPeriod } from '../../domain/csv-export.js';
import { EXPORT_COLUMNS } from '../../services/exports.js';
import type { I18n } from '../../i18n.js';
import type { Services } from '../../services/index.js';
import { sendCsv } from './csv.js';
import { localsOf, type BackOffice } from './session.js';

export interface ExportRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * The exports page and its downloads. A download is a GET (a read; the session cookie is
 * SameSite=Strict): the service checks the owner and hands rows from a cursor, which
 * `sendCsv` streams to the browser.
 */
export function registerExportRoutes(router: Router, deps: ExportRoutesDeps): void {
  const { services, i18n, backOffice } = deps;

  function showPage(req: Request, res: Response, period: { from: string; to: string }, error?: string, status = 200): void {
    const { locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    backOffice.frame(
      req,
      res,
      'back-office/exports',
      'exports',
      { title: t('exports:title'), styles: ['data-transfer'], period, error, kinds: EXPORT_KINDS, columns: EXPORT_COLUMNS },
      status,
    );
  }

  router.get('/dashboard/exports', backOffice.page('owner'), (req, res) => {
    const fallback = services.exports.defaultPeriod();
    showPage(req, res, { from: text(req.query.from) || fallback.from, to: text(req.query.to) || fallback.to });
  });

  router.get('/dashboard/exports/download', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const kind = req.query.kind;
    const asked = { from: text(req.query.from), to: text(req.query.to) };
    const period: ExportPeriod = req.query.period === 'all' ? 'all' : asked;
    if (!isExportKind(kind)) return showPage(req, res, asked, t('exports:unknownKind'), 400);
    const opened = await services.exports.open(access.actor, kind, period, locale);
    if (!opened.ok) {
      if (opened.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
      return showPage(req, res, asked, t('exports:badPeriod'), 400);
    }
    await sendCsv(req, res, opened.file, kind);
  });
}
