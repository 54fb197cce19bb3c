/**
 * Two-sided confidence intervals for one binomial proportion, x events out of n, at level `conf`.
 * Conventions follow ../shared/stats-reference/README.md §1. Every method returns [0, 1] for n = 0:
 * with no trials the data say nothing about the proportion, so the honest interval is the whole
 * parameter space rather than NaN.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { clip, type Interval, zForConfidence } from "./interval.js";

function checkTrials(x: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  if (!Number.isSafeInteger(x) || x < 0 || x > n) {
    throw new RangeError(`x must be an integer in [0, n=${n}], got ${x}`);
  }
}

const WHOLE: Interval = { lower: 0, upper: 1 };

/**
 * Wilson score interval (no continuity correction).
 *
 * Clipped to [0, 1]; lower is exactly 0 at x = 0 and upper exactly 1 at x = n. The formula gives
 * these analytically, but floating point can return e.g. −1e-17 (reference rows wilson-scipy-0-1-0.95,
 * wilson-scipy-100000-100000-0.95), and downstream code compares bounds against thresholds.
 */
export function wilsonInterval(x: number, n: number, conf = 0.95): Interval {
  checkTrials(x, n);
  const z = zForConfidence(conf);
  if (n === 0) return { ...WHOLE };
  return wilsonCore(x, n, z, x === 0, x === n);
}

/**
 * Wilson's formula for a real-valued count x ∈ [0, n] (n > 0). Shared by the integer interval above and
 * by the design-effect-adjusted interval of the gate, where x and n are effective (non-integer) counts.
 */
export function wilsonCore(x: number, n: number, z: number, atZero: boolean, atOne: boolean): Interval {
  const z2 = z * z;
  const p = x / n;
  const q = (n - x) / n; // not 1 − p, to keep precision when p is close to 1
  const denom = n + z2;
  const centre = (x + z2 / 2) / denom;
  const half = ((z * Math.sqrt(n)) / denom) * Math.sqrt(p * q + z2 / (4 * n));
  return {
    lower: atZero ? 0 : Math.max(0, centre - half),
    upper: atOne ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Continuity-corrected Wilson interval, Newcombe (1998a) method 4 — as scipy `wilsoncc`. Unlike R
 * `prop.test`, the correction is kept at x = n/2 (README "Disagreements" 2; reference row
 * wilsoncc-scipy-5-10-0.95).
 */
export function wilsonCCInterval(x: number, n: number, conf = 0.95): Interval {
  checkTrials(x, n);
  const z = zForConfidence(conf);
  if (n === 0) return { ...WHOLE };
  const z2 = z * z;
  const p = x / n;
  const nq = n - x;
  const denom = 2 * (n + z2);
  // The radicands are ≥ 0 away from the boundaries, where the bound is fixed anyway; max() guards rounding.
  const lower =
    x === 0 ? 0 : (2 * x + z2 - 1 - z * Math.sqrt(Math.max(0, z2 - 2 - 1 / n + 4 * p * (nq + 1)))) / denom;
  const upper =
    x === n ? 1 : (2 * x + z2 + 1 + z * Math.sqrt(Math.max(0, z2 + 2 - 1 / n + 4 * p * (nq - 1)))) / denom;
  return clip({ lower, upper }, 0, 1);
}

/**
 * Clopper–Pearson exact interval: Beta quantiles, with α/2 in each tail even at the boundary (the R
 * `binom.test` / scipy convention), so 0/n has upper bound 1 − (α/2)^(1/n).
 */
export function clopperPearsonInterval(x: number, n: number, conf = 0.95): Interval {
  checkTrials(x, n);
  zForConfidence(conf); // same validation of conf as every other method
  const alpha = 1 - conf;
  return {
    lower: x === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1),
    upper: x === n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x),
  };
}

/**
 * Equal-tailed Jeffreys interval: α/2 and 1 − α/2 quantiles of Beta(x + ½, n − x + ½), with the
 * Brown–Cai–DasGupta boundary modification (lower = 0 at x = 0, upper = 1 at x = n). statsmodels
 * does not modify the boundary (reference rows carry it as `convention_note.unmodified_value`).
 */
export function jeffreysInterval(x: number, n: number, conf = 0.95): Interval {
  checkTrials(x, n);
  zForConfidence(conf);
  if (n === 0) return { ...WHOLE };
  const alpha = 1 - conf;
  return {
    lower: x === 0 ? 0 : betaQuantile(alpha / 2, x + 0.5, n - x + 0.5),
    upper: x === n ? 1 : betaQuantile(1 - alpha / 2, x + 0.5, n - x + 0.5),
  };
}

/**
 * Agresti–Coull interval in its z² form (ñ = n + z², p̃ = (x + z²/2)/ñ), clipped to [0, 1] as statsmodels
 * does; R `binom` leaves it unclipped (reference field `unclipped`).
 */
export function agrestiCoullInterval(x: number, n: number, conf = 0.95): Interval {
  checkTrials(x, n);
  const z = zForConfidence(conf);
  if (n === 0) return { ...WHOLE };
  const nt = n + z * z;
  const pt = (x + (z * z) / 2) / nt;
  const half = z * Math.sqrt((pt * (1 - pt)) / nt);
  return clip({ lower: pt - half, upper: pt + half }, 0, 1);
}

export const PROPORTION_INTERVALS = {
  wilson: wilsonInterval,
  wilson_cc: wilsonCCInterval,
  clopper_pearson: clopperPearsonInterval,
  jeffreys: jeffreysInterval,
  agresti_coull: agrestiCoullInterval,
} as const;
export type ProportionMethod = keyof typeof PROPORTION_INTERVALS;
