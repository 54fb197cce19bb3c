/**
 * Seeded randomness for attack transforms. Every choice a transform makes (a template, a
 * position, which letters to swap) comes from a generator seeded by the run's seed, the
 * case id and the transform, so the same config always yields the same attack cases —
 * and adding a case or a transform never changes the variants of the others.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { sha256 } from "../io/canonical.js";

export interface Rng {
  /** Whole number from `from` to `to`, both included. */
  int(from: number, to: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRng(...parts: (string | number)[]): Rng {
  const seed = Number.parseInt(sha256(parts.join("\u0000")).slice(0, 8), 16) | 0;
  const gen = xoroshiro128plus(seed);
  const int = (from: number, to: number) => uniformInt(gen, from, to);
  return {
    int,
    chance: (p) => int(0, 999_999) < p * 1_000_000,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[int(0, items.length - 1)] as T;
    },
  };
}
