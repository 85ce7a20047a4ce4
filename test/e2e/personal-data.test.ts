import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';
import { waitForDeliveries } from '../support/deliveries.js';
import type { SentMessage } from '../support/telegram-emulator.js';
import { testDatabaseUri } from '../support/database.js';
import type { PersonalDataExport } from '../../src/services/personal-data.js';

/**
 * A person's own data (/mydata) and the shop's processing record (/record), through both chat
 * apps: Telegram sends files; Zalo gets a one-time download link.
 */
describe('/mydata and /record on Telegram and Zalo', () => {
  const h = useTelegramApp('personal-data', { OWNER_IDS: 'telegram:900,zalo:z-owner' }, { zalo: true });
  const owner = () => h.telegram.user(900, 'Chủ tiệm');
  const an = () => h.telegram.user(301, 'Trần Văn An');
  const hoa = () => h.telegram.user(302, 'Nguyễn Thị Hoa');
  const customerOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const next = async (chatId: number, count: number, act: () => void): Promise<SentMessage[]> => {
    const before = h.telegram.messagesTo(chatId).length;
    act();
    return (await h.telegram.waitForMessages(chatId, before + count)).slice(before);
  };
  const local = (url: string) => `${h.app.listenUrl}${new URL(url).pathname}`;
  const downloadIn = (text: string) => local(/https?:\/\/\S+\/download\/[\w-]+/.exec(text)![0]);

  it('Telegram: /mydata answers with a readable summary and the whole record as a JSON document', async () => {
    // The conversation: an owner, An with a phone and birthday, and Hoa whom An invited.
    owner().send('/start');
    await agreeOnTelegram(h.telegram, owner());
    an().send('/start');
    await agreeOnTelegram(h.telegram, an());
    an().shareContact('+84912345678');
    await h.telegram.waitForText(301, '0912 345 678');
    an().send('/birthday 12/05');
    await h.telegram.waitForText(301, '12/05');
    const anRecord = await customerOf('telegram:301');
    hoa().send(`/start ${anRecord.code}`);
    await agreeOnTelegram(h.telegram, hoa());
    await h.telegram.waitForText(302, 'Bạn được An giới thiệu');
    hoa().shareContact('+84987654321');
    await h.telegram.waitForText(302, '0987 654 321');
    const hoaRecord = await customerOf('telegram:302');
    owner().send(`/confirm ${hoaRecord.code} 300k`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của');
    owner().send(`/confirm ${anRecord.code} 200k`);
    await h.telegram.waitForText(900, /Đã xác nhận lần ghé đầu tiên của (An|Trần Văn An)/);
    await waitForDeliveries(h.app.models);
    const memberToken = await h.app.services.memberCards.tokenFor(anRecord._id);

    const [summary, file] = await next(301, 2, () => an().send('/mydata'));
    expect(summary!.text).toContain('📋 Dữ liệu');
    expect(summary!.text).toContain('Số điện thoại: 0912 345 678');
    expect(summary!.text).toContain('Ngày sinh: 12/5');
    expect(summary!.text).toContain('Giới thiệu: 1 người bạn: Hoa');
    expect(summary!.text).toContain('Lần ghé và số tiền: 1 lần');
    expect(summary!.text).not.toContain('Nguyễn');
    expect(summary!.text).toContain('/privacy');
    expect(file!.document?.filename).toBe(`mydata-${anRecord.code}.json`);
    expect(file!.text).toBe('Toàn bộ dữ liệu, dạng tệp JSON.');

    const raw = file!.document!.content.toString('utf8');
    const data = JSON.parse(raw) as PersonalDataExport;
    const mine = { customerId: anRecord._id };
    expect(data.shop).toBe('Salon Mai');
    // Everything the shop holds about An is in it, one for one.
    expect(data.profile).toMatchObject({ _id: String(anRecord._id), code: anRecord.code, phone: '+84912345678', birthDay: 12, birthMonth: 5 });
    expect(data.identities).toEqual([expect.objectContaining({ identity: 'telegram:301', channel: 'telegram', displayName: 'Trần Văn An' })]);
    expect(data.phones).toEqual(expect.arrayContaining([expect.objectContaining({ phone: '+84912345678' })]));
    expect(data.visits).toHaveLength(await h.app.models.Visit.countDocuments(mine));
    expect(data.visits[0]).toMatchObject({ amount: 200_000, first: true });
    expect(data.pointsLedger).toHaveLength(await h.app.models.PointsEntry.countDocuments(mine));
    expect(data.pointsLedger.length).toBeGreaterThanOrEqual(2);
    expect(data.vouchers).toHaveLength(await h.app.models.Voucher.countDocuments(mine));
    expect(data.vouchers.length).toBeGreaterThanOrEqual(1);
    expect(data.messages).toHaveLength(await h.app.models.Notification.countDocuments(mine));
    expect(data.referrals.friends).toEqual([expect.objectContaining({ givenName: 'Hoa', status: 'converted', via: 'telegram' })]);
    expect(data.staffActionsOnYou.length).toBeGreaterThanOrEqual(1);
    expect(data.consents).toHaveLength(await h.app.models.Consent.countDocuments(mine));
    expect(data.consents.length).toBeGreaterThanOrEqual(1);
    expect(data.profile).not.toHaveProperty('pendingReferralCode');
    // Nothing about other people beyond the friend's given name, and no secrets.
    for (const other of [hoaRecord.code, String(hoaRecord._id), '+84987654321', 'Nguyễn Thị Hoa', 'telegram:302', 'telegram:900', memberToken]) {
      expect(raw).not.toContain(other);
    }
    const ownerId = String((await customerOf('telegram:900'))._id);
    expect(raw).not.toContain(ownerId);
  });

  it('Zalo: /mydata gives the summary and a one-time download link, refused the second time', async () => {
    const lan = h.zalo.user('z-lan', 'Lan');
    lan.send('Xin chào');
    await agreeOnZalo(h.zalo, lan);
    lan.send('/phone 0901234567');
    await h.zalo.waitForText('z-lan', '0901 234 567');
    const before = h.zalo.messagesTo('z-lan').length;
    lan.send('mydata');
    const sent = (await h.zalo.waitForMessages('z-lan', before + 2)).slice(before);
    expect(sent[0]!.text).toContain('Số điện thoại: 0901 234 567');
    expect(sent[1]!.text).toContain('một lần, trong 60 phút');
    const url = downloadIn(sent[1]!.text);
    // Only the token's hash is stored.
    const token = url.split('/').pop()!;
    expect(JSON.stringify(await h.app.models.Setting.find({}).lean())).not.toContain(token);

    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toMatch(/^attachment; filename="mydata-\w+\.json"$/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const data = (await first.json()) as PersonalDataExport;
    expect(data.profile.phone).toBe('+84901234567');
    expect(data.identities).toEqual([expect.objectContaining({ identity: 'zalo:z-lan', displayName: 'Lan' })]);

    const again = await fetch(url);
    expect(again.status).toBe(410);
    const page = await again.text();
    expect(page).toContain('Liên kết này không còn dùng được');
    expect(page).not.toContain('+84901234567');
  });

  it('Telegram: the owner gets the processing record as an HTML file; a customer is refused', async () => {
    const [record] = await next(900, 1, () => owner().send('/record'));
    expect(record!.document?.filename).toMatch(/^processing-record-\d{4}-\d{2}-\d{2}-vi\.html$/);
    const html = record!.document!.content.toString('utf8');
    expect(html).toContain('Hồ sơ xử lý dữ liệu cá nhân: ');
    expect(html).toContain('Chủ tiệm (2)');
    expect(html).toContain('Nhân viên (0)');
    expect(html).toContain(`Máy chủ cơ sở dữ liệu tại ${new URL(testDatabaseUri('x')).host}`);
    expect(html).toContain('Sự đồng ý của bạn (Nghị định 13/2023/NĐ-CP');
    expect(html).toContain('730 ngày, sau đó bị xóa.');
    expect(await h.app.models.AuditLog.countDocuments({ action: 'processing_record', outcome: 'produced' })).toBe(1);

    const [refused] = await next(301, 1, () => an().send('/record'));
    expect(refused!.text).toBe('Bạn không có quyền dùng lệnh này.');
    expect(refused!.document).toBeUndefined();
  });

  it('Zalo: the owner gets a one-time link to the record; a customer gets no link', async () => {
    const zaloOwner = h.zalo.user('z-owner', 'Chủ tiệm');
    zaloOwner.send('Xin chào');
    // The owner's first message brings the privacy notice too; /record needs no agreement.
    await h.zalo.waitForMessages('z-owner', 1);
    zaloOwner.send('/record');
    const reply = await h.zalo.waitForText('z-owner', 'Hồ sơ xử lý dữ liệu cá nhân của cửa hàng (một tệp');
    const url = downloadIn(reply.text);
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toMatch(/^attachment; filename="processing-record-[\d-]+-vi\.html"$/);
    expect(await first.text()).toContain('Ai được truy cập');
    expect((await fetch(url)).status).toBe(410);

    const tickets = await h.app.models.Setting.countDocuments({ key: /^download:/ });
    h.zalo.user('z-lan', 'Lan').send('record');
    await h.zalo.waitForText('z-lan', 'Bạn không có quyền dùng lệnh này.');
    expect(await h.app.models.Setting.countDocuments({ key: /^download:/ })).toBe(tickets);
  });
});
