import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommandStartedEvent } from 'mongodb';
import type { RunningApp } from '../../src/app.js';

/** The database commands one piece of work started, as "commandName collection". */
export type CommandLog = string[];

const describe = (event: CommandStartedEvent): string => {
  const target: unknown = event.command[event.commandName];
  return typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
};

/**
 * Attributes every database command the app starts to the work that started it: each Telegram
 * update the bot handles (by update id) and each notification the notifier delivers (by id).
 * The driver reports commands only when the app's URI asks for it (`monitorCommands=true`);
 * the attribution follows the async context, so Agenda's polling and the test's own queries
 * are left out.
 */
export function monitorCommands(app: RunningApp) {
  const work = new AsyncLocalStorage<CommandLog>();
  const updates = new Map<number, { log: CommandLog; done: Promise<unknown> }>();
  const deliveries: Array<{ id: string; log: CommandLog; outcome?: string }> = [];
  app.connection.getClient().on('commandStarted', (event) => work.getStore()?.push(describe(event)));

  const telegram = app.channels.find((channel) => channel.name === 'telegram') as unknown as {
    bot: { handleUpdate(update: { update_id: number }, ...rest: unknown[]): Promise<void> };
  };
  const { bot } = telegram;
  const handleUpdate = bot.handleUpdate.bind(bot);
  bot.handleUpdate = (update, ...rest) => {
    const log: CommandLog = [];
    const done = work.run(log, () => handleUpdate(update, ...rest));
    updates.set(update.update_id, { log, done: done.catch(() => undefined) });
    return done;
  };

  const { delivery } = app;
  const deliver = delivery.deliver.bind(delivery);
  delivery.deliver = (id, ...rest) => {
    // The sweep hands over the loaded notification; others pass its id.
    const key = typeof id === 'string' ? id : 'key' in id ? String(id._id) : id.toHexString();
    const entry: { id: string; log: CommandLog; outcome?: string } = { id: key, log: [] };
    deliveries.push(entry);
    return work.run(entry.log, async () => (entry.outcome = await deliver(id, ...rest)));
  };

  return {
    /** The commands update `updateId` cost, once it was handled. */
    async ofUpdate(updateId: number): Promise<CommandLog> {
      for (let waited = 0; !updates.has(updateId); waited += 20) {
        if (waited > 15_000) throw new Error(`update ${updateId} was never handled`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { log, done } = updates.get(updateId)!;
      await done;
      return log;
    },
    /**
     * Every delivery Agenda's job made since the last call, with the commands each cost and
     * its outcome (the notifier's sweep may have sent one first: that job is then "skipped").
     */
    takeDeliveries(): Array<{ id: string; log: CommandLog; outcome?: string }> {
      return deliveries.splice(0);
    },
  };
}
