import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };
import { useTelegramApp, type AppHarness } from '../../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../../support/consent.js';

/** Sends as this Telegram person and returns the first new reply. */
async function reply(h: AppHarness, id: number, name: string, text: string): Promise<string> {
  const before = h.telegram.messagesTo(id).length;
  h.telegram.user(id, name).send(text);
  return (await h.telegram.waitForMessages(id, before + 1))[before]!.text;
}

async function zaloReply(h: AppHarness, id: string, name: string, text: string): Promise<string> {
  const before = h.zalo.messagesTo(id).length;
  h.zalo.user(id, name).send(text);
  return (await h.zalo.waitForMessages(id, before + 1))[before]!.text;
}

/** Malformed birthdays and membership sales: a clear answer in the person's language, nothing stored. */
describe('hostile: birthdays and paid memberships', () => {
  // Several owners, so that each has its own flood budget for the refused commands.
  const h = useTelegramApp('hostile-members', { OWNER_IDS: 'telegram:900,telegram:901' }, { zalo: true });

  it('refuses impossible, malformed, future and too old birthdays on both apps, storing nothing', async () => {
    h.telegram.user(401, 'Lan').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(401, 'Lan'));
    // The agreement took two of the five messages a person may send in three seconds: wait that out.
    await new Promise((r) => setTimeout(r, 3100));
    expect(await reply(h, 401, 'Lan', '/birthday 31/02')).toContain('Ngày này không có thật');
    expect(await reply(h, 401, 'Lan', '/birthday abc')).toContain('Vui lòng gửi ngày sinh theo dạng ngày/tháng');
    expect(await reply(h, 401, 'Lan', '/birthday 01/01/2999')).toContain('Năm này chưa đến');
    expect(await reply(h, 401, 'Lan', '/birthday 01/01/1800')).toContain('hơn 120 năm trước');
    h.zalo.user('z-mai', 'Mai').send('Xin chào');
    await agreeOnZalo(h.zalo, h.zalo.user('z-mai', 'Mai'));
    expect(await zaloReply(h, 'z-mai', 'Mai', 'birthday 30/02')).toContain('Ngày này không có thật');
    expect(await zaloReply(h, 'z-mai', 'Mai', 'birthday 12/25')).toContain('Ngày này không có thật');
    for (const identity of ['telegram:401', 'zalo:z-mai']) {
      expect((await h.app.services.customers.findByIdentity(identity))?.birthdayKey, identity).toBeUndefined();
    }
  });

  it('refuses a sale by a customer (audited), to nobody, for a bad period, or to oneself, recording nothing', async () => {
    h.telegram.user(900, 'Chủ').send('/start');
    h.telegram.user(901, 'Chủ 2').send('/start');
    // Owner commands need no agreement to the notice: the notice is the whole answer.
    await h.telegram.waitForText(900, 'Dữ liệu cá nhân của bạn');
    await h.telegram.waitForText(901, 'Dữ liệu cá nhân của bạn');
    const lan = (await h.app.services.customers.findByIdentity('telegram:401'))!;
    const owner = (await h.app.services.customers.findByIdentity('telegram:901'))!;
    expect(await zaloReply(h, 'z-mai', 'Mai', `member ${lan.code} 3`)).toContain('Bạn không có quyền dùng lệnh này');
    const mai = (await h.app.services.customers.findByIdentity('zalo:z-mai'))!;
    expect(await h.app.models.AuditLog.countDocuments({ kind: 'refused', actorId: mai._id })).toBe(1);
    expect(await reply(h, 900, 'Chủ', '/member ZZZZZZ 3')).toContain('Không tìm thấy khách hàng');
    expect(await reply(h, 900, 'Chủ', `/member ${lan.code} 4`)).toContain('bán theo từng kỳ 3 tháng');
    expect(await reply(h, 900, 'Chủ', `/member ${lan.code} abc`)).toContain('bán theo từng kỳ 3 tháng');
    expect(await reply(h, 901, 'Chủ 2', `/member ${lan.code} 99`)).toContain('tối đa 36 tháng');
    expect(await reply(h, 901, 'Chủ 2', `/member ${owner.code} 3`)).toContain('không thể tự bán thẻ thành viên');
    expect(await reply(h, 901, 'Chủ 2', '/member')).toContain('/member <mã khách hoặc số điện thoại> <số tháng>');
    expect(await h.app.models.Membership.countDocuments()).toBe(0);
  });
});

describe('hostile: a shop that sells no membership', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
  const programFile = path.join(dir, 'program.json');
  writeFileSync(programFile, JSON.stringify({ ...defaultProgram, membership: null }));
  const h = useTelegramApp('hostile-members-off', { OWNER_IDS: 'telegram:900', PROGRAM_CONFIG: programFile });

  it('answers that the membership is not offered and records nothing', async () => {
    h.telegram.user(900, 'Chủ').send('/start');
    await h.telegram.waitForText(900, 'Dữ liệu cá nhân của bạn');
    h.telegram.user(402, 'Nga').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(402, 'Nga'));
    const nga = (await h.app.services.customers.findByIdentity('telegram:402'))!;
    expect(await reply(h, 900, 'Chủ', `/member ${nga.code} 3`)).toContain('Tiệm không bán thẻ thành viên trả phí');
    expect(await h.app.models.Membership.countDocuments()).toBe(0);
  });
});
