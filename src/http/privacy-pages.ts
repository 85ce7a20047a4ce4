import express, { type Response, type Router } from 'express';
import { businessBlock, catalogueSections, recordFileName, renderProcessingRecord, rightsList } from '../domain/privacy-documents.js';
import { isLocale, type I18n, type Locale } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import { escapeHtml, htmlPage, otherLanguageLink } from './html.js';

export interface PrivacyPagesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
}

/** Readable on a phone first: one column, long words and addresses wrap instead of widening the page. */
export const noticeStyle =
  `body{font-family:system-ui,sans-serif;margin:0;background:#fdf6f0;color:#2d2a26;line-height:1.45}main{max-width:44rem;margin:0 auto;padding:1.25rem}` +
  `h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}h3{font-size:1rem;margin:1rem 0 .2rem}` +
  `.category{background:#fff;border-radius:.6rem;padding:.6rem .9rem;margin:.6rem 0}dl{margin:.3rem 0}dt{font-weight:600;margin-top:.3rem}` +
  `dd{margin:0 0 0 .8rem}p,li,dd{overflow-wrap:anywhere}code{background:#fff;padding:0 .2rem}`;

/**
 * The full privacy notice `/privacy` (anyone, vi by default, `?lang=en`), filled from the live
 * rules, and the one-time downloads `/download/<token>` that /mydata (on Zalo) and /record
 * hand out: the file goes once, as an attachment, never cached.
 */
export function createPrivacyPagesRouter(deps: PrivacyPagesDeps): Router {
  const { services, program, i18n } = deps;
  const router = express.Router();

  router.get('/privacy', (req, res) => {
    const locale = isLocale(req.query.lang) ? req.query.lang : i18n.defaultLocale;
    const t = i18n.forLocale(locale);
    const { business, privacy } = program;
    const title = t('mydata:notice.title', { business: business.name });
    const body =
      `<main><h1>${escapeHtml(title)}</h1><p>${otherLanguageLink(locale)}</p>` +
      `<p>${escapeHtml(t('mydata:notice.intro', { business: business.name }))}</p>` +
      `<h2>${escapeHtml(t('mydata:doc.controller'))}</h2>${businessBlock(t, business)}` +
      `<h2>${escapeHtml(t('mydata:doc.categories'))}</h2>${catalogueSections(t, privacy)}` +
      `<h2>${escapeHtml(t('mydata:doc.rights'))}</h2>${rightsList(t, business)}` +
      `<h2>${escapeHtml(t('mydata:doc.laws'))}</h2><p>${escapeHtml(t('mydata:doc.lawsText'))}</p>` +
      `<p data-testid="version">${escapeHtml(t('mydata:notice.version', { version: privacy.noticeVersion }))}</p></main>`;
    res.set('cache-control', 'no-cache').send(htmlPage({ locale, title, style: noticeStyle, body }));
  });

  function spent(res: Response, locale: Locale): void {
    const t = i18n.forLocale(locale);
    res.status(410).send(
      htmlPage({
        locale,
        title: t('mydata:download.goneTitle'),
        style: noticeStyle,
        body: `<main><h1>${escapeHtml(t('mydata:download.goneTitle'))}</h1><p>${escapeHtml(t('mydata:download.goneBody'))}</p></main>`,
      }),
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
    const t = i18n.forLocale(opened.locale);
    return attachment(
      recordFileName(record.facts.generatedAt, opened.locale),
      'text/html; charset=utf-8',
      renderProcessingRecord({ t, locale: opened.locale, program, facts: record.facts }),
    );
  });

  return router;
}
