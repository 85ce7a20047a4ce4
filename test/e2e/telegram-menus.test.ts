import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';
import type { TelegramEmulator } from '../support/telegram-emulator.js';

/** Waits until the chat's command menu (as Telegram would show it to the person) passes `check`. */
async function menuOf(telegram: TelegramEmulator, chatId: number, languageCode: string, check: (commands: string[]) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const menu = telegram.menuFor(chatId, languageCode);
    if (check(menu.map((entry) => entry.command))) return menu;
    if (Date.now() > deadline) throw new Error(`chat ${chatId} shows /${menu.map((entry) => entry.command).join(' /')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const has =
  (...names: string[]) =>
  (commands: string[]) =>
    names.every((name) => commands.includes(name));
const lacks =
  (...names: string[]) =>
  (commands: string[]) =>
    commands.length > 0 && names.every((name) => !commands.includes(name));

describe('Telegram: a command menu per role', () => {
  const h = useTelegramApp('tg-menus', { OWNER_IDS: 'telegram:950' });
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;

  it('customers see the default menu in their app language; an owner from OWNER_IDS gets theirs with the first message', async () => {
    const customer = h.telegram.user(610, 'Lan');
    customer.send('/start');
    await agreeOnTelegram(h.telegram, customer);
    const vi = await menuOf(h.telegram, 610, 'vi', lacks('visit', 'stats'));
    expect(vi.map((entry) => entry.command)).toEqual(expect.arrayContaining(['link', 'me', 'rewards', 'help']));
    expect(vi.find((entry) => entry.command === 'link')?.description).toBe('Link và mã QR giới thiệu của bạn');
    expect(h.telegram.menuFor(610, 'en').find((entry) => entry.command === 'link')?.description).toBe('Your referral link and QR');
    // A customer's chat shows the default menu already: their messages cost no menu call.
    const menuCalls = h.telegram.calls.filter(
      (call) => call.method.endsWith('MyCommands') && JSON.stringify(call.params.scope ?? {}).includes('610'),
    );
    expect(menuCalls).toEqual([]);

    h.telegram.user(950, 'Chủ tiệm').send('/help');
    await h.telegram.waitForText(950, 'Lệnh chủ cửa hàng');
    await menuOf(h.telegram, 950, 'vi', has('link', 'visit', 'stats', 'staff', 'dashboard'));
  });

  it('a customer made staff gets the staff menu at once, in their language; removed, the default again', async () => {
    const owner = h.telegram.user(950, 'Chủ tiệm');
    const code = await codeOf(610);
    owner.send(`/staff add ${code}`);
    await h.telegram.waitForText(950, 'Đã thêm Lan làm nhân viên.');
    const staffMenu = await menuOf(h.telegram, 610, 'vi', has('link', 'confirm', 'visit', 'redeem', 'find'));
    expect(staffMenu.map((entry) => entry.command)).not.toContain('stats');
    expect(staffMenu.find((entry) => entry.command === 'visit')?.description).toBe('Ghi nhận lần ghé / hóa đơn');

    h.telegram.user(610, 'Lan').send('/lang en');
    await h.telegram.waitForText(610, 'Switched to English.');
    await menuOf(
      h.telegram,
      610,
      'vi',
      (commands) => commands.includes('visit') && h.telegram.menuFor(610, 'vi')[0]?.description === 'Your referral link and QR',
    );

    owner.send(`/staff remove ${code}`);
    await h.telegram.waitForText(950, 'Đã bỏ quyền nhân viên của Lan.');
    await menuOf(h.telegram, 610, 'vi', lacks('visit', 'confirm'));
  });

  it('a staff invite accepted brings the staff menu', async () => {
    h.telegram.user(950, 'Chủ tiệm').send('/staff invite');
    const invite = await h.telegram.waitForText(950, 'Gửi link này cho nhân viên mới');
    const payload = /start=(s_[A-Z0-9]{10})/.exec(invite.text)![1]!;
    h.telegram.user(611, 'Tuấn').send(`/start ${payload}`);
    await h.telegram.waitForText(611, 'Bạn đã là nhân viên.');
    await menuOf(h.telegram, 611, 'vi', has('visit', 'find'));
  });
});

describe('Telegram: the owner who claims the shop with the setup code', () => {
  const h = useTelegramApp('tg-menus-setup');

  it('gets the owner menu with the claim', async () => {
    h.telegram.user(620, 'Chủ mới').send(`/start ${h.app.ownerSetupCode!}`);
    await h.telegram.waitForText(620, 'Lệnh chủ cửa hàng');
    await menuOf(h.telegram, 620, 'vi', has('stats', 'summary', 'visit'));
  });
});
