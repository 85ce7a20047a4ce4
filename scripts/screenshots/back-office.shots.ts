import { DateTime } from 'luxon';
// The README's screenshots of the back office and the friend's landing page, taken in headless
// Chromium from the real app over a small shop's history made through the chat:
// `npm run screenshots` (needs MONGODB_URI or starts FerretDB like the tests; writes docs/screenshots/).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { useTelegramApp } from '../../test/support/app.js';
import { useBrowser } from '../../test/support/browser.js';
import { agreeOnTelegram } from '../../test/support/consent.js';
import { newDashboardLink } from '../../test/support/dashboard-link.js';

const out = (name: string) => path.join(projectRoot, 'docs', 'screenshots', `${name}.png`);
const pause = () => new Promise((r) => setTimeout(r, 3100));

describe('screenshots', () => {
  const h = useTelegramApp('screenshots', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();

  it('takes the back office pages at phone and desktop width', async () => {
    const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;
    const owner = h.telegram.user(900, 'Chị Mai');
    owner.send('/start');
    const people: Array<[number, string]> = [
      [301, 'Nguyễn Thị Hoa'],
      [302, 'Trần Bình'],
      [303, 'Lê Cúc'],
      [304, 'Phạm Dung'],
    ];
    for (const [id, name] of people) {
      const person = h.telegram.user(id, name);
      person.send(id === 301 ? '/start' : `/start ${await codeOf(301)}`);
      await agreeOnTelegram(h.telegram, person, { offers: true });
    }
    await pause();
    owner.send(`/confirm ${await codeOf(302)} 450k`);
    await h.telegram.waitForText(900, 'Trần Bình');
    owner.send(`/confirm ${await codeOf(303)} 1200k`);
    await h.telegram.waitForText(900, 'Lê Cúc');
    await pause();
    owner.send(`/visit ${await codeOf(301)} 2500k`);
    await h.telegram.waitForText(900, 'Nguyễn Thị Hoa');
    await pause();
    // A partner (a nearby hotel's front desk) and a guest they sent, with a first visit.
    const partner = h.telegram.user(305, 'Khách sạn Hồng Vân');
    partner.send('/start');
    await agreeOnTelegram(h.telegram, partner, { offers: true });
    owner.send(`/partner add ${await codeOf(305)}`);
    await h.telegram.waitForText(900, 'đã là đối tác');
    const guest = h.telegram.user(306, 'Võ Minh Anh');
    guest.send(`/start ${await codeOf(305)}`);
    await agreeOnTelegram(h.telegram, guest, { offers: true });
    await pause();
    owner.send(`/confirm ${await codeOf(306)} 800k`);
    await h.telegram.waitForText(900, 'Võ Minh Anh');
    await pause();

    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h, 900, 'Chị Mai'));
    const hoa = await codeOf(301);
    const pages: Array<[string, string]> = [
      ['overview', '/dashboard?period=30d'],
      ['customers', '/dashboard/customers'],
      ['customer', `/dashboard/customers/${hoa}`],
      ['vouchers', '/dashboard/vouchers'],
      ['audit', '/dashboard/audit'],
      ['announcements', '/dashboard/announcements'],
      ['exports', '/dashboard/exports'],
      ['import', '/dashboard/import'],
      ['rules', '/dashboard/rules'],
      ['partners', '/dashboard/partners'],
      ['partner', `/dashboard/partners/${await codeOf(305)}?month=${DateTime.now().setZone('Asia/Ho_Chi_Minh').toFormat('yyyy-MM')}`],
      ['landing', `/r/${hoa}`],
    ];
    for (const [name, address] of pages) {
      for (const [width, suffix] of [
        [390, 'phone'],
        [1280, 'desktop'],
      ] as const) {
        await page.setViewportSize({ width, height: 844 });
        const response = await page.goto(`${h.app.listenUrl}${address}`);
        expect(response?.status(), address).toBe(200);
        // The rules form is long: its first screens are enough to show what it is.
        await page.screenshot({ path: out(`${name}-${suffix}`), fullPage: name !== 'rules' });
      }
    }
  }, 180_000);
});
