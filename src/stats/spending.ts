/**
 * Group sequential boundaries from an α-spending function (Lan & DeMets 1983), one-sided, for a test
 * statistic that is (asymptotically) a standardised Brownian motion in the information fraction t:
 * Z_k·√t_k has independent N(0, t_k − t_{k−1}) increments under the null. At look k the boundary c_k is
 * chosen so that the chance of first crossing at look k is exactly f(t_k) − f(t_{k−1}); the sum over all
 * looks is f(1) = α. The crossing probabilities are integrated numerically over the density of the paths
 * that have not crossed yet (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19), written
 * here by hand: composite Simpson on 101 points from 10 standard deviations below the mean to the previous
 * boundary, which reproduces gsDesign's `sfLDOF` boundaries to 4 decimals (tests/stats/spending.test.ts).
 *
 * The boundary is used as nominal p-value levels: a look's test rejects when its one-sided p ≤ Φ̄(c_k).
 * For an exact (discrete) test such as exact McNemar, P(p ≤ level) ≤ level at every look, so the normal
 * boundary is conservative for it rather than exact.
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

export const SPENDING_FUNCTIONS = ["obrien-fleming"] as const;
export type SpendingFunction = (typeof SPENDING_FUNCTIONS)[number];

/** Upper tail Φ̄(x) = 1 − Φ(x), computed as Φ(−x) so that it keeps its digits far out in the tail. */
const upper = (x: number): number => normalCdf(-x, 0, 1);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const density = (x: number): number => Math.exp(-0.5 * x * x) / SQRT_2PI;

/**
 * The α spent by information fraction t. Lan–DeMets O'Brien–Fleming type:
 * f(t) = 2 − 2Φ(Φ⁻¹(1 − α/2)/√t), which spends almost nothing early (at t = ¼ with α = 0.025, 9·10⁻⁶)
 * and keeps the last look's level close to α.
 */
export function spent(spending: SpendingFunction, alpha: number, t: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(t > 0 && t <= 1)) throw new RangeError(`information fraction must be in (0, 1], got ${t}`);
  if (t === 1) return alpha;
  if (spending !== "obrien-fleming") throw new RangeError(`unknown spending function ${spending}`);
  return 2 * upper(-normalQuantile(alpha / 2, 0, 1) / Math.sqrt(t));
}

/** Points of the integration grid (odd, for Simpson's rule). */
const GRID = 101;
/** The grid starts this many standard deviations below the null mean (the mass below is < 10⁻²³). */
const DEPTH = 10;

/** A function sampled on an even grid, with Simpson weights folded in (w·h·g at each point). */
interface Sampled {
  x: Float64Array;
  /** The integration weight times the density at each point: Σ mass[j]·h(x[j]) ≈ ∫ g·h. */
  mass: Float64Array;
}

