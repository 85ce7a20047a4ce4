import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_PAGE_RATE_LIMIT } from '../../../src/http/rate-limit.js';
import { createLogger } from '../../../src/logger.js';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';

const TELEGRAM_SECRET = 'tg-hook-secret-7f3a9c';
const ZALO_SECRET = 'zalo-hook-secret-51be2d';

/**
 * Hostile HTTP input: injection-shaped queries and codes, webhook posts without the secret,
 * oversized and malformed bodies, bursts, repeated link opens, and secrets in the log.
 */
describe('hostile HTTP input', () => {
  const logLines: string[] = [];
  const h = useTelegramApp(
    'hostile-http',
    {
      OWNER_IDS: 'telegram:900',
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      ZALO_MODE: 'webhook',
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      PUBLIC_URL: 'https://salon.example.vn',
    },
    { zalo: true, logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }) },
  );
  const url = (path: string) => `${h.app.listenUrl}${path}`;
  /** A browser at another address (the app trusts X-Forwarded-For from loopback, as behind a local proxy). */
  const from = (ip: string, agent = 'Mozilla/5.0 (Android 14)') => ({ headers: { 'x-forwarded-for': ip, 'user-agent': agent } });
  const codeOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!.code;
  /** Counts of everything a request could write (the visitor salt is made by whichever request comes first). */
  const snapshot = async () => {
    const m = h.app.models;
    const counts = await Promise.all([m.Claim, m.AuditLog, m.LinkOpen, m.Customer, m.FraudFlag].map((model) => model.countDocuments()));
    const settings = await m.Setting.countDocuments({ key: { $ne: 'visitor_salt' } });
    const open = await m.FraudFlag.countDocuments({ status: 'open' });
    return [...counts, settings, open];
  };

  beforeAll(async () => {
    h.telegram.webhookTarget = url('/telegram/webhook');
    h.zalo.webhookTarget = url('/zalo/webhook');
    h.telegram.user(900, 'Chủ tiệm').send('/start');
    h.telegram.user(301, 'Hoa').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(301, 'Hoa'));
  });

  it('the whole dashboard flow writes no token, session id or CSRF value to the log', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/dashboard');
    const reply = await h.telegram.waitForText(900, 'Bảng điều khiển của bạn');
    const link = new URL(/https:\S+\/dashboard\?token=[\w-]+/.exec(reply.text)![0]);
    const token = link.searchParams.get('token')!;
    const hoa = (await h.app.services.customers.findByIdentity('telegram:301'))!;
    const flag = await h.app.models.FraudFlag.create({ key: 'hostile:1', rule: 'self_referral', customerId: hoa._id });

    const opened = await fetch(url(`/dashboard${link.search}&lang=vi`), { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/dashboard');
    const setCookie = opened.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^dashboard_session=[\w-]{43}; Max-Age=604800; Path=\/dashboard; Expires=.+; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    const sessionId = cookie.split('=')[1]!;

    const page = await fetch(url('/dashboard'), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toContain(token);
    const csrf = /name="csrf" value="([\w-]+)"/.exec(html)![1]!;

    const resolved = await fetch(url(`/dashboard/flags/${String(flag._id)}`), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, decision: 'dismissed', period: '7d', lang: 'en' }),
      redirect: 'manual',
    });
    expect(resolved.status).toBe(303);
    expect(resolved.headers.get('location')).toBe('/dashboard?period=7d&lang=en&done=dismissed#flags');
    expect((await h.app.models.FraudFlag.findById(flag._id).lean())?.status).toBe('dismissed');

    // The same link again: refused, no second session.
    const again = await fetch(url(link.pathname + link.search), { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('Link không dùng được');
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard_session:/ })).toBe(1);

    // The member card page carries the member token in its path.
    const memberToken = await h.app.services.memberCards.tokenFor(hoa._id);
    expect((await fetch(url(`/m/${memberToken}`))).status).toBe(200);

    const log = logLines.join('');
    expect(log).toContain('/dashboard?token=[redacted]&lang=vi');
    expect(log).toContain('/m/[redacted]');
    expect(log).toContain('"location":"/dashboard?period=7d&lang=en&done=dismissed#flags"');
    for (const secret of [token, sessionId, csrf, memberToken, TELEGRAM_SECRET, ZALO_SECRET]) expect(log).not.toContain(secret);
  });

  it('query-injection shapes on /dashboard get the refused page, no error, and change nothing', async () => {
    const before = await snapshot();
    const attempts = [
      '/dashboard?token[$gt]=',
      '/dashboard?token[$ne]=x&token[$regex]=.*',
      '/dashboard?token=a&token=b',
      `/dashboard?token=${encodeURIComponent('{"$gt":""}')}`,
      '/dashboard?token=%00%00',
      `/dashboard?token=${'A'.repeat(5000)}`,
      '/dashboard?period[$gt]=&lang[$ne]=vi&done=__proto__',
    ];
    for (const path of attempts) {
      const response = await fetch(url(path), { redirect: 'manual' });
      expect(response.status, path).toBe(403);
      expect(response.headers.get('content-type'), path).toContain('text/html');
      expect(response.headers.get('set-cookie'), path).toBeNull();
    }
    for (const cookie of [
      'dashboard_session[$gt]=',
      `dashboard_session=${encodeURIComponent('{"$ne":null}')}`,
      'dashboard_session=; dashboard_session=x',
    ]) {
      expect((await fetch(url('/dashboard'), { headers: { cookie } })).status, cookie).toBe(403);
    }
    const flag = await h.app.models.FraudFlag.create({
      key: 'hostile:2',
      rule: 'self_referral',
      customerId: (await h.app.models.Customer.findOne({}).lean())!._id,
    });
    const forged = await fetch(url(`/dashboard/flags/${String(flag._id)}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token[$gt]=&csrf[$ne]=x&decision=confirmed',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect((await h.app.models.FraudFlag.findById(flag._id).lean())?.status).toBe('open');
    await h.app.models.FraudFlag.deleteOne({ _id: flag._id });
    expect(await snapshot()).toEqual(before);
  });

  it('injection-shaped codes on /r, /m and /qr get the not-found page and count nothing', async () => {
    const before = await snapshot();
    for (const code of ['{"$gt":""}', '{"$ne":null}', '$where', '..%2F..%2Fetc', 'A'.repeat(3000)]) {
      for (const path of [`/r/${encodeURIComponent(code)}`, `/m/${encodeURIComponent(code)}`]) {
        const response = await fetch(url(path), from('198.51.100.20'));
        expect(response.status, path).toBe(404);
        expect(response.headers.get('content-type'), path).toContain('text/html');
      }
      expect((await fetch(url(`/qr/${encodeURIComponent(code)}.png`), from('198.51.100.20'))).status).toBe(404);
    }
    expect((await fetch(url('/r/%E0%A4%A'), from('198.51.100.20'))).status).toBeLessThan(500);
    expect(await snapshot()).toEqual(before);
  });

  it('webhook posts without the right secret are answered 401 and not handled', async () => {
    const telegramUpdate = (id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 666, type: 'private' },
        from: { id: 666, is_bot: false, first_name: 'Mallory' },
        text: '/start',
      },
    });
    const zaloUpdate = (id: string) => ({
      event_name: 'message.text.received',
      message: {
        message_id: id,
        date: Date.now(),
        from: { id: 'z-mallory', display_name: 'Mallory' },
        chat: { id: 'z-mallory', chat_type: 'PRIVATE' },
        text: 'help',
      },
    });
    const before = await snapshot();
    expect(await h.telegram.deliverToWebhook(telegramUpdate(9001), '')).toBe(401);
    expect(await h.telegram.deliverToWebhook(telegramUpdate(9002), 'wrong-secret')).toBe(401);
    expect(await h.telegram.deliverToWebhook(telegramUpdate(9003), `${TELEGRAM_SECRET}x`)).toBe(401);
    expect(await h.zalo.deliverToWebhook(zaloUpdate('zm1'), { secret: 'wrong-secret' })).toBe(401);
    const noSecret = await fetch(url('/zalo/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true, result: zaloUpdate('zm2') }),
    });
    expect(noSecret.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.telegram.messagesTo(666)).toHaveLength(0);
    expect(h.zalo.messagesTo('z-mallory')).toHaveLength(0);
    expect(await h.app.services.customers.findByIdentity('telegram:666')).toBeUndefined();
    expect(await h.app.services.customers.findByIdentity('zalo:z-mallory')).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });

  it('oversized bodies get 413 and malformed JSON 400; nothing crashes and the bots still answer', async () => {
    const post = (path: string, body: string, secretHeader: Record<string, string>) =>
      fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...secretHeader }, body });
    const telegram = { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET };
    const zalo = { 'x-bot-api-secret-token': ZALO_SECRET };
    const huge = JSON.stringify({ update_id: 1, padding: 'x'.repeat(2_000_000) });
    const before = await snapshot();
    expect((await post('/telegram/webhook', huge, telegram)).status).toBe(413);
    expect((await post('/zalo/webhook', huge, zalo)).status).toBe(413);
    for (const broken of ['{"update_id": 1,', '{"a":}', '\u0000\u0001', '[[[[[[[[']) {
      expect((await post('/telegram/webhook', broken, telegram)).status, broken).toBe(400);
      expect((await post('/zalo/webhook', broken, zalo)).status, broken).toBe(400);
    }
    const flagPost = await fetch(url('/dashboard/flags/x'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${'x'.repeat(10_000)}`,
    });
    expect(flagPost.status).toBe(413);
    expect(await snapshot()).toEqual(before);

    expect((await fetch(url('/healthz'))).status).toBe(200);
    h.telegram.user(301, 'Hoa').send('/help');
    await h.telegram.waitForText(301, 'Lệnh của bạn');
    h.zalo.user('z-hoa', 'Hoa').send('help');
    await h.zalo.waitForText('z-hoa', 'Lệnh của bạn');
  });

  it('a link opened is counted once per visitor, code and day: reloads and ?lang= do not count again, a second visitor does', async () => {
    const code = await codeOf('telegram:301');
    // Opens are written in batches; the test writes the batch before it counts.
    const opens = async () => (await h.app.services.referrals.flushLinkOpens(), h.app.models.LinkOpen.countDocuments({ code }));
    const before = await opens();
    const alice = from('203.0.113.10');
    for (const path of [`/r/${code}`, `/r/${code}`, `/r/${code.toLowerCase()}?lang=en`, `/r/${code}?lang=vi`]) {
      expect((await fetch(url(path), alice)).status).toBe(200);
    }
    expect(await opens()).toBe(before + 1);
    expect((await fetch(url(`/r/${code}`), from('203.0.113.11'))).status).toBe(200);
    // Same address, another browser: another visitor.
    expect((await fetch(url(`/r/${code}`), from('203.0.113.10', 'Mozilla/5.0 (iPhone)'))).status).toBe(200);
    expect(await opens()).toBe(before + 3);
    // /start <code> in the bot, twice from one person, counts once.
    const binh = h.telegram.user(302, 'Bình');
    binh.send(`/start ${code}`);
    await agreeOnTelegram(h.telegram, binh);
    await h.telegram.waitForText(302, 'Hoa');
    const seen = h.telegram.messagesTo(302).length;
    binh.send(`/start ${code}`);
    await h.telegram.waitForMessages(302, seen + 1);
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code, via: 'telegram' })).toBe(1);
    expect(JSON.stringify(await h.app.models.LinkOpen.find({}).lean())).not.toMatch(/203\.0\.113|Mozilla|telegram:302/);
  });

  it('a click still in memory when the app stops cleanly is written by the stop', async () => {
    const code = await codeOf('telegram:301');
    const before = await h.app.models.LinkOpen.countDocuments({ code });
    expect((await fetch(url(`/r/${code}`), from('203.0.113.99'))).status).toBe(200);
    // A clean stop lets the jobs in hand finish (up to 30 s) before the app starts again.
    await h.restart();
    h.telegram.webhookTarget = url('/telegram/webhook');
    h.zalo.webhookTarget = url('/zalo/webhook');
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(before + 1);
  }, 90_000);

  it('a burst from one client gets a 429 page with Retry-After, other clients are unaffected', async () => {
    const code = await codeOf('telegram:301');
    const memberToken = await h.app.services.memberCards.tokenFor((await h.app.services.customers.findByIdentity('telegram:301'))!._id);
    const burst = from('192.0.2.77');
    const statuses: number[] = [];
    for (let i = 0; i < PUBLIC_PAGE_RATE_LIMIT.requests + 5; i += 1) {
      statuses.push((await fetch(url(i % 3 === 0 ? `/m/${memberToken}` : `/r/${code}`), burst)).status);
    }
    expect(statuses.slice(0, PUBLIC_PAGE_RATE_LIMIT.requests).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(PUBLIC_PAGE_RATE_LIMIT.requests)).toEqual([429, 429, 429, 429, 429]);
    const limited = await fetch(url(`/qr/${'0'.repeat(32)}.png`), burst);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(PUBLIC_PAGE_RATE_LIMIT.windowSeconds);
    const page = await limited.text();
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('Quá nhiều lượt truy cập');
    expect((await fetch(url(`/r/${code}`), from('192.0.2.78'))).status).toBe(200);
    // Counted in the process's memory: the database holds no slot for a page view.
    expect(await h.app.models.RateSlot.countDocuments({ scope: /^web:/ })).toBe(0);
  });
});
