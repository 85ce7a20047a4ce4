import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { ferretdbBinary, OwnFerretDb } from '../../support/ferretdb.js';
import { TelegramEmulator } from '../../support/telegram-emulator.js';
import { ZaloEmulator } from '../../support/zalo-emulator.js';

/** Log lines of one app, kept to count what was logged during the outage. */
function logLines() {
  const lines: Array<{ msg?: string; level: number }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { msg?: string; level: number });
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

interface Deployment {
  app: RunningApp;
  telegram: TelegramEmulator;
  zalo: ZaloEmulator;
  lines: Array<{ msg?: string; level: number }>;
}

const PUBLIC_URL = 'https://salon.example.vn';

async function deploy(db: OwnFerretDb, name: string, mode: 'polling' | 'webhook'): Promise<Deployment> {
  const telegram = await new TelegramEmulator().start();
  const zalo = await new ZaloEmulator().start();
  const { lines, logger } = logLines();
  const config = loadConfig({
    PORT: '0',
    MONGODB_URI: db.uri(name),
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    ZALO_BOT_TOKEN: zalo.token,
    ZALO_API_ROOT: zalo.apiRoot,
    ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai',
    LOG_LEVEL: 'info',
    ...(mode === 'webhook'
      ? { TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'tg-secret-42', ZALO_MODE: 'webhook', ZALO_WEBHOOK_SECRET: 'zalo-secret-42', PUBLIC_URL }
      : {}),
  });
  const app = await startApp(config, logger, { agendaProcessEveryMs: 200, notificationSweepMs: 500 });
  if (mode === 'webhook') {
    telegram.webhookTarget = `${app.listenUrl}/telegram/webhook`;
    zalo.webhookTarget = `${app.listenUrl}/zalo/webhook`;
    telegram.redeliverFailed = true;
    zalo.redeliverFailed = true;
  }
  return { app, telegram, zalo, lines };
}

async function health(app: RunningApp): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.listenUrl}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!ferretdbBinary)('the database goes away for 30 s under traffic and comes back', () => {
  let db: OwnFerretDb;
  const deployments: Deployment[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    db = await OwnFerretDb.create();
    await db.start();
    deployments.push(await deploy(db, 'outage_polling', 'polling'), await deploy(db, 'outage_webhook', 'webhook'));
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    // A failed run may leave the server stopped; the apps need it to stop cleanly.
    if (db && !db.running) await db.start();
    for (const { app, telegram, zalo } of deployments) {
      await app.stop();
      await telegram.stop();
      await zalo.stop();
    }
    await db?.destroy();
  }, 60_000);

  it('answers every message sent during and after the outage exactly once, on Telegram and Zalo, polling and webhook', async () => {
    // One person per channel and mode, each known to the bot before the outage.
    const people = deployments.flatMap(({ telegram, zalo }, i) => {
      const tg = telegram.user(7100 + i, `Lan ${i}`);
      const za = zalo.user(`zalo-person-${i}`, `Mai ${i}`);
      return [
        { send: tg.send, replies: () => telegram.messagesTo(tg.id).map((m) => m.text) },
        { send: (text: string) => za.send(text), replies: () => zalo.messagesTo(za.id).map((m) => m.text) },
      ];
    });
    const helpText = deployments[0]!.app.i18n.forLocale('vi')('commands:help.customer');
    const apology = deployments[0]!.app.i18n.forLocale('vi')('common:genericError');
    const helps = (replies: string[]) => replies.filter((text) => text.startsWith(helpText)).length;
    let sent = 0;
    const sendHelpToAll = () => {
      sent += 1;
      for (const person of people) person.send('/help');
    };

    sendHelpToAll();
    await waitFor(() => people.every((p) => helps(p.replies()) === 1), 15_000, 'answers before the outage');
    for (const { app } of deployments) expect((await health(app)).status).toBe(200);

    await db.stop();
    const outageStarted = Date.now();
    sendHelpToAll();
    for (const { app } of deployments) {
      await waitFor(async () => (await health(app)).status === 503, 20_000, '/healthz 503');
      expect((await health(app)).body).toMatchObject({ ok: false, mongodb: 'down', reason: 'database unreachable' });
    }
    await new Promise((r) => setTimeout(r, 8_000));
    sendHelpToAll();
    await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + 30_000 - Date.now())));
    // Nothing sent during the outage was answered (or apologised for) while it lasted.
    for (const person of people) expect(helps(person.replies())).toBe(1);

    await db.start();
    const restartedAt = Date.now();
    sendHelpToAll();
    const recovery: number[] = [];
    for (const { app } of deployments) {
      await waitFor(async () => (await health(app)).status === 200, 30_000, '/healthz 200 after recovery');
      recovery.push(Date.now() - restartedAt);
    }
    await waitFor(() => people.every((p) => helps(p.replies()) === sent), 30_000, 'every message answered');
    const answered = Date.now() - restartedAt;
    sendHelpToAll();
    await waitFor(() => people.every((p) => helps(p.replies()) === sent), 15_000, 'a message after recovery answered');
    console.info(`database back: /healthz 200 after ${recovery.join(' / ')} ms (polling / webhook); the backlog answered after ${answered} ms`);

    // Exactly once: no message lost, none answered twice, no apology for the outage.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const person of people) {
      expect(helps(person.replies())).toBe(sent);
      expect(person.replies()).not.toContain(apology);
    }
    for (const { app, lines } of deployments) {
      expect(await app.models.ProcessedUpdate.countDocuments({ state: 'handling' })).toBe(0);
      // Agenda's errors: one line for the outage and one when it was over.
      expect(lines.filter((l) => l.msg?.startsWith('agenda error')).length).toBe(1);
      expect(lines.filter((l) => l.msg === 'agenda recovered').length).toBe(1);
      expect(app.channels.every((channel) => channel.isUp())).toBe(true);
    }
    expect(unhandled).toEqual([]);
  }, 150_000);
});
