import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo, joinOnTelegram } from '../support/consent.js';
import { readQr } from '../support/qr.js';

/**
 * Friends by channel: each friend is counted under the way they came. A Telegram deep link is
 * Telegram, a code sent on Zalo is Zalo, the web landing page is "web link", the invite QR
 * (which opens the landing page with ?via=qr) is "QR": whichever app they then join in.
 */
describe('the channel a friend came through', () => {
  const h = useTelegramApp('e2e-referral-channels', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const customerOf = (identity: string) => h.app.services.customers.findByIdentity(identity);
  const floodWindow = () => new Promise((r) => setTimeout(r, 3100));

  /** The landing page's Telegram button and Zalo line, as a friend's browser gets them. */
  async function landing(path: string, ip: string) {
    const html = await (await fetch(`${h.app.listenUrl}${path}`, { headers: { 'x-forwarded-for': ip } })).text();
    const start = /https:\/\/t\.me\/salon_mai_bot\?start=([\w-]+)/.exec(html)?.[1];
    const zalo = /data-testid="zalo-line"><code>start ([\w-]+)<\/code>/.exec(html)?.[1];
    const ogUrl = /<meta property="og:url" content="([^"]+)">/.exec(html)?.[1];
    return { start: start!, zalo: zalo!, ogUrl };
  }

  it('counts Telegram, Zalo, web link and QR friends each under their channel, and each open once', async () => {
    const hoa = h.telegram.user(301, 'Hoa');
    await joinOnTelegram(h.telegram, hoa);
    const code = (await customerOf('telegram:301'))!.code;

    // The invite QR Hoa gets encodes the landing page with ?via=qr.
    hoa.send('/link');
    const qr = await h.telegram.waitForText(301, 'Mã QR giới thiệu');
    const qrTarget = readQr(qr.photo!)!;
    expect(qrTarget).toBe(`${h.app.config.publicUrl}/r/${code}?via=qr`);

    // Telegram deep link shared in a chat.
    const an = h.telegram.user(311, 'An');
    an.send(`/start ${code}`);
    await agreeOnTelegram(h.telegram, an);
    await h.telegram.waitForText(311, 'Hoa');

    // The code sent on Zalo.
    const binh = h.zalo.user('z-binh', 'Bình');
    binh.send(code);
    await agreeOnZalo(h.zalo, binh);
    await h.zalo.waitForText('z-binh', 'Hoa');

    // The web link, then Telegram's button on the page.
    const web = await landing(`/r/${code}`, '127.0.0.11');
    expect(web.start).toBe(`${code}_link`);
    const cuc = h.telegram.user(312, 'Cúc');
    cuc.send(`/start ${web.start}`);
    await agreeOnTelegram(h.telegram, cuc);
    await h.telegram.waitForText(312, 'Hoa');

    // The invite QR scanned, then the line the page says to send on Zalo.
    const scanned = await landing(new URL(qrTarget).pathname + new URL(qrTarget).search, '127.0.0.12');
    expect(scanned.zalo).toBe(`${code}_qr`);
    const dung = h.zalo.user('z-dung', 'Dũng');
    dung.send(`start ${scanned.zalo}`);
    await agreeOnZalo(h.zalo, dung);
    await h.zalo.waitForText('z-dung', 'Hoa');

    const viaOf = async (identity: string) => (await h.app.models.Referral.findOne({ friendId: (await customerOf(identity))!._id }).lean())?.via;
    expect(await viaOf('telegram:311')).toBe('telegram');
    expect(await viaOf('zalo:z-binh')).toBe('zalo');
    expect(await viaOf('telegram:312')).toBe('link');
    expect(await viaOf('zalo:z-dung')).toBe('qr');
    expect((await customerOf('zalo:z-dung'))?.referredVia).toBe('qr');

    // The page counted its opens (link, qr); the chat did not count those friends' arrival again.
    await h.app.services.referrals.flushLinkOpens();
    const opens = await h.app.models.LinkOpen.find({ code }, { via: 1, _id: 0 }).lean();
    expect(opens.map((o) => o.via).sort()).toEqual(['link', 'qr', 'telegram', 'zalo']);

    await floodWindow();
    await joinOnTelegram(h.telegram, h.telegram.user(900, 'Chủ tiệm'));
    const owner = { customerId: (await customerOf('telegram:900'))!._id, identity: 'telegram:900' };
    const overview = await h.app.services.overview.getOverview(owner, { period: 'today' });
    if (!overview.ok) throw new Error(overview.reason);
    const joined = Object.fromEntries(Object.entries(overview.view.stats.byChannel).map(([channel, f]) => [channel, f.friendsJoined]));
    expect(joined).toEqual({ telegram: 1, zalo: 1, fb: 0, messenger: 0, link: 1, qr: 1 });
    expect(overview.view.stats.linksOpened).toBe(4);
  });

  it('offers each network’s share on Telegram, every link carrying its network', async () => {
    await floodWindow();
    const code = (await customerOf('telegram:301'))!.code;
    const web = `${h.app.config.publicUrl}/r/${code}`;
    h.telegram.user(301, 'Hoa').send('/link');
    const intro = await h.telegram.waitForText(301, 'hoặc chia sẻ link qua Telegram, Zalo, Facebook, Messenger');
    const button = (label: string) => intro.buttons.find((b) => b.text === label);
    const telegram = new URL(button('Chia sẻ qua Telegram')!.url!);
    expect(telegram.origin + telegram.pathname).toBe('https://t.me/share/url');
    // Telegram's share passes the bot's own link: the friend lands in the chat, counted as Telegram.
    expect(telegram.searchParams.get('url')).toBe(`https://t.me/salon_mai_bot?start=${code}`);
    expect(telegram.searchParams.get('text')).toContain('Salon Mai');
    expect(button('Chép link cho Zalo')!.copy_text).toEqual({ text: `${web}?via=zalo` });
    expect(new URL(button('Đăng lên Facebook')!.url!).searchParams.get('u')).toBe(`${web}?via=fb`);
    expect(button('Gửi qua Messenger')!.url).toBe(`${web}/messenger`);
    expect(button('Chép link')!.copy_text).toEqual({ text: web });
    // The invitation to forward stays clean, with the bot's own link.
    const invitation = await h.telegram.waitForText(301, 'Mình hay đến Salon Mai');
    expect(invitation.buttons).toEqual([]);
    expect(invitation.text).toContain(`https://t.me/salon_mai_bot?start=${code}`);

    // The Messenger button's page hands the link with via=messenger to the Messenger app, and counts no open.
    await h.app.services.referrals.flushLinkOpens();
    const opensBefore = await h.app.models.LinkOpen.countDocuments({ code });
    const page = await fetch(`${h.app.listenUrl}/r/${code}/messenger`, { headers: { 'x-forwarded-for': '127.0.0.21' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`href="fb-messenger://share/?link=${encodeURIComponent(`${web}?via=messenger`)}"`);
    expect(html).toContain(`<code>${web}?via=messenger</code>`);
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(opensBefore);
    expect((await fetch(`${h.app.listenUrl}/r/NOSUCH/messenger`, { headers: { 'x-forwarded-for': '127.0.0.21' } })).status).toBe(404);
  });

  it('on Zalo the invitation to forward carries via=zalo, and the other networks are links', async () => {
    const code = (await customerOf('zalo:z-binh'))!.code;
    const web = `${h.app.config.publicUrl}/r/${code}`;
    h.zalo.user('z-binh', 'Bình').send('link');
    const intro = await h.zalo.waitForText('z-binh', 'Link giới thiệu của bạn');
    const line = (label: string) =>
      intro.text
        .split('\n')
        .find((l) => l.startsWith(`${label}: `))
        ?.slice(label.length + 2);
    expect(new URL(line('Đăng lên Facebook')!).searchParams.get('u')).toBe(`${web}?via=fb`);
    expect(line('Gửi qua Messenger')).toBe(`${web}/messenger`);
    // From Zalo, Telegram's share passes the web page, counted as Telegram.
    expect(new URL(line('Chia sẻ qua Telegram')!).searchParams.get('url')).toBe(`${web}?via=telegram`);
    expect(line('Chép link')).toBe(web);
    expect(line('Chép link cho Zalo')).toBeUndefined();
    const invitation = await h.zalo.waitForText('z-binh', 'Mình hay đến Salon Mai');
    expect(invitation.text).toContain(`${web}?via=zalo`);
  });

  it('a friend who came through a link shared on Facebook is counted under Facebook through to the first visit', async () => {
    const code = (await customerOf('telegram:301'))!.code;
    const page = await landing(`/r/${code}?via=fb`, '127.0.0.31');
    expect(page.start).toBe(`${code}_fb`);
    expect(page.zalo).toBe(`${code}_fb`);
    // Facebook opens a shared page by its og:url: it keeps the network.
    expect(page.ogUrl).toBe(`${h.app.config.publicUrl}/r/${code}?via=fb&amp;lang=vi`);
    const giang = h.telegram.user(314, 'Giang');
    giang.send(`/start ${page.start}`);
    await agreeOnTelegram(h.telegram, giang);
    await h.telegram.waitForText(314, 'Hoa');
    const friend = (await customerOf('telegram:314'))!;
    expect(friend.referredVia).toBe('fb');
    expect((await h.app.models.Referral.findOne({ friendId: friend._id }).lean())?.via).toBe('fb');

    await floodWindow();
    h.telegram.user(900, 'Chủ tiệm').send(`/confirm ${friend.code} 300k`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của Giang');
    await h.app.services.referrals.flushLinkOpens();
    const owner = { customerId: (await customerOf('telegram:900'))!._id, identity: 'telegram:900' };
    const overview = await h.app.services.overview.getOverview(owner, { period: 'today' });
    if (!overview.ok) throw new Error(overview.reason);
    expect(overview.view.stats.byChannel.fb).toEqual({ linksOpened: 1, friendsJoined: 1, firstVisits: 1, revenue: 300_000 });

    // The owner's /stats in chat names the channel with its funnel.
    await floodWindow();
    h.telegram.user(900, 'Chủ tiệm').send('/stats');
    const stats = await h.telegram.waitForText(900, 'Theo kênh chia sẻ');
    expect(stats.text).toMatch(/• Facebook: 1 \/ 1 \/ 1 \/ 300[.,]000/);
  });

  it('a payload naming an unknown source is read as a plain code, and a wrong one is refused as before', async () => {
    const code = (await customerOf('telegram:301'))!.code;
    const em = h.telegram.user(313, 'Em');
    em.send(`/start ${code}_nowhere`);
    await h.telegram.waitForText(313, 'Mã giới thiệu này không tồn tại');
    expect(await h.app.models.Referral.countDocuments({ friendId: (await customerOf('telegram:313'))?._id })).toBe(0);
  });
});
