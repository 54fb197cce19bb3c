/**
 * McNemar tests on the discordant pairs of a paired 2×2 table. Orientation (../shared/stats-reference):
 * b = n12 = regressions (only the candidate is bad), c = n21 = improvements. Conditional on the
 * b + c discordant pairs, B ~ Binomial(b + c, ½) under H0.
 */
import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import binomialPmf from "@stdlib/stats-base-dists-binomial-pmf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { checkCount } from "./interval.js";

function checkCounts(b: number, c: number): void {
  checkCount("b", b);
  checkCount("c", c);
}

/**
 * Exact conditional McNemar test, one-sided for "candidate worse": p = P(B ≥ b).
 *
 * Evaluated as the lower tail P(B ≤ c), equal by the symmetry of Bin(n, ½). An upper tail computed as
 * 1 − P(B ≤ b − 1) would cancel catastrophically for strong regressions (e.g. reference row
 * mcn-exact1-scipy-25-2, p ≈ 2.8e-6 checked to 1e-9 relative), whereas the lower tail keeps full
 * relative precision however small it is.
 *
 * b = c = 0 gives 1 (reference row mcn-exact1-scipy-0-0): with no discordant pairs there is no
 * evidence of a difference. R and scipy reject n = 0 outright; a gate needs a value.
 */
export function mcnemarExactOneSided(b: number, c: number): number {
  checkCounts(b, c);
  if (b + c === 0) return 1;
  return binomialCdf(c, b + c, 0.5);
}

/**
 * Exact conditional McNemar test, two-sided: p = min(1, 2·P(B ≤ min(b, c))).
 *
 * Doubling the smaller tail equals R `binom.test` / scipy `binomtest` (which sum outcomes no more
 * likely than the observed one) because Bin(n, ½) is symmetric. b = c = 0 gives 1, the same
 * no-evidence convention as the one-sided test (reference row mcn-exact2-scipy-0-0).
 */
export function mcnemarExactTwoSided(b: number, c: number): number {
  checkCounts(b, c);
  if (b + c === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), b + c, 0.5));
}

/**
 * Mid-p McNemar, one-sided for "candidate worse": P(B > b) + ½·P(B = b), with P(B > b) taken as the
 * lower tail P(B < c) for the same precision reason as the exact test. b = c = 0 gives ½, the literal
 * formula (reference row mcn-midp1-scipy-0-0); the gate does not use mid-p.
 */
export function mcnemarMidPOneSided(b: number, c: number): number {
  checkCounts(b, c);
  const n = b + c;
  return (c > 0 ? binomialCdf(c - 1, n, 0.5) : 0) + 0.5 * binomialPmf(b, n, 0.5);
}

/**
 * Mid-p McNemar, two-sided, Fagerland, Lydersen & Laake (2013) eq. (2): 2·P(B ≤ min) − P(B = b) when
 * b ≠ c, and 1 − ½·P(B = b) when b = c — which gives ½ at b = c = 0 (README "Disagreements" 3; reference
 * row mcn-midp2-scipy-0-0 keeps the literal formula).
 */
export function mcnemarMidPTwoSided(b: number, c: number): number {
  checkCounts(b, c);
  const n = b + c;
  const point = binomialPmf(b, n, 0.5);
  if (b === c) return 1 - 0.5 * point;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5) - point);
}

export interface ChiSquareResult {
  /** X² with one degree of freedom; NaN when b + c = 0 (0/0, as R). */
  statistic: number;
  /** The signed normal deviate whose square is X² (uncorrected), or its absolute value (corrected). */
  z: number;
  /** Two-sided p = P(χ²₁ ≥ X²). */
  p: number;
}

/**
 * Asymptotic McNemar test without continuity correction: z = (b − c)/√(b + c), X² = z².
 *
 * P(χ²₁ ≥ z²) is evaluated as 2Φ(−|z|), the same number, because 1 − F_χ²(X²) cancels to nothing
 * for strong effects (reference row mcn-chi2-scipy-40-0, p ≈ 2.5e-10 at 1e-9 relative).
 */
export function mcnemarChiSquare(b: number, c: number): ChiSquareResult & { pOneSided: number } {
  checkCounts(b, c);
  const n = b + c;
  if (n === 0) return { statistic: Number.NaN, z: Number.NaN, p: Number.NaN, pOneSided: Number.NaN };
  const z = (b - c) / Math.sqrt(n);
  return {
    statistic: ((b - c) * (b - c)) / n,
    z,
    p: 2 * normalCdf(-Math.abs(z), 0, 1),
    // "Candidate worse": 1 − Φ(z), written as Φ(−z) for precision.
    pOneSided: normalCdf(-z, 0, 1),
  };
}

/**
 * Asymptotic McNemar test with continuity correction, R `mcnemar.test(correct = TRUE)`: X² =
 * (|b − c| − 1)²/(b + c) only when b ≠ c, so b = c > 0 gives X² = 0 and p = 1 (README "Disagreements" 1;
 * statsmodels corrects at b = c too). z = (|b − c| − 1)/√(b + c) is unsigned, as contingencytables reports it.
 */
export function mcnemarChiSquareCC(b: number, c: number): ChiSquareResult {
  checkCounts(b, c);
  const n = b + c;
  if (n === 0) return { statistic: Number.NaN, z: Number.NaN, p: Number.NaN };
  const excess = b === c ? 0 : Math.abs(b - c) - 1;
  const z = excess / Math.sqrt(n);
  return { statistic: (excess * excess) / n, z, p: 2 * normalCdf(-z, 0, 1) };
}
