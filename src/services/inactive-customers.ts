import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { inactivityStep } from '../domain/inactivity.js';
import { dayKey } from '../domain/schedule.js';
import type { ServicePieces } from './context.js';
import type { ErasedBy } from './erasure.js';

export interface InactiveSweep {
  noticed: number;
  erased: number;
  /** Erasures a crash had left half-way, finished now. */
  finished: number;
}

type Run = (customer: Customer, by: ErasedBy, actorId: Customer['_id'], reason: string) => Promise<void>;

/**
 * The inactive-customers policy and the finishing of interrupted erasures, run by the
 * maintenance job. With `keep` nobody is told or erased; with `pseudonymise` a customer not
 * seen for the period gets one notice, then is erased if still not seen `noticeDays` later.
 */
export function createInactiveCustomers(
  ctx: Pick<ServicePieces, 'program' | 'now' | 'timezone' | 'outbox' | 'records'> & { models: Pick<Models, 'Customer'> },
  run: Run,
) {
  const { models, records } = ctx;

  async function sweep(): Promise<InactiveSweep> {
    const result: InactiveSweep = { noticed: 0, erased: 0, finished: 0 };
    for (const started of await models.Customer.find({ erasure: 'started' }).lean<Customer[]>()) {
      await run(started, 'retention', started._id, 'finish_interrupted');
      result.finished++;
    }
    const rules = ctx.program.privacy.retention.inactiveCustomers;
    if (rules.action !== 'pseudonymise') return result;
    const today = dayKey(ctx.now(), ctx.timezone);
    // Once a day over the customers (staff and owners are never erased this way).
    const cursor = models.Customer.find({ role: 'customer' }, { lastSeenDay: 1, inactiveNoticeDay: 1, erasure: 1 }).lean<Customer[]>().cursor();
    for await (const customer of cursor as AsyncIterable<Customer>) {
      if (customer.erasure) continue;
      if (!customer.lastSeenDay) {
        // A record from before the day was kept: the period counts from today, never from a guess.
        await records.startSeenDay(customer._id, today);
        continue;
      }
      const step = inactivityStep(customer, today, rules);
      if (step.step === 'notice') {
        await ctx.outbox.record(`inactive_notice:${String(customer._id)}:${customer.lastSeenDay}`, 'inactive_notice', customer._id, {
          eraseOn: step.eraseOn,
        });
        await records.markInactiveNotice(customer._id, customer.lastSeenDay, today);
        result.noticed++;
      } else if (step.step === 'erase') {
        const full = await models.Customer.findById(customer._id).lean<Customer>();
        // Seen between the read and now: the notice was cleared, so nothing happens.
        if (!full?.inactiveNoticeDay || full.role !== 'customer') continue;
        await run(full, 'retention', full._id, 'inactive');
        result.erased++;
      }
    }
    return result;
  }

  return { sweep };
}
