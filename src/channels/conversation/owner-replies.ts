import type { Actor } from '../../services/index.js';
import type { Command, StatsPeriod } from './commands.js';
import { fraudReviewLines, fraudRuleText, periodText } from './format.js';
import { STAFF_INVITE_PREFIX, type ConversationKit, type Session } from './kit.js';
import type { Reply } from './reply.js';
import { renderDailySummary } from './summary.js';

/** What only owners can ask for: figures, the staff, the fraud review queue, the dashboard. */
export function createOwnerReplies(kit: ConversationKit) {
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
        telegram: report.byChannel.telegram,
        zalo: report.byChannel.zalo,
        link: report.byChannel.link,
        qr: report.byChannel.qr,
        tierUpgrades: report.tierUpgrades,
        openFlags: report.openFlags,
      }),
      top.length > 0 ? [s.t('bot:statsTop'), ...top].join('\n') : s.t('bot:statsNoTop'),
    ].join('\n\n');
    return [{ text }];
  }

  async function summary(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.reports.getDailySummary(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    return [{ text: renderDailySummary(s.t, result.summary, program.business.name) }];
  }

  async function staff(s: Session, actor: Actor, command: Extract<Command, { name: 'staff' }>): Promise<Reply[]> {
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
          return [{ text: s.t('bot:usageIntro', { usage: s.t('bot:usage.staff') }) }];
        case 'not_found':
          return [{ text: s.t('bot:customerNotFound') }];
        case 'is_owner':
          return [{ text: s.t('bot:staffIsOwner') }];
      }
    }
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
    return [{ text: s.t('fraud:confirmed', { cancelled: reversal.vouchersCancelled, used: reversal.vouchersUsed, points: reversal.pointsReversed }) }];
  }

  async function dashboardLink(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.dashboard.createLink(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    // The link goes in the text, not a URL button: Telegram refuses buttons to localhost, which is where it points until PUBLIC_URL is set.
    const url = `${kit.publicUrl}/dashboard?token=${result.token}`;
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

  return { stats, summary, staff, flags, resolveFlag, dashboardLink, endDashboardSessions };
}

export type OwnerReplies = ReturnType<typeof createOwnerReplies>;
