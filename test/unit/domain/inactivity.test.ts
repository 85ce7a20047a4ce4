import { describe, expect, it } from 'vitest';
import { inactivityStep } from '../../../src/domain/inactivity.js';

const rules = { afterMonths: 24, noticeDays: 30 };

describe('the inactive-customers rule', () => {
  it('does nothing for someone seen within the period, or never counted yet', () => {
    expect(inactivityStep({ lastSeenDay: '2024-06-02' }, '2026-06-01', rules)).toEqual({ step: 'none' });
    expect(inactivityStep({}, '2026-06-01', rules)).toEqual({ step: 'none' });
  });

  it('gives notice once the period has passed, naming the day of removal', () => {
    expect(inactivityStep({ lastSeenDay: '2024-06-01' }, '2026-06-01', rules)).toEqual({ step: 'notice', eraseOn: '2026-07-01' });
  });

  it('erases only when the notice period is over', () => {
    const told = { lastSeenDay: '2024-01-01', inactiveNoticeDay: '2026-06-01' };
    expect(inactivityStep(told, '2026-06-30', rules)).toEqual({ step: 'none' });
    expect(inactivityStep(told, '2026-07-01', rules)).toEqual({ step: 'erase' });
  });
});
