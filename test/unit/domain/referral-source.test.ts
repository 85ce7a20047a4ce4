import { describe, expect, it } from 'vitest';
import { landingLink, parseReferralPayload, referralPayload, viaOf, webSources } from '../../../src/domain/referral-source.js';
import { facebookShare, messengerAppShare, messengerSharePage, telegramShare } from '../../../src/domain/share-links.js';

describe('where a friend found a referral', () => {
  it('reads every network the share buttons name, and anything else as the plain link', () => {
    for (const via of ['zalo', 'fb', 'messenger', 'telegram', 'qr', 'link'] as const) expect(viaOf(via)).toBe(via);
    for (const other of ['facebook', 'ZALO', '', undefined, ['zalo'], 'constructor', '__proto__']) expect(viaOf(other)).toBe('link');
  });

  it('counts each web source under the channel of the same name', () => {
    expect(webSources).toEqual({ link: 'link', qr: 'qr', zalo: 'zalo', fb: 'fb', messenger: 'messenger', telegram: 'telegram' });
  });

  it('carries the source through the start payload and back, in any case', () => {
    expect(referralPayload('AB7K2M', 'fb')).toBe('AB7K2M_fb');
    expect(parseReferralPayload('AB7K2M_fb')).toEqual({ code: 'AB7K2M', via: 'fb' });
    expect(parseReferralPayload(' AB7K2M_Messenger ')).toEqual({ code: 'AB7K2M', via: 'messenger' });
    expect(parseReferralPayload('AB7K2M_zalo')).toEqual({ code: 'AB7K2M', via: 'zalo' });
    // An unknown source is not stripped: the whole text is looked up as a code (and refused).
    expect(parseReferralPayload('AB7K2M_tiktok')).toEqual({ code: 'AB7K2M_tiktok' });
    expect(parseReferralPayload('_fb')).toEqual({ code: '_fb' });
    expect(parseReferralPayload('AB7K2M')).toEqual({ code: 'AB7K2M' });
  });

  it('writes the landing link with its source, the plain link without one', () => {
    expect(landingLink('https://salon.example', 'AB7K2M')).toBe('https://salon.example/r/AB7K2M');
    expect(landingLink('https://salon.example', 'AB7K2M', 'link')).toBe('https://salon.example/r/AB7K2M');
    expect(landingLink('https://salon.example', 'AB7K2M', 'messenger')).toBe('https://salon.example/r/AB7K2M?via=messenger');
  });
});

describe('the networks’ share addresses', () => {
  const link = 'https://salon.example/r/AB7K2M?via=fb';

  it('encode the shared link whole, so its own ?via= survives', () => {
    expect(facebookShare(link)).toBe('https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fsalon.example%2Fr%2FAB7K2M%3Fvia%3Dfb');
    expect(new URL(facebookShare(link)).searchParams.get('u')).toBe(link);
    const telegram = new URL(telegramShare('https://t.me/salon_bot?start=AB7K2M', 'Ưu đãi 10% & quà'));
    expect(telegram.origin + telegram.pathname).toBe('https://t.me/share/url');
    expect(telegram.searchParams.get('url')).toBe('https://t.me/salon_bot?start=AB7K2M');
    expect(telegram.searchParams.get('text')).toBe('Ưu đãi 10% & quà');
    expect(messengerAppShare(link)).toBe(`fb-messenger://share/?link=${encodeURIComponent(link)}`);
  });

  it('sends Messenger through the shop’s own page (chat buttons open only web links)', () => {
    expect(messengerSharePage('https://salon.example', 'AB7K2M')).toBe('https://salon.example/r/AB7K2M/messenger');
  });
});
