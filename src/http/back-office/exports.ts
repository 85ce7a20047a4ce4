import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Request, Response, Router } from 'express';
import { EXPORT_KINDS, isExportKind, type ExportPeriod } from '../../domain/csv-export.js';
import { EXPORT_COLUMNS } from '../../services/exports.js';
import type { I18n } from '../../i18n.js';
import type { Services } from '../../services/index.js';
import { localsOf, type BackOffice } from './session.js';

export interface ExportRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * The exports page and its downloads. A download is a GET (a read; the session cookie is
 * SameSite=Strict): the service checks the owner and hands rows from a cursor, which are
 * written as CSV through a pipeline, so the socket's backpressure paces the cursor and a
 * browser that goes away destroys the pipeline, which closes the cursor.
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
    const { file } = opened;
    res.set({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.fileName}"`,
    });
    try {
      await pipeline(Readable.from(file.rows), stringify({ bom: true, header: true, columns: [...file.columns] }), res);
    } catch (error) {
      // The browser went away (cancelled, closed): the pipeline closed the cursor; nothing to say.
      if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      req.log.error({ err: error, kind }, 'export failed');
      if (!res.headersSent) res.status(500).end();
      else res.destroy();
    }
  });
}
