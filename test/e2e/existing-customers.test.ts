import { describe, expect, it } from 'vitest';
import { importCustomers } from '../../src/cli/import-customers.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';

/** The shop's list, as Excel saves it with `;` and a BOM. */
const LIST = '\uFEFFTên;Số điện thoại;Điểm;Số lần ghé\nNguyễn Thị Lan;0935 246 810;650;14\nPhạm Hùng;0977 135 791;200;3\n';

describe('existing customers from the shop list meet the bot', () => {
  const h = useTelegramApp('existing-customers', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const owner = () => h.telegram.user(900, 'Chủ tiệm');
  const minh = () => h.telegram.user(201, 'Minh');
  const lan = () => h.telegram.user(202, 'Lan TG');
  const hung = () => h.zalo.user('z-hung', 'Hùng');
  const imported = (phone: string) => h.app.models.Customer.findOne({ phone, importedAt: { $exists: true } }).lean();

  it('the owner imports the list', async () => {
    const summary = await importCustomers(new TextEncoder().encode(LIST), {
      dryRun: false,
      locale: 'vi',
      t: h.app.i18n.forLocale('vi'),
      say: () => undefined,
      imports: () => Promise.resolve(h.app.services.customerImport),
    });
    expect(summary).toMatchObject({ ok: true, written: { created: 2 } });
  });

  it('Lan arrives through Minh’s link, then shares her own contact: her chat joins her record and the referral is withdrawn', async () => {
    minh().send('/start');
    await agreeOnTelegram(h.telegram, minh());
    const minhCode = (await h.app.services.customers.findByIdentity('telegram:201'))!.code;
    lan().send(`/start ${minhCode}`);
    await agreeOnTelegram(h.telegram, lan());
    // Nobody can know yet that this new chat is Lan: the link works as for anybody.
    await h.telegram.waitForText(202, 'Bạn được Minh giới thiệu');
    await h.telegram.waitForText(201, 'Lan TG vừa tham gia qua link của bạn');
    const chatAccount = (await h.app.services.customers.findByIdentity('telegram:202'))!;
    expect(await h.app.models.Referral.countDocuments({ friendId: chatAccount._id })).toBe(1);

    lan().shareContact('+84935246810');
    const joined = await h.telegram.waitForText(202, 'Chào Nguyễn Thị Lan!');
    expect(joined.text).toContain('650 điểm');
    const record = await imported('+84935246810');
    expect(record).toMatchObject({ name: 'Nguyễn Thị Lan', points: 650, phoneVerified: true, lastIdentity: 'telegram:202' });
    expect((await h.app.services.customers.findByIdentity('telegram:202'))?._id).toEqual(record?._id);
    // The chat's own empty account is gone, and with it the attribution.
    expect(await h.app.models.Customer.exists({ _id: chatAccount._id })).toBeNull();
    expect(await h.app.models.Referral.countDocuments({})).toBe(0);

    lan().send('/me');
    await h.telegram.waitForText(202, 'Điểm tích lũy: 650');
  });

  it('Minh’s link cannot make Lan a new friend again, and her visit rewards Minh nothing', async () => {
    const minhCustomer = (await h.app.services.customers.findByIdentity('telegram:201'))!;
    // Before any visit in the program: she is an existing customer by the shop's list alone.
    lan().send(`/start ${minhCustomer.code}`);
    await h.telegram.waitForText(202, 'Bạn đã là khách của cửa hàng rồi');
    expect(await h.app.models.Referral.countDocuments({})).toBe(0);

    owner().send('/start');
    await agreeOnTelegram(h.telegram, owner());
    const lanCode = (await imported('+84935246810'))!.code;
    const minhBefore = h.telegram.messagesTo(201).length;
    owner().send(`/confirm ${lanCode} 300k`);
    await h.telegram.waitForText(900, 'Nguyễn Thị Lan');
    expect(await h.app.models.Voucher.countDocuments({ customerId: minhCustomer._id })).toBe(0);
    expect(await h.app.models.PointsEntry.countDocuments({ customerId: minhCustomer._id })).toBe(0);
    // A regular's visit is no new customer's first visit in the reports.
    expect(await h.app.models.Visit.countDocuments({ first: true })).toBe(0);

    // Minh is owed nothing after Lan's visit (notifications are recorded before the reply): only the join he was told of.
    const owed = await h.app.models.Notification.find({ customerId: minhCustomer._id }, { type: 1 }).lean();
    expect(owed.map((n) => n.type)).toEqual(['friend_joined']);
    expect(h.telegram.messagesTo(201).slice(minhBefore)).toEqual([]);
  });

  it('on Zalo a typed number never joins the record (Zalo cannot vouch for it)', async () => {
    hung().send('Xin chào');
    await agreeOnZalo(h.zalo, hung());
    hung().send('/phone 0977135791');
    await h.zalo.waitForText('z-hung', 'Đã lưu số điện thoại');
    const record = await imported('+84977135791');
    expect(record).toMatchObject({ name: 'Phạm Hùng', points: 200, phoneVerified: false });
    expect(record?.lastIdentity).toBeUndefined();
    expect(await h.app.models.ChannelIdentity.countDocuments({ customerId: record?._id })).toBe(0);
    const zaloAccount = await h.app.services.customers.findByIdentity('zalo:z-hung');
    expect(zaloAccount).toMatchObject({ points: 0 });
    expect(zaloAccount?._id).not.toEqual(record?._id);
  });
});
