/**
 * Power, sample size and minimum detectable effect for paired binary comparisons
 * (../shared/stats-reference §6). p10 = P(only the candidate is bad), p01 = P(only the baseline is bad);
 * ψ = p10 + p01 is the discordance and δ = p10 − p01 the true difference Δ.
 */
import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import binomialPmf from "@stdlib/stats-base-dists-binomial-pmf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { checkCount, checkOpenProbability } from "./interval.js";
import { mcnemarExactOneSided, mcnemarExactTwoSided } from "./mcnemar.js";
import type { Alternative } from "./tango.js";

export interface PairedProbabilities {
  p10: number;
  p01: number;
}

function checkCells({ p10, p01 }: PairedProbabilities): void {
  if (!(p10 >= 0 && p01 >= 0 && p10 + p01 <= 1)) {
    throw new RangeError(`expected p10, p01 ≥ 0 with p10 + p01 ≤ 1, got p10 = ${p10}, p01 = ${p01}`);
  }
}

/** z_{1−q}, written as −Φ⁻¹(q) so that a small q keeps its digits. */
function zUpper(q: number): number {
  return -normalQuantile(q, 0, 1);
}

export interface ConnorInput extends PairedProbabilities {
  alpha: number;
  /** 1 for a one-sided test, 2 for two-sided. */
  sided: 1 | 2;
}

/**
 * Connor (1987) sample size for McNemar's test: n = [z_{1−α/s}√ψ + z_{power}√(ψ − δ²)]²/δ².
 * Returns the raw n and the whole number of pairs to plan for.
 */
export function mcnemarSampleSize(input: ConnorInput & { power: number }): {
  nRaw: number;
  nCeiling: number;
} {
  const { p10, p01, alpha, power, sided } = input;
  checkCells(input);
  checkOpenProbability("alpha", alpha);
  checkOpenProbability("power", power);
  const psi = p10 + p01;
  const delta = p10 - p01;
  if (delta === 0) return { nRaw: Number.POSITIVE_INFINITY, nCeiling: Number.POSITIVE_INFINITY };
  const root =
    zUpper(alpha / sided) * Math.sqrt(psi) + normalQuantile(power, 0, 1) * Math.sqrt(psi - delta * delta);
  const nRaw = (root * root) / (delta * delta);
  return { nRaw, nCeiling: Math.ceil(nRaw) };
}

/**
 * Connor's power for n pairs: Φ((|δ|√n − z√ψ)/√(ψ − δ²)). For a two-sided test `plusOppositeTail` also adds
 * the (usually negligible) probability of rejecting in the wrong direction, as some calculators print.
 */
export function mcnemarPower(input: ConnorInput & { n: number }): {
  power: number;
  plusOppositeTail: number;
} {
  const { n, p10, p01, alpha, sided } = input;
  checkCells(input);
  checkOpenProbability("alpha", alpha);
  const psi = p10 + p01;
  const delta = Math.abs(p10 - p01);
  const z = zUpper(alpha / sided);
  const sd = Math.sqrt(psi - delta * delta);
  const power = normalCdf((delta * Math.sqrt(n) - z * Math.sqrt(psi)) / sd, 0, 1);
  const opposite = sided === 2 ? normalCdf((-delta * Math.sqrt(n) - z * Math.sqrt(psi)) / sd, 0, 1) : 0;
  return { power, plusOppositeTail: power + opposite };
}

/**
 * Exact power of the exact conditional McNemar test, by enumeration: K = b + c ~ Bin(N, ψ), b | K ~
 * Bin(K, p10/ψ), and the test rejects when its exact p ≤ α ("one_sided" is the gate's "candidate worse"
 * test). The same construction as SAS PROC POWER `DIST=EXACT_COND` and R `exact2x2::powerPaired2x2`.
 *
 * Sums only the K within 9 standard deviations (+ 10) of Nψ: the mass left out is below 1e-18, and the
 * sum then costs O(√N) binomial tail evaluations rather than O(N).
 */
export function mcnemarExactPower(input: {
  nPairs: number;
  p10: number;
  p01: number;
  alpha: number;
  test: "one_sided" | "two_sided";
}): number {
  const { nPairs: n, p10, p01, alpha, test } = input;
  checkCount("nPairs", n);
  checkCells(input);
  checkOpenProbability("alpha", alpha);
  const psi = p10 + p01;
  if (n === 0 || psi === 0) return 0;
  const pi = p10 / psi;
  const sd = Math.sqrt(n * psi * (1 - psi));
  const from = Math.max(0, Math.floor(n * psi - 9 * sd - 10));
  const to = Math.min(n, Math.ceil(n * psi + 9 * sd + 10));
  let power = 0;
  // The rejection region's edges never move back as K grows (a tail probability at a fixed count only
  // shrinks with more discordant pairs), so each is found by stepping on from its value at K − 1.
  let upper = 0; // one-sided: the smallest b that rejects
  let m = -1; // two-sided: rejects when min(b, c) ≤ m, i.e. b ≤ m or b ≥ K − m
  for (let k = from; k <= to; k++) {
    const weight = binomialPmf(k, n, psi);
    if (weight === 0) continue;
    if (test === "one_sided") {
      upper = Math.max(upper, Math.ceil(k / 2));
      while (upper <= k && mcnemarExactOneSided(upper, k - upper) > alpha) upper++;
      power += weight * upperTail(upper, k, pi);
    } else {
      while (m + 1 < k / 2 && mcnemarExactTwoSided(m + 1, k - m - 1) <= alpha) m++;
      if (m >= 0) power += weight * (upperTail(k - m, k, pi) + binomialCdf(m, k, pi));
    }
  }
  return Math.min(1, power);
}

