import { describe, expect, it, vi } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo, joinOnTelegram } from '../support/consent.js';
import { readQr } from '../support/qr.js';

describe('Zalo: the same program, with codes sent as messages', () => {
  const h = useTelegramApp('zalo-conversation', { OWNER_IDS: 'telegram:900,zalo:z-owner' }, { zalo: true });
  const hoa = () => h.zalo.user('z-hoa', 'Hoa');
  const khoa = () => h.zalo.user('z-khoa', 'Khoa');
  const codeOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!.code;

  it('a newcomer who greets is welcomed, asked who invited them, and picks a language by number', async () => {
    hoa().send('Xin chào');
    const [welcome, , choice] = await agreeOnZalo(h.zalo, hoa(), { offers: false });
    expect(welcome!.text).toContain('Chào mừng bạn đến với chương trình giới thiệu của Salon Mai');
    expect(welcome!.text).toContain('Có ai giới thiệu bạn đến không?');
    expect(choice!.text).toContain('1. Tiếng Việt\n2. English\nTrả lời bằng số: 1, 2');
    hoa().send('1');
    await h.zalo.waitForText('z-hoa', 'Đã chuyển sang tiếng Việt.');
    hoa().send('bỏ qua');
    await h.zalo.waitForText('z-hoa', 'Không sao!');
  });

  it('link without a slash gives the web link and the invite QR by public URL', async () => {
    // Hoa just sent five messages (greeting, agreement, offers, language, skip): wait out the per-person flood window.
    await new Promise((r) => setTimeout(r, 3100));
    hoa().send('link');
    const code = await codeOf('zalo:z-hoa');
    const intro = await h.zalo.waitForText('z-hoa', 'Link giới thiệu của bạn');
    expect(intro.text).toContain(`/r/${code}`);
    const qr = await h.zalo.waitForText('z-hoa', 'Mã QR giới thiệu');
    expect(qr.photo).toMatch(/\/qr\/[0-9a-f]{32}\.png$/);
    const image = await fetch(`${h.app.listenUrl}${new URL(qr.photo!).pathname}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(readQr(Buffer.from(await image.arrayBuffer()))).toBe(`${h.app.config.publicUrl}/r/${code}`);
  });

  it('a friend who sends the bare code first is attributed, and the referrer is told on Zalo', async () => {
    khoa().send(await codeOf('zalo:z-hoa'));
    await agreeOnZalo(h.zalo, khoa());
    await h.zalo.waitForText('z-khoa', 'Bạn được Hoa giới thiệu đến Salon Mai!');
    await h.zalo.waitForText('z-hoa', 'Khoa vừa tham gia qua link của bạn');
  });

  it('a Telegram staff member confirms the Zalo friend; both rewards and the upgrade arrive on Zalo', async () => {
    const staff = h.telegram.user(201, 'Lan');
    staff.send('/start');
    await agreeOnTelegram(h.telegram, staff);
    h.telegram.user(900, 'Chủ').send(`/staff add ${await codeOf('telegram:201')}`);
    await h.telegram.waitForText(900, 'Đã thêm Lan làm nhân viên.');

    staff.send(`/confirm ${await codeOf('zalo:z-khoa')}`);
    await h.telegram.waitForText(201, 'Đã xác nhận lần ghé đầu tiên của Khoa');
    await h.zalo.waitForText('z-hoa', 'Khoa vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu!');
    await h.zalo.waitForText('z-khoa', 'Ưu đãi lần đầu của bạn: Giảm 10% cho lần ghé đầu tiên');

    const hoaCode = await codeOf('zalo:z-hoa');
    staff.send(`/visit ${hoaCode}`);
    await h.telegram.waitForText(201, 'Đây là lần ghé đầu tiên của khách.');
    staff.send(`/visit ${hoaCode}`);
    await h.zalo.waitForText('z-hoa', 'Chúc mừng! Bạn đã lên hạng Thành viên');
  });

  it('refusals work the same: own code and a second referrer', async () => {
    hoa().send(`start ${await codeOf('zalo:z-hoa')}`);
    await h.zalo.waitForText('z-hoa', 'Đây là mã của chính bạn');
    khoa().send(`/start ${await codeOf('telegram:201')}`);
    await h.zalo.waitForText('z-khoa', 'Bạn đã được Hoa giới thiệu trước đó');
  });

  it('the same Zalo message delivered twice is handled once', async () => {
    const someone = h.zalo.user('z-dup', 'Dup');
    someone.send('help', 'dup-1');
    someone.send('help', 'dup-1');
    await h.zalo.waitForText('z-dup', 'Lệnh của bạn');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.zalo.messagesTo('z-dup')).toHaveLength(1);
  });

  it('the landing page counts the click and shows the code, the offer and both apps', async () => {
    const code = await codeOf('zalo:z-hoa');
    const before = await h.app.models.LinkOpen.countDocuments({ code, via: 'link' });
    const page = await fetch(`${h.app.listenUrl}/r/${code.toLowerCase()}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Hoa mời bạn đến Salon Mai!');
    expect(html).toContain(code);
    expect(html).toContain('Giảm 10% cho lần ghé đầu tiên');
    expect(html).toContain(`https://t.me/salon_mai_bot?start=${code}`);
    expect(html).toContain('https://zalo.me/s/botsalonmai');
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code, via: 'link' })).toBe(before + 1);
    expect(await (await fetch(`${h.app.listenUrl}/r/${code}?lang=en`)).text()).toContain('Hoa invites you to Salon Mai!');
    const missing = await fetch(`${h.app.listenUrl}/r/ZZZZZZ`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Không tìm thấy lời mời');
  });

  it('an owner on Zalo invites staff with a line to send, since Zalo links carry nothing', async () => {
    h.zalo.user('z-owner', 'Chủ Zalo').send('staff invite');
    const reply = await h.zalo.waitForText('z-owner', 'Nhờ nhân viên mới nhắn cho bot dòng sau');
    const line = /start s_[A-Z0-9]{10}/.exec(reply.text)?.[0];
    expect(line).toBeDefined();
    h.zalo.user('z-new-staff', 'Vy').send(line!.toLowerCase());
    await h.zalo.waitForText('z-new-staff', 'Chào mừng bạn gia nhập đội ngũ Salon Mai! Bạn đã là nhân viên.');
    await h.zalo.waitForText('z-owner', 'Vy (mã');
    expect((await h.app.services.customers.findByIdentity('zalo:z-new-staff'))?.role).toBe('staff');
  });

  it('a flood gets one polite slow-down, and an unexpected failure an apology, in the person language', async () => {
    const flood = h.zalo.user('z-flood', 'Lũ');
    for (let i = 0; i < 8; i += 1) flood.send('help');
    await h.zalo.waitForText('z-flood', 'Bạn nhắn hơi nhanh, vui lòng đợi vài giây rồi thử lại nhé.');
    await new Promise((r) => setTimeout(r, 1000));
    const texts = h.zalo.messagesTo('z-flood').map((m) => m.text);
    expect(texts.filter((text) => text.startsWith('Lệnh của bạn'))).toHaveLength(5);
    expect(texts.filter((text) => text.startsWith('Bạn nhắn hơi nhanh'))).toHaveLength(1);

    vi.spyOn(h.app.services.status, 'getCustomerStatus').mockRejectedValueOnce(new Error('database hiccup'));
    khoa().send('me');
    await h.zalo.waitForText('z-khoa', 'Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.');
    khoa().send('me');
    await h.zalo.waitForText('z-khoa', 'Khoa (mã');
  });
});

