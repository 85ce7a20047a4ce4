import { DateTime } from 'luxon';
import type { Types } from 'mongoose';
import {
  celebrationDay,
  keysCelebratedOn,
  nextBirthdayChange,
  parseBirthday,
  rewardableBirthday,
  sameBirthday,
  storedBirthday,
  type Birthday,
} from '../domain/birthday.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import type { VoucherService } from './vouchers.js';

export type SetBirthdayResult =
  /** `changed` false: the same birthday was already stored. */
  | { ok: true; birthday: Birthday; changed: boolean; nextChange: Date }
  | { ok: false; reason: 'format' | 'not_a_date' | 'future' | 'too_old' }
  | { ok: false; reason: 'too_soon'; birthday: Birthday; nextChange: Date };

/** A change claimed longer ago than this without being written belongs to a request that died. */
const CHANGE_LEASE_MS = 2 * 60_000;

/**
 * The customer's birthday (`/birthday`) and the yearly birthday voucher. The birthday can be
 * changed once every BIRTHDAY_CHANGE_DAYS; each change is a claim, so
 * two changes sent at once are one change (`birthday-change:<id>:<n>`). The voucher's cause key, `birthday:<id>:<year>`,
 * is the once-a-year claim: reruns and concurrent runs of the job issue it once and record
 * its one message.
 */
export function createBirthdayService(
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'claims' | 'records' | 'outbox'> & { models: Pick<Models, 'Customer'> },
  vouchers: VoucherService,
) {
  const { models, program, timezone, claims, records, outbox } = ctx;

  /** Stores the birthday `text` gives for this customer, unless it changed less than a year ago. */
  async function set(customer: Customer, text: string, requestKey: string): Promise<SetBirthdayResult> {
    const now = ctx.now();
    const parsed = parseBirthday(text, DateTime.fromJSDate(now, { zone: timezone }));
    if (!parsed.ok) return parsed;
    const { birthday } = parsed;
    const current = storedBirthday(customer);
    const setAt = customer.birthdaySetAt ?? undefined;
    if (current && setAt && sameBirthday(current, birthday)) return { ok: true, birthday, changed: false, nextChange: nextBirthdayChange(setAt) };
    if (current && setAt && nextBirthdayChange(setAt) > now)
      return { ok: false, reason: 'too_soon', birthday: current, nextChange: nextBirthdayChange(setAt) };
    const changes = (customer.birthdayChanges ?? 0) + 1;
    if (!(await claimChange(customer._id, changes, requestKey, now))) {
      // Another message changed it a moment ago: that change counts.
      return { ok: false, reason: 'too_soon', birthday: current ?? birthday, nextChange: nextBirthdayChange(now) };
    }
    await records.setBirthday(customer._id, birthday, now, changes);
    return { ok: true, birthday, changed: true, nextChange: nextBirthdayChange(now) };
  }

  /** The change claim for this request: a retry of the same message carries on; a claim left by a request that died is taken over. */
  async function claimChange(customerId: Types.ObjectId, changes: number, requestKey: string, now: Date): Promise<boolean> {
    const key = `birthday-change:${String(customerId)}:${changes}`;
    if (await claims.takeOrHold(key, requestKey)) return true;
    const holder = await claims.holder(key);
    if (!holder || now.getTime() - holder.at.getTime() < CHANGE_LEASE_MS) return false;
    if ((await models.Customer.countDocuments({ _id: customerId, birthdayChanges: changes })) > 0) return false;
    await claims.release(key, holder.at);
    return claims.take(key, requestKey);
  }

  /**
   * Issues the birthday vouchers due by now and records their messages: for every birthday
   * celebrated from today to `daysBefore` days ahead, once the shop's clock has passed the
   * rules' local time (so a job that missed a day still sends before the birthday). Safe to
   * run again and concurrently; returns how many birthdays it went through.
   */
  async function recordRewards(at: Date = ctx.now()): Promise<number> {
    const rules = program.birthday;
    if (!rules) return 0;
    const local = DateTime.fromJSDate(at, { zone: timezone });
    const [hour = 0, minute = 0] = rules.localTime.split(':').map(Number);
    if (local < local.set({ hour, minute, second: 0, millisecond: 0 })) return 0;
    let handled = 0;
    for (let offset = 0; offset <= rules.daysBefore; offset++) {
      const date = local.startOf('day').plus({ days: offset });
      for (const key of keysCelebratedOn(date)) {
        const due = await models.Customer.find({ birthdayKey: key }, { birthDay: 1, birthMonth: 1, birthdaySetAt: 1 }).lean<Customer[]>();
        for (const customer of due) {
          if (await reward(customer, date)) handled += 1;
        }
      }
    }
    return handled;
  }

  /** The voucher of the birthday celebrated on `date`, and its message, each once. */
  async function reward(customer: Customer, date: DateTime): Promise<boolean> {
    const rules = program.birthday;
    const birthday = storedBirthday(customer);
    if (!rules || !birthday || !customer.birthdaySetAt) return false;
    const day = celebrationDay(birthday, date.year);
    if (day.month !== date.month || day.day !== date.day) return false;
    if (!rewardableBirthday(customer.birthdaySetAt, date)) return false;
    const cause = birthdayCause(customer._id, date.year);
    const voucher = await vouchers.issue(customer._id, rules.reward, 'birthday', cause, rules.validityDays);
    await outbox.record(cause, 'birthday_reward', customer._id, {
      reward: voucher.reward,
      voucherCode: voucher.code,
      expiresAt: voucher.expiresAt,
      birthday: date.toJSDate(),
    });
    return true;
  }

  return { set, recordRewards };
}

/** The cause key of a customer's birthday voucher of one year: the once-a-year claim. */
export const birthdayCause = (customerId: Types.ObjectId, year: number) => `birthday:${String(customerId)}:${year}`;

export type BirthdayService = ReturnType<typeof createBirthdayService>;
