import { randomBytes } from 'node:crypto';
import type { Models } from '../db/models/index.js';

const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/**
 * QR images served from our own web address, for chat apps that show photos only by URL
 * (Zalo). A PNG is stored once under the key of what it encodes, behind an unguessable token.
 */
export function createQrImages(deps: { models: Pick<Models, 'QrImage'>; publicUrl: string }) {
  const { models, publicUrl } = deps;
  const urlOf = (token: string) => `${publicUrl}/qr/${token}.png`;

  /** Stores the PNG under `key` (what it encodes) and returns its public URL: the same key, the same URL. */
  async function publish(key: string, png: Buffer): Promise<string> {
    const existing = await models.QrImage.findOne({ content: key }, { token: 1 }).lean();
    if (existing) return urlOf(existing.token);
    const token = randomBytes(16).toString('hex');
    try {
      await models.QrImage.create({ token, content: key, png });
      return urlOf(token);
    } catch (error) {
      // Published at the same moment elsewhere: that one's URL.
      const winner = await models.QrImage.findOne({ content: key }, { token: 1 }).lean();
      if (winner) return urlOf(winner.token);
      throw error;
    }
  }

  /** The PNG behind a token from a published URL, or undefined. */
  async function read(token: string): Promise<Buffer | undefined> {
    const image = TOKEN_PATTERN.test(token) ? await models.QrImage.findOne({ token }, { png: 1 }).lean() : null;
    if (!image) return undefined;
    // A lean document holds binary data as BSON Binary, whose bytes are in `.buffer`.
    return Buffer.isBuffer(image.png) ? image.png : Buffer.from((image.png as { buffer: Uint8Array }).buffer);
  }

  /** Erasure: the images published into one chat (their key starts with its chat id, see the Zalo channel). */
  async function forgetChat(chatId: string): Promise<void> {
    const escaped = chatId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await models.QrImage.deleteMany({ content: new RegExp(`^${escaped}:`) });
  }

  return { publish, read, forgetChat };
}

export type QrImages = ReturnType<typeof createQrImages>;
