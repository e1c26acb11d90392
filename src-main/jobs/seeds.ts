import crypto from 'node:crypto';

/** Random seeds stay within 32 bits, as A1111 picks them, so every tool can type them back in. */
export const MAX_SEED_RANDOM = 2 ** 32 - 1;

export function randomSeed(): number {
  return crypto.randomInt(0, MAX_SEED_RANDOM);
}
