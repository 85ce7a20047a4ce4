import type { Transformer } from 'grammy';
import type { SendPacer } from '../../domain/send-pacing.js';
import { sendInTurn } from '../pacing.js';

/** The Bot API methods that put a message into a chat (what Telegram's limits count). */
const SENDING_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVideo',
  'sendAnimation',
  'sendAudio',
  'sendVoice',
  'sendSticker',
  'sendMediaGroup',
  'sendLocation',
  'sendContact',
  'sendPoll',
  'copyMessage',
  'forwardMessage',
]);

/**
 * A grammY API transformer that makes every message wait for its turn on the bot's pacer.
 * Installed before auto-retry, so a retried call waits for a turn again.
 */
export function paceSends(pacer: SendPacer): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = SENDING_METHODS.has(method) ? (payload as { chat_id?: unknown } | undefined)?.chat_id : undefined;
    if (typeof chatId === 'number' || typeof chatId === 'string') return sendInTurn(pacer, String(chatId), () => prev(method, payload, signal));
    return prev(method, payload, signal);
  };
}
