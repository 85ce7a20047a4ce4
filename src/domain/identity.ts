/** The chat apps a person can reach the bot in. */
export type ChatApp = 'telegram' | 'zalo';

/** A channel identity read apart: the app and the person's id in it. */
export interface Identity {
  channel: ChatApp;
  /** Telegram: the numeric user id (also the private chat's id); Zalo: the user id. */
  id: string;
}

const pattern = /^(telegram):(\d+)$|^(zalo):([A-Za-z0-9_-]+)$/;

/** `telegram:<numeric id>` or `zalo:<id>` as the program stores it; undefined for anything else. */
export function parseIdentity(text: string): Identity | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  return match[1] ? { channel: 'telegram', id: match[2] ?? '' } : { channel: 'zalo', id: match[4] ?? '' };
}

/** The app of an identity the program made itself; a malformed one is a bug, not input. */
export function channelOf(identity: string): ChatApp {
  const parsed = parseIdentity(identity);
  if (!parsed) throw new Error('not a channel identity');
  return parsed.channel;
}

/** The identity of a person in an app. */
export function identityOf(channel: ChatApp, id: string | number): string {
  return `${channel}:${id}`;
}
