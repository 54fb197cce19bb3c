/**
 * Rogan–Gladen correction for grader error, with the calibration's own uncertainty in
 * the interval. No reference file covers it, so: the closed form on hand-checked values,
 * limiting cases, properties, and a seeded simulation of the interval's coverage.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wilsonInterval } from "../../src/stats/proportion.js";
import { correctedRate, roganGladen } from "../../src/stats/rogan-gladen.js";

describe("Rogan–Gladen", () => {
  it("inverts q = Se·p + (1 − Sp)(1 − p)", () => {
    // (0.2 + 0.95 − 1) / (0.9 + 0.95 − 1) = 0.15 / 0.85
    expect(roganGladen(0.2, 0.9, 0.95)).toBeCloseTo(0.15 / 0.85, 15);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.6, max: 1, noNaN: true }),
        fc.double({ min: 0.6, max: 1, noNaN: true }),
        (p, se, sp) => {
          const q = se * p + (1 - sp) * (1 - p);
          expect(roganGladen(q, se, sp)).toBeCloseTo(p, 9);
        },
      ),
    );
  });

  it("clips to [0, 1] and refuses a grader no better than chance", () => {
    expect(roganGladen(0.01, 0.9, 0.9)).toBe(0);
    expect(roganGladen(0.99, 0.9, 0.9)).toBe(1);
    expect(() => roganGladen(0.5, 0.5, 0.5)).toThrow(RangeError);
  });

  it("with a perfect, well-measured grader, is close to the plain Wilson interval", () => {
    const c = correctedRate(30, 200, { sensitivity: 1, specificity: 1, positives: 1e7, negatives: 1e7 });
    const w = wilsonInterval(30, 200);
    expect(c.rate).toBeCloseTo(0.15, 12);
    expect(c.ci.lower).toBeCloseTo(w.lower, 3);
    expect(c.ci.upper).toBeCloseTo(w.upper, 3);
  });

  it("widens as the calibration gets smaller, and always contains the estimate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0.7, max: 0.999, noNaN: true }),
        fc.double({ min: 0.7, max: 0.999, noNaN: true }),
        fc.integer({ min: 20, max: 2000 }),
        (n, x0, se, sp, calN) => {
          const x = x0 % (n + 1);
          const big = correctedRate(x, n, {
            sensitivity: se,
            specificity: sp,
            positives: calN * 10,
            negatives: calN * 10,
          });
          const small = correctedRate(x, n, {
            sensitivity: se,
            specificity: sp,
            positives: calN,
            negatives: calN,
          });
          for (const c of [big, small]) {
            expect(c.ci.lower).toBeGreaterThanOrEqual(0);
            expect(c.ci.upper).toBeLessThanOrEqual(1);
            expect(c.ci.lower).toBeLessThanOrEqual(c.rate);
            expect(c.ci.upper).toBeGreaterThanOrEqual(c.rate);
          }
          // Away from the clipping at 0 and 1 (where the pseudo-counts also move the centre).
          const inside = (c: typeof big) => c.ci.lower > 0 && c.ci.upper < 1;
          if (inside(big) && inside(small))
            expect(small.ci.upper - small.ci.lower).toBeGreaterThanOrEqual(
              big.ci.upper - big.ci.lower - 1e-9,
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("covers the true rate about 95% of the time when Se and Sp are themselves estimated (seeded simulation)", () => {
    // mulberry32: a small deterministic generator, so the test is reproducible.
    let seed = 20260101;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rand() < p) k++;
      return k;
    };
    const truth = { p: 0.12, se: 0.9, sp: 0.95 };
    const [n, nSe, nSp, runs] = [300, 150, 300, 1500];
    let covered = 0;
    for (let r = 0; r < runs; r++) {
      const q = truth.se * truth.p + (1 - truth.sp) * (1 - truth.p);
      const x = binomial(n, q);
      const se = binomial(nSe, truth.se) / nSe;
      const sp = binomial(nSp, truth.sp) / nSp;
      if (se + sp <= 1) continue;
      const c = correctedRate(x, n, { sensitivity: se, specificity: sp, positives: nSe, negatives: nSp });
      if (c.ci.lower <= truth.p && truth.p <= c.ci.upper) covered++;
    }
    const coverage = covered / runs;
    console.log(`Rogan–Gladen 95% interval coverage over ${runs} simulated runs: ${coverage.toFixed(3)}`);
    expect(coverage).toBeGreaterThan(0.92);
    expect(coverage).toBeLessThan(0.99);
  });
});