describe('Zalo in webhook mode', () => {
  const h = useTelegramApp(
    'zalo-webhook',
    { ZALO_MODE: 'webhook', ZALO_WEBHOOK_SECRET: 'zalo-secret-42', PUBLIC_URL: 'https://salon.example.vn' },
    { zalo: true },
  );
  const update = (id: string, text: string) => ({
    event_name: 'message.text.received',
    message: { message_id: id, date: Date.now(), from: { id: 'z-web', display_name: 'Web' }, chat: { id: 'z-web', chat_type: 'PRIVATE' }, text },
  });

  it('registers its webhook, refuses a wrong secret, accepts wrapped and bare bodies, handles duplicates once', async () => {
    expect(h.zalo.webhook).toEqual({ url: 'https://salon.example.vn/zalo/webhook', secret: 'zalo-secret-42' });
    h.zalo.webhookTarget = `${h.app.listenUrl}/zalo/webhook`;
    expect(await h.zalo.deliverToWebhook(update('w1', 'help'), { secret: 'wrong-secret' })).toBe(401);
    expect(await h.zalo.deliverToWebhook(update('w1', 'help'))).toBe(200);
    await h.zalo.waitForText('z-web', 'Lệnh của bạn');
    expect(await h.zalo.deliverToWebhook(update('w1', 'help'))).toBe(200);
    expect(await h.zalo.deliverToWebhook(update('w2', '/me'), { bare: true })).toBe(200);
    await h.zalo.waitForText('z-web', 'Dữ liệu cá nhân của bạn');
    expect(await h.zalo.deliverToWebhook(update('w3', '1'))).toBe(200);
    await h.zalo.waitForText('z-web', 'Bạn có muốn nhận tin ưu đãi');
    expect(await h.zalo.deliverToWebhook(update('w4', '/me'), { bare: true })).toBe(200);
    await h.zalo.waitForText('z-web', 'Điểm tích lũy: 0');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.zalo.messagesTo('z-web').filter((m) => m.text.includes('Lệnh của bạn'))).toHaveLength(1);
  });
});

