import type { Actor } from '../../../services/index.js';
import type { PeriodStats } from '../../../services/reports.js';
import { fraudReviewLines, fraudRuleText, periodText } from '../format.js';
import { STAFF_INVITE_PREFIX, type ConversationKit, type Session } from '../kit.js';
import { defineCommand, noArgs, type Command } from '../registry.js';
import type { Reply } from '../reply.js';
import { renderDailySummary } from '../summary.js';

type StatsPeriod = 'today' | '7d' | '30d';
const isPeriod = (word: string): word is StatsPeriod => word === 'today' || word === '7d' || word === '30d';

type StaffArgs = { action: 'list' } | { action: 'invite' } | { action: 'add' | 'remove'; code: string };

function parseStaff(args: string[]): StaffArgs | undefined {
  const action = args[0]?.toLowerCase();
  if (!action || action === 'list') return args.length <= 1 ? { action: 'list' } : undefined;
  if (action === 'invite') return args.length === 1 ? { action } : undefined;
  if ((action === 'add' || action === 'remove') && args.length === 2 && args[1]) return { action, code: args[1] };
  return undefined;
}

function parseFlag(args: string[]): { decision: 'dismissed' | 'confirmed'; flagId: string } | undefined {
  const decision = args[0] === 'dismiss' ? 'dismissed' : args[0] === 'confirm' ? 'confirmed' : undefined;
  return decision && args[1] && args.length === 2 ? { decision, flagId: args[1] } : undefined;
}

/** Each channel that brought anyone in the period, through to first visits and revenue. */
function channelLines(s: Session, byChannel: PeriodStats['byChannel']): string {
  const active = Object.entries(byChannel).filter(([, f]) => f.linksOpened + f.friendsJoined + f.firstVisits + f.revenue > 0);
  if (active.length === 0) return s.t('share:statsNone');
  const line = ([channel, f]: (typeof active)[number]) =>
    s.t('share:statsLine', {
      channel: s.t(`dashboard:channel.${channel}`),
      opened: f.linksOpened,
      joined: f.friendsJoined,
      firstVisits: f.firstVisits,
      revenue: f.revenue,
    });
  return [s.t('share:statsHeader'), ...active.map(line)].join('\n');
}

