/**
 * Confidence intervals for the paired difference of proportions d = p_candidate − p_baseline =
 * (n12 − n21)/N, positive = candidate worse (../shared/stats-reference §3). Every method returns
 * [−1, 1] for N = 0: no pairs means no information about d.
 */
import { clip, type Interval, zForConfidence } from "./interval.js";
import { wilsonInterval } from "./proportion.js";

/**
 * Paired 2×2 table of bad outcomes. Rows are the candidate (bad, ok), columns the baseline (bad, ok):
 * n12 = only the candidate is bad (regressions), n21 = only the baseline is bad (improvements).
 */
export interface PairedTable {
  n11: number;
  n12: number;
  n21: number;
  n22: number;
}

export function checkTable(t: PairedTable): number {
  for (const key of ["n11", "n12", "n21", "n22"] as const) {
    const v = t[key];
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`${key} must be a non-negative integer, got ${v}`);
    }
  }
  return t.n11 + t.n12 + t.n21 + t.n22;
}

/** N = 0: the whole range. An invalid conf is still an error, even with nothing to estimate. */
export function whole(conf: number): Interval {
  zForConfidence(conf);
  return { lower: -1, upper: 1 };
}

/**
 * d = (n12 − n21)/N; positive means the candidate is worse.
 * N = 0 gives NaN: there is no difference to report, and a number here would be invented.
 */
export function pairedDifference(t: PairedTable): number {
  const total = checkTable(t);
  return (t.n12 - t.n21) / total;
}

/**
 * Newcombe (1998b) method 10: hybrid score interval for a paired difference of proportions,
 * square-and-add of the two marginal Wilson intervals with the continuity-adjusted correlation φ*.
 *
 * φ* follows the README exactly, including φ* = 0 when any margin is 0 (φ is then 0/0; reference rows
 * ...-scipy-0-1-0-0 and ...-scipy-3-0-0-0 exercise it).
 *
 * The bounds are written so that swapping n12 and n21 gives exactly (−upper, −lower) in floating point
 * (the cross term multiplies the two distances first, and a² + b² is commutative), so a gate that
 * orients the table either way gets mirror-image answers.
 *
 * Since |φ*| ≤ 1 the bounds already satisfy U ≤ u₁ − l₂ ≤ 1 and L ≥ l₁ − u₂ ≥ −1 analytically; the clamp
 * only removes rounding excess where they touch ±1 (reference rows ...-scipy-0-1-0-0 and
 * ...-scipy-0-0-5-0 expect exactly 1 and −1).
 */
export function newcombeHybridScoreInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t);
  if (total === 0) return whole(conf);
  const { n11, n12, n21, n22 } = t;
  const r1 = n11 + n12; // candidate bad
  const r2 = n21 + n22;
  const c1 = n11 + n21; // baseline bad
  const c2 = n12 + n22;
  const p1 = r1 / total;
  const p2 = c1 / total;
  const d = (n12 - n21) / total;
  const w1 = wilsonInterval(r1, total, conf);
  const w2 = wilsonInterval(c1, total, conf);

  let phi = 0;
  if (r1 > 0 && r2 > 0 && c1 > 0 && c2 > 0) {
    const a = n11 * n22 - n12 * n21;
    // √(r1·r2)·√(c1·c2) rather than √(r1·r2·c1·c2): multiplication is commutative but not associative,
    // and this grouping is what keeps the n12↔n21 mirror bit-exact once the product exceeds 2^53.
    const denom = Math.sqrt(r1 * r2) * Math.sqrt(c1 * c2);
    if (a > total / 2) phi = (a - total / 2) / denom;
    else if (a < 0) phi = a / denom;
  }

  const lower = d - squareAndAdd(p1 - w1.lower, w2.upper - p2, phi);
  const upper = d + squareAndAdd(w1.upper - p1, p2 - w2.lower, phi);
  return { lower: Math.max(-1, lower), upper: Math.min(1, upper) };
}

/** √(a² − 2φab + b²); the max guards rounding below 0 when |φ| ≈ 1 and a ≈ b. */
function squareAndAdd(a: number, b: number, phi: number): number {
  return Math.sqrt(Math.max(0, a * a + b * b - 2 * phi * (a * b)));
}

/** centre ± z·√(variance)/scale, truncated to [−1, 1]; a negative variance term counts as 0. */
function symmetric(centre: number, varianceTerm: number, scale: number, conf: number): Interval {
  const z = zForConfidence(conf);
  const half = (z * Math.sqrt(Math.max(0, varianceTerm))) / scale;
  return clip({ lower: centre - half, upper: centre + half }, -1, 1);
}

/** Wald interval: d ± z·√((n12 + n21) − (n12 − n21)²/N)/N. No discordant pairs gives the point [d, d]. */
export function waldPairedInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t);
  if (total === 0) return whole(conf);
  const diff = t.n12 - t.n21;
  return symmetric(diff / total, t.n12 + t.n21 - (diff * diff) / total, total, conf);
}

/**
 * Wald with continuity correction in the Fagerland et al. (2014) / contingencytables form:
 * SE = √((n12 + n21) − (|n12 − n21| − 1)²/N)/N, and SE = 0 where that radicand is negative (so
 * (1, 0, 0, 0) gives [0, 0]). This is not Fleiss's "± 1/N" correction (README "Disagreements" 8).
 */
export function waldCCPairedInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t);
  if (total === 0) return whole(conf);
  const excess = Math.abs(t.n12 - t.n21) - 1;
  return symmetric((t.n12 - t.n21) / total, t.n12 + t.n21 - (excess * excess) / total, total, conf);
}

/** Agresti & Min (2005): add ½ to every cell, then Wald on the (N + 2) pairs. */
export function agrestiMinPairedInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t) + 2;
  const b = t.n12 + 0.5;
  const c = t.n21 + 0.5;
  return symmetric((b - c) / total, b + c - ((b - c) * (b - c)) / total, total, conf);
}

/**
 * Bonett & Price (2012): p̃12 = (n12 + 1)/(N + 2), p̃21 = (n21 + 1)/(N + 2), interval
 * (p̃12 − p̃21) ± z·√((p̃12 + p̃21 − (p̃12 − p̃21)²)/(N + 2)).
 */
export function bonettPricePairedInterval(t: PairedTable, conf = 0.95): Interval {
  const total = checkTable(t) + 2;
  const b = (t.n12 + 1) / total;
  const c = (t.n21 + 1) / total;
  return symmetric(b - c, (b + c - (b - c) * (b - c)) / total, 1, conf);
}
