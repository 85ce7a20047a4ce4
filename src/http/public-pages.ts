import express, { type Router } from 'express';
import { MEMBER_CARD_PREFIX, telegramStartLink } from '../domain/links.js';
import { isLocale, type I18n, type Locale } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import { escapeHtml, htmlPage, otherLanguageLink } from './html.js';
import { createRateLimit } from './rate-limit.js';

export interface PublicPagesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  publicUrl: string;
  /** The Telegram bot's username once it is known, for the "open in Telegram" button. */
  telegramUsername: () => string | undefined;
  zaloBotLink: string | undefined;
}

const landingStyle =
  `body{font-family:system-ui,sans-serif;margin:0;background:#fdf6f0;color:#2d2a26}main{max-width:28rem;margin:0 auto;padding:2rem 1.25rem;text-align:center}` +
  `h1{font-size:1.5rem}.code{font-size:2.5rem;letter-spacing:.3rem;font-weight:700;background:#fff;border:2px dashed #c2185b;border-radius:.75rem;padding:.75rem;margin:1rem 0}` +
  `.offer{font-size:1.15rem;color:#c2185b;font-weight:600}a.button{display:block;margin:.75rem 0;padding:.9rem;border-radius:.75rem;color:#fff;text-decoration:none;font-weight:600}` +
  `.telegram{background:#229ed9}.zalo{background:#0068ff}small{color:#6b645c}`;

/** A link to the same page in the other language (each language named in itself). */
const languageSwitch = (locale: Locale) => `<p>${otherLanguageLink(locale)}</p>`;

/**
 * Pages anyone may open: the referral landing page `/r/<code>` (counts the click, shows the
 * code and the offer, opens Telegram or Zalo), the member card `/m/<member token>` and QR images
 * `/qr/<token>.png`.
 */
export function createPublicPagesRouter(deps: PublicPagesDeps): Router {
  const router = express.Router();
  const renderLimited = (seconds: number) => {
    const locale = deps.i18n.defaultLocale;
    const t = deps.i18n.forLocale(locale);
    return htmlPage({
      locale,
      title: t('access:tooManyTitle'),
      style: landingStyle,
      body: `<main><h1>${escapeHtml(t('access:tooManyTitle'))}</h1><p>${escapeHtml(t('access:tooManyBody', { seconds }))}</p></main>`,
    });
  };
  router.use(['/r', '/m', '/qr', '/download', '/privacy'], createRateLimit({ renderLimited }));

  router.get('/qr/:token.png', async (req, res) => {
    const png = await deps.services.qrImages.read(req.params.token);
    if (!png) {
      res.status(404).end();
      return;
    }
    // Chat apps show these images from their own pages, so other origins may load them.
    res
      .writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=86400', 'cross-origin-resource-policy': 'cross-origin' })
      .end(png);
  });

  router.get('/r/:code', async (req, res) => {
    const locale = isLocale(req.query.lang) ? req.query.lang : deps.i18n.defaultLocale;
    const t = deps.i18n.forLocale(locale);
    // The visitor is this browser at this address (hashed by the service, never stored as is).
    const opened = await deps.services.referrals.recordLinkOpen(req.params.code, 'link', `web:${req.ip ?? ''}:${req.get('user-agent') ?? ''}`);
    const page = (title: string, body: string) => htmlPage({ locale, title, style: landingStyle, body: `<main>${body}</main>` });
    if (!opened.ok) {
      res
        .status(404)
        .send(
          page(
            t('web:notFoundTitle'),
            `<h1>${escapeHtml(t('web:notFoundTitle'))}</h1><p>${escapeHtml(t('web:notFoundBody', { business: deps.program.business.name }))}</p>`,
          ),
        );
      return;
    }
    const { referrer } = opened;
    // The fallback ("a friend") is a phrase that starts the heading, not a name to cut.
    const aFriend = t('bot:aFriend');
    const name = referrer.name || aFriend.charAt(0).toLocaleUpperCase(locale) + aFriend.slice(1);
    const telegram = deps.telegramUsername();
    const buttons = [
      telegram
        ? `<a class="button telegram" href="${escapeHtml(telegramStartLink(telegram, referrer.code))}">${escapeHtml(t('web:openTelegram'))}</a>`
        : '',
      deps.zaloBotLink
        ? `<a class="button zalo" href="${escapeHtml(deps.zaloBotLink)}">${escapeHtml(t('web:openZalo'))}</a><small>${escapeHtml(t('web:zaloHint', { code: referrer.code }))}</small>`
        : '',
    ].join('');
    res.send(
      page(
        t('web:title', { business: deps.program.business.name }),
        `<h1>${escapeHtml(t('web:invited', { name, business: deps.program.business.name }))}</h1>` +
          `<p class="offer">${escapeHtml(deps.program.rewards.friend.label[locale])}</p>` +
          `<p>${escapeHtml(t('web:codeIntro'))}</p><div class="code" data-testid="code">${referrer.code}</div>` +
          `${buttons}<p><small>${escapeHtml(t('web:howItWorks'))}</small></p>` +
          languageSwitch(locale),
      ),
    );
  });

  /**
   * What a Zalo customer's member QR opens (Zalo links carry no payload): the way for staff to
   * the customer's card in either bot, carrying the secret member token. Shows nothing about the
   * person, not even their referral code.
   */
  router.get('/m/:token', async (req, res) => {
    const locale = isLocale(req.query.lang) ? req.query.lang : deps.i18n.defaultLocale;
    const t = deps.i18n.forLocale(locale);
    const business = deps.program.business.name;
    const customer = await deps.services.memberCards.findByToken(req.params.token);
    const page = (title: string, body: string) => htmlPage({ locale, title, style: landingStyle, body: `<main>${body}</main>` });
    if (!customer) {
      res
        .status(404)
        .send(
          page(
            t('web:memberNotFoundTitle'),
            `<h1>${escapeHtml(t('web:memberNotFoundTitle'))}</h1><p>${escapeHtml(t('web:memberNotFoundBody', { business }))}</p>`,
          ),
        );
      return;
    }
    const payload = `${MEMBER_CARD_PREFIX}${req.params.token.trim().toUpperCase()}`;
    const telegram = deps.telegramUsername();
    const buttons = [
      telegram
        ? `<a class="button telegram" href="${escapeHtml(telegramStartLink(telegram, payload))}">${escapeHtml(t('web:openCardTelegram'))}</a>`
        : '',
      deps.zaloBotLink
        ? `<a class="button zalo" href="${escapeHtml(deps.zaloBotLink)}">${escapeHtml(t('web:openZalo'))}</a><small>${escapeHtml(t('card:zaloCardHint'))}</small>` +
          `<p data-testid="zalo-line"><code>start ${escapeHtml(payload)}</code></p>`
        : '',
    ].join('');
    res.send(
      page(
        t('web:memberTitle', { business }),
        `<h1>${escapeHtml(t('web:memberTitle', { business }))}</h1><p>${escapeHtml(t('web:memberStaffHint'))}</p>${buttons}` + languageSwitch(locale),
      ),
    );
  });

  return router;
}
