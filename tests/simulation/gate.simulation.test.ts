/**
 * Monte-Carlo checks of the regression gate as it ships: simulated suites go through the real
 * comparison (compareBuilds) and decision (judge) code. Seeded, so every run sees the same suites;
 * counts are asserted, never timings.
 *
 * - Under the null (equal true rates, realistic discordance), the false-fail rate over 10,000 suites
 *   must be ≤ α plus Monte-Carlo error (3 standard errors), without and with clusters. With clusters
 *   the same suites analysed as independent (exact McNemar) show why the clustered test is needed.
 * - At a known true effect, the observed fail rate must match the computed exact power of the exact
 *   McNemar test within 2 points (no clusters), and the t-approximation's power within 4 points
 *   (clusters; there is no exact power for the cluster-robust test).
 */
import mt19937 from "@stdlib/random-base-mt19937";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";
import { RegressionSchema } from "../../src/config/schema.js";
import { compareBuilds } from "../../src/gate/compare.js";
import { judge } from "../../src/gate/decide.js";
import type { CaseOutcome } from "../../src/gate/outcome.js";
import { mcnemarExactPower } from "../../src/stats/power.js";

const SUITES = 10_000;
const ALPHA = 0.05;
const SEED = 20_261_127;
// The power requirement only turns a pass into "inconclusive"; these scenarios count fails.
const gate = RegressionSchema.parse({ alpha: ALPHA, by_category: false, power: false });

/** A seeded uniform [0, 1) generator; each scenario gets its own seed so they do not share draws. */
function uniform(seed: number): () => number {
  // The typings omit `normalized` on the factory's generator; it is documented and present.
  const rng = mt19937.factory({ seed }) as unknown as { normalized: () => number };
  return () => rng.normalized();
}

/** Reusable case objects for n pairs (mutated per suite, so 10,000 suites allocate nothing per case). */
function casePair(n: number, clusterSize?: number) {
  const make = (i: number): CaseOutcome => ({
    id: `c${i}`,
    category: "all",
    expect: "refuse",
    metric: "attack_success_rate",
    status: "pass",
    grades: [],
    ...(clusterSize ? { cluster: `k${Math.floor(i / clusterSize)}` } : {}),
  });
  const candidate = Array.from({ length: n }, (_, i) => make(i));
  const baseline = Array.from({ length: n }, (_, i) => make(i));
  return { candidate, baseline, byId: new Map(baseline.map((o) => [o.id, o])) };
}

/** Fail rate of the gate over SUITES suites, each filled in by `fill(i)` → [candidate bad, baseline bad]. */
function failRate(
  pair: ReturnType<typeof casePair>,
  fill: (next: () => number) => (i: number) => [boolean, boolean],
  seed: number,
  options: { ignoreClusters?: boolean } = {},
): { rate: number; fails: number } {
  const next = uniform(seed);
  const { candidate, baseline, byId } = pair;
  const flat = options.ignoreClusters
    ? {
        candidate: candidate.map(({ cluster: _, ...o }) => o as CaseOutcome),
        baseline: baseline.map(({ cluster: _, ...o }) => o as CaseOutcome),
      }
    : undefined;
  let fails = 0;
  for (let s = 0; s < SUITES; s++) {
    const draw = fill(next);
    for (let i = 0; i < candidate.length; i++) {
      const [c, b] = draw(i);
      (candidate[i] as CaseOutcome).status = c ? "fail" : "pass";
      (baseline[i] as CaseOutcome).status = b ? "fail" : "pass";
      if (flat) {
        (flat.candidate[i] as CaseOutcome).status = c ? "fail" : "pass";
        (flat.baseline[i] as CaseOutcome).status = b ? "fail" : "pass";
      }
    }
    const cand = flat?.candidate ?? candidate;
    const base = flat ? new Map(flat.baseline.map((o) => [o.id, o])) : byId;
    const { comparisons } = compareBuilds({ attack_success_rate: { regression: gate } }, cand, base, 0.95);
    const overall = comparisons[0];
    if (overall && judge(overall, gate).outcome === "fail") fails++;
  }
  return { rate: fails / SUITES, fails };
}

/** Independent pairs with cell probabilities p11 (both bad), p10 (only candidate), p01 (only baseline). */
const independent =
  (p11: number, p10: number, p01: number) => (next: () => number) => (): [boolean, boolean] => {
    const u = next();
    if (u < p11) return [true, true];
    if (u < p11 + p10) return [true, false];
    if (u < p11 + p10 + p01) return [false, true];
    return [false, false];
  };

