import { beforeAll, describe, expect, it } from 'vitest';
import { createConversation, type ConversationDeps, type Links } from '../../../src/channels/conversation/conversation.js';
import { createI18n, type Translate } from '../../../src/i18n.js';

// Parsing needs no services: the handlers are never run here.
const { registry } = createConversation({} as ConversationDeps, {} as Links);

/** What the registry made of a line: the command and its typed arguments, its usage line, or nothing. */
function read(text: string): unknown {
  const parsed = registry.parse(text);
  if (parsed.ok) return { [parsed.command.name]: parsed.args };
  return parsed.reason === 'usage' ? `usage /${parsed.command.name}` : 'not a command';
}

describe('the command registry reads', () => {
  it('every command with and without a slash, in any case, and as /cmd@bot', () => {
    for (const text of ['/me', 'me', 'ME', '/Me', '/me@salon_mai_bot', '  /me  ']) expect(read(text), text).toEqual({ me: {} });
    expect(read('/stats@salon_mai_bot 7D')).toEqual({ stats: { period: '7d' } });
  });

  it('anything else as no command', () => {
    for (const text of ['', 'hello', '/unknown', 'mee', '/ me', 'ABC234']) expect(read(text), text).toBe('not a command');
  });

  it('commands without arguments, refusing extra words', () => {
    for (const name of ['link', 'me', 'rewards', 'program', 'help', 'newqr', 'summary', 'flags', 'mydata', 'record']) {
      expect(read(`/${name}`), name).toEqual({ [name]: {} });
      expect(read(`/${name} extra`), name).toBe(`usage /${name}`);
    }
  });

  it('/start with or without a payload', () => {
    expect(read('/start')).toEqual({ start: { payload: undefined } });
    expect(read('start ABC234')).toEqual({ start: { payload: 'ABC234' } });
  });

  it('/lang with a known language only', () => {
    expect(read('/lang')).toEqual({ lang: {} });
    expect(read('/lang EN')).toEqual({ lang: { locale: 'en' } });
    expect(read('lang vi')).toEqual({ lang: { locale: 'vi' } });
    expect(read('/lang fr')).toBe('usage /lang');
  });

  it('/phone with or without a number', () => {
    expect(read('/phone')).toEqual({ phone: { phone: undefined } });
    expect(read('/phone 0912 345 678')).toEqual({ phone: { phone: '0912 345 678' } });
  });

  it('/confirm and /visit: a code or phone, then an optional amount', () => {
    for (const name of ['confirm', 'visit']) {
      expect(read(`/${name} ABC234`)).toEqual({ [name]: { query: 'ABC234' } });
      expect(read(`/${name} abc234 350k`)).toEqual({ [name]: { query: 'abc234', amount: 350_000 } });
      expect(read(`/${name} ABC234 1.5tr`)).toEqual({ [name]: { query: 'ABC234', amount: 1_500_000 } });
      expect(read(`/${name} ABC234 350.000`)).toEqual({ [name]: { query: 'ABC234', amount: 350_000 } });
      // The end of a phone number is not an amount; after a whole phone number it is.
      expect(read(`/${name} 0912 345 678`)).toEqual({ [name]: { query: '0912 345 678' } });
      expect(read(`/${name} 0912 345 678 200000`)).toEqual({ [name]: { query: '0912 345 678', amount: 200_000 } });
      // Shaped like an amount but not a valid one: the service answers "not a valid amount".
      expect(read(`/${name} ABC234 0`)).toEqual({ [name]: { query: 'ABC234', amount: 0 } });
      expect(read(`/${name}`)).toBe(`usage /${name}`);
    }
  });

  it('/redeem with exactly one voucher code, /find with a query', () => {
    expect(read('/redeem V7K2M9PQ')).toEqual({ redeem: { code: 'V7K2M9PQ' } });
    expect(read('/redeem')).toBe('usage /redeem');
    expect(read('/redeem V7K2 M9PQ')).toBe('usage /redeem');
    expect(read('/find 0912 345 678')).toEqual({ find: { query: '0912 345 678' } });
    expect(read('/find')).toBe('usage /find');
  });

  it('/stats with a known period', () => {
    expect(read('/stats')).toEqual({ stats: { period: 'today' } });
    expect(read('/stats 30d')).toEqual({ stats: { period: '30d' } });
    expect(read('/stats week')).toBe('usage /stats');
    expect(read('/stats 7d 30d')).toBe('usage /stats');
  });

  it('/staff list, invite, add and remove', () => {
    expect(read('/staff')).toEqual({ staff: { action: 'list' } });
    expect(read('/staff list')).toEqual({ staff: { action: 'list' } });
    expect(read('/staff INVITE')).toEqual({ staff: { action: 'invite' } });
    expect(read('/staff add ABC234')).toEqual({ staff: { action: 'add', code: 'ABC234' } });
    expect(read('/staff remove ABC234')).toEqual({ staff: { action: 'remove', code: 'ABC234' } });
    for (const bad of ['/staff add', '/staff add A B', '/staff fire ABC234', '/staff invite now', '/staff list all'])
      expect(read(bad), bad).toBe('usage /staff');
  });

  it('/partner: the statement, add, invite, remove, list, paid with a month', () => {
    expect(read('/partner')).toEqual({ partner: { action: 'self' } });
    expect(read('/partner LIST')).toEqual({ partner: { action: 'list' } });
    expect(read('/partner add ABC234')).toEqual({ partner: { action: 'add', code: 'ABC234', plan: undefined } });
    expect(read('/partner add ABC234 vip')).toEqual({ partner: { action: 'add', code: 'ABC234', plan: 'vip' } });
    expect(read('/partner invite')).toEqual({ partner: { action: 'invite', plan: undefined } });
    expect(read('/partner invite vip')).toEqual({ partner: { action: 'invite', plan: 'vip' } });
    expect(read('/partner remove ABC234')).toEqual({ partner: { action: 'remove', code: 'ABC234' } });
    expect(read('/partner paid ABC234 2026-06')).toEqual({ partner: { action: 'paid', code: 'ABC234', month: '2026-06' } });
    expect(read('/partner paid ABC234 6/2026')).toEqual({ partner: { action: 'paid', code: 'ABC234', month: '2026-06' } });
    for (const bad of [
      '/partner add',
      '/partner remove',
      '/partner paid ABC234',
      '/partner paid ABC234 13/2026',
      '/partner paid ABC234 june',
      '/partner fire X',
      '/partner list all',
    ])
      expect(read(bad), bad).toBe('usage /partner');
  });

  it('/flag with a decision and an id', () => {
    expect(read('/flag dismiss 65f0')).toEqual({ flag: { decision: 'dismissed', flagId: '65f0' } });
    expect(read('/flag confirm 65f0')).toEqual({ flag: { decision: 'confirmed', flagId: '65f0' } });
    for (const bad of ['/flag', '/flag dismiss', '/flag maybe 65f0', '/flag confirm 65f0 x']) expect(read(bad), bad).toBe('usage /flag');
  });

  it('/dashboard and /dashboard logout', () => {
    expect(read('/dashboard')).toEqual({ dashboard: { logout: false } });
    expect(read('/dashboard LOGOUT')).toEqual({ dashboard: { logout: true } });
    expect(read('/dashboard now')).toBe('usage /dashboard');
  });

  it('/connect: the overview, a code, the yes/no of a request and an unlink', () => {
    expect(read('/connect')).toEqual({ connect: { action: 'show' } });
    expect(read('connect abcd2345')).toEqual({ connect: { action: 'code', code: 'abcd2345' } });
    expect(read('/connect yes 65f0c0ffee0000000000abcd')).toEqual({ connect: { action: 'yes', requestId: '65f0c0ffee0000000000abcd' } });
    expect(read('/connect NO 65f0')).toEqual({ connect: { action: 'no', requestId: '65f0' } });
    expect(read('/connect unlink 65f0')).toEqual({ connect: { action: 'unlink', identityId: '65f0' } });
    expect(read('/connect yes')).toEqual({ connect: { action: 'code', code: 'yes' } });
    expect(read('/connect ABCD 2345 X')).toBe('usage /connect');
    expect(read('/connect unlink a b')).toBe('usage /connect');
  });
});

