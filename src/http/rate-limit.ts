import { createHmac, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

/**
 * Requests one client address may make to the public pages (`/r/*`, `/m/*`, `/qr/*`, `/download/*`, `/privacy`) per
 * window. A shop's visitors open a link or two; a phone behind a shared network (a mall's
 * Wi-Fi) opening a dozen is still far below this.
 */
export const PUBLIC_PAGE_RATE_LIMIT = { requests: 60, windowSeconds: 60 } as const;

/**
 * Limits requests per client address, counted in this process's memory (express-rate-limit's
 * own store): the pages are the hot path (a link shared in a group chat), so a view costs no
 * database command, and an outage of the database cannot close the pages. Behind a load
 * balancer each process counts its own share, so one client gets at most the limit per
 * process. The key is a keyed hash of the address (IPv6 by its /56, as one household), with a
 * key that lives only in this process, so not even memory holds a raw address.
 */
export function createRateLimit(deps: { renderLimited(seconds: number): string }): RequestHandler {
  const key = randomBytes(32);
  return rateLimit({
    windowMs: PUBLIC_PAGE_RATE_LIMIT.windowSeconds * 1000,
    limit: PUBLIC_PAGE_RATE_LIMIT.requests,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) =>
      createHmac('sha256', key)
        .update(ipKeyGenerator(req.ip ?? ''))
        .digest('base64url'),
    handler: (_req, res) => {
      // The window began at most a whole window ago; waiting one window is always enough.
      const seconds = PUBLIC_PAGE_RATE_LIMIT.windowSeconds;
      res.status(429).set('retry-after', String(seconds)).send(deps.renderLimited(seconds));
    },
  });
}