/** P(Bin(k, π) ≥ b), as the lower tail of the complement so that small tails keep their digits. */
function upperTail(b: number, k: number, pi: number): number {
  if (b > k) return 0;
  if (b <= 0) return 1;
  return binomialCdf(k - b, k, 1 - pi);
}

/**
 * Large-sample power of the paired score (Tango) test of Δ = δ₀ against `alternative`, for true cell
 * probabilities (p10, p01) and n pairs — the approach of Nam (1997): the statistic's null variance uses
 * the constrained estimate of p01 under δ₀ evaluated at the true probabilities, its alternative variance
 * is (ψ − δ²)/n. At δ₀ = 0 this is exactly Connor's one-sided power.
 */
export function pairedScorePower(input: {
  n: number;
  p10: number;
  p01: number;
  margin: number;
  alpha: number;
  alternative: Alternative;
}): number {
  const { n, margin, alpha, alternative } = input;
  checkCells(input);
  checkOpenProbability("alpha", alpha);
  const { s0, s1, delta } = scoreSpread(input, margin);
  const shift = alternative === "greater" ? delta - margin : margin - delta;
  const numerator = shift * Math.sqrt(n) - zUpper(alpha) * s0;
  if (!(s1 > 0)) return numerator > 0 ? 1 : 0;
  return normalCdf(numerator / s1, 0, 1);
}

/** Pairs needed for the score test to reach `power` (same approximation as `pairedScorePower`). */
export function pairedScoreSampleSize(input: {
  p10: number;
  p01: number;
  margin: number;
  alpha: number;
  power: number;
  alternative: Alternative;
}): number {
  const { margin, alpha, power, alternative } = input;
  checkCells(input);
  checkOpenProbability("alpha", alpha);
  checkOpenProbability("power", power);
  const { s0, s1, delta } = scoreSpread(input, margin);
  const shift = alternative === "greater" ? delta - margin : margin - delta;
  if (!(shift > 0)) return Number.POSITIVE_INFINITY;
  const root = zUpper(alpha) * s0 + normalQuantile(power, 0, 1) * s1;
  return Math.ceil((root * root) / (shift * shift));
}

/** Per-pair standard deviations of the score statistic's numerator under δ₀ (s0) and at the truth (s1). */
function scoreSpread(
  { p10, p01 }: PairedProbabilities,
  margin: number,
): { s0: number; s1: number; delta: number } {
  const psi = p10 + p01;
  const delta = p10 - p01;
  const b = -psi + (2 - p10 + p01) * margin;
  const c = -p01 * margin * (1 - margin);
  const root = Math.sqrt(Math.max(0, b * b - 8 * c));
  const p21 = b > 0 ? (-2 * c) / (b + root) : (root - b) / 4;
  return {
    s0: Math.sqrt(Math.max(0, 2 * p21 + margin - margin * margin)),
    s1: Math.sqrt(Math.max(0, psi - delta * delta)),
    delta,
  };
}

/**
 * Cell probabilities for a true difference δ on top of a background discordance ψ₀ split evenly:
 * p10 = ψ₀/2 + max(δ, 0), p01 = ψ₀/2 + max(−δ, 0). Δ = 0 gives the null with the observed noise; a
 * regression adds pairs where only the candidate fails. This is how the gate turns one observed suite
 * into a power statement.
 */
export function shiftedCells(background: number, delta: number): PairedProbabilities {
  return { p10: background / 2 + Math.max(delta, 0), p01: background / 2 + Math.max(-delta, 0) };
}

/**
 * Minimum detectable effect: the true Δ, beyond `margin` in the direction of `alternative`, at which the
 * score test over n pairs reaches `power`, with background discordance ψ₀ (see `shiftedCells`). Returns
 * null when not even the largest possible Δ reaches that power. Power rises monotonically with the
 * distance from the margin, so bisection finds it.
 */
export function minimumDetectableEffect(input: {
  n: number;
  discordance: number;
  margin: number;
  alpha: number;
  power: number;
  alternative: Alternative;
}): number | null {
  const { n, discordance, margin, alpha, power, alternative } = input;
  checkOpenProbability("power", power);
  const sign = alternative === "greater" ? 1 : -1;
  const limit = 1 - discordance; // p10 + p01 ≤ 1
  const at = (distance: number) =>
    pairedScorePower({
      n,
      ...shiftedCells(discordance, margin + sign * distance),
      margin,
      alpha,
      alternative,
    });
  const far = sign > 0 ? limit - margin : limit + margin;
  if (!(far > 0) || at(far) < power) return null;
  let lo = 0;
  let hi = far;
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) >= power) hi = mid;
    else lo = mid;
  }
  return margin + sign * hi;
}

