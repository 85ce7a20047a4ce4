import { createHmac, randomBytes } from 'node:crypto';
import type { ServicePieces } from './context.js';

/** Setting that holds the secret salt of visitor hashes, made once and shared by every process. */
const VISITOR_SALT_KEY = 'visitor_salt';

/**
 * A visitor as it may be stored (link opens): a salted hash (HMAC-SHA-256) of what identifies
 * them (the client address and browser, or a chat identity), never the raw value.
 */
export function createVisitorHash(tickets: ServicePieces['tickets']) {
  let salt: Promise<string> | undefined;

  /** The salt, created by whichever process asks first; the unique key makes every process read the same one. */
  function visitorSalt(): Promise<string> {
    salt ??= tickets.permanent(VISITOR_SALT_KEY, () => randomBytes(32).toString('base64url'));
    // A failed read (database away) is tried again next time.
    void salt.catch(() => (salt = undefined));
    return salt;
  }

  return async function hashVisitor(visitor: string): Promise<string> {
    return createHmac('sha256', await visitorSalt())
      .update(visitor)
      .digest('base64url');
  };
}
