import { describe, expect, it, vi } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';

describe.runIf(browserTestsRun)('the owner erases a customer on request, in Chromium', () => {
  const h = useTelegramApp('browser-erasure', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();

  it('finds them by phone, shows who (name, masked phone, code), erases with the reason, audited', async () => {
    const ownerChat = h.telegram.user(900, 'Chủ tiệm');
    ownerChat.send('/start');
    await agreeOnTelegram(h.telegram, ownerChat);
    const lan = h.telegram.user(402, 'Lan');
    lan.send('/start');
    await agreeOnTelegram(h.telegram, lan);
    lan.shareContact('+84912345678');
    await vi.waitFor(async () => expect((await h.app.services.customers.findByIdentity('telegram:402'))?.phone).toBe('+84912345678'), {
      timeout: 15_000,
    });
    const person = (await h.app.services.customers.findByIdentity('telegram:402'))!;

    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    // The form is on the customer's page.
    await page.goto(`${h.app.listenUrl}/dashboard/customers/${person.code}`);
    await expect.poll(() => page.locator('#erase h3').textContent()).toBe('Xóa dữ liệu của khách theo yêu cầu');
    // Without a reason the browser asks for one; a reason of spaces gets the page's own answer.
    await page.locator('#erase input[name=reason]').fill(' ');
    await page.locator('#erase button').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Vui lòng nhập lý do.');

    // A code nobody has: the form again, with why.
    await page.getByLabel('Mã hoặc số điện thoại').fill('ZZZZZZ');
    await page.getByLabel('Lý do').fill('khách yêu cầu tại quầy');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Không có khách nào có mã hoặc số điện thoại này.');

    await page.getByLabel('Mã hoặc số điện thoại').fill('0912 345 678');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Xóa dữ liệu của khách này?');
    const who = await page.locator('table.erase-who').innerText();
    expect(who).toContain('Lan');
    expect(who).toContain(person.code);
    expect(who).toContain('•••• ••• 678');
    expect(who).not.toContain('912345');
    expect(await h.app.models.Customer.findById(person._id, { erasure: 1 }).lean()).not.toHaveProperty('erasure');

    await page.getByRole('button', { name: 'Xóa vĩnh viễn' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Dữ liệu của khách đã được xóa.');
    expect(new URL(page.url()).pathname).toBe('/dashboard/customers');
    expect(await h.app.models.Customer.findById(person._id).lean()).toMatchObject({ erasure: 'done', name: '' });
    expect(await h.app.services.customers.findByIdentity('telegram:402')).toBeUndefined();
    const owner = (await h.app.services.customers.findByIdentity('telegram:900'))!;
    expect(await h.app.models.AuditLog.find({ action: 'erase_customer', targetId: person._id }).lean()).toMatchObject([
      { outcome: 'erased', details: { by: 'owner', reason: 'khách yêu cầu tại quầy' } },
    ]);
    expect(String((await h.app.models.AuditLog.findOne({ action: 'erase_customer' }).lean())?.actorId)).toBe(String(owner._id));
    expect(await page.content()).not.toContain('Lan');
    // The audit log page lists the erasure with its reason.
    await page.goto(`${h.app.listenUrl}/dashboard/audit?action=erase_customer`);
    const rows = await page.locator('.person').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Xóa dữ liệu khách theo yêu cầu: đã xóa');
    expect(rows[0]).toContain('khách yêu cầu tại quầy');
  });
});
