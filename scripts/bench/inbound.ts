import type { TelegramEmulator } from '../../test/support/telegram-emulator.js';
import { percentile, round, waitUntil } from './chat.js';
import type { Ceilings } from './ceilings.js';
import type { Figure } from './report.js';

/**
 * `people` new people send /start at the same moment; a person is answered when the bot's
 * first reply reaches them. The emulator's send limits are off here: Telegram's 30 a second is
 * for broadcasts, and this figure is how fast the product takes people in.
 */
export async function newPeopleBurst(telegram: TelegramEmulator, ceilings: Ceilings, people: number, firstId: number): Promise<Figure> {
  telegram.enforceLimits(undefined);
  const from = telegram.sent.length;
  const pushedAt = new Map<number, number>();
  const started = Date.now();
  for (let i = 0; i < people; i++) {
    const user = telegram.user(firstId + i, `Khách ${i}`);
    pushedAt.set(user.id, Date.now());
    user.send('/start');
  }
  const answeredAt = new Map<number, number>();
  const allAnswered = await waitUntil(() => {
    for (const message of telegram.sent.slice(from)) {
      if (pushedAt.has(message.chatId) && !answeredAt.has(message.chatId)) answeredAt.set(message.chatId, message.at);
    }
    return answeredAt.size === people;
  }, 180_000);
  const latencies = [...answeredAt].map(([chat, at]) => at - pushedAt.get(chat)!).sort((a, b) => a - b);
  const seconds = (Math.max(...answeredAt.values()) - started) / 1000;
  const perSecond = answeredAt.size / seconds;
  const ratio = perSecond / ceilings.upsertsPerSecond;
  const p99 = percentile(latencies, 99);
  return {
    id: 'new-people',
    label: `new people answered per second (${people} send /start at once)`,
    measured: `${round(perSecond)}/s, p99 ${round(p99 / 1000, 2)} s${allAnswered ? '' : ` (only ${answeredAt.size} answered in 180 s)`}`,
    ratio: { value: ratio, of: 'raw upserts/s' },
    target: '≥ 0.25 of raw upserts/s, p99 ≤ 1 s',
    met: allAnswered && ratio >= 0.25 && p99 <= 1000,
    detail: {
      people,
      answered: answeredAt.size,
      seconds: round(seconds, 2),
      perSecond: round(perSecond, 2),
      p50Ms: percentile(latencies, 50),
      p99Ms: p99,
      maxMs: latencies.at(-1) ?? 0,
    },
  };
}
