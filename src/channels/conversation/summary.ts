import type { Translate } from '../../i18n.js';
import type { DailySummary, SummaryFigure } from '../../services/reports.js';

const figureKeys: Record<SummaryFigure, string> = {
  newCustomers: 'summary:figure.newCustomers',
  linksOpened: 'summary:figure.linksOpened',
  friendsJoined: 'summary:figure.friendsJoined',
  firstVisits: 'summary:figure.firstVisits',
  rewardsIssued: 'summary:figure.rewardsIssued',
  rewardsRedeemed: 'summary:figure.rewardsRedeemed',
  referredRevenue: 'summary:figure.referredRevenue',
  tierUpgrades: 'summary:figure.tierUpgrades',
  undeliverable: 'summary:figure.undeliverable',
  memberships: 'members:summary.memberships',
  membershipRevenue: 'members:summary.membershipRevenue',
};

/** The figures that are money (VND), formatted by the text itself. */
const moneyFigures: ReadonlySet<SummaryFigure> = new Set(['referredRevenue', 'membershipRevenue']);

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** The owner's daily summary: each figure with its change against yesterday and the 7-day average. */
export function renderDailySummary(t: Translate, summary: DailySummary, business: string): string {
  const lines = (Object.keys(figureKeys) as SummaryFigure[]).map((figure) => {
    const value = summary.today[figure];
    const money = moneyFigures.has(figure);
    const change = Math.round((value - summary.yesterday[figure]) * 10) / 10;
    // Money is formatted by the text itself (`vnd`, `vndChange`), counts get their sign here.
    return t(money ? 'summary:lineMoney' : 'summary:line', {
      label: t(figureKeys[figure]),
      value,
      change: money ? change : signed(change),
      average: money ? Math.round(summary.weekAverage[figure]) : summary.weekAverage[figure],
    });
  });
  const top = summary.today.topReferrers.map((r, i) => t('summary:topLine', { rank: i + 1, name: r.name || r.code, friends: r.friends }));
  return [
    t('summary:header', { business, date: summary.today.from }),
    lines.join('\n'),
    t('summary:conversion', { rate: Math.round(summary.today.conversionRate * 100) }),
    t('members:summary.activeMembers', { count: summary.today.activeMembers }),
    top.length > 0 ? [t('summary:top'), ...top].join('\n') : t('summary:noTop'),
    t('summary:review', { count: summary.today.openFlags }),
  ].join('\n\n');
}
