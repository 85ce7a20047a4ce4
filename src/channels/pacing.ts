import { setTimeout as sleep } from 'node:timers/promises';
import type { AdmittedSend, SendPacer } from '../domain/send-pacing.js';

/**
 * Sends one message to `chatId` in its turn: at its reserved slot, and then only once the
 * bot's recent sends leave room (see SendPacer.admit); its answer is noted for the sends
 * after it. Every send of a bot passes here at the moment it goes out, replies and
 * notifications alike, so together they stay within the platform's limits.
 */
export async function sendInTurn<T>(pacer: SendPacer, chatId: string, send: () => Promise<T>): Promise<T> {
  const wait = pacer.reserve(chatId, Date.now()) - Date.now();
  if (wait > 0) await sleep(wait);
  let admitted: AdmittedSend | number;
  while (typeof (admitted = pacer.admit(Date.now())) === 'number') await sleep(admitted);
  try {
    return await send();
  } finally {
    admitted.answered(Date.now());
  }
}
