/**
 * Tango's (1998) score statistic for a paired difference of proportions, and the test and interval
 * built from it. The test at a margin δ₀ and the interval are inversions of one statistic, so "the test
 * rejects Δ ≤ δ₀ at α" and "δ₀ lies below the 1 − 2α interval" are the same statement — the property
 * the gate needs when `margin` ≠ 0.
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import type { Interval } from "./interval.js";
import { zForConfidence } from "./interval.js";
import { checkTable, type PairedTable, whole } from "./paired-difference.js";

/**
 * T(δ) = (n12 − n21 − Nδ)/√(N(2p̃21 + δ(1 − δ))), with p̃21 the constrained maximum-likelihood estimate of
 * P(only the baseline is bad) under Δ = δ. Decreasing in δ; +∞ / −∞ where the variance vanishes.
 */
export function tangoStatistic(t: PairedTable, deltaIn: number): number {
  const total = checkTable(t);
  // A δ within 1e-12 of 0 makes δ(1 − δ) underflow to a zero variance and T jump to ±∞,
  // while T is continuous there; such a δ is 0 for every practical margin.
  const delta = Math.abs(deltaIn) < 1e-12 ? 0 : deltaIn;
  const numerator = t.n12 - t.n21 - total * delta;
  if (numerator === 0) return 0;
  const a = 2 * total;
  const b = -t.n12 - t.n21 + (2 * total - t.n12 + t.n21) * delta;
  const c = -t.n21 * delta * (1 - delta);
  const root = Math.sqrt(Math.max(0, b * b - 4 * a * c));
  // The positive root of aX² + bX + c, in the form that does not cancel for either sign of b.
  const p21 = b > 0 ? (-2 * c) / (b + root) : (root - b) / (2 * a);
  const variance = total * (2 * p21 + delta * (1 - delta));
  if (!(variance > 0)) return numerator > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return numerator / Math.sqrt(variance);
}

export type Alternative = "greater" | "less";

export interface ScoreTest {
  statistic: number;
  /** One-sided p for the alternative: Δ > δ₀ ("greater", candidate worse than the margin) or Δ < δ₀. */
  p: number;
  pTwoSided: number;
}

/** Tango's score test of Δ = δ₀ (normal reference). With no pairs there is no evidence: p = 1. */
export function tangoScoreTest(t: PairedTable, delta0 = 0, alternative: Alternative = "greater"): ScoreTest {
  if (!(delta0 > -1 && delta0 < 1)) throw new RangeError(`δ₀ must be in (−1, 1), got ${delta0}`);
  if (checkTable(t) === 0) return { statistic: Number.NaN, p: 1, pTwoSided: 1 };
  const z = tangoStatistic(t, delta0);
  return {
    statistic: z,
    p: normalCdf(alternative === "greater" ? -z : z, 0, 1),
    pTwoSided: Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)),
  };
}

/**
 * Tango score interval: L solves T(δ) = z and U solves T(δ) = −z, z = Φ⁻¹(1 − α/2). d = −1 gives L = −1
 * and d = 1 gives U = 1 (T has no root there). Bisection to below 1e-15, well inside the 1e-9 the
 * reference asks for; T is monotone, so bisection cannot miss the root.
 */
export function tangoScoreInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t);
  if (total === 0) return whole(conf);
  const z = zForConfidence(conf);
  const d = (t.n12 - t.n21) / total;
  return {
    lower: d === -1 ? -1 : solveDecreasing((x) => tangoStatistic(t, x) - z, -1, d),
    upper: d === 1 ? 1 : solveDecreasing((x) => tangoStatistic(t, x) + z, d, 1),
  };
}

/** Root of a decreasing function with f(lo) ≥ 0 ≥ f(hi), by bisection. */
function solveDecreasing(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
