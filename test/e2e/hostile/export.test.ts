import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../../support/consent.js';

/**
 * Hostile use of the personal-data export and the processing record: forged, reused and other
 * people's download tokens, a token bent to ask for someone else, customers and staff asking
 * for the record in both apps and on the web, and the token kept out of the log.
 */
describe('hostile: /mydata downloads and the processing record', () => {
  const logLines: string[] = [];
  const h = useTelegramApp(
    'hostile-export',
    { OWNER_IDS: 'telegram:900' },
    { zalo: true, logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }) },
  );
  const customerOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const local = (url: string) => `${h.app.listenUrl}${new URL(url).pathname}`;
  const downloadIn = (text: string) => local(/https?:\/\/\S+\/download\/[\w-]+/.exec(text)![0]);
  const askMyData = async (chatId: string) => {
    const before = h.zalo.messagesTo(chatId).length;
    h.zalo.user(chatId, chatId === 'z-lan' ? 'Lan' : 'Bình').send('/mydata');
    const sent = await h.zalo.waitForMessages(chatId, before + 2);
    return downloadIn(sent[before + 1]!.text);
  };
  const downloads = () => h.app.models.Setting.countDocuments({ key: /^download:/ });

  it('someone else’s token gives only its holder’s data, once; bending it to ask for another person changes nothing', async () => {
    h.zalo.user('z-lan', 'Lan').send('Xin chào');
    h.zalo.user('z-binh', 'Bình').send('Xin chào');
    await agreeOnZalo(h.zalo, h.zalo.user('z-lan', 'Lan'));
    await agreeOnZalo(h.zalo, h.zalo.user('z-binh', 'Bình'));
    h.zalo.user('z-lan', 'Lan').send('/phone 0901234567');
    await h.zalo.waitForText('z-lan', '0901 234 567');
    const lan = await customerOf('zalo:z-lan');
    const binhUrl = await askMyData('z-binh');
    const lanUrl = await askMyData('z-lan');

    // Bình's own link with Lan's id or code added still gives Bình's record.
    const bent = await fetch(`${binhUrl}?customer=${String(lan._id)}&code=${lan.code}&kind=record`);
    expect(bent.status).toBe(200);
    const binhData = await bent.text();
    expect(binhData).toContain('zalo:z-binh');
    expect(binhData).not.toContain('+84901234567');
    expect(binhData).not.toContain(String(lan._id));

    // Lan's link, once she has used it, is worth nothing to whoever has it next.
    expect((await fetch(lanUrl)).status).toBe(200);
    const reused = await fetch(lanUrl, { headers: { 'user-agent': 'another browser' } });
    expect(reused.status).toBe(410);
    expect(await reused.text()).not.toContain('0901');
  });

  it('forged and malformed tokens get the same refusal and no data', async () => {
    for (const path of ['/download/' + 'A'.repeat(32), '/download/%24gt', '/download/..%2F..%2Fetc', '/download/' + 'x'.repeat(2000)]) {
      const response = await fetch(`${h.app.listenUrl}${path}`);
      expect(response.status, path).toBe(410);
      expect(response.headers.get('content-disposition'), path).toBeNull();
    }
  });

  it('a customer asking for /record gets no record and no link, on Telegram and Zalo', async () => {
    const before = await downloads();
    h.telegram.user(301, 'An').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(301, 'An'));
    h.telegram.user(301, 'An').send('/record');
    const refused = await h.telegram.waitForText(301, 'Bạn không có quyền dùng lệnh này.');
    expect(refused.document).toBeUndefined();
    h.zalo.user('z-lan', 'Lan').send('record');
    await h.zalo.waitForText('z-lan', 'Bạn không có quyền dùng lệnh này.');
    expect(await downloads()).toBe(before);
    expect(h.telegram.messagesTo(301).some((m) => m.document)).toBe(false);
    const an = await customerOf('telegram:301');
    expect(await h.app.models.AuditLog.countDocuments({ kind: 'refused', actorId: an._id })).toBe(1);
  });

  it('the record page in the back office needs the owner’s session', async () => {
    for (const headers of [{}, { cookie: 'dashboard_session=' + 'a'.repeat(43) }] as Array<Record<string, string>>) {
      const response = await fetch(`${h.app.listenUrl}/dashboard/record?download=1`, { headers });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(await response.text()).not.toContain('Ai được truy cập');
    }
  });

  it('download tokens never reach the log', async () => {
    const url = await askMyData('z-binh');
    await fetch(url);
    const token = url.split('/').pop()!;
    expect(logLines.some((line) => line.includes('/download/[redacted]'))).toBe(true);
    expect(logLines.filter((line) => line.includes(token))).toEqual([]);
  });
});
