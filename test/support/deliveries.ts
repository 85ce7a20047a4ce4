import type { Models } from '../../src/db/models/index.js';

/**
 * Waits until every notification due now went out (sent, or given up), so that a message
 * still to come would already have reached the emulator: "exactly one" can then be asserted
 * without sleeping.
 */
export async function waitForDeliveries(models: Models, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const due = () => models.Notification.countDocuments({ status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: new Date() } });
  while ((await due()) > 0) {
    if (Date.now() > deadline) throw new Error(`notifications still due after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
