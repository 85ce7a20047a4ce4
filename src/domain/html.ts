/** Text made safe for HTML (names and codes come from chat users). */
export const escapeHtml = (text: string | number) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A whole server-rendered page: no scripts, styles inline, readable on a phone. */
export function htmlPage(options: { locale: string; title: string; style: string; body: string; head?: string }): string {
  return (
    `<!doctype html><html lang="${escapeHtml(options.locale)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(options.title)}</title>` +
    `<style>${options.style}</style>${options.head ?? ''}</head><body>${options.body}</body></html>`
  );
}
