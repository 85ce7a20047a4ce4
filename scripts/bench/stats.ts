import type { TelegramEmulator } from '../../test/support/telegram-emulator.js';
import { round, sleep, waitUntil } from './chat.js';
import type { Figure } from './report.js';

export interface HistorySize {
  customers: number;
  /** Records of every kind in all (customers, referrals, visits, vouchers, link opens, messages). */
  events: number;
}

const STATS_TARGET = '≤ 100 ms at 100,000 customers and 1,000,000 events';
const statsLabel = (history: HistorySize) =>
  `\`/stats 30d\` at ${history.customers.toLocaleString('en')} customers and ${history.events.toLocaleString('en')} events, asked in the chat`;

/**
 * The owner asks `/stats 30d` in the chat `times` times, one at a time, over the seeded
 * history; each is timed from the message to the reply. Spaced past Telegram's one message a
 * second per chat and the bot's own flood limit (five a person per three seconds).
 */
export async function statsThirtyDays(
  telegram: TelegramEmulator,
  ownerId: number,
  history: HistorySize,
  timeoutSeconds: number,
  times = 5,
): Promise<Figure> {
  telegram.enforceLimits(undefined);
  const owner = telegram.user(ownerId, 'Chủ tiệm');
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const before = telegram.messagesTo(ownerId).length;
    const started = Date.now();
    owner.send('/stats 30d');
    if (!(await waitUntil(() => telegram.messagesTo(ownerId).length > before, timeoutSeconds * 1000))) {
      return {
        id: 'stats-30d',
        label: statsLabel(history),
        measured: `no reply within ${timeoutSeconds} s (${durations.length} earlier asks answered)`,
        target: STATS_TARGET,
        met: false,
        detail: { customers: history.customers, events: history.events, timedOutAfterS: timeoutSeconds, answered: durations.length },
      };
    }
    durations.push(telegram.messagesTo(ownerId)[before]!.at - started);
    await sleep(Math.max(0, 700 - (Date.now() - started)));
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    id: 'stats-30d',
    label: statsLabel(history),
    measured: `median ${median} ms (first ${durations[0]} ms, max ${sorted.at(-1)} ms, ${times} asks)`,
    target: STATS_TARGET,
    met: history.customers >= 100_000 && history.events >= 1_000_000 ? median <= 100 : undefined,
    detail: { customers: history.customers, events: history.events, medianMs: median, firstMs: durations[0]!, maxMs: sorted.at(-1)!, asks: times },
  };
}

export interface MemorySamples {
  idle: number;
  afterBurst?: number;
  soak: number[];
}

/**
 * Light traffic for `seconds`: every second one of `people` customers sends /me and one
 * visitor opens the landing page; the app's RSS is sampled every 5 s.
 */
export async function soak(
  telegram: TelegramEmulator,
  options: { seconds: number; people: number[]; landingUrl: string; rss: () => number; onTick: (elapsed: number) => void },
): Promise<number[]> {
  telegram.enforceLimits(undefined);
  const samples = [options.rss()];
  const started = Date.now();
  for (let tick = 1; tick <= options.seconds; tick++) {
    const id = options.people[tick % options.people.length]!;
    telegram.user(id, `Khách ${id}`).send('/me');
    await fetch(options.landingUrl, {
      headers: { 'x-forwarded-for': `127.200.${(tick >> 8) & 255}.${tick & 255}` },
      signal: AbortSignal.timeout(2000),
    })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
    await sleep(Math.max(0, started + tick * 1000 - Date.now()));
    if (tick % 5 === 0) samples.push(options.rss());
    options.onTick(tick);
  }
  return samples;
}

export function memoryFigure(memory: MemorySamples, soakSeconds: number, mib: (bytes: number) => number): Figure {
  const soakStart = memory.soak[0]!;
  const soakEnd = memory.soak.at(-1)!;
  const soakMax = Math.max(...memory.soak);
  return {
    id: 'memory',
    label: 'memory (RSS of the app process)',
    measured:
      `${mib(memory.idle)} MiB idle, ${memory.afterBurst === undefined ? '?' : mib(memory.afterBurst)} MiB after the burst; ` +
      `over a ${round(soakSeconds / 60)}-minute soak ${mib(soakStart)} → ${mib(soakEnd)} MiB (max ${mib(soakMax)})`,
    target: '≤ 120 MB idle, flat over a 10-minute soak',
    // Flat: within 5% after ten minutes; a shorter soak cannot tell.
    met: mib(memory.idle) > 120 ? false : soakSeconds >= 600 ? soakEnd - soakStart <= 0.05 * soakStart : undefined,
    detail: {
      idleMiB: mib(memory.idle),
      afterBurstMiB: memory.afterBurst === undefined ? 0 : mib(memory.afterBurst),
      soakSeconds,
      soakStartMiB: mib(soakStart),
      soakEndMiB: mib(soakEnd),
      soakMaxMiB: mib(soakMax),
      soakSamplesMiB: memory.soak.map(mib).join(' '),
    },
  };
}
