/**
 * Text in, typed command out. The same words work on every channel, with or without a
 * leading slash (Zalo has no command menu), and `/cmd@botname` as Telegram groups send it.
 */
export type StatsPeriod = 'today' | '7d' | '30d';

export type Command =
  | { name: 'start'; payload?: string }
  | { name: 'help' }
  | { name: 'lang'; locale?: 'vi' | 'en' }
  | { name: 'link' }
  | { name: 'me' }
  | { name: 'rewards' }
  | { name: 'phone'; phone?: string }
  | { name: 'confirm'; query: string; amount?: number }
  | { name: 'visit'; query: string; amount?: number }
  | { name: 'redeem'; code: string }
  | { name: 'find'; query: string }
  | { name: 'stats'; period: StatsPeriod }
  | { name: 'summary' }
  | { name: 'staff'; action: 'list' }
  | { name: 'staff'; action: 'invite' }
  | { name: 'staff'; action: 'add' | 'remove'; code: string }
  | { name: 'flags' }
  | { name: 'flag'; decision: 'dismissed' | 'confirmed'; flagId: string }
  | { name: 'program' }
  | { name: 'dashboard'; logout?: true }
  | { name: 'connect'; action: 'show' }
  | { name: 'connect'; action: 'code'; code: string }
  | { name: 'connect'; action: 'yes' | 'no'; requestId: string }
  | { name: 'connect'; action: 'unlink'; identityId: string }
  | { name: 'newqr' };

export type CommandName = Command['name'];

/** Why a command could not be read; the channel answers with that command's usage line. */
export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; reason: 'usage'; command: CommandName }
  | { ok: false; reason: 'not_a_command' };

const names: readonly CommandName[] = [
  'start', 'help', 'lang', 'link', 'me', 'rewards', 'phone', 'confirm', 'visit', 'redeem',
  'find', 'stats', 'summary', 'staff', 'flags', 'flag', 'program', 'dashboard', 'connect', 'newqr',
];

/**
 * Money as staff type it: "350000", "350.000", "350,000", "350k" (thousands), "1.2tr"
 * (millions, "triệu"). Returns undefined for anything else.
 */
export function parseAmount(text: string): number | undefined {
  const match = /^(\d+(?:[.,]\d+)*)(k|tr|m)?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, digits = '', unit] = match;
  const multiplier = unit ? (unit.toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  // With a unit, a separator is a decimal point ("1.5tr"); without, a thousands separator.
  const value = unit ? Number(digits.replace(',', '.')) : Number(digits.replace(/[.,]/g, ''));
  const amount = Math.round(value * multiplier);
  return Number.isFinite(amount) && amount > 0 ? amount : undefined;
}

/** A customer/voucher reference plus an optional trailing amount ("ABC234 350k", "0912 345 678 200000"). */
function queryAndAmount(args: string[]): { query: string; amount?: number } | undefined {
  if (args.length === 0) return undefined;
  const last = args[args.length - 1] ?? '';
  const amount = args.length > 1 ? parseAmount(last) : undefined;
  const rest = amount !== undefined ? args.slice(0, -1) : args;
  // A trailing number that is not a valid amount is most likely part of a phone number.
  return { query: rest.join(' '), amount };
}

export function parseCommand(text: string): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = (words[0] ?? '').replace(/^\//, '').replace(/@\w+$/, '').toLowerCase();
  const args = words.slice(1);
  if (!(names as readonly string[]).includes(head)) return { ok: false, reason: 'not_a_command' };
  const name = head as CommandName;
  const usage = { ok: false, reason: 'usage', command: name } as const;
  const ok = (command: Command): ParseResult => ({ ok: true, command });

  switch (name) {
    case 'start':
      return ok(args[0] ? { name, payload: args[0] } : { name });
    case 'lang': {
      const locale = args[0]?.toLowerCase();
      if (locale === undefined) return ok({ name });
      return locale === 'vi' || locale === 'en' ? ok({ name, locale }) : usage;
    }
    case 'confirm':
    case 'visit': {
      const parsed = queryAndAmount(args);
      return parsed ? ok({ name, ...parsed }) : usage;
    }
    case 'redeem':
      return args.length === 1 && args[0] ? ok({ name, code: args[0] }) : usage;
    case 'find':
      return args.length > 0 ? ok({ name, query: args.join(' ') }) : usage;
    case 'phone':
      return ok(args.length > 0 ? { name, phone: args.join(' ') } : { name });
    case 'connect': {
      // `yes|no <request>` and `unlink <app>` come from the bot's own buttons.
      const [first, second] = args;
      if (!first) return ok({ name, action: 'show' });
      const action = first.toLowerCase();
      if ((action === 'yes' || action === 'no') && second && args.length === 2) return ok({ name, action, requestId: second });
      if (action === 'unlink' && second && args.length === 2) return ok({ name, action, identityId: second });
      return args.length === 1 ? ok({ name, action: 'code', code: first }) : usage;
    }
    case 'stats': {
      const period = (args[0] ?? 'today').toLowerCase();
      return args.length <= 1 && (period === 'today' || period === '7d' || period === '30d') ? ok({ name, period }) : usage;
    }
    case 'staff': {
      const action = args[0]?.toLowerCase();
      if (!action || action === 'list') return args.length <= 1 ? ok({ name, action: 'list' }) : usage;
      if (action === 'invite') return args.length === 1 ? ok({ name, action }) : usage;
      if ((action === 'add' || action === 'remove') && args.length === 2 && args[1]) return ok({ name, action, code: args[1] });
      return usage;
    }
    case 'dashboard':
      if (args.length === 0) return ok({ name });
      return args.length === 1 && args[0]?.toLowerCase() === 'logout' ? ok({ name, logout: true }) : usage;
    case 'flag': {
      const decision = args[0] === 'dismiss' ? 'dismissed' : args[0] === 'confirm' ? 'confirmed' : undefined;
      return decision && args[1] && args.length === 2 ? ok({ name, decision, flagId: args[1] }) : usage;
    }
    default:
      return args.length === 0 ? ok({ name }) : usage;
  }
}
