import type { RequestHandler } from 'express';
import type { Services } from '../services/index.js';

/**
 * Requests one client address may make to the public pages (`/r/*`, `/m/*`, `/qr/*`) per
 * window. A shop's visitors open a link or two; a phone behind a shared network (a mall's
 * Wi-Fi) opening a dozen is still far below this.
 */
export const PUBLIC_PAGE_RATE_LIMIT = { requests: 60, windowSeconds: 60 } as const;

export interface RateLimitDeps {
  services: Pick<Services, 'referrals'>;
  /** The 429 page's HTML for a wait of `seconds`. */
  renderLimited(seconds: number): string;
}

/**
 * Limits requests per client address, counted in this process's memory in fixed windows:
 * the pages are the hot path (a shared post of a link), so a request costs no database
 * command. Behind a load balancer each process counts its own share, so one client gets at
 * most the limit per process. The key is a salted hash of the address; nothing stores a raw
 * address.
 */
export function createRateLimit(deps: RateLimitDeps): RequestHandler {
  const windowMs = PUBLIC_PAGE_RATE_LIMIT.windowSeconds * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return async (req, res, next) => {
    const now = Date.now();
    // Windows that ended are forgotten once a window, so memory follows the clients of a minute.
    if (now - lastSweep >= windowMs) {
      lastSweep = now;
      for (const [key, window] of windows) if (now - window.start >= windowMs) windows.delete(key);
    }
    // Without the salt (the database away at start) the request goes through: an outage must not close the shop's pages.
    const client = await deps.services.referrals.hashVisitor(`ip:${req.ip ?? ''}`).catch(() => undefined);
    if (client === undefined) {
      next();
      return;
    }
    let window = windows.get(client);
    if (!window || now - window.start >= windowMs) windows.set(client, (window = { start: now, count: 0 }));
    window.count += 1;
    if (window.count <= PUBLIC_PAGE_RATE_LIMIT.requests) {
      next();
      return;
    }
    // The window began at most a whole window ago; waiting one window is always enough.
    res.status(429).set('retry-after', String(PUBLIC_PAGE_RATE_LIMIT.windowSeconds)).send(deps.renderLimited(PUBLIC_PAGE_RATE_LIMIT.windowSeconds));
  };
}
