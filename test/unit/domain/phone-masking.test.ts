import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { auditedQuery, maskPhone, maskPhonesIn, withoutPhones } from '../../../src/domain/phone.js';

describe('masking phone numbers (one way, everywhere)', () => {
  it('shows only the last three digits, whatever form the number came in', () => {
    for (const phone of ['+84912345678', '0912 345 678', '84912345678', '0912.345.678', '678']) {
      expect(maskPhone(phone)).toBe('•••• ••• 678');
    }
    expect(maskPhone('(028) 3823 4567')).toBe('•••• ••• 567');
  });

  it('masks every phone number written in free text, and leaves codes, amounts and ids alone', () => {
    expect(maskPhonesIn('khách 0912 345 678 gọi lại +84 987-654-321 hoặc 0084912345678')).toBe(
      'khách •••• ••• 678 gọi lại •••• ••• 321 hoặc •••• ••• 678',
    );
    const untouched = 'ABC234 350000 1.500.000đ 20% 5 lần 65a1b2c3d4e5f60718293a4b 23456789 912345678';
    expect(maskPhonesIn(untouched)).toBe(untouched);
    expect(maskPhonesIn('350000 0912 345 678, (028) 3823 4567')).toBe('350000 •••• ••• 678, (•••• ••• 567');
  });

  it('masks strings through nested details, leaving ids, numbers and dates as they are', () => {
    const flagId = new Types.ObjectId();
    const at = new Date('2026-01-01T00:00:00Z');
    const details = {
      query: '0912345678',
      reason: 'nhầm số 0987 654 321',
      amount: 912345678,
      flagId,
      at,
      list: ['0912345678'],
      nested: { phone: '+84912345678' },
    };
    expect(withoutPhones(details)).toEqual({
      query: '•••• ••• 678',
      reason: 'nhầm số •••• ••• 321',
      amount: 912345678,
      flagId,
      at,
      list: ['•••• ••• 678'],
      nested: { phone: '•••• ••• 678' },
    });
  });

  it('keeps what staff typed to look someone up only as the masked number or a short code', () => {
    expect(auditedQuery('0912 345 678')).toBe('•••• ••• 678');
    expect(auditedQuery('abc234')).toBe('abc234');
  });
});
