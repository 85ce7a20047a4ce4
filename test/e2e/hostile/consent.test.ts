import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';
import { publishRules } from '../../support/program-file.js';

describe('Hostile: the privacy notice cannot be skipped, forged or replayed', () => {
  const h = useTelegramApp('hostile-consent', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const owner = () => h.telegram.user(900, 'Chủ tiệm');
  const eve = () => h.telegram.user(670, 'Eve');
  const find = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const noticeCount = (id: number) => h.telegram.messagesTo(id).filter((m) => m.text.startsWith('🔒 Dữ liệu cá nhân')).length;

  it('commands before agreeing get the notice and change nothing; a typed /agree is not an agreement', async () => {
    // Two people, five messages each: within the flood limit.
    const attempts = {
      666: ['/me', '/link', '/phone 0912345678', '/birthday 12/03', '/agree 1'],
      669: ['/rewards', '/claim 1', '/connect', '/offers on', 'bỏ qua'],
    };
    for (const [id, texts] of Object.entries(attempts)) for (const text of texts) h.telegram.user(Number(id), 'Eve').send(text);
    for (const id of [666, 669]) {
      await h.telegram.waitForMessages(id, 5);
      expect(noticeCount(id)).toBe(5);
      const customer = await find(`telegram:${id}`);
      expect(customer).toMatchObject({ name: '', points: 0, marketingConsent: false });
      expect(customer.consentVersion).toBeUndefined();
      expect(customer.phone).toBeUndefined();
      expect(customer.birthdayKey).toBeUndefined();
    }
    expect(await h.app.models.Consent.countDocuments({})).toBe(0);
    expect(await h.app.models.PhoneNumber.countDocuments({})).toBe(0);
  });

  it('the open commands answer before agreeing: /help, /lang (the notice follows in the new language), /stop', async () => {
    const before = h.telegram.messagesTo(670).length;
    eve().send('/help');
    await h.telegram.waitForText(670, 'Lệnh của bạn');
    eve().send('/lang en');
    await h.telegram.waitForText(670, 'Your personal data at Salon Mai');
    eve().send('/stop');
    await h.telegram.waitForText(670, 'You will not receive any offers.');
    expect(h.telegram.messagesTo(670).length).toBe(before + 4);
    expect((await find('telegram:670')).locale).toBe('en');
    expect(await h.app.models.Consent.countDocuments({})).toBe(0);
  });

  it('forged and foreign button refs record nothing', async () => {
    const forge = (data: string) =>
      h.telegram.push({
        callback_query: {
          id: `cb-${data}`,
          from: { id: 671, is_bot: false, first_name: 'Mallory', language_code: 'en' },
          chat_instance: '671',
          data,
          message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: 671, type: 'private' }, text: '' },
        },
      });
    // Someone else's notice: its ref is not Eve's to press.
    h.telegram.user(667, 'Bob').send('/start');
    const theirs = await h.telegram.waitForText(667, 'Dữ liệu cá nhân');
    const before = h.telegram.messagesTo(671).length;
    forge(theirs.buttons[0]!.callback_data!);
    forge('AAAAAAAAAAAAAAAA.0');
    forge('/agree 1');
    await h.telegram.waitForMessages(671, before + 3);
    expect(
      h.telegram
        .messagesTo(671)
        .slice(before)
        .map((m) => m.text),
    ).toEqual(['This button no longer works.', 'This button no longer works.', 'This button no longer works.']);
    expect(await h.app.models.Consent.countDocuments({})).toBe(0);
    expect((await find('telegram:667')).consentVersion).toBeUndefined();
  });

  it('the agree press redelivered by Telegram records once', async () => {
    const notice = [...h.telegram.messagesTo(670)].reverse().find((m) => m.buttons.some((b) => b.text === 'I agree'))!;
    const press = {
      callback_query: {
        id: 'cb-agree',
        from: { id: 670, is_bot: false, first_name: 'Eve' },
        chat_instance: '670',
        data: notice.buttons[0]!.callback_data,
        message: { message_id: notice.messageId, date: Math.floor(Date.now() / 1000), chat: { id: 670, type: 'private' }, text: notice.text },
      },
    };
    h.telegram.push(press, 90_000);
    h.telegram.push(press, 90_000);
    await h.telegram.waitForText(670, 'Would you like to receive offers');
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.app.models.Consent.countDocuments({ kind: 'program' })).toBe(1);
    expect(h.telegram.messagesTo(670).filter((m) => m.text.startsWith('Would you like to receive offers'))).toHaveLength(1);
    expect((await find('telegram:670')).name).toBe('Eve');
  });

  it('a stale agree button of the old notice does not agree to the new one; a held button works after agreeing', async () => {
    const zed = h.telegram.user(668, 'Zed');
    zed.send('/start');
    await h.telegram.waitForText(668, 'Phiên bản thông báo: 1');
    // Eve's member QR button, shown before the new notice.
    eve().send('/me');
    await h.telegram.waitForText(670, 'Your member QR');
    // The owner publishes notice version 2 in the back office's rules: in force at once, no restart.
    const owner = await find('telegram:900');
    await publishRules(h, owner._id, (rules) => ({ ...rules, privacy: { ...rules.privacy, noticeVersion: '2' } }), 'notice 2');

    zed.press('Đồng ý');
    const stale = await h.telegram.waitForText(668, 'Thông báo đó đã được thay bằng phiên bản mới');
    expect(stale.text).not.toContain('Phiên bản thông báo');
    await h.telegram.waitForText(668, 'Phiên bản thông báo: 2');
    expect((await find('telegram:668')).consentVersion).toBeUndefined();
    expect(await h.app.models.Consent.countDocuments({ customerId: (await find('telegram:668'))._id })).toBe(0);

    const since = h.telegram.messagesTo(670).length;
    eve().press('New member QR');
    await h.telegram.waitForText(670, 'Notice version: 2');
    await agreeOnTelegram(h.telegram, eve(), { since, asked: false });
    // The held card was given back, not used up: it works now.
    eve().press('New member QR');
    await h.telegram.waitForText(670, 'Your new member QR');
  });

  it('staff and owner commands are not held by the notice; a Zalo number redelivered agrees once', async () => {
    owner().send('/stats');
    await h.telegram.waitForText(900, 'Số liệu hôm nay');
    const dan = h.zalo.user('z-dan', 'Dân');
    dan.send('hi');
    await h.zalo.waitForText('z-dan', 'Dữ liệu cá nhân');
    dan.send('1', 'same-press');
    dan.send('1', 'same-press');
    await h.zalo.waitForText('z-dan', 'Bạn có muốn nhận tin ưu đãi');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.zalo.messagesTo('z-dan').filter((m) => m.text.startsWith('Bạn có muốn nhận tin ưu đãi'))).toHaveLength(1);
    expect(await h.app.models.Consent.countDocuments({ customerId: (await find('zalo:z-dan'))._id })).toBe(1);
    dan.send('2');
    await h.zalo.waitForText('z-dan', 'Bạn sẽ không nhận tin ưu đãi');
  });
});