describe('the registry shows', () => {
  let t: Translate;
  beforeAll(async () => {
    t = (await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' })).forLocale('en');
  });
  const menu = (role: 'customer' | 'staff' | 'owner') => registry.menu(t, role).map((entry) => entry.command);

  it('before the privacy agreement only arriving, help, language and the data-rights commands are open', () => {
    const open = ['start', 'help', 'lang', 'privacy', 'stop', 'mydata', 'delete', 'link', 'me', 'confirm', 'agree'].filter((name) => {
      const parsed = registry.parse(`/${name}`);
      return (parsed.ok || parsed.reason === 'usage') && parsed.command.beforeAgreement === true;
    });
    expect(open.sort()).toEqual(['delete', 'help', 'lang', 'mydata', 'privacy', 'start', 'stop']);
  });

  it('each role its commands and those of the roles below, without the buttons-only ones', () => {
    expect(menu('customer')).toEqual([
      'link',
      'me',
      'rewards',
      'claim',
      'phone',
      'lang',
      'program',
      'help',
      'privacy',
      'stop',
      'connect',
      'birthday',
      'mydata',
      'delete',
    ]);
    expect(menu('staff')).toEqual([...menu('customer'), 'confirm', 'visit', 'redeem', 'find', 'member', 'reviews', 'undo', 'dashboard']);
    // The dashboard link is the staff's too (their staff view), listed where it is declared, with the owner's commands.
    const staffOnly = menu('staff').filter((command) => command !== 'dashboard');
    expect(menu('owner')).toEqual([...staffOnly, 'points', 'cancel', 'stats', 'summary', 'staff', 'flags', 'dashboard', 'partner', 'record']);
    for (const entry of registry.menu(t, 'owner')) expect(entry.description, entry.command).toMatch(/^[A-Z][^:]+$/);
  });

  it("/partner, any customer's (a partner's statement) but shown to owners only", () => {
    expect(menu('customer')).not.toContain('partner');
    expect(menu('staff')).not.toContain('partner');
    expect(registry.help(t, 'owner')).toContain('/partner add <customer code> [plan]');
  });

  it('/help per role from the same declarations', () => {
    const customer = registry.help(t, 'customer');
    expect(customer).toMatch(/^Your commands:\n/);
    expect(customer).toContain('Your referral link and QR: /link');
    expect(customer).not.toContain('Staff commands:');
    const owner = registry.help(t, 'owner');
    expect(owner).toContain('Staff commands:\nConfirm a first visit: /confirm <customer code or phone> [amount]');
    expect(owner).toContain('Owner commands:\n');
    expect(owner).not.toContain('/newqr');
    expect(owner).not.toContain('/agree');
  });
});
