import type { Logger } from '../logger.js';

/** Undoes one start-up step: stops what it started and waits until it has. */
export type Stop = () => Promise<void>;

/** Something started, by the name the log gives it. */
export interface StartedPart {
  name: string;
  stop: Stop;
}

/**
 * Stops `parts` last-started first. A part that fails to stop is logged, not thrown, so the
 * ones started before it (the database last) still stop.
 */
export async function stopInReverse(parts: readonly StartedPart[], logger: Logger): Promise<void> {
  for (const { name, stop } of [...parts].reverse()) {
    try {
      await stop();
      logger.debug({ part: name }, 'stopped');
    } catch (error) {
      logger.error({ err: error, part: name }, 'failed to stop cleanly');
    }
  }
}

/**
 * The stoppers of the steps that have run, in start order; `stopAll` runs them in reverse,
 * once even when called twice.
 */
export function createStopList(logger: Logger) {
  const parts: StartedPart[] = [];
  let stopping: Promise<void> | undefined;
  return {
    /** Registers a started step's stopper and hands the step's parts on. */
    add<T extends { stop: Stop }>(name: string, started: T): T {
      parts.push({ name, stop: started.stop });
      return started;
    },
    stopAll: (): Promise<void> => (stopping ??= stopInReverse(parts, logger)),
  };
}