/** What only owners can ask for: figures, the staff, the fraud review queue; and the back-office link (staff get the staff view). */
export function createOwnerFeature(kit: ConversationKit) {
  const { services, program, links } = kit;

  async function stats(s: Session, actor: Actor, period: StatsPeriod): Promise<Reply[]> {
    const result = await services.reports.getPeriodStats(actor, period);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    const report = result.stats;
    const top = report.topReferrers.map((r, i) => s.t('bot:statsTopLine', { rank: i + 1, name: r.name || r.code, friends: r.friends }));
    const text = [
      s.t('bot:statsHeader', { period: periodText(s.t, period), from: report.from, to: report.to }),
      s.t('bot:statsBody', {
        newCustomers: report.newCustomers,
        linksOpened: report.linksOpened,
        friendsJoined: report.friendsJoined,
        firstVisits: report.firstVisits,
        conversion: Math.round(report.conversionRate * 100),
        rewardsIssued: report.rewardsIssued,
        rewardsRedeemed: report.rewardsRedeemed,
        revenue: report.referredRevenue,
        tierUpgrades: report.tierUpgrades,
        openFlags: report.openFlags,
      }),
      channelLines(s, report.byChannel),
      s.t('members:stats', { active: report.activeMembers, sold: report.memberships, revenue: report.membershipRevenue }),
      top.length > 0 ? [s.t('bot:statsTop'), ...top].join('\n') : s.t('bot:statsNoTop'),
    ].join('\n\n');
    return [{ text }];
  }

  async function summary(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.reports.getDailySummary(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    return [{ text: renderDailySummary(s.t, result.summary, program.business.name) }];
  }

  async function staff(s: Session, actor: Actor, command: StaffArgs): Promise<Reply[]> {
    if (command.action === 'invite') return staffInvite(s, actor);
    if (command.action === 'list') {
      const result = await services.roles.listStaff(actor);
      if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
      const lines = result.people.map((p) =>
        s.t(p.role === 'owner' ? 'bot:staffLineOwner' : 'bot:staffLine', { name: p.name || p.code, code: p.code }),
      );
      return [{ text: [s.t('bot:staffHeader'), ...lines, '', s.t('bot:staffHowTo')].join('\n') }];
    }
    const result =
      command.action === 'add' ? await services.roles.addStaff(actor, command.code) : await services.roles.removeStaff(actor, command.code);
    if (!result.ok) {
      switch (result.reason) {
        case 'not_allowed':
          return [{ text: s.t('bot:notAllowed') }];
        case 'invalid_code':
          return [{ text: s.t('bot:usageIntro', { usage: s.t('commands:usage.staff') }) }];
        case 'not_found':
          return [{ text: s.t('bot:customerNotFound') }];
        case 'is_owner':
          return [{ text: s.t('bot:staffIsOwner') }];
      }
    }
    if (result.changed) await kit.personChanged?.(result.customer);
    const name = result.customer.name || result.customer.code;
    if (command.action === 'add') return [{ text: s.t(result.changed ? 'bot:staffAdded' : 'bot:staffAlready', { name }) }];
    return [{ text: s.t(result.changed ? 'bot:staffRemoved' : 'bot:staffNotStaff', { name }) }];
  }

  async function staffInvite(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.roles.createStaffInvite(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    const payload = `${STAFF_INVITE_PREFIX}${result.code}`;
    const text = links.startLink
      ? s.t('bot:staffInviteLink', { link: links.startLink(payload), hours: result.hours })
      : s.t('bot:staffInviteTyped', { command: `start ${payload}`, hours: result.hours });
    return [{ text }];
  }

  async function flags(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.fraud.listOpen(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    if (result.flags.length === 0) return [{ text: s.t('bot:flagsNone') }];
    // Numbered choices answer the chat's last list only: one case per answer, or "2" would confirm another case.
    const shown = kit.traits.numberedChoices ? result.flags.slice(0, 1) : result.flags;
    const more = result.flags.length - shown.length;
    const replies: Reply[] = shown.map((flag) => ({
      text: [s.t('bot:flagLine', { rule: fraudRuleText(s.t, flag.rule), at: flag.createdAt }), ...fraudReviewLines(s.t, flag)].join('\n'),
      buttons: [
        [
          { label: s.t('bot:flagDismiss'), action: `/flag dismiss ${String(flag._id)}` },
          { label: s.t('bot:flagConfirm'), action: `/flag confirm ${String(flag._id)}` },
        ],
      ],
    }));
    return more > 0 ? [{ text: s.t('fraud:moreToReview', { count: more }) }, ...replies] : replies;
  }

  async function resolveFlag(s: Session, actor: Actor, flagId: string, decision: 'dismissed' | 'confirmed'): Promise<Reply[]> {
    const result = await services.fraud.resolve(actor, flagId, decision);
    if (!result.ok) return [{ text: s.t(result.reason === 'not_allowed' ? 'bot:notAllowed' : 'bot:flagNotFound') }];
    if (result.decision === 'dismissed') return [{ text: s.t('bot:flagDismissed') }];
    const { reversal } = result;
    if (!reversal) return [{ text: s.t('bot:flagConfirmed') }];
    return [
      { text: s.t('fraud:confirmed', { cancelled: reversal.vouchersCancelled, used: reversal.vouchersUsed, points: reversal.pointsReversed }) },
    ];
  }

  async function dashboardLink(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.dashboard.createLink(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    // The link goes in the text, not a URL button: Telegram refuses buttons to localhost, which is where it points until PUBLIC_URL is set.
    const url = `${kit.publicUrl}/dashboard?token=${result.token}`;
    // Staff cannot end sessions (the owner's button): theirs is the link alone.
    if (result.role === 'staff') return [{ text: s.t('access:staffDashboardLink', { url, minutes: result.minutes, days: result.days }) }];
    return [
      {
        text: s.t('access:dashboardLink', { url, minutes: result.minutes, days: result.days }),
        buttons: [[{ label: s.t('access:endSessionsButton'), action: '/dashboard logout' }]],
      },
    ];
  }

  async function endDashboardSessions(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.dashboard.endSessions(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    return [{ text: result.ended > 0 ? s.t('access:sessionsEnded', { count: result.ended }) : s.t('access:sessionsNone') }];
  }

  const commands: Command[] = [
    defineCommand({
      name: 'stats',
      role: 'owner',
      usage: 'commands:usage.stats',
      menu: 'commands:menu.stats',
      parse: (args) => {
        const period = (args[0] ?? 'today').toLowerCase();
        return args.length <= 1 && isPeriod(period) ? { period } : undefined;
      },
      run: ({ s, actor }, { period }) => stats(s, actor, period),
    }),
    defineCommand({
      name: 'summary',
      role: 'owner',
      usage: 'commands:usage.summary',
      menu: 'commands:menu.summary',
      parse: noArgs,
      run: ({ s, actor }) => summary(s, actor),
    }),
    defineCommand({
      name: 'staff',
      role: 'owner',
      usage: 'commands:usage.staff',
      menu: 'commands:menu.staff',
      parse: parseStaff,
      run: ({ s, actor }, args) => staff(s, actor, args),
    }),
    defineCommand({
      name: 'flags',
      role: 'owner',
      usage: 'commands:usage.flags',
      menu: 'commands:menu.flags',
      parse: noArgs,
      run: ({ s, actor }) => flags(s, actor),
    }),
    // The review buttons' command: no menu entry.
    defineCommand({
      name: 'flag',
      role: 'owner',
      usage: 'commands:usage.flag',
      parse: parseFlag,
      run: ({ s, actor }, { flagId, decision }) => resolveFlag(s, actor, flagId, decision),
    }),
    // Staff get the staff view (customers only); `logout` stays the owner's (the service refuses anyone else).
    defineCommand({
      name: 'dashboard',
      role: 'staff',
      usage: 'commands:usage.dashboard',
      menu: 'commands:menu.dashboard',
      parse: (args) => {
        if (args.length === 0) return { logout: false };
        return args.length === 1 && args[0]?.toLowerCase() === 'logout' ? { logout: true } : undefined;
      },
      run: ({ s, actor }, { logout }) => (logout ? endDashboardSessions(s, actor) : dashboardLink(s, actor)),
    }),
  ];

  return { commands };
}
