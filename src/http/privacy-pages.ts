import express, { type Response, type Router } from 'express';
import { createDocuments, privacyContent, recordFileName } from '../documents/privacy.js';
import { isLocale, type I18n, type Locale } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import type { Views } from './views.js';

export interface PrivacyPagesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  views: Views;
}

/**
 * The full privacy notice `/privacy` (anyone, vi by default, `?lang=en`), filled from the live
 * rules, and the one-time downloads `/download/<token>` that /mydata (on Zalo) and /record
 * hand out: the file goes once, as an attachment, never cached.
 */
export function createPrivacyPagesRouter(deps: PrivacyPagesDeps): Router {
  const { services, program, i18n, views } = deps;
  const documents = createDocuments(i18n);
  const router = express.Router();

  router.get('/privacy', (req, res) => {
    const locale = isLocale(req.query.lang) ? req.query.lang : i18n.defaultLocale;
    const t = i18n.forLocale(locale);
    res.set('cache-control', 'no-cache');
    views.render(res, 'documents/notice', {
      locale,
      title: t('mydata:notice.title', { business: program.business.name }),
      styles: ['privacy'],
      program,
      content: privacyContent(t, program),
    });
  });

  function spent(res: Response, locale: Locale): void {
    const t = i18n.forLocale(locale);
    views.render(
      res,
      'documents/gone',
      { locale, title: t('mydata:download.goneTitle'), styles: ['privacy'], text: t('mydata:download.goneBody') },
      410,
    );
  }

  router.get('/download/:token', async (req, res) => {
    res.set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
    const opened = await services.personalData.openDownload(req.params.token);
    if (!opened.ok) return spent(res, isLocale(req.query.lang) ? req.query.lang : i18n.defaultLocale);
    const attachment = (filename: string, type: string, content: string) =>
      res.set({ 'content-type': type, 'content-disposition': `attachment; filename="${filename}"` }).send(content);
    if (opened.kind === 'mydata') {
      const data = await services.personalData.exportFor(opened.actor);
      if (!data) return spent(res, opened.locale);
      return attachment(`mydata-${String(data.profile.code)}.json`, 'application/json; charset=utf-8', JSON.stringify(data, null, 2));
    }
    // The owner's role is checked again: an owner who lost it since the link was made gets nothing.
    const record = await services.personalData.processingRecord(opened.actor);
    if (!record.ok) return spent(res, opened.locale);
    return attachment(
      recordFileName(record.facts.generatedAt, opened.locale),
      'text/html; charset=utf-8',
      documents.processingRecord({ locale: opened.locale, program, facts: record.facts }),
    );
  });

  return router;
}
