import type { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { importCustomers } from '../../../src/cli/import-customers.js';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, joinOnTelegram } from '../../support/consent.js';

/**
 * Taking over a shop regular's imported points: what a person says about themselves (a typed
 * number, someone else's contact card) is a claim and joins nothing; an account with a history
 * of its own is never merged away; a record already joined to a chat stays with it.
 */
describe('hostile: claiming an imported customer', () => {
  const h = useTelegramApp('hostile-existing-customers', { OWNER_IDS: 'telegram:900' });
  const record = () => h.app.models.Customer.findOne({ importedAt: { $exists: true } }).lean();
  const identitiesOf = async (customerId: Types.ObjectId | undefined) => h.app.models.ChannelIdentity.countDocuments({ customerId });

  it('the owner imports one regular with 650 points', async () => {
    const list = 'name,phone,points\nNguyễn Thị Lan,0935246810,650\n';
    const summary = await importCustomers(new TextEncoder().encode(list), {
      dryRun: false,
      locale: 'vi',
      t: h.app.i18n.forLocale('vi'),
      say: () => undefined,
      imports: () => Promise.resolve(h.app.services.customerImport),
    });
    expect(summary).toMatchObject({ ok: true, written: { created: 1 } });
  });

  it('typing her number on Telegram joins nothing', async () => {
    const mallory = h.telegram.user(301, 'Mallory');
    mallory.send('/start');
    await agreeOnTelegram(h.telegram, mallory);
    mallory.send('/phone 0935 246 810');
    await h.telegram.waitForText(301, '(chưa xác minh)');
    const lan = await record();
    expect(lan).toMatchObject({ points: 650 });
    expect(await identitiesOf(lan?._id)).toBe(0);
    expect(await h.app.services.customers.findByIdentity('telegram:301')).toMatchObject({ points: 0 });
  });

  it('sharing her contact card (not one’s own) joins nothing', async () => {
    const eve = h.telegram.user(302, 'Eve');
    eve.send('/start');
    await agreeOnTelegram(h.telegram, eve);
    eve.shareContact('+84935246810', 777);
    await h.telegram.waitForText(302, '(chưa xác minh)');
    expect(await identitiesOf((await record())?._id)).toBe(0);
    expect(await h.app.services.customers.findByIdentity('telegram:302')).toMatchObject({ points: 0 });
  });

  it('an account with a history of its own is not merged away, even with her number verified', async () => {
    const regular = h.telegram.user(303, 'Thu');
    regular.send('/start');
    await agreeOnTelegram(h.telegram, regular);
    const own = (await h.app.services.customers.findByIdentity('telegram:303'))!;
    h.telegram.user(900, 'Chủ tiệm').send(`/confirm ${own.code}`);
    await h.telegram.waitForText(900, 'Thu');
    regular.shareContact('+84935246810');
    await h.telegram.waitForText(303, 'Đã lưu số điện thoại');
    expect(await h.app.models.Customer.exists({ _id: own._id })).toBeTruthy();
    expect((await h.app.services.customers.findByIdentity('telegram:303'))?._id).toEqual(own._id);
    const lan = await record();
    expect(lan).toMatchObject({ points: 650 });
    expect(await identitiesOf(lan?._id)).toBe(0);
  });

  it('once her own chat joined, another chat verifying the same number does not take the record', async () => {
    const lan = h.telegram.user(304, 'Lan');
    await joinOnTelegram(h.telegram, lan);
    lan.shareContact('+84935246810');
    await h.telegram.waitForText(304, 'Chào Nguyễn Thị Lan!');
    const joined = (await record())!;
    expect(joined.lastIdentity).toBe('telegram:304');

    // Telegram moved the number to a new SIM owner: that chat gets the number, never Lan's points.
    const newOwner = h.telegram.user(305, 'Khánh');
    await joinOnTelegram(h.telegram, newOwner);
    newOwner.shareContact('+84935246810');
    await h.telegram.waitForText(305, 'Đã lưu số điện thoại');
    expect((await h.app.services.customers.findByIdentity('telegram:305'))?._id).not.toEqual(joined._id);
    expect(await h.app.models.ChannelIdentity.find({ customerId: joined._id }, { identity: 1, _id: 0 }).lean()).toEqual([
      { identity: 'telegram:304' },
    ]);
    expect(await h.app.models.Customer.findById(joined._id).lean()).toMatchObject({ points: 650 });
  });
});
