import type { Connection } from 'mongoose';
import type { MessageSender, SendResult } from '../../src/services/ports.js';

/**
 * A MessageSender that "delivers" into a collection, so what people received can be
 * counted across processes, with scripted failures per chat.
 */
export function createOutboxSender(connection: Connection, script: Map<string, Array<SendResult | 'throw'>> = new Map()): MessageSender {
  const outbox = connection.collection<{ chatId: string; text: string; at: Date }>('test_outbox');
  return {
    channel: 'telegram',
    async send(chatId, message) {
      const next = script.get(chatId)?.shift();
      if (next === 'throw') throw new Error('connection reset');
      if (next) return next;
      await outbox.insertOne({ chatId, text: message.text, at: new Date() });
      return { ok: true };
    },
  };
}
