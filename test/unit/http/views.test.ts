import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n.js';
import { createViews } from '../../../src/http/views.js';

describe('page templates', () => {
  it('escapes what people typed and gives the page its language and nonce', async () => {
    const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    const views = createViews(i18n);
    const html = views.renderToString(
      'back-office/refused',
      { locale: 'en', title: '<script>alert(1)</script>', text: 'Mai "&" Lan', meta: [{ property: 'og:title', content: '"><b>' }] },
      'n0nce',
    );
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(html).toContain('Mai &quot;&amp;&quot; Lan');
    expect(html).toContain('<meta property="og:title" content="&quot;&gt;&lt;b&gt;">');
    expect(html).not.toContain('<script>');
  });
});
