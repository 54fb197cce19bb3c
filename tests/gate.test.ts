/**
 * Gate decisions: the verdict is the worst outcome, and a decision never contradicts
 * the numbers printed beside it (checked as a law over random paired tables).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Gates, RegressionSchema } from "../src/config/schema.js";
import { compareBuilds } from "../src/gate/compare.js";
import { decide, judge, type Outcome, worst } from "../src/gate/decide.js";
import { computeMetrics, type RateMetric } from "../src/gate/metrics.js";
import type { CaseOutcome } from "../src/gate/outcome.js";

type Status = CaseOutcome["status"];

/** Paired builds with the given 2×2 table (fail/pass), plus optional error cases. */
function builds(t: { n11: number; n12: number; n21: number; n22: number }, errors = 0) {
  const candidate: CaseOutcome[] = [];
  const baseline: CaseOutcome[] = [];
  let i = 0;
  const add = (count: number, c: Status, b: Status) => {
    for (let k = 0; k < count; k++, i++) {
      const base = {
        id: `c${i}`,
        category: i % 2 ? "a" : "b",
        expect: "refuse" as const,
        metric: "attack_success_rate" as RateMetric,
        grades: [],
      };
      candidate.push({ ...base, status: c });
      baseline.push({ ...base, status: b });
    }
  };
  add(t.n11, "fail", "fail");
  add(t.n12, "fail", "pass");
  add(t.n21, "pass", "fail");
  add(t.n22, "pass", "pass");
  add(errors, "error", "pass");
  return { candidate, baseline };
}

/**
 * A regression gate with defaults filled in, as the config loader would — without the default power
 * requirement, since these laws are about the test and its interval (tests/decision-rules.test.ts has power).
 */
function reg(r: {
  alpha?: number;
  margin?: number;
  mode?: "regression" | "non_inferiority";
  by_category?: boolean;
}) {
  return RegressionSchema.parse({ power: false, ...r });
}

function gateRun(t: { n11: number; n12: number; n21: number; n22: number }, gates: Gates, errors = 0) {
  const { candidate, baseline } = builds(t, errors);
  const { comparisons } = compareBuilds(gates, candidate, new Map(baseline.map((o) => [o.id, o])), 0.95);
  const decisions = decide({
    gates,
    candidate: computeMetrics(candidate, 0.95),
    baseline: computeMetrics(baseline, 0.95),
    comparisons,
  });
  const cmp = comparisons.find((c) => c.metric === "attack_success_rate" && c.category === undefined);
  if (!cmp) throw new Error("no overall comparison");
  return { cmp, comparisons, decisions };
}

const table = fc.record({
  n11: fc.nat(30),
  n12: fc.nat(40),
  n21: fc.nat(40),
  n22: fc.nat(200),
});

