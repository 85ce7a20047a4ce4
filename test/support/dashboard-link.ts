import { expect, vi } from 'vitest';
import type { AppHarness } from './app.js';

/** The local address of the dashboard link in a chat message (the link names PUBLIC_URL, the app listens elsewhere). */
export function dashboardLinkIn(h: AppHarness, text: string): string {
  const url = new URL(/http\S+\/dashboard\?token=[\w-]+/.exec(text)![0]);
  return `${h.app.listenUrl}${url.pathname}${url.search}`;
}

/**
 * An owner's fresh one-time dashboard link: sends `/dashboard` from their Telegram chat and
 * waits for the answer holding the link (other messages, such as a reward notice, may come between).
 */
export async function newDashboardLink(h: AppHarness, ownerId = 900, name = 'Chủ tiệm'): Promise<string> {
  const before = h.telegram.messagesTo(ownerId).length;
  h.telegram.user(ownerId, name).send('/dashboard');
  const withLink = () =>
    h.telegram
      .messagesTo(ownerId)
      .slice(before)
      .find((m) => m.text.includes('/dashboard?token='));
  await vi.waitFor(() => expect(withLink()).toBeDefined(), { timeout: 15_000 });
  return dashboardLinkIn(h, withLink()!.text);
}