/**
 * A mean difference with standard error `se` tested with a t reference on `df` degrees of freedom (the
 * cluster-robust test): the distance from the margin detectable with `power`, (t_{1−α} + t_{power})·se,
 * and the power at a given distance, 1 − F_t(t_{1−α} − distance/se).
 */
export function tTestDetectableDistance(se: number, df: number, alpha: number, power: number): number {
  return (-tQuantile(alpha, df) + tQuantile(power, df)) * se;
}

export function tTestPower(se: number, df: number, alpha: number, distance: number): number {
  if (!(se > 0)) return distance > 0 ? 1 : 0;
  return tCdf(distance / se + tQuantile(alpha, df), df);
}

/**
 * Minimum detectable effect of the exact one-sided McNemar test (the gate's test at margin 0), by its
 * exact power (`mcnemarExactPower`), not Connor's approximation: the smallest true Δ > 0 on top of a
 * background discordance ψ₀ (see `shiftedCells`) at which the test over n pairs at `alpha` has `power`.
 * Null when not even the largest possible Δ reaches it. Exact power rises with Δ at fixed n, so bisection
 * finds it (to 5e-5, below the 0.1-point precision it is printed with).
 */
export function exactMinimumDetectableEffect(input: {
  n: number;
  discordance: number;
  alpha: number;
  power: number;
}): number | null {
  const { n, discordance, alpha, power } = input;
  return remembered(`mde ${n} ${discordance} ${alpha} ${power}`, () =>
    exactMde(n, discordance, alpha, power),
  );
}

/**
 * Results of the exact searches, by their inputs: a run (or a simulation of many suites) asks the same
 * questions for the same N and discordant count again and again, and each answer costs dozens of exact
 * power sums. Pure functions of their inputs, so remembering them changes no answer; bounded in size.
 */
const answers = new Map<string, number | null>();
function remembered(key: string, compute: () => number | null): number | null {
  const known = answers.get(key);
  if (known !== undefined) return known;
  if (answers.size >= 20_000) answers.clear();
  const value = compute();
  answers.set(key, value);
  return value;
}

function exactMde(n: number, discordance: number, alpha: number, power: number): number | null {
  checkOpenProbability("power", power);
  const at = (delta: number) =>
    mcnemarExactPower({ nPairs: n, ...shiftedCells(discordance, delta), alpha, test: "one_sided" });
  const far = 1 - discordance;
  if (n === 0 || !(far > 0) || at(far) < power) return null;
  // The score test's MDE (Connor's power) is within a few per cent of the exact one: bracket around it,
  // so that bisection needs few evaluations of the exact power.
  const guess = minimumDetectableEffect({ n, discordance, margin: 0, alpha, power, alternative: "greater" });
  let lo = 0;
  let hi = far;
  if (guess !== null) {
    const down = guess * 0.85;
    const up = Math.min(far, guess * 1.25);
    if (at(up) >= power) hi = up;
    if (down < hi && at(down) < power) lo = down;
  }
  while (hi - lo > 5e-5) {
    const mid = (lo + hi) / 2;
    if (at(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Pairs the exact one-sided McNemar test needs for `power` at true Δ = `delta` over background ψ₀: the
 * first n at which the exact power reaches it, by bisection from Connor's n (exact power saw-tooths in n
 * by a fraction of a point, so this is "about n"). Null when no n would do (Δ ≤ 0 or Δ + ψ₀ > 1) or more
 * than ten million pairs would be needed.
 */
export function exactMcnemarSampleSize(input: {
  delta: number;
  discordance: number;
  alpha: number;
  power: number;
}): number | null {
  const { delta, discordance, alpha, power } = input;
  checkOpenProbability("power", power);
  return remembered(`n ${delta} ${discordance} ${alpha} ${power}`, () =>
    exactSampleSize(delta, discordance, alpha, power),
  );
}

function exactSampleSize(delta: number, discordance: number, alpha: number, power: number): number | null {
  if (!(delta > 0) || delta + discordance > 1) return null;
  const cells = shiftedCells(discordance, delta);
  const at = (n: number) => mcnemarExactPower({ nPairs: n, ...cells, alpha, test: "one_sided" });
  const connor = mcnemarSampleSize({ ...cells, alpha, power, sided: 1 }).nCeiling;
  if (!Number.isFinite(connor)) return null;
  let hi = Math.max(1, Math.ceil(connor * 1.1));
  while (at(hi) < power) {
    hi *= 2;
    if (hi > 1e7) return null;
  }
  let lo = Math.floor(Math.min(hi - 1, connor * 0.9));
  if (lo > 0 && at(lo) >= power) lo = 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
