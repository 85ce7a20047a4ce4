import type { Birthday } from '../../../domain/birthday.js';
import { storedBirthday } from '../../../domain/birthday.js';
import { parsePeriod } from '../../../domain/membership.js';
import type { SetBirthdayResult } from '../../../services/birthdays.js';
import type { EnrolResult } from '../../../services/memberships.js';
import { rewardLabel } from '../format.js';
import { lookupRefusal, type ConversationKit, type Session } from '../kit.js';
import { defineCommand, type Command } from '../registry.js';
import type { Reply } from '../reply.js';

const two = (n: number) => String(n).padStart(2, '0');
/** dd/mm or dd/mm/yyyy: how the customer typed it, the same in both languages. */
const birthdayText = (b: Birthday) => `${two(b.day)}/${two(b.month)}${b.year ? `/${b.year}` : ''}`;

/** The customer's birthday (`/birthday`) and the paid membership staff sell at the counter (`/member`). */
export function createMembersFeature(kit: ConversationKit) {
  const { services, program } = kit;

  /** What the birthday earns, per the rules, or nothing when the shop gives no birthday reward. */
  function giftLine(s: Session): string | undefined {
    const rules = program.birthday;
    return rules
      ? s.t('members:birthday.gift', { reward: rewardLabel(rules.reward, s.locale), days: rules.daysBefore, validity: rules.validityDays })
      : undefined;
  }

  function showBirthday(s: Session): Reply[] {
    const stored = storedBirthday(s.customer);
    const lines = [
      stored ? s.t('members:birthday.stored', { birthday: birthdayText(stored) }) : s.t('members:birthday.none'),
      giftLine(s),
      s.t('members:birthday.how'),
    ];
    return [{ text: lines.filter((line): line is string => !!line).join('\n') }];
  }

  function birthdaySet(s: Session, result: SetBirthdayResult): Reply[] {
    if (!result.ok) {
      if (result.reason === 'too_soon') {
        return [{ text: s.t('members:birthday.tooSoon', { birthday: birthdayText(result.birthday), date: result.nextChange }) }];
      }
      return [{ text: [s.t(`members:birthday.${result.reason}`), s.t('members:birthday.how')].join('\n') }];
    }
    const { birthday } = result;
    if (!result.changed) return [{ text: s.t('members:birthday.unchanged', { birthday: birthdayText(birthday) }) }];
    Object.assign(s.customer, { birthDay: birthday.day, birthMonth: birthday.month, birthYear: birthday.year });
    const lines = [
      s.t('members:birthday.saved', { birthday: birthdayText(birthday), date: result.nextChange }),
      birthday.day === 29 && birthday.month === 2 ? s.t('members:birthday.leapDay') : undefined,
      giftLine(s),
      program.birthday ? s.t('members:birthday.lateEntry') : undefined,
    ];
    return [{ text: lines.filter((line): line is string => !!line).join('\n') }];
  }

  function enrolled(s: Session, result: EnrolResult): Reply[] {
    const rules = program.membership;
    if (!result.ok) {
      switch (result.reason) {
        case 'not_allowed':
        case 'not_found':
        case 'ambiguous_phone':
          return lookupRefusal(s, result.reason)!;
        case 'not_offered':
          return [{ text: s.t('members:member.notOffered') }];
        case 'own_membership':
          return [{ text: s.t('members:member.own') }];
        case 'bad_period':
          return [{ text: s.t('members:member.badPeriod', { period: result.periodMonths, max: result.maxMonths }) }];
      }
    }
    const { customer, membership } = result;
    const fields = {
      name: customer.name || customer.code,
      membership: rules?.name[s.locale] ?? '',
      endsAt: membership.endsAt,
      months: membership.months,
      amount: membership.amount,
    };
    const extended = membership.startsAt.getTime() > membership.at.getTime();
    return [
      {
        text: [
          s.t(result.repeated ? 'members:member.repeated' : 'members:member.enrolled', fields),
          extended ? s.t('members:member.extended', { from: membership.startsAt }) : undefined,
        ]
          .filter((line): line is string => !!line)
          .join('\n'),
      },
    ];
  }

  // Customers' and staff's commands apart, so that each lands among its role's in menus and /help.
  const customerCommands: Command[] = [
    defineCommand({
      name: 'birthday',
      role: 'customer',
      usage: 'members:usage.birthday',
      menu: 'members:menu.birthday',
      parse: (args) => ({ text: args.length > 0 ? args.join(' ') : undefined }),
      run: async ({ s, requestKey }, { text }) =>
        text === undefined ? showBirthday(s) : birthdaySet(s, await services.birthdays.set(s.customer, text, requestKey)),
    }),
  ];
  const staffCommands: Command[] = [
    defineCommand({
      name: 'member',
      role: 'staff',
      usage: 'members:usage.member',
      menu: 'members:menu.member',
      // The last word is the period; what comes before names the customer (a phone may have spaces).
      parse: (args) => (args.length >= 2 ? { query: args.slice(0, -1).join(' '), period: args[args.length - 1] ?? '' } : undefined),
      run: async ({ s, actor, requestKey }, { query, period }) =>
        enrolled(s, await services.memberships.enrol(actor, query, parsePeriod(period) ?? 0, requestKey)),
    }),
  ];

  return { customerCommands, staffCommands };
}
