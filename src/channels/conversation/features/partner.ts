import { PARTNER_INVITE_PREFIX } from '../../../domain/links.js';
import { parseMonth } from '../../../domain/partners.js';
import type { Actor } from '../../../services/index.js';
import type { StatementResult } from '../../../services/commissions.js';
import type { PartnerView } from '../../../services/partners.js';
import type { ConversationKit, Session } from '../kit.js';
import { commissionText } from '../partner-notice.js';
import { defineCommand, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';
import type { CustomerFeature } from './customer.js';

type PartnerArgs =
  | { action: 'self' | 'list' }
  | { action: 'add'; code: string; plan?: string }
  | { action: 'invite'; plan?: string }
  | { action: 'remove'; code: string }
  | { action: 'paid'; code: string; month: string };

function parsePartner(args: string[]): PartnerArgs | undefined {
  const [word, first, second] = [args[0]?.toLowerCase(), args[1], args[2]];
  if (!word) return { action: 'self' };
  if (word === 'list') return args.length === 1 ? { action: 'list' } : undefined;
  if (word === 'invite') return args.length <= 2 ? { action: 'invite', plan: first } : undefined;
  if (word === 'add' && first && args.length <= 3) return { action: 'add', code: first, plan: second };
  if (word === 'remove' && first && args.length === 2) return { action: 'remove', code: first };
  const month = second ? parseMonth(second) : undefined;
  if (word === 'paid' && first && month && args.length === 3) return { action: 'paid', code: first, month };
  return undefined;
}

const paidRefusals = {
  not_owner: 'bot:notAllowed',
  not_a_partner: 'partners:notPartner',
  month_open: 'partners:paidMonthOpen',
  already_paid: 'partners:paidAlready',
  no_statement: 'partners:paidNoStatement',
  bad_month: 'partners:badMonth',
} as const;

const inviteRefusals = {
  invalid_invite: 'partners:inviteInvalid',
  issuer_not_owner: 'partners:inviteIssuerNotOwner',
  is_owner: 'partners:inviteOwner',
  already_partner: 'partners:inviteAlready',
  no_plans: 'partners:noPlans',
} as const;

/** "2026-06" as people read a month: 06/2026. */
const monthText = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

/**
 * The partner program in chat: the owner adds, invites, ends and lists partners and marks a
 * month paid; a partner's `/partner` is their statement, then their link, code and QR.
 */
export function createPartnerFeature(kit: ConversationKit, customer: CustomerFeature) {
  const { services, program, links } = kit;

  const planLine = (s: Session, view: Pick<PartnerView, 'plan'>) =>
    s.t('partners:planLine', { plan: view.plan.name[s.locale], commission: commissionText(s.t, view.plan.commission) });

  function planRefusal(s: Session, reason: 'unknown_plan' | 'no_plans'): Reply[] {
    if (reason === 'no_plans') return [{ text: s.t('partners:noPlans') }];
    return [{ text: s.t('partners:unknownPlan', { plans: program.partners.plans.map((plan) => plan.id).join(', ') }) }];
  }

  /** Refusals of the owner's look-ups: not allowed, a malformed or unknown code, no partner. */
  function lookupRefusal(s: Session, reason: 'not_allowed' | 'invalid_code' | 'not_found' | 'not_a_partner'): Reply[] {
    if (reason === 'invalid_code') return [{ text: s.t('bot:usageIntro', { usage: s.t('commands:usage.partner') }) }];
    return [{ text: s.t({ not_allowed: 'bot:notAllowed', not_found: 'bot:customerNotFound', not_a_partner: 'partners:notPartner' }[reason]) }];
  }

  async function add(s: Session, actor: Actor, code: string, planId: string | undefined): Promise<Reply[]> {
    const result = await services.partners.add(actor, code, planId);
    if (!result.ok) {
      if (result.reason === 'unknown_plan' || result.reason === 'no_plans') return planRefusal(s, result.reason);
      return lookupRefusal(s, result.reason);
    }
    const name = result.customer.name || result.customer.code;
    const key = result.changed ? 'partners:added' : 'partners:alreadyPartner';
    return [{ text: s.t(key, { name, code: result.customer.code, plan: planLine(s, result) }) }];
  }

  async function invite(s: Session, actor: Actor, planId: string | undefined): Promise<Reply[]> {
    const result = await services.partners.createInvite(actor, planId);
    if (!result.ok) return result.reason === 'not_allowed' ? [{ text: s.t('bot:notAllowed') }] : planRefusal(s, result.reason);
    const payload = `${PARTNER_INVITE_PREFIX}${result.code}`;
    const fields = { hours: result.hours, plan: planLine(s, result) };
    const text = links.startLink
      ? s.t('partners:inviteLink', { ...fields, link: links.startLink(payload) })
      : s.t('partners:inviteTyped', { ...fields, command: `start ${payload}` });
    return [{ text }];
  }

  async function remove(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.partners.remove(actor, code);
    if (!result.ok) return lookupRefusal(s, result.reason);
    return [{ text: s.t('partners:removed', { name: result.customer.name || result.customer.code }) }];
  }

  async function list(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.partners.list(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    if (result.partners.length === 0) return [{ text: s.t('partners:listEmpty') }];
    const rows = result.partners.map((view) => {
      const line = s.t('partners:listLine', { name: view.customer.name || view.customer.code, code: view.customer.code, plan: planLine(s, view) });
      return view.fallback ? `${line}\n  ${s.t('partners:planGone', { planId: view.partner.planId })}` : line;
    });
    return [{ text: [s.t('partners:listHeader', { count: rows.length }), ...rows, '', s.t('partners:howTo')].join('\n') }];
  }

  async function paid(s: Session, actor: Actor, code: string, month: string): Promise<Reply[]> {
    const result = await services.commissions.markPaid(actor, code, month);
    if (!result.ok) return [{ text: s.t(paidRefusals[result.reason], { month: monthText(month) }) }];
    return [{ text: s.t('partners:paid', { code: code.toUpperCase(), month: monthText(month), amount: result.amount }) }];
  }

  /** One month of the partner's statement, as the commissions service counts it. */
  function monthLines(s: Session, month: string, result: StatementResult, current: boolean): string {
    const heading = s.t(current ? 'partners:statementThisMonth' : 'partners:statementLastMonth', { month: monthText(month) });
    if (!result.ok) return `${heading}\n${s.t('partners:statementNone')}`;
    const figures = result.statement;
    return [
      heading,
      s.t('partners:statementFigures', { ...figures }),
      // Undos of visits in months already closed, taken back in this one.
      figures.adjustments !== 0 ? s.t('partners:statementAdjustments', { adjustments: figures.adjustments }) : undefined,
      figures.paidAt ? s.t('partners:statementPaidAt', { paidAt: figures.paidAt }) : undefined,
    ]
      .filter(Boolean)
      .join('\n');
  }

  /** A partner's `/partner`: their plan, this month's and last month's figures, what is owed, then their link, code and QR. */
  async function self({ s, actor }: Turn): Promise<Reply[]> {
    const mine = await services.partners.mine(s.customer._id);
    if (!mine) return s.customer.role === 'owner' ? list(s, actor) : [{ text: s.t('partners:notAPartner') }];
    const [thisMonth, lastMonth] = mine.months;
    const [current, last] = await Promise.all([
      services.commissions.statement(actor, 'self', thisMonth),
      services.commissions.statement(actor, 'self', lastMonth),
    ]);
    const text = [
      s.t('partners:statementHeader', { business: program.business.name, plan: planLine(s, mine) }),
      monthLines(s, thisMonth, current, true),
      monthLines(s, lastMonth, last, false),
      // What is owed counts every closed month not paid yet, and this month so far.
      current.ok ? s.t('partners:statementOwed', { owed: current.statement.owed }) : undefined,
    ].filter(Boolean);
    return [{ text: text.join('\n\n') }, ...(await customer.inviteLink(s, mine.plan))];
  }

  /** Opening a partner invite (`/start p_<invite>`): the person becomes a partner; the owner is told by the service. */
  async function acceptInvite({ s, actor, displayName }: Turn, code: string): Promise<Reply[]> {
    const result = await services.partners.acceptInvite(actor, code, displayName);
    if (!result.ok) return [{ text: s.t(inviteRefusals[result.reason]) }];
    return [{ text: s.t('partners:inviteAccepted', { business: program.business.name, plan: planLine(s, result) }) }];
  }

  const commands: Command[] = [
    defineCommand({
      name: 'partner',
      // Any customer may be a partner (the statement); the owner's subcommands are checked by the services.
      role: 'customer',
      shownFrom: 'owner',
      usage: 'commands:usage.partner',
      menu: 'commands:menu.partner',
      parse: parsePartner,
      run: (turn, args) => {
        const { s, actor } = turn;
        switch (args.action) {
          case 'self':
            return self(turn);
          case 'list':
            return list(s, actor);
          case 'add':
            return add(s, actor, args.code, args.plan);
          case 'invite':
            return invite(s, actor, args.plan);
          case 'remove':
            return remove(s, actor, args.code);
          case 'paid':
            return paid(s, actor, args.code, args.month);
        }
      },
    }),
  ];

  return { commands, acceptInvite };
}

export type PartnerFeature = ReturnType<typeof createPartnerFeature>;