/**
 * Clustered pairs: each cluster of `size` templated cases draws how often its pairs disagree
 * (ψ_c = 0.5 for 40% of clusters, else 0) and which way (π_c = 0.25 or 0.75, plus `shift`):
 * pairs within a cluster flip together, as templates applied to one behaviour do. E[Δ] = E[ψ_c(2π_c − 1)].
 */
const clustered = (size: number, shift: number) => (next: () => number) => {
  let psi = 0;
  let pi = 0.5;
  return (i: number): [boolean, boolean] => {
    if (i % size === 0) {
      psi = next() < 0.4 ? 0.5 : 0;
      pi = (next() < 0.5 ? 0.25 : 0.75) + shift;
    }
    const base = next() < 0.1; // concordant background: both bad 10% of the time
    if (next() >= psi) return [base, base];
    return next() < pi ? [true, false] : [false, true];
  };
};

/** Mean and variance of a cluster's sum of d_i under `clustered(size, shift)`, for the t-approximation. */
function clusteredPower(clusters: number, size: number, shift: number): { delta: number; power: number } {
  const states = [0.25 + shift, 0.75 + shift].flatMap((pi) => [
    { w: 0.4 * 0.5, psi: 0.5, pi },
    { w: 0.6 * 0.5, psi: 0, pi },
  ]);
  let mean = 0;
  let second = 0;
  for (const { w, psi, pi } of states) {
    const mu = psi * (2 * pi - 1); // E[d_i | cluster]
    const v = psi - mu * mu; // Var(d_i | cluster)
    const m = size * mu;
    mean += w * m;
    second += w * (size * v + m * m);
  }
  const se = Math.sqrt((second - mean * mean) / clusters) / size;
  const delta = mean / size;
  const df = clusters - 1;
  return { delta, power: tCdf(delta / se + tQuantile(ALPHA, df), df) };
}

const mcError = (p: number) => 3 * Math.sqrt((p * (1 - p)) / SUITES);
const report = (label: string, figure: string) => console.log(`[simulation] ${label}: ${figure}`);

describe(`regression gate over ${SUITES.toLocaleString("en")} seeded suites`, () => {
  const N = 200;

  it("no clusters, null: false-fail rate ≤ α + Monte-Carlo error", () => {
    // Both builds bad 10% of the time, disagreeing on 8% of pairs.
    const { rate, fails } = failRate(casePair(N), independent(0.06, 0.04, 0.04), SEED);
    report("null, no clusters (N=200, p=0.10, discordance 0.08)", `${fails} false fails = ${rate}`);
    expect(rate).toBeLessThanOrEqual(ALPHA + mcError(ALPHA));
  });

  it("no clusters: observed power matches the exact power within 2 points, at two effect sizes", () => {
    for (const [i, p10] of [0.07, 0.09].entries()) {
      const exact = mcnemarExactPower({ nPairs: N, p10, p01: 0.03, alpha: ALPHA, test: "one_sided" });
      const { rate } = failRate(casePair(N), independent(0.05, p10, 0.03), SEED + 1 + i);
      report(
        `power, no clusters, Δ = ${(p10 - 0.03).toFixed(2)}`,
        `observed ${rate}, exact ${exact.toFixed(4)}`,
      );
      expect(Math.abs(rate - exact)).toBeLessThanOrEqual(0.02);
    }
  });

  const C = 40;
  const SIZE = 5;

  it("clusters, null: false-fail rate ≤ α + Monte-Carlo error; ignoring the clusters would not be", () => {
    const pair = casePair(C * SIZE, SIZE);
    const { rate, fails } = failRate(pair, clustered(SIZE, 0), SEED + 10);
    const naive = failRate(pair, clustered(SIZE, 0), SEED + 10, { ignoreClusters: true });
    report("null, 40 clusters × 5", `${fails} false fails = ${rate} (as independent cases: ${naive.rate})`);
    expect(rate).toBeLessThanOrEqual(ALPHA + mcError(ALPHA));
    expect(naive.rate).toBeGreaterThan(ALPHA + mcError(ALPHA));
  });

  it("clusters: observed power matches the t-approximation within 4 points, at two effect sizes", () => {
    const pair = casePair(C * SIZE, SIZE);
    for (const [i, shift] of [0.15, 0.25].entries()) {
      const expected = clusteredPower(C, SIZE, shift);
      const { rate } = failRate(pair, clustered(SIZE, shift), SEED + 11 + i);
      report(
        `power, 40 clusters × 5, Δ = ${expected.delta.toFixed(3)}`,
        `observed ${rate}, t-approximation ${expected.power.toFixed(4)}`,
      );
      expect(Math.abs(rate - expected.power)).toBeLessThanOrEqual(0.04);
    }
  });
});
