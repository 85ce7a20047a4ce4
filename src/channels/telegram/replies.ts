import { GrammyError, HttpError, InlineKeyboard, InputFile, Keyboard, type Api } from 'grammy';
import type { Reply } from '../conversation/reply.js';
import type { SendPacer } from '../../domain/send-pacing.js';
import type { MessageSender, SendResult } from '../../services/ports.js';

/** Maps a failed Bot API call to what the notifier should do about it. */
export function classifyTelegramError(error: unknown): SendResult {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      return { ok: false, kind: 'retry', reason: error.description, retryAfterMs: (error.parameters.retry_after ?? 1) * 1000 };
    }
    // Blocked by the user, user deactivated, chat gone: retrying will never help.
    if (error.error_code === 403 || (error.error_code === 400 && /chat not found|user not found/i.test(error.description))) {
      return { ok: false, kind: 'permanent', reason: error.description };
    }
    return { ok: false, kind: error.error_code >= 500 ? 'retry' : 'permanent', reason: error.description };
  }
  if (error instanceof HttpError) return { ok: false, kind: 'retry', reason: error.message };
  return { ok: false, kind: 'retry', reason: String(error) };
}

function keyboardOf(reply: Reply): InlineKeyboard | Keyboard | undefined {
  if (reply.requestContact) {
    return new Keyboard().requestContact('📱').oneTime().resized();
  }
  if (!reply.buttons?.length) return undefined;
  const keyboard = new InlineKeyboard();
  for (const row of reply.buttons) {
    for (const button of row) {
      if ('url' in button) keyboard.url(button.label, button.url);
      else if ('copy' in button) keyboard.copyText(button.label, button.copy);
      // Callback data is the one-time card reference (at most 19 bytes), never the command.
      else if (button.ref) keyboard.text(button.label, button.ref);
      else throw new Error('a button left the conversation without its action card');
    }
    keyboard.row();
  }
  return keyboard;
}

/** Sends one channel-neutral reply: photo or file with caption, or text, with its buttons. */
export async function sendReply(api: Api, chatId: number | string, reply: Reply): Promise<void> {
  const reply_markup = keyboardOf(reply);
  if (reply.document) {
    const { content, filename } = reply.document;
    await api.sendDocument(chatId, new InputFile(content, filename), { caption: reply.text, reply_markup });
  } else if (reply.photo) {
    await api.sendPhoto(chatId, new InputFile(reply.photo, 'qr.png'), { caption: reply.text, reply_markup });
  } else if (reply.sentPhoto?.telegramFileId || reply.sentPhoto?.url) {
    // A photo someone sent: by its Telegram file id, or by URL (Telegram fetches it).
    await api.sendPhoto(chatId, reply.sentPhoto.telegramFileId ?? reply.sentPhoto.url ?? '', { caption: reply.text, reply_markup });
  } else {
    await api.sendMessage(chatId, reply.text, { reply_markup, link_preview_options: { is_disabled: true } });
  }
}

/** The notifier's way into Telegram: every outcome is a SendResult, never a throw. */
export function createTelegramSender(api: Api, pacer: SendPacer): MessageSender {
  return {
    channel: 'telegram',
    // The API paces every send itself (see pacing.ts); the notifier only shares the rate.
    pacer,
    async send(chatId, message) {
      const links = message.links?.length ? message.links : undefined;
      const reply_markup = links && InlineKeyboard.from(links.map((link) => [InlineKeyboard.url(link.label, link.url)]));
      try {
        if (message.photo) {
          await api.sendPhoto(chatId, new InputFile(message.photo.png, 'qr.png'), { caption: message.text, reply_markup });
        } else {
          await api.sendMessage(chatId, message.text, { reply_markup, link_preview_options: { is_disabled: true } });
        }
        return { ok: true };
      } catch (error) {
        return classifyTelegramError(error);
      }
    },
  };
}
