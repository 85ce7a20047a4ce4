import type { Api } from 'grammy';
import type { Customer } from '../../db/models/customer.js';
import { locales, type I18n } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import type { Registry } from '../conversation/registry.js';

/** How many chats' menus a process remembers; a forgotten one is simply set again. */
const REMEMBERED_CHATS = 10_000;

/**
 * Telegram's command menu per role, from the registry: the customers' menu is the default
 * (one per language, Telegram picks by the app's language); staff and owners get a menu for
 * their chat alone, in their own language. Each process remembers what it set for a chat, so
 * a menu is sent only when the person's role or language differs from it; what a process has
 * not seen yet (after a start, or a change made by another process) is set on that chat's
 * next message. A customer's chat not seen yet is taken to show the default menu: after a
 * restart, every customer's first message would otherwise cost a Telegram call. A role taken
 * away is passed as `changed`, so that chat's menu is reset even by a process that never set it.
 */
export function createTelegramMenus(api: Api, registry: Registry, i18n: I18n, logger: Logger) {
  const shown = new Map<string, string>();

  /** The customers' menus; a failure is logged: a missing menu must not keep the bot from answering. */
  async function setDefaults(): Promise<void> {
    try {
      for (const locale of locales) {
        const commands = registry.menu(i18n.forLocale(locale), 'customer');
        await api.setMyCommands(commands, locale === i18n.defaultLocale ? {} : { language_code: locale });
      }
    } catch (error) {
      logger.warn({ err: error }, 'telegram default command menus not set');
    }
  }

  /** Makes the chat's menu match the person's role and language; a failure is logged, never the update's. */
  async function sync(chatId: number | string, customer: Pick<Customer, 'role' | 'locale'>, changed = false): Promise<void> {
    const key = String(chatId);
    const wanted = customer.role === 'customer' ? 'default' : `${customer.role}:${customer.locale}`;
    if (shown.get(key) === wanted) return;
    if (wanted === 'default' && !changed && !shown.has(key)) return remember(key, wanted);
    const scope = { type: 'chat', chat_id: chatId } as const;
    try {
      if (customer.role === 'customer') await api.deleteMyCommands({ scope });
      else await api.setMyCommands(registry.menu(i18n.forLocale(customer.locale), customer.role), { scope });
    } catch (error) {
      logger.warn({ err: error, chatId: key }, 'telegram command menu not updated');
      return;
    }
    remember(key, wanted);
  }

  function remember(key: string, menu: string): void {
    shown.delete(key);
    shown.set(key, menu);
    if (shown.size > REMEMBERED_CHATS) shown.delete(shown.keys().next().value ?? '');
  }

  return { setDefaults, sync };
}
