// npm run bench: every figure of issue 12 in one run, against a database of its own. See the
// README's "Measurements" for what each figure is and how to run it larger.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { projectRoot } from '../../src/paths.js';
import { TelegramEmulator } from '../../test/support/telegram-emulator.js';
import { startBenchApp, type BenchApp } from './app-process.js';
import { measureCeilings } from './ceilings.js';
import { codeOf, round, sleep } from './chat.js';
import { mib, openDatabase, startBenchServer } from './database.js';
import { newPeopleBurst } from './inbound.js';
import { landingPage } from './landing.js';
import { confirmBurst, owedNotifications } from './outbound.js';
import { describeMachine, renderTable, replaceMeasurements, resultsFileName, describeRun, type BenchResults, type Figure } from './report.js';
import { generateHistory } from '../report-history.js';
import { memoryFigure, soak, statsThirtyDays, type HistorySize, type MemorySamples } from './stats.js';

const { values: args } = parseArgs({
  options: {
    large: { type: 'boolean', default: false },
    customers: { type: 'string' },
    events: { type: 'string' },
    people: { type: 'string', default: '300' },
    pairs: { type: 'string', default: '100' },
    staff: { type: 'string', default: '25' },
    owed: { type: 'string', default: '1000' },
    'landing-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'soak-seconds': { type: 'string', default: '60' },
    'stats-timeout-seconds': { type: 'string', default: '60' },
    'send-timeout-seconds': { type: 'string', default: '120' },
    mode: { type: 'string', default: 'webhook' },
    readme: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const history: HistorySize = {
  customers: Number(args.customers ?? (args.large ? 100_000 : 20_000)),
  events: Number(args.events ?? (args.large ? 1_000_000 : 0)),
};
// The generated history has about five records a customer before any repeat visit.
if (history.events < 5 * history.customers) history.events = 5 * history.customers;
const people = Number(args.people);
const pairs = Math.min(Number(args.pairs), people - 2);
const staff = Number(args.staff);
const owed = Number(args.owed);
const soakSeconds = Number(args['soak-seconds']);
const landing = { seconds: Number(args['landing-seconds']), connections: Number(args.connections) };
const mode = args.mode === 'polling' ? 'polling' : 'webhook';
const ids = { owner: 900_001, people: 1_000_000, friends: 2_000_000, staff: 3_000_000, owed: 5_000_000 };

// Weights: roughly the seconds each step takes on 2 cores, so the bar moves evenly.
const steps = {
  database: 10,
  ceilings: 10,
  history: Math.ceil(history.events / 2500),
  app: 15,
  stats: 20,
  burst: 20,
  confirm: 40,
  owed: Math.ceil(owed / 25) + 15,
  landing: 2 * landing.seconds + 5,
  soak: soakSeconds,
  stop: 5,
};
const bar = new cliProgress.SingleBar(
  { format: 'bench {bar} {percentage}% | {step} | {duration_formatted}', hideCursor: true, etaBuffer: 50, noTTYOutput: true, notTTYSchedule: 15_000 },
  cliProgress.Presets.shades_classic,
);
bar.start(
  Object.values(steps).reduce((a, b) => a + b, 0),
  0,
  { step: 'starting the database' },
);
let done = 0;
const step = async <T>(name: keyof typeof steps, label: string, work: (progress: (fraction: number) => void) => Promise<T>): Promise<T> => {
  bar.update(done, { step: label });
  const result = await work((fraction) => bar.update(done + Math.min(1, fraction) * steps[name]));
  done += steps[name];
  bar.update(done);
  return result;
};

const runStarted = Date.now();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'loyalty-bench-'));
const server = await step('database', 'starting the database', () => startBenchServer());
const telegram = await new TelegramEmulator().start();
// Telegram's default for a webhook: at most 40 deliveries at once.
telegram.webhookMaxConnections = 40;
// Like Telegram, a delivery that failed (a reset connection under load) is posted again.
telegram.redeliverFailed = true;
let app: BenchApp | undefined;
const figures: Figure[] = [];
try {
  const ceilings = await step('ceilings', 'raw database ceilings', async () => {
    const db = await openDatabase(server, 'ceilings');
    const measured = await measureCeilings(db.connection);
    await db.drop();
    return measured;
  });
  figures.push(
    {
      id: 'raw-upserts',
      label: 'raw single-document upserts/s (unique index), same run',
      measured: `${round(ceilings.upsertsPerSecond)}/s`,
      target: '(the ceiling)',
      detail: { perSecond: round(ceilings.upsertsPerSecond) },
    },
    {
      id: 'raw-find-one',
      label: 'raw `findOne` by an indexed non-`_id` field, 1,000 documents',
      measured: `${round(ceilings.findOnePerSecond)}/s`,
      target: '(the ceiling)',
      detail: { perSecond: round(ceilings.findOnePerSecond) },
    },
  );

  const db = await openDatabase(server, 'app');
  await step('history', `history: ${history.customers} customers, ${history.events} events`, (progress) =>
    generateHistory(db.models, { ...history, days: 365, now: new Date(), progress: (n) => progress(Math.min(1, n / history.events)) }),
  );
  const memory: MemorySamples = { idle: 0, soak: [] };
  app = await step('app', 'starting the app, then idle', async () => {
    const started = await startBenchApp({
      databaseUri: db.uri,
      telegram,
      mode,
      ownerIdentity: `telegram:${ids.owner}`,
      logFile: path.join(workDir, 'app.log'),
    });
    await sleep(10_000);
    memory.idle = started.rss();
    return started;
  });
  const running = app;
  figures.push(await step('burst', `${people} new people at once`, () => newPeopleBurst(telegram, ceilings, people, ids.people)));
  memory.afterBurst = running.rss();
  figures.push(
    await step('confirm', `${pairs} first visits confirmed`, () =>
      confirmBurst(telegram, db.models, {
        pairs,
        staff,
        referrerFirstId: ids.people,
        friendFirstId: ids.friends,
        staffFirstId: ids.staff,
        timeoutSeconds: Number(args['send-timeout-seconds']),
      }),
    ),
  );
  figures.push(
    await step('owed', `${owed} owed notifications`, () =>
      owedNotifications(telegram, db.models, owed, ids.owed, Number(args['send-timeout-seconds'])),
    ),
  );
  const landingCode = await codeOf(db.models, ids.people + people - 1);
  const landingStarted = new Date();
  const measuredLanding = await step('landing', 'landing page and bare route', () => landingPage(running.listenUrl, landingCode, landing));
  const soakCode = await codeOf(db.models, ids.people + people - 2);
  memory.soak = await step('soak', `${soakSeconds} s soak`, (progress) =>
    soak(telegram, {
      seconds: soakSeconds,
      people: Array.from({ length: 20 }, (_, i) => ids.people + i),
      landingUrl: `${running.listenUrl}/r/${soakCode}`,
      rss: () => running.rss(),
      onTick: (tick) => progress(tick / soakSeconds),
    }),
  );
  // Last: on a slow path the report may still be running when its wait ends, and would weigh on the other figures.
  figures.push(await step('stats', '/stats 30d', () => statsThirtyDays(telegram, ids.owner, history, Number(args['stats-timeout-seconds']))));
  await step('stop', 'stopping the app', () => running.stop());
  const recorded = await db.models.LinkOpen.countDocuments({ code: landingCode, at: { $gte: landingStarted } });
  figures.push(measuredLanding.figure(recorded), memoryFigure(memory, soakSeconds, mib));
  await db.drop();
} finally {
  bar.stop();
  await app?.stop();
  await telegram.stop();
  await server.stop();
}

// The order: the ceilings, then inbound, outbound, the landing page, reports, memory.
const order = ['raw-upserts', 'raw-find-one', 'new-people', 'confirm-burst', 'owed-notifications', 'landing', 'stats-30d', 'memory'];
figures.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
const results: BenchResults = {
  date: new Date(runStarted).toISOString(),
  machine: describeMachine(server.kind),
  options: {
    customers: history.customers,
    events: history.events,
    people,
    pairs,
    staff,
    owed,
    landingSeconds: landing.seconds,
    connections: landing.connections,
    soakSeconds,
    telegramMode: mode,
  },
  figures,
  seconds: (Date.now() - runStarted) / 1000,
};
const file = resultsFileName(new Date(runStarted));
mkdirSync(path.join(projectRoot, 'bench-results'), { recursive: true });
writeFileSync(path.join(projectRoot, file), `${JSON.stringify(results, null, 2)}\n`);
if (args.readme) {
  const readme = path.join(projectRoot, 'README.md');
  writeFileSync(readme, replaceMeasurements(readFileSync(readme, 'utf8'), results, file));
}
process.stdout.write(`\n${describeRun(results, file)}\n\n${renderTable(results)}\n`);
