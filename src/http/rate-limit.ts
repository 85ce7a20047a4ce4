import type { RequestHandler } from 'express';
import type { Services } from '../services/index.js';

/**
 * Requests one client address may make to the public pages (`/r/*`, `/m/*`, `/qr/*`) per
 * window. A shop's visitors open a link or two; a phone behind a shared network (a mall's
 * Wi-Fi) opening a dozen is still far below this.
 */
export const PUBLIC_PAGE_RATE_LIMIT = { requests: 60, windowSeconds: 60 } as const;

/** How long the shared count may take before a request goes through unlimited. */
const STORE_TIMEOUT_MS = 1000;

export interface RateLimitDeps {
  services: Pick<Services, 'limits' | 'referrals'>;
  /** The 429 page's HTML for a wait of `seconds`. */
  renderLimited(seconds: number): string;
}

/**
 * Limits requests per client address with the same shared limits as the chats' flood limit
 * (services.limits: claims in the database, so every process behind one address shares the
 * count). The key is a salted hash of the address; nothing stores a raw address. If the
 * count cannot be had in time, the request goes through: an outage of the limiter must not
 * close the shop's pages.
 */
export function createRateLimit(deps: RateLimitDeps): RequestHandler {
  const limit = { messages: PUBLIC_PAGE_RATE_LIMIT.requests, seconds: PUBLIC_PAGE_RATE_LIMIT.windowSeconds };
  return async (req, res, next) => {
    const verdict = await Promise.race([
      deps.services.referrals
        .hashVisitor(`ip:${req.ip ?? ''}`)
        .then((client) => deps.services.limits.flood(`web:${client}`, new Date(), limit))
        .catch(() => 'ok' as const),
      new Promise<'ok'>((resolve) => setTimeout(() => resolve('ok'), STORE_TIMEOUT_MS).unref()),
    ]);
    if (verdict === 'ok') {
      next();
      return;
    }
    // The window began at most a whole window ago; waiting one window is always enough.
    res.status(429).set('retry-after', String(PUBLIC_PAGE_RATE_LIMIT.windowSeconds)).send(deps.renderLimited(PUBLIC_PAGE_RATE_LIMIT.windowSeconds));
  };
}
