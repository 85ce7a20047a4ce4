import { retentionCutoff } from '../domain/schedule.js';
import type { ServicePieces } from './context.js';
import type { ReferralService } from './referrals.js';
import type { Rollups } from './rollups.js';

export interface RetentionResult {
  linkOpens: number;
  notifications: number;
  auditLog: number;
}

/**
 * The retention periods of the program rules (privacy.retention), applied by the daily
 * maintenance job: link opens, finished notifications and audit rows older than their period
 * go, each removed by the service that writes them. The days whose records go keep their
 * report figures in the day rollups first (rollups.seal), so the reports of old periods stay
 * the same and no later rebuild counts them from what is left.
 */
export function createRetention(
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'logger' | 'audit' | 'outbox'>,
  referrals: Pick<ReferralService, 'pruneLinkOpens'>,
  rollups: Pick<Rollups, 'seal'>,
) {
  const { retention } = ctx.program.privacy;
  const cutoff = (now: Date, days: number) => retentionCutoff(now, days, ctx.timezone);

  async function apply(now: Date): Promise<RetentionResult> {
    const linkOpensBefore = cutoff(now, retention.linkOpensDays);
    const notificationsBefore = cutoff(now, retention.notificationsDays);
    const result = {
      linkOpens: await referrals.pruneLinkOpens(linkOpensBefore, (oldest) => rollups.seal('linkOpens', oldest, linkOpensBefore)),
      notifications: await ctx.outbox.pruneFinished(notificationsBefore, (oldest) => rollups.seal('notifications', oldest, notificationsBefore)),
      auditLog: await ctx.audit.prune(cutoff(now, retention.auditLogDays)),
    };
    if (result.linkOpens + result.notifications + result.auditLog > 0) ctx.logger.info(result, 'records past their retention removed');
    return result;
  }

  return { apply };
}

export type Retention = ReturnType<typeof createRetention>;
