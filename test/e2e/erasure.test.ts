import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo, joinOnTelegram } from '../support/consent.js';
import { waitForDeliveries } from '../support/deliveries.js';

/**
 * `/delete` through both chat apps: a confirmation with two choices, "keep" changes nothing,
 * "delete for good" erases and says what was kept and why; the chat is then a stranger's.
 * Conversation steps are marked "step:" so the consent gate can be added in front of them.
 */
describe('/delete on Telegram and Zalo', () => {
  const h = useTelegramApp('erasure', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const hoa = () => h.telegram.user(401, 'Hoa');
  const lan = () => h.telegram.user(402, 'Lan');
  const mai = () => h.zalo.user('z-mai', 'Mai');
  const customerOf = (identity: string) => h.app.services.customers.findByIdentity(identity);
  // A person's messages are rate-limited: a real person reads between taps.
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1000));
  // Agreeing costs a press: wait out the flood window (five messages in three seconds) before a quick run of messages.
  const floodWindow = () => new Promise((resolve) => setTimeout(resolve, 3_100));

  it('Telegram: "Giữ lại" keeps everything, "Xóa vĩnh viễn" erases, and a new message starts fresh', async () => {
    // step: the referrer joins, the friend arrives through the referrer's link.
    hoa().send('/start');
    await agreeOnTelegram(h.telegram, hoa());
    const referrer = (await customerOf('telegram:401'))!;
    lan().send(`/start ${referrer.code}`);
    const arrived = await agreeOnTelegram(h.telegram, lan());
    expect(arrived[0]!.text).toContain('Bạn được Hoa giới thiệu');
    const person = (await customerOf('telegram:402'))!;
    await waitForDeliveries(h.app.models);
    const landing = `${h.app.listenUrl}/r/${person.code}`;
    expect((await fetch(landing)).status).toBe(200);

    // step: /delete, then "Giữ lại".
    await floodWindow();
    lan().send('/delete');
    const confirm = await h.telegram.waitForText(402, 'Xóa dữ liệu của bạn tại Salon Mai?');
    expect(confirm.buttons.map((b) => b.text)).toEqual(['Xóa vĩnh viễn', 'Giữ lại']);
    lan().press('Giữ lại');
    await h.telegram.waitForText(402, 'Không có gì bị xóa');
    expect(await customerOf('telegram:402')).toMatchObject({ name: 'Lan', code: person.code });
    // The kept confirmation's other button no longer erases.
    lan().press('Xóa vĩnh viễn');
    await h.telegram.waitForText(402, /Đã thực hiện rồi|Thao tác này đã được thực hiện rồi/);
    expect(await customerOf('telegram:402')).toMatchObject({ name: 'Lan' });

    // step: /delete, then "Xóa vĩnh viễn".
    await pause();
    const asked = h.telegram.messagesTo(402).length;
    lan().send('/delete');
    const second = (await h.telegram.waitForMessages(402, asked + 1))[asked]!;
    expect(second.text).toContain('Xóa dữ liệu của bạn tại Salon Mai?');
    expect(second.buttons.map((b) => b.text)).toEqual(['Xóa vĩnh viễn', 'Giữ lại']);
    const before = h.telegram.messagesTo(402).length;
    await pause();
    lan().press('Xóa vĩnh viễn');
    const erased = await h.telegram.waitForText(402, 'Dữ liệu của bạn tại Salon Mai đã được xóa');
    expect(erased.text).toContain('lượt giới thiệu vẫn được tính cho người bạn đã mời bạn');
    expect(erased.text).toContain('lịch sử ghé tiệm và điểm');
    expect(h.telegram.messagesTo(402).length).toBe(before + 1);
    expect(await customerOf('telegram:402')).toBeUndefined();
    expect(await h.app.models.Customer.findById(person._id).lean()).toMatchObject({ erasure: 'done', name: '' });
    expect(await h.app.models.Referral.countDocuments({ friendId: person._id, referrerId: referrer._id })).toBe(1);
    expect(await h.app.services.referrals.findReferrer(person.code)).toBeUndefined();
    // The old referral link lands nowhere, even in the process that showed it a moment ago.
    expect((await fetch(landing)).status).toBe(404);

    // step: writing again is a stranger's first message.
    await pause();
    const welcomed = await joinOnTelegram(h.telegram, lan());
    expect(welcomed[0]!.text).toContain('Chào mừng bạn đến với chương trình giới thiệu của Salon Mai');
    const fresh = (await customerOf('telegram:402'))!;
    expect(String(fresh._id)).not.toBe(String(person._id));
    expect(fresh.code).not.toBe(person.code);
  });

  it('Zalo: the choices are numbered; 2 keeps, 1 erases', async () => {
    // step: a newcomer greets.
    mai().send('Xin chào');
    const welcomed = await agreeOnZalo(h.zalo, mai());
    expect(welcomed[0]!.text).toContain('Chào mừng bạn đến với chương trình giới thiệu của Salon Mai');
    expect(welcomed.at(-1)!.text).toContain('Trả lời bằng số: 1, 2');
    const person = (await customerOf('zalo:z-mai'))!;
    await floodWindow();
    // step: "link" publishes the invite QR at a public address.
    mai().send('link');
    const qr = await h.zalo.waitForText('z-mai', 'Mã QR giới thiệu');
    const image = `${h.app.listenUrl}${new URL(qr.photo!).pathname}`;
    expect((await fetch(image)).status).toBe(200);

    // step: "delete", then 2 (keep).
    mai().send('delete');
    const confirm = await h.zalo.waitForText('z-mai', 'Xóa dữ liệu của bạn tại Salon Mai?');
    expect(confirm.text).toContain('1. Xóa vĩnh viễn\n2. Giữ lại');
    mai().send('2');
    await h.zalo.waitForText('z-mai', 'Không có gì bị xóa');
    expect(await customerOf('zalo:z-mai')).toMatchObject({ code: person.code });

    // step: "delete", then 1 (erase).
    await pause();
    const before = h.zalo.messagesTo('z-mai').length;
    mai().send('delete');
    await h.zalo.waitForMessages('z-mai', before + 1);
    mai().send('1');
    const erased = await h.zalo.waitForText('z-mai', 'Dữ liệu của bạn tại Salon Mai đã được xóa');
    expect(erased.text).toContain('Nếu bạn nhắn lại, bạn sẽ bắt đầu như một khách hàng mới.');
    expect(await customerOf('zalo:z-mai')).toBeUndefined();
    expect(await h.app.models.Customer.findById(person._id).lean()).toMatchObject({ erasure: 'done' });
    expect(await h.app.models.PendingChoice.countDocuments({ identity: 'zalo:z-mai' })).toBe(0);
    expect((await fetch(image)).status).toBe(404);
  });
});