describe('one person on both apps', () => {
  const h = useTelegramApp('zalo-connect', {}, { zalo: true });

  it('links a new Zalo chat to an existing Telegram customer after the Telegram account says yes: one customer, one balance', async () => {
    const telegram = h.telegram.user(401, 'Quân');
    telegram.send('/start');
    await agreeOnTelegram(h.telegram, telegram);
    const original = (await h.app.services.customers.findByIdentity('telegram:401'))!;
    await h.app.models.Customer.updateOne({ _id: original._id }, { $set: { points: 120 } });

    const zalo = h.zalo.user('z-quan', 'Quân Zalo');
    zalo.send('xin chào');
    await agreeOnZalo(h.zalo, zalo);
    zalo.send('connect');
    const offer = await h.zalo.waitForText('z-quan', 'Bạn đã dùng bot trên Telegram?');
    const code = /\/connect ([A-Z2-9]{8})/.exec(offer.text)![1]!;

    telegram.send('/connect WRONGCOD');
    await h.telegram.waitForText(401, 'Mã liên kết không đúng, đã dùng hoặc đã hết hạn.');
    telegram.send(`/connect ${code}`);
    await h.telegram.waitForText(401, 'Liên kết người dùng Zalo Quân Zalo với tài khoản của bạn?');
    telegram.press('Có');
    await h.telegram.waitForText(401, 'Đã liên kết! Zalo (Quân Zalo) giờ dùng chung tài khoản của bạn (120 điểm).');
    await h.zalo.waitForText('z-quan', 'Đã liên kết! Chat này giờ dùng chung tài khoản Telegram của Quân');

    const viaZalo = await h.app.services.customers.findByIdentity('zalo:z-quan');
    expect(String(viaZalo?._id)).toBe(String(original._id));
    zalo.send('me');
    await h.zalo.waitForText('z-quan', 'Điểm tích lũy: 120');
    expect(await h.app.models.Customer.countDocuments({ name: 'Quân Zalo' })).toBe(0);

    await joinOnTelegram(h.telegram, h.telegram.user(402, 'Khác'));
    h.telegram.user(402, 'Khác').send(`/connect ${code}`);
    await h.telegram.waitForText(402, 'Mã liên kết không đúng, đã dùng hoặc đã hết hạn.');
  });
});
