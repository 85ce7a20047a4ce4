import type { RequestHandler } from 'express';
import { RateLimiterMongo, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { Models } from '../db/models/index.js';
import type { Services } from '../services/index.js';

/**
 * Requests one client address may make to the public pages (`/r/*`, `/m/*`, `/qr/*`) per
 * window. A shop's visitors open a link or two; a phone behind a shared network (a mall's
 * Wi-Fi) opening a dozen is still far below this.
 */
export const PUBLIC_PAGE_RATE_LIMIT = { requests: 60, windowSeconds: 60 } as const;

/** How long the shared store may take before a request goes through unlimited. */
const STORE_TIMEOUT_MS = 1000;
/** While the store is away, one warning per this long rather than one per request. */
const WARN_EVERY_MS = 60_000;

export interface RateLimitDeps {
  models: Models;
  services: Services;
  /** The 429 page's HTML for a wait of `seconds`. */
  renderLimited(seconds: number): string;
}

/**
 * Limits requests per client address, counted in MongoDB so that every process behind one
 * address shares the count. The key is a salted hash of the address (nothing stores a raw
 * address). If the store cannot answer, the request is let through: an outage of the
 * limiter must not close the shop's pages.
 */
export function createRateLimit(deps: RateLimitDeps): RequestHandler {
  const connection = deps.models.RateLimit.db;
  const limiter = new RLWrapperTimeouts({
    limiter: new RateLimiterMongo({
      storeClient: connection.getClient(),
      dbName: connection.name,
      tableName: deps.models.RateLimit.collection.collectionName,
      keyPrefix: 'web',
      points: PUBLIC_PAGE_RATE_LIMIT.requests,
      duration: PUBLIC_PAGE_RATE_LIMIT.windowSeconds,
      // Its TTL index does not exist on FerretDB; the model declares the unique key and the job prunes.
      disableIndexesCreation: true,
    }),
    timeoutMs: STORE_TIMEOUT_MS,
  });
  let lastWarning = 0;

  return async (req, res, next) => {
    try {
      await limiter.consume(await deps.services.referrals.hashVisitor(`ip:${req.ip ?? ''}`));
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        res.status(429).set('retry-after', String(seconds)).send(deps.renderLimited(seconds));
        return;
      }
      if (Date.now() - lastWarning > WARN_EVERY_MS) {
        lastWarning = Date.now();
        req.log.warn({ err: error }, 'rate limit store unreachable; public pages are not limited meanwhile');
      }
    }
    next();
  };
}