function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = ((i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
  return w;
}

/** The sub-density of B(t) = Z·√t at `t` on paths that stayed below every boundary so far, on [lower, top]. */
function sample(lower: number, top: number, at: (x: number) => number): Sampled {
  const x = new Float64Array(GRID);
  const h = (top - lower) / (GRID - 1);
  const w = simpsonWeights(GRID, h);
  const mass = new Float64Array(GRID);
  for (let i = 0; i < GRID; i++) {
    x[i] = lower + i * h;
    mass[i] = (w[i] as number) * at(x[i] as number);
  }
  return { x, mass };
}

/** P(cross at this look) = ∫ g(y)·Φ̄((u − y)/√Δ) dy over the paths still running, and its slope −dP/du. */
function crossing(prev: Sampled, u: number, sd: number): { p: number; slope: number } {
  let p = 0;
  let slope = 0;
  for (let j = 0; j < GRID; j++) {
    const m = prev.mass[j] as number;
    const d = (u - (prev.x[j] as number)) / sd;
    p += m * upper(d);
    slope += (m * density(d)) / sd;
  }
  return { p, slope };
}

export interface Boundary {
  /** z boundary per look (∞ where nothing is spent). */
  z: number[];
  /** Nominal one-sided p-value level per look: Φ̄(z). */
  nominal: number[];
  /** α spent at each look (cumulative f(t_k)). */
  cumulative: number[];
}

/**
 * The boundaries of the looks at information fractions `fractions` (strictly increasing, in (0, 1]; the
 * last is 1 for a full design) for one-sided level `alpha`. Each look's boundary depends only on the
 * looks before it, so the boundaries of looks 1…k are the same whatever comes after (the point of a
 * spending function: later looks need not be planned exactly).
 */
export function spendingBoundary(
  fractions: readonly number[],
  alpha: number,
  spending: SpendingFunction = "obrien-fleming",
): Boundary {
  let previousT = 0;
  for (const t of fractions) {
    if (!(t > previousT && t <= 1)) {
      throw new RangeError(`information fractions must increase within (0, 1], got ${fractions.join(", ")}`);
    }
    previousT = t;
  }
  const z: number[] = [];
  const nominal: number[] = [];
  const cumulative: number[] = [];
  let running: Sampled | undefined;
  let tPrev = 0;
  let fPrev = 0;
  for (const t of fractions) {
    const f = spent(spending, alpha, t);
    const increment = f - fPrev;
    const sd = Math.sqrt(t - tPrev);
    let u: number;
    if (!running) {
      // First look: B(t₁) ~ N(0, t₁), so the boundary is a normal quantile.
      u = increment > 0 ? -normalQuantile(increment, 0, 1) * Math.sqrt(t) : Number.POSITIVE_INFINITY;
    } else if (!(increment > 0)) {
      u = Number.POSITIVE_INFINITY;
    } else {
      const prev: Sampled = running;
      // P(cross) falls as u rises: Newton's method from the fixed-sample boundary, kept inside a
      // shrinking bracket (a bisection step whenever Newton would leave it).
      let lo = -DEPTH * Math.sqrt(t);
      let hi = DEPTH * Math.sqrt(t) + 10;
      u = -normalQuantile(Math.min(increment, 0.5), 0, 1) * Math.sqrt(t);
      for (let i = 0; i < 100; i++) {
        const { p, slope } = crossing(prev, u, sd);
        const gap = p - increment;
        if (gap > 0) lo = u;
        else hi = u;
        const step = slope > 0 ? gap / slope : Number.NaN;
        let next = u + step;
        if (!(next > lo && next < hi)) next = (lo + hi) / 2;
        if (Math.abs(next - u) < 1e-10) {
          u = next;
          break;
        }
        u = next;
      }
    }
    const c = u / Math.sqrt(t);
    z.push(c);
    nominal.push(Number.isFinite(c) ? upper(c) : 0);
    cumulative.push(f);
    // The density of the paths that go on past this look (below u), for the next look.
    const top = Number.isFinite(u) ? u : DEPTH * Math.sqrt(t);
    const lower = -DEPTH * Math.sqrt(t);
    if (!running) {
      const s = Math.sqrt(t);
      running = sample(lower, top, (x) => density(x / s) / s);
    } else {
      const prev: Sampled = running;
      running = sample(lower, top, (x) => {
        let g = 0;
        for (let j = 0; j < GRID; j++)
          g += (prev.mass[j] as number) * density((x - (prev.x[j] as number)) / sd);
        return g / sd;
      });
    }
    tPrev = t;
    fPrev = f;
  }
  return { z, nominal, cumulative };
}

/**
 * The nominal one-sided level of look k (0-based; the last of `fractions`) for a hypothesis tested at
 * overall level `alpha` (a share of the family's α).
 */
export function nominalLevel(
  fractions: readonly number[],
  alpha: number,
  spending: SpendingFunction,
): number {
  if (!(alpha > 0)) return 0;
  if (alpha >= 1) return 1;
  return spendingBoundary(fractions, alpha, spending).nominal.at(-1) as number;
}

/**
 * The stage-wise adjusted p-value of a one-sided p seen at the last of `fractions`: the smallest overall
 * level α′ whose boundary at this look is reached, p ≤ nominalLevel(fractions, α′). So "rejected at
 * this look at level α·w" is exactly "this value ≤ α·w", and a multiplicity procedure on these values
 * (weighted Holm, graphical) is the group sequential version of the same procedure (Maurer & Bretz
 * 2013: each hypothesis spends its own current share of α). At a single look at t = 1 it is p itself.
 */
export function sequentialP(fractions: readonly number[], p: number, spending: SpendingFunction): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (p === 0 || p === 1) return p; // no level reaches p = 1 before α′ = 1
  if (fractions.length === 1 && fractions[0] === 1) return p;
  // nominalLevel rises with α′ and is close to a power law in it: regula falsi (Illinois) on
  // log α′ ↦ log level − log p converges in a few steps where bisection needs forty boundaries.
  const h = (a: number) => Math.log(nominalLevel(fractions, Math.exp(a), spending)) - Math.log(p);
  let lo = Math.log(1e-15);
  let hi = Math.log(1 - 1e-12);
  let hLo = h(lo);
  let hHi = h(hi);
  if (hHi < 0) return 1; // not reached even at α′ → 1
  if (hLo >= 0) return Math.exp(lo);
  let side = 0;
  for (let i = 0; i < 200; i++) {
    // Where the level underflows to 0 (log −∞) the secant is undefined: halve the bracket instead.
    const a = Number.isFinite(hLo) ? (lo * hHi - hi * hLo) / (hHi - hLo) : (lo + hi) / 2;
    const ha = h(a);
    if (Math.abs(ha) < 1e-10 || hi - lo < 1e-12) return Math.exp(a);
    if (ha > 0) {
      hi = a;
      hHi = ha;
      if (side === 1) hLo /= 2;
      side = 1;
    } else {
      lo = a;
      hLo = ha;
      if (side === -1) hHi /= 2;
      side = -1;
    }
  }
  return Math.exp(hi);
}
