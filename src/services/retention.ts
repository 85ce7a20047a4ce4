import { retentionCutoff } from '../domain/schedule.js';
import type { ServicePieces } from './context.js';
import type { ReferralService } from './referrals.js';
import type { Rollups } from './rollups.js';

/** The claim that the audit rows of before the masking were masked. */
const AUDIT_PHONES_MASKED = 'audit-phones-masked:1';

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
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'logger' | 'audit' | 'outbox' | 'claims'>,
  referrals: Pick<ReferralService, 'pruneLinkOpens'>,
  rollups: Pick<Rollups, 'seal'>,
) {
  const cutoff = (now: Date, days: number) => retentionCutoff(now, days, ctx.timezone);

  async function apply(now: Date): Promise<RetentionResult> {
    // Read when applied: a new rules version may have changed the periods (program/live.ts).
    const { retention } = ctx.program.privacy;
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

  /**
   * Once per database: the audit rows written before the log masked phone numbers get them
   * masked (claimed, so one process does it; a failure frees the claim for the next run).
   * Returns how many rows changed (0 once done).
   */
  async function maskAuditPhones(): Promise<number> {
    if (!(await ctx.claims.take(AUDIT_PHONES_MASKED, 'retention'))) return 0;
    try {
      const changed = await ctx.audit.maskStoredPhones();
      if (changed > 0) ctx.logger.info({ rows: changed }, 'phone numbers masked in the audit log');
      return changed;
    } catch (error) {
      await ctx.claims.release(AUDIT_PHONES_MASKED);
      throw error;
    }
  }

  return { apply, maskAuditPhones };
}

export type Retention = ReturnType<typeof createRetention>;
