import { beforeAll, describe, expect, it } from 'vitest';
import { createNotificationRenderer } from '../../../src/channels/conversation/notifications.js';
import type { Customer } from '../../../src/db/models/customer.js';
import { createI18n } from '../../../src/i18n.js';
import { parseProgram } from '../../../src/program/load.js';
import type { NotificationRenderer } from '../../../src/services/ports.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

describe('the inactive-customers notice, in the recipient language', () => {
  let render: NotificationRenderer;
  beforeAll(async () => {
    render = createNotificationRenderer(
      await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' }),
      parseProgram(structuredClone(defaultProgram)),
    );
  });
  const notice = { type: 'inactive_notice' as const, data: { eraseOn: '2026-07-16' } };

  it('names the shop and the day the details go, unless they write or come in', () => {
    expect(render(notice, { locale: 'vi' } as Customer)).toBe(
      'Đã lâu chúng tôi không gặp bạn tại Salon Mai. Thông tin của bạn (tên, số điện thoại, ngày sinh, tài khoản chat) sẽ bị xóa vào ngày 16 thg 7, 2026 nếu bạn không nhắn tin hoặc ghé tiệm trước ngày đó.',
    );
    expect(render(notice, { locale: 'en' } as Customer)).toBe(
      'We have not seen you at Salon Mai for a long time. Your details (name, phone number, birthday, chat) will be removed on 16 Jul 2026 unless you write to us or come in before then.',
    );
    expect(render({ type: 'inactive_notice', data: {} }, { locale: 'en' } as Customer)).toBeUndefined();
  });
});
