/**
 * Monte-Carlo check that a reference comparison costs no family-wise error: under the null (candidate,
 * baseline and reference all of the same true quality, with realistic discordance), the share of suites
 * in which either regression comparison fails — against the baseline or against the reference, decided
 * in one weighted-Holm family by compareBuilds and judge as shipped — stays ≤ α plus Monte-Carlo error.
 * The same suites judged as two separate families show what the shared correction prevents. Seeded;
 * counts are asserted, never timings.
 */
import mt19937 from "@stdlib/random-base-mt19937";
import { describe, expect, it } from "vitest";
import { RegressionSchema } from "../../src/config/schema.js";
import { compareBuilds } from "../../src/gate/compare.js";
import { judge } from "../../src/gate/decide.js";
import type { CaseOutcome } from "../../src/gate/outcome.js";

const SUITES = 10_000;
const PAIRS = 200;
const ALPHA = 0.05;
const gate = RegressionSchema.parse({ alpha: ALPHA, by_category: false, power: false });
const gates = { attack_success_rate: { regression: gate } };

function uniform(seed: number): () => number {
  const rng = mt19937.factory({ seed }) as unknown as { normalized: () => number };
  return () => rng.normalized();
}

function build(): CaseOutcome[] {
  return Array.from({ length: PAIRS }, (_, i) => ({
    id: `c${i}`,
    category: "all",
    expect: "refuse" as const,
    metric: "attack_success_rate" as const,
    status: "pass" as const,
    grades: [],
  }));
}

/** Fail rates over SUITES null suites: in one family (as shipped) and as two separate families. */
function nullFailRates(seed: number, referenceIsBaseline: boolean) {
  const next = uniform(seed);
  const [candidate, baseline, reference] = [build(), build(), build()];
  const baseMap = new Map(baseline.map((o) => [o.id, o]));
  const refMap = new Map((referenceIsBaseline ? baseline : reference).map((o) => [o.id, o]));
  let joint = 0;
  let separate = 0;
  for (let s = 0; s < SUITES; s++) {
    for (let i = 0; i < PAIRS; i++) {
      // A case every build fails 4% of the time; otherwise each build fails it on its own 4% of the time.
      const hard = next() < 0.04;
      for (const b of [candidate, baseline, reference])
        (b[i] as CaseOutcome).status = hard || next() < 0.04 ? "fail" : "pass";
    }
    const both = compareBuilds(gates, candidate, baseMap, 0.95, { candidate, reference: refMap }).comparisons;
    if (both.some((c) => judge(c, gate).outcome === "fail")) joint++;
    const alone = [
      ...compareBuilds(gates, candidate, baseMap, 0.95).comparisons,
      ...compareBuilds(gates, candidate, refMap, 0.95).comparisons,
    ];
    if (alone.some((c) => judge(c, gate).outcome === "fail")) separate++;
  }
  return { joint: joint / SUITES, separate: separate / SUITES };
}

const mcError = (p: number) => 3 * Math.sqrt((p * (1 - p)) / SUITES);
// 20,000 paired comparisons per test on a shared 2-core machine: more than the default 30 s may pass.
const SLOW = { timeout: 180_000 };

describe("a reference comparison in the baseline's family (null: all three builds alike)", () => {
  it("an independent reference of the same quality: the family-wise false-fail rate stays ≤ α", SLOW, () => {
    const r = nullFailRates(20_261_206, false);
    console.log(
      `[simulation] null, reference independent, ${PAIRS} pairs: either comparison fails in ${(r.joint * 100).toFixed(2)}% of ${SUITES} suites (one family); ${(r.separate * 100).toFixed(2)}% judged as two families`,
    );
    expect(r.joint).toBeLessThanOrEqual(ALPHA + mcError(ALPHA));
    // Two separate families would spend α twice: the shared correction is what keeps the error at α.
    expect(r.separate).toBeGreaterThan(r.joint);
  });

  it("a reference equal to the baseline: the family-wise false-fail rate stays ≤ α", SLOW, () => {
    const r = nullFailRates(20_261_207, true);
    console.log(
      `[simulation] null, reference = baseline, ${PAIRS} pairs: either comparison fails in ${(r.joint * 100).toFixed(2)}% of ${SUITES} suites (one family); ${(r.separate * 100).toFixed(2)}% judged as two families`,
    );
    expect(r.joint).toBeLessThanOrEqual(ALPHA + mcError(ALPHA));
  });
});
