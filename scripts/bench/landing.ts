import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { projectRoot } from '../../src/paths.js';
import { round } from './chat.js';
import type { Figure } from './report.js';

interface Load {
  requests: number;
  perSecond: number;
  non2xx: number;
  errors: number;
  p99Ms: number;
}

/**
 * Opens `url` from `connections` keep-alive connections for `seconds`. Each request comes
 * from a visitor of its own (its own loopback address in X-Forwarded-For, which the app
 * trusts from loopback as from its reverse proxy), so every request is a click to record and
 * none is turned away by the per-address limit.
 */
async function load(url: string, seconds: number, connections: number): Promise<Load> {
  let visitor = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          visitor += 1;
          const address = `127.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.${visitor & 255}`;
          return { ...request, headers: { ...request.headers, 'x-forwarded-for': address, 'user-agent': `bench-visitor-${visitor}` } };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p99Ms: result.latency.p99,
  };
}

/** Starts the bare route in a process of its own (as the app is), runs the same load on it, stops it. */
async function bareRoute(seconds: number, connections: number): Promise<Load> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'bench', 'bare-route.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', () => reject(new Error('the bare route did not start')));
  });
  try {
    return await load(`http://127.0.0.1:${port}/r/BARE01`, seconds, connections);
  } finally {
    child.kill('SIGTERM');
  }
}

/** `GET /r/<code>` on the running app, beside the bare route; `recorded` counts the clicks the app kept (read after its clean stop), which covers the pages autocannon got back. */
export async function landingPage(listenUrl: string, code: string, options: { seconds: number; connections: number }) {
  const bare = await bareRoute(options.seconds, options.connections);
  const app = await load(`${listenUrl}/r/${code}`, options.seconds, options.connections);
  return {
    bare,
    app,
    figure(recorded: number): Figure {
      const ratio = app.perSecond / bare.perSecond;
      return {
        id: 'landing',
        label: '`GET /r/<code>` with the click recorded',
        measured:
          `${round(app.perSecond)} req/s (p99 ${app.p99Ms} ms, ${app.non2xx + app.errors} failed; ${recorded} clicks recorded for ${app.requests - app.non2xx} pages served), ` +
          `bare Express route ${round(bare.perSecond)} req/s`,
        ratio: { value: ratio, of: 'the bare Express route' },
        target: '≥ 1,500 req/s',
        // Requests still in flight when the load stops are served and recorded but not counted by autocannon.
        met: app.perSecond >= 1500 && recorded >= app.requests - app.non2xx && app.non2xx + app.errors === 0,
        detail: {
          requests: app.requests,
          perSecond: round(app.perSecond),
          p99Ms: app.p99Ms,
          non2xx: app.non2xx,
          errors: app.errors,
          recorded,
          bareRequests: bare.requests,
          barePerSecond: round(bare.perSecond),
          seconds: options.seconds,
          connections: options.connections,
        },
      };
    },
  };
}
