import type { Role } from '../../db/models/customer.js';
import type { Translate } from '../../i18n.js';
import type { Actor } from '../../services/index.js';
import type { Session } from './kit.js';
import type { Reply } from './reply.js';

/** One message being answered: who sent it (loaded once, by the join) and its update's key. */
export interface Turn {
  s: Session;
  actor: Actor;
  /** Unique per incoming update (or pressed card): makes a redelivered "add visit" a no-op. */
  requestKey: string;
  /** The person wrote for the first time with this message. */
  created: boolean;
  /** The chat app's name for the person (cleaned), kept only once they agreed to the privacy notice. */
  displayName?: string;
}

/**
 * A command, declared once: its word, the least role it is meant for, how its arguments
 * read (undefined: the usage line is the answer), its usage and menu texts, and what it
 * does. Services still check the role themselves; `role` decides menus, help and routing.
 */
export interface CommandSpec<A> {
  name: string;
  role: Role;
  /** i18n key of the right form, e.g. "/visit <code or phone> [amount]". */
  usage: string;
  /** i18n key of the one-line description in menus and /help; without it the command is hidden (buttons' commands). */
  menu?: string;
  /** Answers before the person agreed to the privacy notice (see features/consent.ts): arriving, help, language and the person's own data rights. */
  beforeAgreement?: boolean;
  /** The least role whose menu and /help show it, when that is above `role` (`/partner`: any customer may be a partner; owners see it). */
  shownFrom?: Role;
  parse(args: string[]): A | undefined;
  run(turn: Turn, args: A): Reply[] | Promise<Reply[]>;
}

/** A declared command with its argument type erased: the registry keeps parse and run together. */
export interface Command {
  readonly name: string;
  readonly role: Role;
  readonly usage: string;
  readonly menu?: string;
  readonly beforeAgreement?: boolean;
  readonly shownFrom?: Role;
  parse(args: string[]): unknown;
  run(turn: Turn, args: unknown): Reply[] | Promise<Reply[]>;
}

export function defineCommand<A>(spec: CommandSpec<A>): Command {
  // `run` only ever receives what this command's own `parse` returned (see Registry.parse).
  return { ...spec, run: (turn, args) => spec.run(turn, args as A) };
}

/** For commands without arguments. */
export const noArgs = (args: string[]): object | undefined => (args.length === 0 ? {} : undefined);

export type Parsed =
  { ok: true; command: Command; args: unknown } | { ok: false; reason: 'usage'; command: Command } | { ok: false; reason: 'not_a_command' };

const rank: Record<Role, number> = { customer: 0, staff: 1, owner: 2 };

/** True when a person with `role` is meant to use commands declared for `needed`. */
export const mayUse = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

export function createRegistry(commands: readonly Command[]) {
  const byName = new Map<string, Command>();
  for (const command of commands) {
    if (byName.has(command.name)) throw new Error(`command /${command.name} is declared twice`);
    byName.set(command.name, command);
  }

  /**
   * Text in, command and typed arguments out. The same words work on every channel, with or
   * without a leading slash (Zalo has no command menu), in any case, and as `/cmd@botname`.
   */
  function parse(text: string): Parsed {
    const words = text.trim().split(/\s+/).filter(Boolean);
    const head = (words[0] ?? '').replace(/^\//, '').replace(/@\w+$/, '').toLowerCase();
    const command = byName.get(head);
    if (!command) return { ok: false, reason: 'not_a_command' };
    const args = command.parse(words.slice(1));
    return args === undefined ? { ok: false, reason: 'usage', command } : { ok: true, command, args };
  }

  /** The commands shown to a person with `role`, in declaration order. */
  function shownTo(role: Role): Command[] {
    return commands.filter((command) => command.menu !== undefined && mayUse(role, command.shownFrom ?? command.role));
  }

  /** Telegram's command menu for `role`, in one language. */
  function menu(t: Translate, role: Role): Array<{ command: string; description: string }> {
    return shownTo(role).map((command) => ({ command: command.name, description: t(command.menu ?? '') }));
  }

  const sections: Record<Role, string> = { customer: 'commands:help.customer', staff: 'commands:help.staff', owner: 'commands:help.owner' };

  /** One role's part of /help: its heading, then each of its commands' purpose and form. */
  function section(t: Translate, role: Role): string {
    const lines = shownTo(role)
      .filter((command) => (command.shownFrom ?? command.role) === role)
      .map((command) => t('commands:helpLine', { what: t(command.menu ?? ''), usage: t(command.usage) }));
    return [t(sections[role]), ...lines].join('\n');
  }

  /** The /help text for `role`: a section per role the person has. */
  function help(t: Translate, role: Role): string {
    return (Object.keys(sections) as Role[])
      .filter((needed) => mayUse(role, needed))
      .map((needed) => section(t, needed))
      .join('\n\n');
  }

  /** The words of the commands declared for exactly `role` (Telegram routes each role's through its own composer). */
  function namesOf(role: Role): string[] {
    return commands.filter((command) => command.role === role).map((command) => command.name);
  }

  return { parse, menu, help, section, namesOf };
}

export type Registry = ReturnType<typeof createRegistry>;
