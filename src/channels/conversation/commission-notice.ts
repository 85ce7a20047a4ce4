import type { Translate } from '../../i18n.js';
import type { ProgramSummary } from '../../services/program-reconciliation.js';

/** What the monthly close's and a payment's notifications carry (services/month-close.ts, commissions.ts). */
export interface CommissionNoticeData {
  month?: string;
  customersBrought?: number;
  firstVisits?: number;
  revenue?: number;
  commission?: number;
  adjustments?: number;
  due?: number;
  owed?: number;
  amount?: number;
  summary?: ProgramSummary;
}

/** `2026-11` as people read it: `11/2026`. */
export const monthText = (month: string) => `${month.slice(5)}/${month.slice(0, 4)}`;

/** A partner's statement of a closed month: totals, what the month owes and what is owed in all. */
export function renderPartnerStatement(t: Translate, data: CommissionNoticeData, business: string): string | undefined {
  if (!data.month) return undefined;
  return [
    t('commission:notify.statementHeader', { business, month: monthText(data.month) }),
    t('commission:notify.statementFigures', {
      brought: data.customersBrought ?? 0,
      firstVisits: data.firstVisits ?? 0,
      revenue: data.revenue ?? 0,
      commission: data.commission ?? 0,
    }),
    data.adjustments ? t('commission:notify.adjustments', { amount: data.adjustments }) : undefined,
    t('commission:notify.due', { due: data.due ?? 0, owed: data.owed ?? 0 }),
  ]
    .filter((part): part is string => !!part)
    .join('\n');
}

/** The owners' reconciliation of a closed month: partners owed, what the program cost and what it brought in. */
export function renderProgramClose(t: Translate, data: CommissionNoticeData, business: string): string | undefined {
  const s = data.summary;
  if (!s) return undefined;
  const { issued, redeemed, expired } = s.rewards;
  const uncounted = issued.unpriced + redeemed.unpriced + issued.freeServices + issued.bonusPoints;
  return [
    t('commission:notify.closeHeader', { business, month: monthText(s.month) }),
    t('commission:notify.closePartners', { count: s.partners.count, due: s.partners.due, owed: s.partners.owedTotal, revenue: s.partners.revenue }),
    t('commission:notify.closeRewards', {
      issued: issued.count,
      issuedValue: issued.value,
      redeemed: redeemed.count,
      redeemedValue: redeemed.value,
      expired: expired.count,
      expiredValue: expired.value,
    }),
    uncounted > 0
      ? t('commission:notify.closeUnpriced', { unpriced: issued.unpriced + redeemed.unpriced, free: issued.freeServices, points: issued.bonusPoints })
      : undefined,
    t('commission:notify.closeCost', { cost: s.cost, revenue: s.referredRevenue, visits: s.referredVisits }),
    t('commission:notify.closeMore'),
  ]
    .filter((part): part is string => !!part)
    .join('\n\n');
}

export function renderPartnerPaid(t: Translate, data: CommissionNoticeData, business: string): string | undefined {
  return data.month ? t('commission:notify.paid', { business, month: monthText(data.month), amount: data.amount ?? 0 }) : undefined;
}
