/** A button as every channel can show it: Telegram as a button, Zalo as a numbered choice. */
export type Button = { label: string; action: string } | { label: string; url: string };

/** One message of the bot's answer, independent of the chat app. */
export interface Reply {
  text: string;
  /** A PNG (QR codes) sent with the text as its caption. */
  photo?: Buffer;
  /** Rows of buttons. `action` is a command line the bot receives back when pressed. */
  buttons?: Button[][];
  /** Ask for the person's phone number (Telegram's contact button). */
  requestContact?: boolean;
}

/** What a channel hands to the conversation for one incoming message. */
export interface Incoming {
  /** `telegram:<id>` or `zalo:<id>`. */
  identity: string;
  chatId: string;
  displayName?: string;
  /** The app's language for the person, used until they pick one. */
  languageCode?: string;
  text?: string;
  /** A phone number the person shared with the app's contact button. */
  contactPhone?: string;
  /** Unique per incoming update: makes a redelivered "add visit" a no-op. */
  requestKey: string;
}
