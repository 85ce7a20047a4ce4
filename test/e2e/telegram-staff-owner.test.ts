import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';
import { readQr } from '../support/qr.js';

describe('Telegram: staff tools, owner tools and webhook mode', () => {
  const h = useTelegramApp('tg-staff', { OWNER_IDS: 'telegram:900' });
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;

  it('a staff member scanning a member QR gets the card and confirms the first visit with a button', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    const staff = h.telegram.user(201, 'Lan');
    const customer = h.telegram.user(202, 'Minh');
    staff.send('/start');
    customer.send('/start');
    await agreeOnTelegram(h.telegram, staff);
    await agreeOnTelegram(h.telegram, customer);
    owner.send(`/staff add ${await codeOf(201)}`);
    await h.telegram.waitForText(900, 'Đã thêm Lan làm nhân viên.');

    customer.send('/me');
    const qr = await h.telegram.waitForText(202, 'Mã QR thành viên');
    staff.send(`/start ${new URL(readQr(qr.photo!)!).searchParams.get('start')!}`);
    const card = await h.telegram.waitForText(201, 'Khách hàng: Minh');
    expect(card.text).toContain('Chưa có lần ghé nào được xác nhận.');
    expect(card.buttons.map((b) => b.text)).toEqual(['Xác nhận lần ghé đầu']);
    staff.press('Xác nhận lần ghé đầu');
    await h.telegram.waitForText(201, 'Đã xác nhận lần ghé đầu tiên của Minh: +100 điểm');
    expect((await h.app.services.customers.findByIdentity('telegram:202'))?.firstVisitAt).toBeInstanceOf(Date);
  });

  it('a customer who scans a member QR gets no card', async () => {
    const minh = (await h.app.services.customers.findByIdentity('telegram:202'))!;
    h.telegram.user(203, 'Tò mò').send(`/start m_${await h.app.services.memberCards.tokenFor(minh._id)}`);
    const reply = await h.telegram.waitForText(203, 'Lệnh của bạn');
    expect(reply.text).not.toContain('Minh');
  });

  it('a shared phone number lets staff find the customer by phone', async () => {
    const customer = h.telegram.user(202, 'Minh');
    customer.send('/phone');
    const ask = await h.telegram.waitForText(202, 'chia sẻ số điện thoại');
    expect(ask.buttons[0]?.request_contact).toBe(true);
    customer.shareContact('84 912 000 111');
    await h.telegram.waitForText(202, 'Đã lưu số điện thoại 0912 000 111.');
    h.telegram.user(201, 'Lan').send('/find 0912 000 111');
    // Found by the number staff typed: they see it back.
    const card = await h.telegram.waitForText(201, 'SĐT: 0912 000 111 (đã xác minh)');
    expect(card.text).toContain('Khách hàng: Minh');
    // The card shows the points balance (a missing value once left "{{balance}}" in it).
    expect(card.text).toMatch(/Điểm tích lũy: \d+ \(số dư để đổi quà: \d+\)/);
    // Found by code: the number is masked but for its last digits (after Lan's flood window: 5 messages in 3 seconds).
    await new Promise((r) => setTimeout(r, 3100));
    h.telegram.user(201, 'Lan').send(`/find ${await codeOf(202)}`);
    const byCode = await h.telegram.waitForText(201, 'SĐT: •••• ••• 111 (đã xác minh)');
    expect(byCode.text).not.toContain('0912');
  });

  it('switches language and keeps it', async () => {
    const customer = h.telegram.user(202, 'Minh');
    // Minh just sent four messages in the test before: wait out the per-person flood window.
    await new Promise((r) => setTimeout(r, 3100));
    customer.send('/lang en');
    await h.telegram.waitForText(202, 'Switched to English.');
    customer.send('/rewards');
    await h.telegram.waitForText(202, 'You have no vouchers yet.');
    expect((await h.app.services.customers.findByIdentity('telegram:202'))?.locale).toBe('en');
  });

  it('the owner gets /summary now and the scheduled daily summary on Telegram', async () => {
    h.telegram.user(900, 'Chủ tiệm').send('/summary');
    const now = await h.telegram.waitForText(900, 'Báo cáo ngày của Salon Mai');
    expect(now.text).toContain('Lần ghé đầu được xác nhận: 1');
    expect(now.text).toContain('so với hôm qua; TB 7 ngày');

    const before = h.telegram.messagesTo(900).length;
    await h.app.services.scheduled.recordDailySummaries();
    const messages = await h.telegram.waitForMessages(900, before + 1);
    expect(messages.at(-1)!.text).toContain('Báo cáo ngày của Salon Mai');
  });

  it('the owner invites a new staff member with a link; it works once and the owner is told', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/staff invite');
    const reply = await h.telegram.waitForText(900, 'Gửi link này cho nhân viên mới');
    const payload = /https:\/\/t\.me\/salon_mai_bot\?start=(s_[A-Z0-9]{10})/.exec(reply.text)?.[1];
    expect(payload).toBeDefined();

    h.telegram.user(204, 'Tuấn').send(`/start ${payload!}`);
    const welcome = await h.telegram.waitForText(204, 'Chào mừng bạn gia nhập đội ngũ Salon Mai! Bạn đã là nhân viên.');
    expect(welcome.text).toContain('/confirm');
    await h.telegram.waitForText(900, 'Tuấn (mã');
    expect(h.telegram.messagesTo(900).at(-1)!.text).toContain('đã nhận lời mời và trở thành nhân viên');
    expect((await h.app.services.customers.findByIdentity('telegram:204'))?.role).toBe('staff');

    h.telegram.user(205, 'Người lạ').send(`/start ${payload!}`);
    await h.telegram.waitForText(205, 'Lời mời làm nhân viên này đã được dùng, đã hết hạn hoặc không đúng.');
    expect((await h.app.services.customers.findByIdentity('telegram:205'))?.role).toBe('customer');
  });

  it('refuses owner commands to staff', async () => {
    h.telegram.user(201, 'Lan').send('/stats 7d');
    await h.telegram.waitForText(201, 'Bạn không có quyền dùng lệnh này.');
  });
});

describe('Telegram in webhook mode', () => {
  const h = useTelegramApp('tg-webhook', {
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-123',
    PUBLIC_URL: 'https://salon.example.vn',
  });

  it('registers its webhook, refuses a wrong secret with 401 and handles the right one once', async () => {
    expect(h.telegram.webhook).toEqual({ url: 'https://salon.example.vn/telegram/webhook', secret: 'webhook-secret-123' });
    h.telegram.webhookTarget = `${h.app.listenUrl}/telegram/webhook`;
    const update = {
      update_id: 77,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 301, type: 'private' },
        from: { id: 301, is_bot: false, first_name: 'Web' },
        text: '/help',
      },
    };
    expect(await h.telegram.deliverToWebhook(update, 'wrong-secret-000')).toBe(401);
    expect(await h.telegram.deliverToWebhook(update, '')).toBe(401);
    expect(await h.app.services.customers.findByIdentity('telegram:301')).toBeUndefined();
    expect(await h.telegram.deliverToWebhook(update)).toBe(200);
    expect(await h.telegram.deliverToWebhook(update)).toBe(200);
    await h.telegram.waitForText(301, 'Lệnh của bạn');
    expect(h.telegram.messagesTo(301)).toHaveLength(1);
    expect((await h.app.health()).channels.telegram).toBe('up');
  });
});