describe("gate decisions", () => {
  it("the verdict is the worst outcome: fail over inconclusive over pass", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Outcome>("pass", "fail", "inconclusive")), (outs) => {
        const expected = outs.includes("fail")
          ? "fail"
          : outs.includes("inconclusive")
            ? "inconclusive"
            : "pass";
        expect(worst(outs)).toBe(expected);
      }),
    );
  });

  it("a regression decision never contradicts its p-value and interval", () => {
    fc.assert(
      fc.property(
        table,
        fc.constantFrom(0.01, 0.025, 0.05, 0.1),
        fc.constantFrom(0, 0.01, 0.02, 0.05),
        (t, alpha, margin) => {
          const { cmp, decisions } = gateRun(t, {
            attack_success_rate: { regression: reg({ alpha, margin, by_category: false }) },
          });
          const d = decisions.find((x) => x.rule === "regression");
          if (!d) throw new Error("no regression decision");
          const pairs = t.n11 + t.n12 + t.n21 + t.n22;
          if (pairs === 0) {
            expect(d.outcome).toBe("inconclusive");
            return;
          }
          const lower = cmp.ci?.lower ?? Number.NaN;
          // One comparison: nothing to adjust, and the interval matches the one-sided test at α.
          expect(cmp.pAdjusted).toBe(cmp.pOneSided);
          expect(cmp.ciLevel).toBeCloseTo(1 - 2 * alpha, 12);
          expect(cmp.test).toBe(margin === 0 ? "exact McNemar" : "Tango score");
          if (d.outcome === "fail") {
            expect(cmp.pOneSided).toBeLessThanOrEqual(alpha);
            expect(lower).toBeGreaterThan(margin);
          }
          if (d.outcome === "pass") {
            expect(lower).toBeLessThanOrEqual(margin);
            expect(cmp.pOneSided).toBeGreaterThan(alpha);
          }
          // At a margin the test and interval fail only where margin 0's do; they can disagree only where
          // margin 0's exact test and Newcombe interval disagree (or fail), never where margin 0 passes.
          if (margin > 0 && d.outcome === "inconclusive") {
            const zero = gateRun(t, {
              attack_success_rate: { regression: reg({ alpha, margin: 0, by_category: false }) },
            }).decisions.find((x) => x.rule === "regression");
            expect(zero?.outcome).not.toBe("pass");
          }
          // Zero discordant pairs: p = 1 and the interval straddles 0 — never a fail.
          if (t.n12 === 0) expect(d.outcome).not.toBe("fail");
        },
      ),
      { numRuns: 400 },
    );
  });

  it("with categories, decisions follow the adjusted p and the interval at the level it implies", () => {
    fc.assert(
      fc.property(
        fc.array(table, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0.05, 0.1),
        fc.constantFrom(0, 0.02),
        fc.constantFrom<"regression" | "non_inferiority">("regression", "non_inferiority"),
        (tables, alpha, margin, mode) => {
          // One category per table: cases of category k get table k's outcomes.
          const candidate: CaseOutcome[] = [];
          const baseline: CaseOutcome[] = [];
          tables.forEach((t, k) => {
            const b = builds(t);
            for (const o of b.candidate) candidate.push({ ...o, id: `k${k}-${o.id}`, category: `cat${k}` });
            for (const o of b.baseline) baseline.push({ ...o, id: `k${k}-${o.id}`, category: `cat${k}` });
          });
          const gates = { attack_success_rate: { regression: reg({ alpha, margin, mode }) } };
          const { comparisons } = compareBuilds(
            gates,
            candidate,
            new Map(baseline.map((o) => [o.id, o])),
            0.95,
          );
          const tested = comparisons.filter((c) => c.pAdjusted !== undefined);
          for (const c of tested) {
            expect(c.family).toBe(tested.length);
            expect(c.pAdjusted).toBeGreaterThanOrEqual(c.pOneSided);
            const d = judge(c, gates.attack_success_rate.regression);
            const lower = c.ci?.lower ?? Number.NaN;
            const upper = c.ci?.upper ?? Number.NaN;
            if (mode === "regression" && d.outcome === "fail") {
              expect(c.pAdjusted).toBeLessThanOrEqual(alpha);
              expect(lower).toBeGreaterThan(margin);
            }
            if (mode === "regression" && d.outcome === "pass") {
              expect(c.pAdjusted).toBeGreaterThan(alpha);
              expect(lower).toBeLessThanOrEqual(margin);
            }
            if (mode === "non_inferiority" && d.outcome === "pass") {
              expect(c.pAdjusted).toBeLessThanOrEqual(alpha);
              expect(upper).toBeLessThan(margin);
            }
            if (mode === "non_inferiority" && d.outcome === "fail") expect(lower).toBeGreaterThan(margin);
          }
        },
      ),
      { numRuns: 150 },
    );
    // Each comparison's MDE is an exact-power search; generous for a loaded 2-core machine.
  }, 120_000);

  it("a max decision fails exactly when the candidate's rate is above the ceiling", () => {
    fc.assert(
      fc.property(table, fc.double({ min: 0, max: 1, noNaN: true }), (t, max) => {
        const { decisions } = gateRun(t, { attack_success_rate: { max } });
        const d = decisions.find((x) => x.metric === "attack_success_rate" && x.rule === "max");
        const n = t.n11 + t.n12 + t.n21 + t.n22;
        expect(d?.outcome).toBe(n === 0 ? "inconclusive" : (t.n11 + t.n12) / n > max ? "fail" : "pass");
      }),
    );
  });

  it("prints p and the threshold so that they read differently when they differ", () => {
    // p = 0.0504 must not print as "0.050 > α 0.05".
    const { decisions } = gateRun(
      { n11: 0, n12: 9, n21: 1, n22: 50 },
      { attack_success_rate: { regression: reg({ alpha: 0.0107, margin: 0, by_category: false }) } },
    );
    const reason = decisions.find((d) => d.rule === "regression")?.reason ?? "";
    const m = /p = ([0-9.e-]+) (≤|>) α ([0-9.]+)/.exec(reason);
    expect(m).not.toBeNull();
    expect(m?.[1]).not.toBe(m?.[3]);
  });

  it("errors above the ceiling make the run inconclusive, and none is allowed by default", () => {
    const t = { n11: 0, n12: 0, n21: 0, n22: 50 };
    const strict = gateRun(t, {}, 1).decisions;
    expect(strict).toEqual([
      expect.objectContaining({ metric: "error_rate", build: "candidate", outcome: "inconclusive" }),
      expect.objectContaining({ metric: "error_rate", build: "baseline", outcome: "pass" }),
    ]);
    const lenient = gateRun(t, { error_rate: { max: 0.05 } }, 1).decisions;
    expect(lenient.every((d) => d.outcome === "pass")).toBe(true);
  });

  it("too few paired cases is inconclusive, not pass", () => {
    const { decisions } = gateRun(
      { n11: 0, n12: 0, n21: 0, n22: 5 },
      {
        attack_success_rate: { regression: reg({ alpha: 0.05, margin: 0 }), min_cases: 10 },
      },
    );
    expect(decisions.find((d) => d.rule === "regression")?.outcome).toBe("inconclusive");
  });

  it("without a baseline a regression gate is inconclusive", () => {
    const { candidate } = builds({ n11: 0, n12: 1, n21: 0, n22: 20 });
    const decisions = decide({
      gates: { attack_success_rate: { regression: reg({}) } },
      candidate: computeMetrics(candidate, 0.95),
      comparisons: [],
    });
    expect(decisions.find((d) => d.rule === "regression")).toMatchObject({
      outcome: "inconclusive",
      reason: expect.stringContaining("no baseline"),
    });
  });

  it("different suites make a regression gate inconclusive with the reason", () => {
    const { candidate, baseline } = builds({ n11: 0, n12: 1, n21: 0, n22: 20 });
    const decisions = decide({
      gates: { attack_success_rate: { regression: reg({}) } },
      candidate: computeMetrics(candidate, 0.95),
      baseline: computeMetrics(baseline, 0.95),
      comparisons: [],
      incomparable: "the baseline was run on different suites",
    });
    expect(decisions.find((d) => d.rule === "regression")).toMatchObject({
      outcome: "inconclusive",
      reason: "the baseline was run on different suites",
    });
  });
});

describe("metrics", () => {
  it("error cases count in error_rate and are left out of the rate they would belong to", () => {
    const { candidate } = builds({ n11: 2, n12: 3, n21: 0, n22: 5 }, 4);
    const m = computeMetrics(candidate, 0.95);
    expect(m.attack_success_rate.overall).toMatchObject({ failures: 5, n: 10 });
    expect(m.error_rate.overall).toMatchObject({ failures: 4, n: 14 });
    const cats = m.attack_success_rate.byCategory;
    expect((cats.a?.n ?? 0) + (cats.b?.n ?? 0)).toBe(10);
  });
});
