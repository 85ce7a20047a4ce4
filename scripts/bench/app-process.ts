import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { TelegramEmulator } from '../../test/support/telegram-emulator.js';
import { freePort } from './database.js';

export interface BenchApp {
  listenUrl: string;
  /** The app process's resident memory now, in bytes. */
  rss(): number;
  /** A clean stop (SIGTERM, as an operator's), which also writes what the app keeps in memory. */
  stop(): Promise<void>;
}

export interface BenchAppOptions {
  databaseUri: string;
  telegram: TelegramEmulator;
  mode: 'webhook' | 'polling';
  ownerIdentity: string;
  /** Where the app's own log goes. */
  logFile: string;
}

/**
 * The product as `npm start` runs it (the build's dist/main.js in a process of its own, so
 * its memory is the app's and not the benchmark's), with Telegram pointed at the emulator.
 * Its working directory is the log's folder and its environment only what is set here, so a
 * developer's .env or shell cannot point it at a real bot.
 */
export async function startBenchApp(options: BenchAppOptions): Promise<BenchApp> {
  const main = path.join(projectRoot, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: npm run bench builds it first');
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    MONGODB_URI: options.databaseUri,
    TELEGRAM_BOT_TOKEN: options.telegram.token,
    TELEGRAM_API_ROOT: options.telegram.apiRoot,
    OWNER_IDS: options.ownerIdentity,
    ...(options.mode === 'webhook'
      ? { TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'bench-webhook-secret', PUBLIC_URL: 'https://bench.invalid' }
      : { TELEGRAM_MODE: 'polling' }),
  };
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [main], { cwd: path.dirname(options.logFile), env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Nor the app: a crashed benchmark stops it with itself.
  const killApp = () => child.kill('SIGTERM');
  process.once('exit', killApp);
  const listenUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited at start (code ${child.exitCode}); see ${options.logFile}`);
    const healthy = await fetch(`${listenUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy && (options.mode === 'polling' || options.telegram.webhook)) break;
    if (Date.now() > deadline) throw new Error(`the app did not start in 120 s; see ${options.logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (options.mode === 'webhook') options.telegram.webhookTarget = `${listenUrl}/telegram/webhook`;
  return {
    listenUrl,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async stop() {
      process.off('exit', killApp);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
