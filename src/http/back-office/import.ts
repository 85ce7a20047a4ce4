import type { NextFunction, Request, Response, Router } from 'express';
import multer from 'multer';
import { IMPORT_COLUMNS, refusalLines } from '../../domain/customer-csv.js';
import { EXPORT_COLUMNS } from '../../services/exports.js';
import type { I18n } from '../../i18n.js';
import type { PreviewResult } from '../../services/import-uploads.js';
import type { Services } from '../../services/index.js';
import { localsOf, type BackOffice } from './session.js';

export interface ImportRoutesDeps {
  services: Services;
  i18n: I18n;
  backOffice: BackOffice;
}

/** A shop's list of regulars is far smaller: 2 MB holds about 40,000 rows. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
/** Row errors listed on the page; the rest are counted. */
const ERRORS_SHOWN = 300;

type UploadProblem = 'tooBig' | 'notCsv' | 'noFile' | 'unreadable';

/** A workbook (xlsx is a zip) or a file neither named nor typed as CSV is not one. */
function isCsv(file: Express.Multer.File): boolean {
  const zip = file.buffer.length >= 4 && file.buffer.readUInt32BE(0) === 0x504b0304;
  const named = /\.(csv|txt)$/i.test(file.originalname);
  const typed = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'].includes(file.mimetype);
  return !zip && (named || typed);
}

/**
 * The import page: upload → preview (nothing written) → confirm → result. Multer reads the one
 * file into memory within MAX_UPLOAD_BYTES after the session check (a stranger's upload is
 * refused before it is read) and before the CSRF check (the CSRF value is a field of the same
 * multipart form). What waits between preview and confirmation stays on the server
 * (services/import-uploads.ts); the page carries only its id.
 */
export function registerImportRoutes(router: Router, deps: ImportRoutesDeps): void {
  const { services, i18n, backOffice } = deps;
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 4, fieldSize: 256, parts: 6 },
  }).single('file');

  function receive(req: Request, res: Response, next: NextFunction): void {
    upload(req, res, (error: unknown) => {
      if (error) res.locals.uploadProblem = error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE' ? 'tooBig' : 'unreadable';
      next();
    });
  }

  function showForm(req: Request, res: Response, data: { problem?: UploadProblem; fileLines?: string[]; notice?: string } = {}, status = 200): void {
    const t = i18n.forLocale(localsOf(res).locale);
    const problem = data.problem ? t(`imports:web.problem.${data.problem}`, { size: MAX_UPLOAD_BYTES / 1024 / 1024 }) : undefined;
    backOffice.frame(
      req,
      res,
      'back-office/import',
      'import',
      {
        title: t('imports:web.title'),
        styles: ['data-transfer'],
        problem,
        fileLines: data.fileLines,
        required: IMPORT_COLUMNS,
        extra: EXPORT_COLUMNS.customers.slice(IMPORT_COLUMNS.length),
        notice: data.notice,
      },
      status,
    );
  }

  router.get('/dashboard/import', backOffice.page('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    if (req.query.upload === undefined) return showForm(req, res);
    const report = await services.importUploads.report(access.actor, req.query.upload, access.csrf);
    if (!report.ok) {
      if (report.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
      return showForm(req, res, { notice: t('imports:web.expired') });
    }
    backOffice.frame(req, res, 'back-office/import-result', 'import', {
      title: t('imports:web.title'),
      styles: ['data-transfer'],
      report,
      uploadId: req.query.upload,
    });
  });

  router.post('/dashboard/import', backOffice.page('owner'), receive, ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const problem = res.locals.uploadProblem as UploadProblem | undefined;
    const file = req.file;
    if (problem || !file || file.size === 0) return showForm(req, res, { problem: problem ?? 'noFile' }, problem === 'tooBig' ? 413 : 400);
    if (!isCsv(file)) return showForm(req, res, { problem: 'notCsv' }, 415);
    const result: PreviewResult = await services.importUploads.preview(access.actor, file.buffer, access.csrf);
    if (!result.ok) {
      if (result.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
      const fileLines = result.reason === 'refused_file' ? refusalLines(result.file, t) : [t('imports:web.noRows')];
      return showForm(req, res, { fileLines }, 422);
    }
    const { preview } = result;
    backOffice.frame(req, res, 'back-office/import-preview', 'import', {
      title: t('imports:web.previewTitle'),
      styles: ['data-transfer'],
      preview,
      errorsShown: preview.errors.slice(0, ERRORS_SHOWN),
      errorsMore: Math.max(0, preview.errors.length - ERRORS_SHOWN),
    });
  });

  router.post('/dashboard/import/confirm', ...backOffice.form('owner'), async (req, res) => {
    const { access, locale } = localsOf(res);
    const t = i18n.forLocale(locale);
    const uploadId = (req.body as Record<string, unknown>).upload;
    const confirmed = await services.importUploads.confirm(access.actor, uploadId, access.csrf, i18n.defaultLocale);
    if (!confirmed.ok) {
      if (confirmed.reason === 'not_allowed') return backOffice.refuse(res, locale, 'signedOut');
      return showForm(req, res, { notice: t('imports:web.expired') }, 410);
    }
    res.redirect(303, `/dashboard/import?${new URLSearchParams({ upload: String(uploadId), lang: locale }).toString()}`);
  });
}
