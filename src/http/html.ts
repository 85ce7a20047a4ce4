// Documents the chat sends too (the processing record) are written in src/domain, so the page helpers live there.
import { escapeHtml } from '../domain/html.js';

export { escapeHtml, htmlPage } from '../domain/html.js';

/** Each language by its own name: the switch to it reads the same in either page. */
const languageNames = { vi: 'Tiếng Việt', en: 'English' } as const;

/** The link to this page in the other language; `href` builds the address for a language (default: this page's `?lang=`). */
export function otherLanguageLink(locale: 'vi' | 'en', href: (lang: 'vi' | 'en') => string = (lang) => `?lang=${lang}`): string {
  const other = locale === 'vi' ? 'en' : 'vi';
  return `<a href="${escapeHtml(href(other))}" hreflang="${other}">${languageNames[other]}</a>`;
}
