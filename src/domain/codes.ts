import { randomInt } from 'node:crypto';

/** Upper-case letters and digits without look-alikes: no 0/O, 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PERSONAL_CODE_LENGTH = 6;
export const VOUCHER_CODE_LENGTH = 8;

export type RandomIndex = (maxExclusive: number) => number;

/** A random code from CODE_ALPHABET; `random` is injectable so tests can force collisions. */
export function generateCode(length: number, random: RandomIndex = randomInt): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[random(CODE_ALPHABET.length)];
  return code;
}

/**
 * What a person typed, as a code to look up: case-insensitive, spaces and dashes ignored.
 * Returns undefined when it cannot be a code (wrong length or a character outside the alphabet).
 */
export function normalizeCode(input: string, lengths: { min: number; max: number } = { min: 6, max: 8 }): string | undefined {
  const code = input
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  if (code.length < lengths.min || code.length > lengths.max) return undefined;
  for (const char of code) if (!CODE_ALPHABET.includes(char)) return undefined;
  return code;
}

/** Retries `attempt` with fresh codes while it reports a collision (a duplicate-key error). */
export async function withUniqueCode<T>(
  length: number,
  attempt: (code: string) => Promise<T>,
  isCollision: (error: unknown) => boolean,
  random: RandomIndex = randomInt,
  maxAttempts = 10,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(generateCode(length, random));
    } catch (error) {
      if (!isCollision(error) || i >= maxAttempts) throw error;
    }
  }
}
