import { readFileSync } from 'node:fs';
import type { SentMessage, TelegramEmulator } from './telegram-emulator.js';
import type { ZaloEmulator, ZaloSent } from './zalo-emulator.js';

/**
 * Agreeing to the privacy notice in a test, as a person does it: every conversation starts
 * with the notice (see src/channels/conversation/features/consent.ts), so a test sends the
 * person's first message, then calls `agreeOnTelegram` / `agreeOnZalo`, then goes on.
 */
type Texts = { agreeButton: string; agreedAgain: string; notice: { title: string }; offers: Record<'yesButton' | 'noButton' | 'on' | 'off', string> };
const texts = (['vi', 'en'] as const).map(
  (locale) => JSON.parse(readFileSync(new URL(`../../locales/${locale}/consent.json`, import.meta.url), 'utf8')) as Texts,
);
/** The part of a text before its first placeholder: what a message starts with whatever the values. */
const head = (text: string) => text.split('{{')[0]!;
const agreeLabels = texts.map((t) => t.agreeButton);
const yesLabels = texts.map((t) => t.offers.yesButton);
const noLabels = texts.map((t) => t.offers.noButton);
const acks = texts.flatMap((t) => [t.offers.on, t.offers.off]);
const noticeHeads = texts.map((t) => head(t.notice.title));
const agreedAgainHeads = texts.map((t) => head(t.agreedAgain));

export interface AgreeOptions {
  /**
   * The answer to the offers question that follows a first agreement; its answer brings the
   * language choice. Left unanswered by default (no offers, the default), which also keeps a
   * test's people within the flood limit (five messages in three seconds).
   */
  offers?: boolean;
  /** False when the person was asked about offers before (agreeing to a new notice version): no question follows. */
  asked?: boolean;
  /** Look for the notice among the chat's messages from this index on (a second notice); default: the chat's latest notice. */
  since?: number;
}

type TelegramPerson = ReturnType<TelegramEmulator['user']>;
type ZaloPerson = ReturnType<ZaloEmulator['user']>;

async function until<T>(what: () => T | undefined, describe: () => string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = what();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 25));
  }
}

const lastIndex = <M>(messages: M[], from: number, test: (m: M) => boolean): number | undefined => {
  for (let i = messages.length - 1; i >= from; i--) if (test(messages[i]!)) return i;
  return undefined;
};

/**
 * Waits for the notice in `person`'s Telegram chat, presses its agree button and, when
 * `offers` is given, answers the offers question; resolves once the bot answered. Returns the messages the agreement
 * brought, after the notice (the welcome or the referral's attribution, the offers question,
 * its answer with the language choice).
 */
export async function agreeOnTelegram(telegram: TelegramEmulator, person: TelegramPerson, options: AgreeOptions = {}): Promise<SentMessage[]> {
  const chat = () => telegram.messagesTo(person.id);
  const dump = (what: string) => () =>
    `${what} in Telegram chat ${person.id}:\n${chat()
      .map((m) => m.text)
      .join('\n---\n')}`;
  const agreeLabel = (m: SentMessage) => m.buttons.find((b) => agreeLabels.includes(b.text))?.text;
  const notice = await until(() => lastIndex(chat(), options.since ?? 0, (m) => !!agreeLabel(m)), dump('no privacy notice'));
  person.press(agreeLabel(chat()[notice]!)!);
  if (options.asked === false) {
    await until(() => lastIndex(chat(), notice + 1, (m) => agreedAgainHeads.some((h) => m.text.startsWith(h))), dump('no thanks for agreeing'));
    return chat().slice(notice + 1);
  }
  const labels = options.offers ? yesLabels : noLabels;
  const choice = (m: SentMessage) => m.buttons.find((b) => labels.includes(b.text))?.text;
  const ask = await until(() => lastIndex(chat(), notice + 1, (m) => !!choice(m)), dump('no offers question'));
  if (options.offers === undefined) return chat().slice(notice + 1);
  person.press(choice(chat()[ask]!)!);
  await until(() => lastIndex(chat(), ask + 1, (m) => acks.some((ack) => m.text.startsWith(ack))), dump('no answer to the offers choice'));
  return chat().slice(notice + 1);
}

/** The same on Zalo, where the notice's and the question's buttons are numbered: sends "1" to agree, then ("offers") "1" (yes) or "2" (no). */
export async function agreeOnZalo(zalo: ZaloEmulator, person: ZaloPerson, options: AgreeOptions = {}): Promise<ZaloSent[]> {
  const chat = () => zalo.messagesTo(person.id);
  const dump = (what: string) => () =>
    `${what} in Zalo chat ${person.id}:\n${chat()
      .map((m) => m.text)
      .join('\n---\n')}`;
  const notice = await until(
    () => lastIndex(chat(), options.since ?? 0, (m) => noticeHeads.some((h) => m.text.startsWith(h))),
    dump('no privacy notice'),
  );
  person.send('1');
  if (options.asked === false) {
    await until(() => lastIndex(chat(), notice + 1, (m) => agreedAgainHeads.some((h) => m.text.startsWith(h))), dump('no thanks for agreeing'));
    return chat().slice(notice + 1);
  }
  const ask = await until(
    () => lastIndex(chat(), notice + 1, (m) => yesLabels.some((label) => m.text.includes(`1. ${label}`))),
    dump('no offers question'),
  );
  if (options.offers === undefined) return chat().slice(notice + 1);
  person.send(options.offers ? '1' : '2');
  await until(() => lastIndex(chat(), ask + 1, (m) => acks.some((ack) => m.text.startsWith(ack))), dump('no answer to the offers choice'));
  return chat().slice(notice + 1);
}

/** A person who has not written yet joins: sends /start and agrees (for tests whose person starts with another command). */
export async function joinOnTelegram(
  telegram: TelegramEmulator,
  person: TelegramPerson,
  options: Omit<AgreeOptions, 'since'> = {},
): Promise<SentMessage[]> {
  const since = telegram.messagesTo(person.id).length;
  person.send('/start');
  return agreeOnTelegram(telegram, person, { ...options, since });
}

/** The same on Zalo: sends "start" and agrees. */
export async function joinOnZalo(zalo: ZaloEmulator, person: ZaloPerson, options: Omit<AgreeOptions, 'since'> = {}): Promise<ZaloSent[]> {
  const since = zalo.messagesTo(person.id).length;
  person.send('start');
  return agreeOnZalo(zalo, person, { ...options, since });
}
