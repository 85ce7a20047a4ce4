import type { Program } from './schema.js';

/**
 * The one rules object every part of a process holds (services, channels, jobs, the
 * notification renderer, the pages), kept current in place: a new version replaces its
 * top-level sections, so code that reads `program.rewards.friend` when it acts sees the new
 * rules without being rebuilt. Code must therefore not keep a section (or anything derived
 * from one) from construction time; what is derived (the daily summary's schedule) listens
 * with `onChange`.
 */
export interface LiveProgram {
  /** The object everyone holds; its sections change when a new version arrives. */
  readonly program: Program;
  /** The version in force here (0 until the stored versions have been read). */
  readonly version: number;
  /** Puts `rules` (already parsed) in force as `version`; an older or equal version is ignored. Returns whether it changed. */
  replace(rules: Program, version: number): Promise<boolean>;
  /** Called after each change, in order; a listener's failure is reported to `onError`, not thrown. */
  onChange(listener: (program: Program, version: number) => Promise<void> | void): void;
}

export function createLiveProgram(program: Program, onError: (error: unknown) => void): LiveProgram {
  let version = 0;
  const listeners: Array<(program: Program, version: number) => Promise<void> | void> = [];
  const sections = program as unknown as Record<string, unknown>;
  return {
    program,
    get version() {
      return version;
    },
    async replace(rules, next) {
      if (next <= version) return false;
      version = next;
      for (const key of Object.keys(sections)) if (!Object.hasOwn(rules, key)) delete sections[key];
      Object.assign(sections, structuredClone(rules));
      for (const listener of listeners) {
        try {
          await listener(program, next);
        } catch (error) {
          onError(error);
        }
      }
      return true;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
