import { describe, expect, it } from 'vitest';
import { retryDelayMs, SendPacer, telegramLimits, type AdmittedSend } from '../../../src/domain/send-pacing.js';
import { businessDay, dailyCron, nextDailyRun } from '../../../src/domain/schedule.js';

describe('daily summary time', () => {
  it('is 21:00 in Ho Chi Minh City, which is 14:00 UTC, today or tomorrow', () => {
    expect(nextDailyRun(new Date('2026-06-01T10:00:00Z'), '21:00', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-06-01T14:00:00.000Z');
    expect(nextDailyRun(new Date('2026-06-01T14:00:00Z'), '21:00', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-06-02T14:00:00.000Z');
  });

  it('crosses the UTC day boundary when the local day is ahead of UTC', () => {
    // 06:30 local on 2 June is 23:30 UTC on 1 June.
    expect(nextDailyRun(new Date('2026-06-01T20:00:00Z'), '06:30', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-06-01T23:30:00.000Z');
    expect(businessDay(new Date('2026-06-01T20:00:00Z'), 'Asia/Ho_Chi_Minh').date).toBe('2026-06-02');
  });

  it('keeps the wall-clock time across a daylight-saving change', () => {
    // New York: 21:00 is 01:00 UTC in summer and 02:00 UTC in winter.
    expect(nextDailyRun(new Date('2026-10-31T12:00:00Z'), '21:00', 'America/New_York').toISOString()).toBe('2026-11-01T01:00:00.000Z');
    expect(nextDailyRun(new Date('2026-11-01T12:00:00Z'), '21:00', 'America/New_York').toISOString()).toBe('2026-11-02T02:00:00.000Z');
  });

  it('is given to Agenda as a daily cron expression', () => {
    expect(dailyCron('21:00')).toBe('0 21 * * *');
    expect(dailyCron('06:05')).toBe('5 6 * * *');
  });
});

describe('send pacing', () => {
  it('spreads a burst of 1,000 messages to 30 a second overall, dropping none', () => {
    const pacer = new SendPacer(telegramLimits);
    const slots = Array.from({ length: 1000 }, (_, i) => pacer.reserve(`chat-${i}`, 0));
    expect(slots).toHaveLength(1000);
    for (let second = 0; second < 34; second++) {
      expect(slots.filter((s) => s >= second * 1000 && s < (second + 1) * 1000).length).toBeLessThanOrEqual(30);
    }
    expect(Math.max(...slots)).toBeGreaterThanOrEqual(33_000);
  });

  it('lets a chat have a short burst of five, then one message a second', () => {
    const pacer = new SendPacer(telegramLimits);
    const a = Array.from({ length: 8 }, () => pacer.reserve('a', 0));
    const b = pacer.reserve('b', 0);
    // The first five at once (a tick of the bot's rate apart), then a second apart.
    expect(a.slice(0, 5).every((slot) => slot < 200)).toBe(true);
    expect(a[5]).toBeGreaterThanOrEqual(1000);
    for (let i = 6; i < 8; i++) expect(a[i]! - a[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(b).toBeLessThan(200);
    // Once the chat has been quiet long enough, it has its whole burst again.
    const later = Array.from({ length: 5 }, () => pacer.reserve('a', 20_000));
    expect(later.every((slot) => slot < 20_200)).toBe(true);
  });

  it('keeps each of three sending processes to its share of the bot limit', () => {
    const pacer = new SendPacer(telegramLimits);
    pacer.shareWith(3);
    const slots = Array.from({ length: 30 }, (_, i) => pacer.reserve(`chat-${i}`, 0));
    expect(slots.filter((s) => s < 1000)).toHaveLength(10);
    expect(slots.filter((s) => s >= 1000 && s < 2000)).toHaveLength(10);
    pacer.shareWith(1);
    expect(Array.from({ length: 30 }, (_, i) => pacer.reserve(`other-${i}`, 5000)).filter((s) => s < 6000)).toHaveLength(30);
  });

  it('never lets the platform see more than 30 sends in any second, however unevenly requests travel', () => {
    const pacer = new SendPacer(telegramLimits);
    // 200 sends all wake at once, 5 s late; each request takes 1 to 80 ms to reach the
    // platform and as long again for the answer (a fixed pseudo-random sequence).
    let seed = 7;
    const latency = () => 1 + ((seed = (seed * 48271) % 2147483647) % 80);
    const waiting = Array.from({ length: 200 }, () => 5000);
    const answers: Array<{ at: number; send: AdmittedSend }> = [];
    const arrived: number[] = [];
    for (let now = 5000; waiting.length > 0 || answers.length > 0; now++) {
      for (const answer of answers.filter((a) => a.at === now)) answer.send.answered(now);
      answers.splice(0, answers.length, ...answers.filter((a) => a.at > now));
      for (let i = 0; i < waiting.length; i++) {
        if (waiting[i]! > now) continue;
        const admitted = pacer.admit(now);
        if (typeof admitted === 'number') {
          waiting[i] = now + admitted;
          continue;
        }
        const reached = now + latency();
        arrived.push(reached);
        answers.push({ at: reached + latency(), send: admitted });
        waiting.splice(i--, 1);
      }
    }
    arrived.sort((a, b) => a - b);
    expect(arrived).toHaveLength(200);
    for (let i = 30; i < arrived.length; i++) expect(arrived[i]! - arrived[i - 30]!).toBeGreaterThanOrEqual(1000);
    // Still near the limit: each second's 30 wait only for the answers of the second before.
    expect(arrived.at(-1)! - arrived[0]!).toBeLessThan(7 * (1005 + 160));
  });

  it('a send that never gets its answer holds the next ones back for ten seconds at most', () => {
    const pacer = new SendPacer(telegramLimits);
    const hung = pacer.admit(0);
    expect(typeof hung).toBe('object');
    for (let i = 1; i < 30; i++) (pacer.admit(0) as AdmittedSend).answered(5);
    expect(pacer.admit(5000)).toBe(5);
    expect(typeof pacer.admit(11_005)).toBe('object');
  });

  it('backs off exponentially, at least as long as the platform asks', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(1, 60_000)).toBe(60_000);
    expect(retryDelayMs(20)).toBe(30 * 60_000);
  });
});
