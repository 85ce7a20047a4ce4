// The landing page's throughput: `measureLanding` drives GET requests at a URL from many
// simulated visitors (each its own X-Forwarded-For address, so the per-address rate limit
// does not refuse them) with a fixed number of connections in flight, for a while.
// `measureBareExpress` does the same against an Express route that only answers, on the same
// machine, as the yardstick. Usage (the app on MONGODB_URI, nothing else needed):
//   npx tsx scripts/bench/landing.ts [seconds]
import { Agent, get, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import express from 'express';

export interface LandingFigures {
  requests: number;
  perSecond: number;
  /** Answers other than 200 (429 would mean the visitors were too few for the rate limit). */
  non200: number;
  p99Ms: number;
}

/** Requests `url` for `seconds` with `connections` in flight, visitor addresses taken in turn from `visitors`. */
export async function measureLanding(
  url: string,
  options: { seconds?: number; connections?: number; visitors?: number } = {},
): Promise<LandingFigures> {
  const { seconds = 10, connections = 50, visitors = 5000 } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const once = (n: number) =>
    new Promise<number>((resolve, reject) => {
      const headers = { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 'user-agent': 'bench' };
      get(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      }).on('error', reject);
    });
  const latencies: number[] = [];
  let non200 = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      if ((await once(next++ % visitors)) !== 200) non200 += 1;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    non200,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

/** The same load against a bare Express route (no middleware) served in this process. */
export async function measureBareExpress(options: { seconds?: number; connections?: number } = {}): Promise<LandingFigures> {
  const app = express();
  app.get('/r/:code', (req, res) => void res.send(`<html><body>${req.params.code}</body></html>`));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const address = server.address() as { port: number };
    return await measureLanding(`http://127.0.0.1:${address.port}/r/ABC234`, options);
  } finally {
    server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startApp } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const { createLogger } = await import('../../src/logger.js');
  const seconds = Number(process.argv[2] ?? 10);
  const app = await startApp(loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'silent' }), createLogger('silent'));
  try {
    const joined = await app.services.customers.join({ identity: 'telegram:990001', chatId: '990001', displayName: 'An', locale: 'vi' });
    const code = (await app.services.customers.findByIdentity('telegram:990001'))?.code;
    if (!code) throw new Error(`no customer to link to: ${JSON.stringify(joined)}`);
    const landing = await measureLanding(`${app.listenUrl}/r/${code}`, { seconds });
    await app.services.referrals.flushLinkOpens();
    const bare = await measureBareExpress({ seconds });
    const f = (x: LandingFigures) => `${x.perSecond.toFixed(0)} req/s, p99 ${x.p99Ms.toFixed(1)} ms, ${x.non200} not 200`;
    console.log(`GET /r/<code>: ${f(landing)}; bare Express: ${f(bare)}; ratio ${(landing.perSecond / bare.perSecond).toFixed(2)}`);
    console.log(`link opens stored: ${await app.models.LinkOpen.countDocuments({ code })} (one per visitor address)`);
  } finally {
    await app.stop();
  }
}
