import path from 'node:path';
import type { Response } from 'express';
import { Eta } from 'eta';
import type { I18n, Locale, Translate } from '../i18n.js';
import { projectRoot } from '../paths.js';

/** Each language by its own name: the switch to it reads the same in either page. */
const languageNames = { vi: 'Tiếng Việt', en: 'English' } as const;

/** The link to this page in the other language; `href` builds the address for a language (default: this page's `?lang=`). */
export function otherLanguage(locale: Locale, href: (lang: Locale) => string = (lang) => `?lang=${lang}`) {
  const lang: Locale = locale === 'vi' ? 'en' : 'vi';
  return { lang, href: href(lang), name: languageNames[lang] };
}

/** What every page template gets besides its own data. */
export interface PageBase {
  locale: Locale;
  title: string;
  /** Extra stylesheets under /assets (names without `.css`), after base.css. */
  styles?: string[];
  /** `<meta>` tags (Open Graph uses `property`). */
  meta?: Array<{ property?: string; name?: string; content: string }>;
}

export type PageData = PageBase & Record<string, unknown>;

/**
 * Pages are Eta templates under views/, rendered on the server with auto-escaping: `<%= %>`
 * escapes, `<%~ %>` is only for the output of other templates (layouts and includes), never
 * for data. Each template gets `it.t` (the page's language), `it.nonce` (the CSP nonce for a
 * `<script nonce>`) and `it.otherLanguage(href?)`.
 */
export function createViews(i18n: I18n, viewsDir = path.join(projectRoot, 'views')) {
  const eta = new Eta({ views: viewsDir, autoEscape: true, cache: true });

  function renderToString(template: string, data: PageData, nonce = ''): string {
    const t: Translate = i18n.forLocale(data.locale);
    return eta.render(template, {
      ...data,
      t,
      nonce,
      otherLanguage: (href?: (lang: Locale) => string) => otherLanguage(data.locale, href),
    });
  }

  /** Renders `template` (a path under views/, e.g. `back-office/customers`) as the response. */
  function render(res: Response, template: string, data: PageData, status = 200): void {
    const nonce = typeof res.locals.cspNonce === 'string' ? res.locals.cspNonce : '';
    res
      .status(status)
      .type('html')
      .send(renderToString(template, data, nonce));
  }

  return { render, renderToString };
}

export type Views = ReturnType<typeof createViews>;
