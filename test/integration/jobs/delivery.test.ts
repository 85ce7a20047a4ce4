import { spawn } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNotificationRenderer } from '../../../src/channels/conversation/notifications.js';
import { createModels } from '../../../src/db/models/index.js';
import { createI18n, type I18n } from '../../../src/i18n.js';
import { createAgenda } from '../../../src/jobs/agenda.js';
import { DELIVER_NOTIFICATION, defineNotificationJobs } from '../../../src/jobs/notifications.js';
import { createLogger } from '../../../src/logger.js';
import { projectRoot } from '../../../src/paths.js';
import { SendPacer } from '../../../src/domain/send-pacing.js';
import { createNotificationDelivery } from '../../../src/services/notification-delivery.js';
import type { SendResult } from '../../../src/services/ports.js';
import { countFigures } from '../../../src/services/figures.js';
import { createOutboxSender } from '../../support/outbox-sender.js';
import { useServices } from '../../support/services.js';

describe('notification delivery', () => {
  const h = useServices('delivery');
  let i18n: I18n;
  beforeAll(async () => {
    i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
  });
  const outbox = () => h.db.connection.collection<{ chatId: string; text: string }>('test_outbox');
  const delivery = (script?: Map<string, Array<SendResult | 'throw'>>, extra: { leaseMs?: number; maxAttempts?: number; processId?: string } = {}) =>
    createNotificationDelivery({
      models: h.db.models,
      render: createNotificationRenderer(i18n, h.program),
      logger: createLogger('silent'),
      timezone: 'Asia/Ho_Chi_Minh',
      senders: new Map([['telegram', createOutboxSender(h.db.connection, script)]]),
      now: h.clock.now,
      sleep: () => Promise.resolve(),
      ...extra,
    });

  it("delivers each person's reward once, in their own language", async () => {
    const staff = await h.staff(6001, 'Lễ tân');
    const { customer: a } = await h.join(6002, 'Anh');
    const { customer: b } = await h.join(6003, 'Bình');
    await h.services.customers.setLocale(b._id, 'en');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    await h.services.visits.confirmFirstVisit(staff, b.code);

    expect(await delivery().sweep()).toBe(3);
    expect(await delivery().sweep()).toBe(0);
    const toA = await outbox().find({ chatId: '6002' }).toArray();
    const toB = await outbox().find({ chatId: '6003' }).toArray();
    expect(toA.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Bình vừa tham gia'),
        expect.stringContaining('Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu! Bạn nhận Giảm 20%'),
      ]),
    );
    expect(toA).toHaveLength(2);
    expect(toB.map((m) => m.text)).toEqual([expect.stringContaining('Welcome to Salon Mai! Your first-visit offer: 10% off your first visit')]);
    expect(await h.db.models.Notification.countDocuments({ customerId: { $in: [a._id, b._id] }, status: 'sent' })).toBe(3);
  });

  it("retries after a 429 no sooner than Telegram's retry_after, and after a network failure", async () => {
    const { customer } = await h.join(6101, 'Chi');
    const owner = await h.staff(6102, 'Chủ', 'owner');
    await h.services.roles.addStaff(owner, customer.code);
    const script = new Map<string, Array<SendResult | 'throw'>>([
      ['6101', [{ ok: false, kind: 'retry', reason: 'Too Many Requests', retryAfterMs: 60_000 }, 'throw']],
    ]);
    const worker = delivery(script);
    expect(await worker.sweep()).toBe(0);
    const waiting = await h.db.models.Notification.findOne({ customerId: customer._id }).lean();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Too Many Requests' });
    expect(waiting!.nextAttemptAt.getTime() - h.clock.now().getTime()).toBe(60_000);

    h.clock.advanceDays(0.0001); // 8.6 s: not yet due
    expect(await worker.sweep()).toBe(0);
    h.clock.current = new Date(waiting!.nextAttemptAt);
    expect(await worker.sweep()).toBe(0); // the network failure
    h.clock.advanceDays(1);
    expect(await worker.sweep()).toBe(1);
    expect(await outbox().countDocuments({ chatId: '6101' })).toBe(1);
    expect(await h.db.models.Notification.findOne({ customerId: customer._id }).lean()).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('marks a blocked person undeliverable at once, and gives up after the attempt limit', async () => {
    const owner = await h.staff(6201, 'Chủ', 'owner');
    const { customer: blocked } = await h.join(6202, 'Dũng');
    const { customer: flaky } = await h.join(6203, 'Giang');
    await h.services.roles.addStaff(owner, blocked.code);
    await h.services.roles.addStaff(owner, flaky.code);
    const failing: SendResult = { ok: false, kind: 'retry', reason: 'Bad Gateway' };
    const worker = delivery(
      new Map<string, Array<SendResult | 'throw'>>([
        ['6202', [{ ok: false, kind: 'permanent', reason: 'Forbidden: bot was blocked by the user' }]],
        ['6203', [failing, failing, failing]],
      ]),
      { maxAttempts: 3 },
    );
    for (let i = 0; i < 4; i++) {
      await worker.sweep();
      h.clock.advanceDays(1);
    }
    expect(await h.db.models.Notification.findOne({ customerId: blocked._id }).lean()).toMatchObject({ status: 'undeliverable', attempts: 1 });
    expect(await h.db.models.Notification.findOne({ customerId: flaky._id }).lean()).toMatchObject({ status: 'undeliverable', attempts: 3 });
    expect(await outbox().countDocuments({ chatId: { $in: ['6202', '6203'] } })).toBe(0);
    const stats = await countFigures(h.db.models, new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    expect(stats.undeliverable).toBeGreaterThanOrEqual(2);
  });

  it('never sends twice when the worker dies between sending and recording', async () => {
    const owner = await h.staff(6301, 'Chủ', 'owner');
    const { customer } = await h.join(6302, 'Hà');
    await h.services.roles.addStaff(owner, customer.code);
    const notification = await h.db.models.Notification.findOne({ customerId: customer._id }).lean();
    h.clock.current = new Date();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'test', 'support', 'crash-delivery-worker.ts'), h.db.uri, String(notification!._id)],
      { cwd: projectRoot, stdio: 'ignore' },
    );
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(17);
    expect(await outbox().countDocuments({ chatId: '6302' })).toBe(1);
    expect((await h.db.models.Notification.findById(notification!._id).lean())?.status).toBe('sending');

    // A new worker after the crash: the lease runs out, the send is uncertain, nothing is resent.
    h.clock.current = new Date(Date.now() + 10 * 60_000);
    await delivery().sweep();
    await delivery().sweep();
    expect((await h.db.models.Notification.findById(notification!._id).lean())?.status).toBe('uncertain');
    expect(await outbox().countDocuments({ chatId: '6302' })).toBe(1);
  });

  it('two processes running Agenda on one database deliver each message once', async () => {
    const owner = await h.staff(6401, 'Chủ', 'owner');
    const people = await Promise.all(Array.from({ length: 30 }, (_, i) => h.join(6410 + i, `Khách ${i}`)));
    h.clock.current = new Date();
    const connections = await Promise.all([1, 2].map(() => mongoose.createConnection(h.db.uri).asPromise()));
    const agendas = connections.map((connection) => createAgenda(connection, { processEveryMs: 100 }));
    const runs: string[] = [];
    for (const [i, connection] of connections.entries()) {
      const worker = createNotificationDelivery({
        models: createModels(connection),
        render: createNotificationRenderer(i18n, h.program),
        logger: createLogger('silent'),
        timezone: 'Asia/Ho_Chi_Minh',
        senders: new Map([
          ['telegram', { ...createOutboxSender(connection), pacer: new SendPacer({ perSecond: 1000, perChatIntervalMs: 0, perChatBurst: 1 }) }],
        ]),
      });
      await defineNotificationJobs(agendas[i]!, worker, 300);
      agendas[i]!.on(`start:${DELIVER_NOTIFICATION}`, (job) => runs.push(String((job.attrs.data as { notificationId: string }).notificationId)));
      await agendas[i]!.start();
    }
    try {
      for (const { customer } of people) {
        await h.services.roles.addStaff(owner, customer.code);
        const recorded = await h.db.models.Notification.findOne({ customerId: customer._id }).lean();
        await agendas[0]!.now(DELIVER_NOTIFICATION, { notificationId: String(recorded!._id) });
      }
      const chats = people.map((p) => String(p.customer._id));
      const deadline = Date.now() + 20_000;
      while ((await h.db.models.Notification.countDocuments({ customerId: { $in: people.map((p) => p.customer._id) }, status: 'sent' })) < 30) {
        if (Date.now() > deadline) throw new Error('not all delivered in time');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(chats).toHaveLength(30);
      for (const { customer } of people) {
        const chatId = String((await h.db.models.ChannelIdentity.findOne({ customerId: customer._id }).lean())!.chatId);
        expect(await outbox().countDocuments({ chatId })).toBe(1);
      }
      expect(runs.length).toBeGreaterThanOrEqual(30);
    } finally {
      for (const agenda of agendas) await agenda.stop(false);
      for (const connection of connections) await connection.close();
    }
  });

  it('processes sharing the database count each other to split the bot limits, and forget one that went silent', async () => {
    const first = delivery(undefined, { processId: 'first' });
    const second = delivery(undefined, { processId: 'second' });
    const third = delivery(undefined, { processId: 'third' });
    expect(await first.heartbeat()).toBe(1);
    expect(await second.heartbeat()).toBe(2);
    expect(await third.heartbeat()).toBe(3);
    await third.retire();
    expect(await first.heartbeat()).toBe(2);
    // The second process dies without retiring: after three missed beats it no longer counts.
    h.clock.current = new Date(h.clock.current.getTime() + 31_000);
    expect(await first.heartbeat()).toBe(1);
    expect(await h.db.models.SendingProcess.find({}, { processId: 1, _id: 0 }).lean()).toEqual([{ processId: 'first' }]);
  });
});
