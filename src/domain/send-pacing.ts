/**
 * Spaces sends to stay within a chat platform's limits: at most `perSecond` messages in any
 * second for the bot overall, and to any one chat a short burst of `perChatBurst` messages,
 * then one per `perChatIntervalMs` (a reply of two or three messages goes at once; a flood
 * into one chat is spread). Nothing is dropped: each send gets the earliest slot that
 * respects both limits.
 */
export interface PacingLimits {
  perSecond: number;
  perChatIntervalMs: number;
  perChatBurst: number;
}

/** A platform's second, and a little for clocks that tick in whole milliseconds. */
const WINDOW_MS = 1005;
/** How often a send waiting on one still in flight looks again. */
const IN_FLIGHT_POLL_MS = 5;
/** A send unanswered this long has reached the platform or never will: it no longer holds the others back. */
const IN_FLIGHT_MAX_MS = 10_000;

/** A send the pacer let go; `answered` says when its answer came. */
export interface AdmittedSend {
  answered(now: number): void;
}

export class SendPacer {
  /** Reserved ticks (a tick is 1/perSecond of a second), so concurrent sends spread out instead of bunching. */
  private readonly ticks = new Set<number>();
  /**
   * Per chat, the moment its burst allowance is whole again (the "theoretical arrival time"
   * of the generic cell rate algorithm): a send may go once `now` is within a burst of it.
   */
  private readonly nextByChat = new Map<string, number>();
  /**
   * The latest sends (oldest first, at most `perSecond`), each by when its answer came, or
   * Infinity while it is in flight: the platform saw a send no later than its answer.
   */
  private readonly admitted: Array<{ startedAt: number; answeredAt: number }> = [];
  private processes = 1;

  constructor(readonly limits: PacingLimits) {}

  /** Several processes send for the same bot: each keeps to its share of the per-second limit. */
  shareWith(processes: number): void {
    this.processes = Math.max(1, Math.floor(processes));
  }

  private get perSecond(): number {
    return Math.max(1, Math.floor(this.limits.perSecond / this.processes));
  }

  /**
   * Reserves the earliest moment at or after `now` when this chat may receive again and a
   * tick of the bot's rate is free; returns it (ms epoch). Each tick holds one send, so no
   * whole second holds more than `perSecond`. A busy chat does not delay other chats.
   */
  reserve(chatId: string, now: number): number {
    const tickMs = 1000 / this.perSecond;
    const { perChatIntervalMs: interval, perChatBurst } = this.limits;
    const whole = this.nextByChat.get(chatId) ?? -Infinity;
    const earliest = Math.max(now, whole - (Math.max(1, perChatBurst) - 1) * interval);
    // The tick that holds `earliest` (each tick holds one send), so an idle bot sends at once.
    let tick = Math.floor(earliest / tickMs);
    while (this.ticks.has(tick)) tick += 1;
    this.ticks.add(tick);
    const slot = Math.max(earliest, Math.ceil(tick * tickMs));
    this.nextByChat.set(chatId, Math.max(whole, slot) + interval);
    if (this.nextByChat.size + this.ticks.size > 10_000) this.forgetPast(now, tickMs);
    return slot;
  }

  /**
   * The last check just before a reserved send goes: a send when it may go now (it counts
   * as in flight until its `answered`), else how many ms to wait before asking again. It
   * lets a send go only a second after the answer to the send `perSecond` before it: that
   * send reached the platform before its answer, and this one reaches it after it starts,
   * so however unevenly requests travel, no second of the platform's holds more.
   */
  admit(now: number): AdmittedSend | number {
    const limit = this.perSecond;
    while (this.admitted.length > limit) this.admitted.shift();
    const entry = this.admitted.length >= limit ? this.admitted[this.admitted.length - limit]! : undefined;
    const oldest = !entry ? -Infinity : Math.min(entry.answeredAt, entry.startedAt + IN_FLIGHT_MAX_MS);
    if (oldest > now && entry?.answeredAt === Infinity) return IN_FLIGHT_POLL_MS;
    const wait = oldest + WINDOW_MS - now;
    if (wait > 0) return Math.ceil(wait);
    const sent = { startedAt: now, answeredAt: Infinity };
    this.admitted.push(sent);
    if (this.admitted.length > limit) this.admitted.shift();
    return { answered: (at: number) => void (sent.answeredAt = at) };
  }

  /** Drops what lies in the past, so memory follows the messages still waiting. */
  private forgetPast(now: number, tickMs: number): void {
    for (const [chat, next] of this.nextByChat) if (next <= now) this.nextByChat.delete(chat);
    for (const tick of this.ticks) if ((tick + 1) * tickMs <= now) this.ticks.delete(tick);
  }
}

/**
 * Telegram: about 30 messages a second per bot; in one chat "avoid more than one a second;
 * short bursts are allowed" (its FAQ), taken here as five at once (the longest answer the
 * conversation gives), then one a little over a second apart (requests reach Telegram unevenly).
 */
export const telegramLimits: PacingLimits = { perSecond: 30, perChatIntervalMs: 1050, perChatBurst: 5 };
/** Zalo publishes no numbers; its reference advises a few a second and about one a second per chat. */
export const zaloLimits: PacingLimits = { perSecond: 5, perChatIntervalMs: 1000, perChatBurst: 5 };

/** Exponential backoff for a failed send, at least what the platform asked for. */
export function retryDelayMs(attempt: number, retryAfterMs = 0, baseMs = 5_000, maxMs = 30 * 60_000): number {
  return Math.max(retryAfterMs, Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}
