import express, { type Router } from 'express';
import { MEMBER_CARD_PREFIX, telegramStartLink } from '../domain/links.js';
import { givenName } from '../domain/names.js';
import { landingLink, referralPayload, viaOf } from '../domain/referral-source.js';
import { messengerAppShare } from '../domain/share-links.js';
import { isLocale, type I18n, type Locale } from '../i18n.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import { createLandingImages, PREVIEW } from './landing-image.js';
import { createRateLimit } from './rate-limit.js';
import type { Views } from './views.js';

export interface PublicPagesDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  views: Views;
  publicUrl: string;
  /** The Telegram bot's username once it is known, for the "open in Telegram" button. */
  telegramUsername: () => string | undefined;
  zaloBotLink: string | undefined;
}

/**
 * Pages anyone may open: the referral landing page `/r/<code>` (counts the click, shows the
 * code, the offer and the shop, opens Telegram or Zalo; its preview card in chat apps comes
 * from its Open Graph tags and `/r/<code>/preview.png`), the member card `/m/<member token>`
 * and QR images `/qr/<token>.png`.
 */
export function createPublicPagesRouter(deps: PublicPagesDeps): Router {
  const { views, program, i18n } = deps;
  const router = express.Router();
  const images = createLandingImages(views);
  const localeOf = (value: unknown): Locale => (isLocale(value) ? value : i18n.defaultLocale);
  const styles = ['public'];

  router.use(
    ['/r', '/m', '/qr', '/download', '/privacy'],
    createRateLimit({
      renderLimited: (seconds) => {
        const t = i18n.forLocale(i18n.defaultLocale);
        const title = t('access:tooManyTitle');
        return views.renderToString('public/message', { locale: i18n.defaultLocale, title, styles, text: t('access:tooManyBody', { seconds }) });
      },
    }),
  );

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

  /** "Hoa invites you to Salon Mai!": the referrer by their given name only, or "A friend". */
  function inviter(locale: Locale, name: string): string {
    if (name) return givenName(name);
    const aFriend = i18n.forLocale(locale)('bot:aFriend');
    return aFriend.charAt(0).toLocaleUpperCase(locale) + aFriend.slice(1);
  }

  /** The preview picture of a code's card: no open is counted (chat apps fetch it on their own). */
  router.get('/r/:code/preview.png', async (req, res) => {
    const locale = localeOf(req.query.lang);
    const referrer = await deps.services.referrals.findReferrer(req.params.code);
    if (!referrer) {
      res.status(404).end();
      return;
    }
    const t = i18n.forLocale(locale);
    const png = images.render({
      locale,
      business: program.business.name,
      offer: (await deps.services.partners.welcomeFor(referrer._id)).label[locale],
      invite: t('web:previewInvite', { name: inviter(locale, referrer.name) }),
      code: referrer.code,
    });
    res
      .writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600', 'cross-origin-resource-policy': 'cross-origin' })
      .end(png);
  });

  /**
   * Where the bot's "Send on Messenger" button goes (chat buttons open only http links): the
   * Messenger app's share for the link with `via=messenger`, and the link to paste on a
   * computer. The referrer opens it, so no open is counted.
   */
  router.get('/r/:code/messenger', async (req, res) => {
    const locale = localeOf(req.query.lang);
    const t = i18n.forLocale(locale);
    const referrer = await deps.services.referrals.findReferrer(req.params.code);
    if (!referrer) {
      const title = t('web:notFoundTitle');
      return views.render(res, 'public/message', { locale, title, styles, text: t('web:notFoundBody', { business: program.business.name }) }, 404);
    }
    const link = landingLink(deps.publicUrl, referrer.code, 'messenger');
    views.render(res, 'public/messenger', { locale, title: t('share:messengerTitle'), styles, link, appLink: messengerAppShare(link) });
  });

  router.get('/r/:code', async (req, res) => {
    const locale = localeOf(req.query.lang);
    const t = i18n.forLocale(locale);
    const via = viaOf(req.query.via);
    const business = program.business;
    // The visitor is this browser at this address (hashed by the service, never stored as is).
    const opened = await deps.services.referrals.recordLinkOpen(req.params.code, via, `web:${req.ip ?? ''}:${req.get('user-agent') ?? ''}`);
    if (!opened.ok) {
      const title = t('web:notFoundTitle');
      return views.render(res, 'public/message', { locale, title, styles, text: t('web:notFoundBody', { business: business.name }) }, 404);
    }
    const { referrer } = opened;
    const name = inviter(locale, referrer.name);
    // A partner's friends are offered the partner plan's own welcome.
    const offer = (await deps.services.partners.welcomeFor(referrer._id)).label[locale];
    // Buttons carry where the friend came from into the bot (see domain/referral-source.ts).
    const payload = referralPayload(referrer.code, via);
    const telegram = deps.telegramUsername();
    const pageUrl = `${landingLink(deps.publicUrl, referrer.code, via)}${via === 'link' ? '?' : '&'}lang=${locale}`;
    const title = t('web:ogTitle', { name, business: business.name, offer });
    const description = t('web:ogDescription', { business: business.name, code: referrer.code });
    const image = `${deps.publicUrl}/r/${encodeURIComponent(referrer.code)}/preview.png?lang=${locale}`;
    views.render(res, 'public/landing', {
      locale,
      title: t('web:title', { business: business.name }),
      styles,
      meta: [
        { property: 'og:type', content: 'website' },
        { property: 'og:title', content: title },
        { property: 'og:description', content: description },
        { property: 'og:image', content: image },
        { property: 'og:image:width', content: String(PREVIEW.width) },
        { property: 'og:image:height', content: String(PREVIEW.height) },
        { property: 'og:url', content: pageUrl },
        { property: 'og:locale', content: locale === 'vi' ? 'vi_VN' : 'en_US' },
        { name: 'twitter:card', content: 'summary_large_image' },
        { name: 'twitter:title', content: title },
        { name: 'twitter:description', content: description },
        { name: 'twitter:image', content: image },
        { name: 'description', content: description },
      ],
      heading: t('web:invited', { name, business: business.name }),
      offer,
      code: referrer.code,
      telegramLink: telegram ? telegramStartLink(telegram, payload) : undefined,
      zaloLink: deps.zaloBotLink,
      zaloMessage: `start ${payload}`,
      shop: {
        name: business.name,
        address: business.address,
        hours: business.hours[locale],
        phone: business.phone,
        tel: business.phone.replace(/[^\d+]/g, ''),
        mapUrl: business.mapUrl,
      },
      languageHref: (lang: Locale) => `?${new URLSearchParams({ ...(via === 'link' ? {} : { via }), lang }).toString()}`,
    });
  });

  /**
   * What a Zalo customer's member QR opens (Zalo links carry no payload): the way for staff to
   * the customer's card in either bot, carrying the secret member token. Shows nothing about the
   * person, not even their referral code.
   */
  router.get('/m/:token', async (req, res) => {
    const locale = localeOf(req.query.lang);
    const t = i18n.forLocale(locale);
    const business = program.business.name;
    const customer = await deps.services.memberCards.findByToken(req.params.token);
    if (!customer) {
      const title = t('web:memberNotFoundTitle');
      return views.render(res, 'public/message', { locale, title, styles, text: t('web:memberNotFoundBody', { business }) }, 404);
    }
    const payload = `${MEMBER_CARD_PREFIX}${req.params.token.trim().toUpperCase()}`;
    const telegram = deps.telegramUsername();
    views.render(res, 'public/member', {
      locale,
      title: t('web:memberTitle', { business }),
      styles,
      telegramLink: telegram ? telegramStartLink(telegram, payload) : undefined,
      zaloLink: deps.zaloBotLink,
      zaloLine: `start ${payload}`,
    });
  });

  return router;
}
