/**
 * Laws the safety gate relies on, checked on random inputs. Each property compares independently
 * computed quantities (two calls, or a call against a formula-free invariant), so a wrong tail,
 * a swapped orientation or a broken clamp makes it fail.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agrestiCoullInterval,
  agrestiMinPairedInterval,
  benjaminiHochbergAdjust,
  bonettPricePairedInterval,
  clopperPearsonInterval,
  holmAdjust,
  jeffreysInterval,
  mcnemarExactOneSided,
  mcnemarExactPower,
  mcnemarExactTwoSided,
  mcnemarPower,
  minimumDetectableEffect,
  newcombeHybridScoreInterval,
  type PairedTable,
  pairedDifference,
  pairedScorePower,
  pairedScoreSampleSize,
  shiftedCells,
  tangoScoreInterval,
  tangoScoreTest,
  tInterval,
  tTest,
  waldPairedInterval,
  wilsonCCInterval,
  wilsonInterval,
} from "../../src/stats/index.js";

const runs = { numRuns: 500 };

// Both the usual gate levels and arbitrary ones; 0.9999 keeps z large without reaching the conf = 1 error.
const confArb = fc.oneof(
  fc.constantFrom(0.8, 0.9, 0.95, 0.99, 0.999),
  fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
);
// Small counts hit the boundaries (0, n) often; large ones exercise the floating-point paths.
const countArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 50_000 }));
const trialsArb = fc
  .oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100_000 }))
  .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
const tableArb: fc.Arbitrary<PairedTable> = fc.record({
  n11: countArb,
  n12: countArb,
  n21: countArb,
  n22: countArb,
});

describe("wilsonInterval", () => {
  it("contains p̂ and lies in [0, 1]", () => {
    fc.assert(
      fc.property(trialsArb, confArb, ([x, n], conf) => {
        const { lower, upper } = wilsonInterval(x, n, conf);
        expect(0 <= lower && lower <= x / n && x / n <= upper && upper <= 1).toBe(true);
      }),
      runs,
    );
  });

  it("is strictly increasing in x (both bounds)", () => {
    const arb = trialsArb.filter(([x, n]) => x < n);
    fc.assert(
      fc.property(arb, confArb, ([x, n], conf) => {
        const a = wilsonInterval(x, n, conf);
        const b = wilsonInterval(x + 1, n, conf);
        expect(a.lower < b.lower && a.upper < b.upper).toBe(true);
      }),
      runs,
    );
  });

  it("conventions: exact 0 / 1 at the boundaries, [0, 1] for n = 0, errors on bad input", () => {
    expect(wilsonInterval(0, 7).lower).toBe(0);
    expect(wilsonInterval(7, 7).upper).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(RangeError);
  });
});

describe("McNemar exact", () => {
  it("one-sided p is in [0, 1], non-increasing in b and non-decreasing in c", () => {
    // Non-strict: p(0, c) = 1 and p(1, c) = 1 − 2^−(c+1) round to the same double for c ≥ 53.
    fc.assert(
      fc.property(countArb, countArb, (b, c) => {
        const p = mcnemarExactOneSided(b, c);
        expect(p >= 0 && p <= 1).toBe(true);
        expect(mcnemarExactOneSided(b + 1, c)).toBeLessThanOrEqual(p);
        expect(mcnemarExactOneSided(b, c + 1)).toBeGreaterThanOrEqual(p);
      }),
      runs,
    );
  });

  it("two-sided p is in [0, 1] and symmetric in (b, c)", () => {
    fc.assert(
      fc.property(countArb, countArb, (b, c) => {
        const p = mcnemarExactTwoSided(b, c);
        expect(p >= 0 && p <= 1).toBe(true);
        expect(mcnemarExactTwoSided(c, b)).toBe(p);
      }),
      runs,
    );
  });

  // "two-sided ≥ one-sided" holds only for the one-sided test in the observed direction: for b < c the
  // "candidate worse" p is near 1 while the two-sided p can be small (reference rows mcn-exact2-scipy-0-5
  // = 0.0625 vs mcn-exact1-scipy-0-5 = 1). The law that does hold: two-sided = min(1, 2 · smaller one-sided).
  it("two-sided p ≥ the one-sided p in the observed direction, and ≤ twice it", () => {
    fc.assert(
      fc.property(countArb, countArb, (b, c) => {
        const two = mcnemarExactTwoSided(b, c);
        const observed = b >= c ? mcnemarExactOneSided(b, c) : mcnemarExactOneSided(c, b);
        expect(two).toBeGreaterThanOrEqual(observed);
        expect(two).toBeLessThanOrEqual(Math.min(1, 2 * observed));
      }),
      runs,
    );
    expect(mcnemarExactTwoSided(0, 5)).toBeLessThan(mcnemarExactOneSided(0, 5));
  });

  it("conventions: b = c = 0 gives 1 for both; bad counts throw", () => {
    expect(mcnemarExactOneSided(0, 0)).toBe(1);
    expect(mcnemarExactTwoSided(0, 0)).toBe(1);
    expect(() => mcnemarExactOneSided(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExactTwoSided(1, 2.5)).toThrow(RangeError);
  });
});

describe("newcombeHybridScoreInterval", () => {
  const nonEmpty = tableArb.filter((t) => t.n11 + t.n12 + t.n21 + t.n22 > 0);

  it("contains d and lies in [−1, 1]", () => {
    fc.assert(
      fc.property(nonEmpty, confArb, (t, conf) => {
        const d = pairedDifference(t);
        const { lower, upper } = newcombeHybridScoreInterval(t, conf);
        expect(-1 <= lower && lower <= d && d <= upper && upper <= 1).toBe(true);
      }),
      runs,
    );
  });

  it("mirrors: swapping n12 ↔ n21 gives exactly (−upper, −lower)", () => {
    fc.assert(
      fc.property(nonEmpty, confArb, (t, conf) => {
        const a = newcombeHybridScoreInterval(t, conf);
        const b = newcombeHybridScoreInterval({ ...t, n12: t.n21, n21: t.n12 }, conf);
        // + 0 folds −0 into 0, so a bound of exactly 0 compares equal to its negation.
        expect(b.lower + 0).toBe(-a.upper + 0);
        expect(b.upper + 0).toBe(-a.lower + 0);
      }),
      runs,
    );
  });

  it("conventions: N = 0 gives [−1, 1] and d = NaN; the sign of d follows the candidate", () => {
    const empty = { n11: 0, n12: 0, n21: 0, n22: 0 };
    expect(newcombeHybridScoreInterval(empty)).toEqual({ lower: -1, upper: 1 });
    expect(pairedDifference(empty)).toBeNaN();
    expect(pairedDifference({ n11: 0, n12: 3, n21: 1, n22: 0 })).toBe(0.5);
    expect(() => newcombeHybridScoreInterval({ ...empty, n12: -1 })).toThrow(RangeError);
  });
});

describe("further proportion intervals", () => {
  it("Wilson CC, Clopper–Pearson, Jeffreys and Agresti–Coull contain p̂ and lie in [0, 1]; CC widens Wilson", () => {
    fc.assert(
      fc.property(trialsArb, confArb, ([x, n], conf) => {
        for (const f of [wilsonCCInterval, clopperPearsonInterval, jeffreysInterval, agrestiCoullInterval]) {
          const { lower, upper } = f(x, n, conf);
          expect(0 <= lower && lower <= x / n + 1e-12 && x / n <= upper + 1e-12 && upper <= 1).toBe(true);
        }
        // The continuity correction only ever widens Wilson's interval.
        const cc = wilsonCCInterval(x, n, conf);
        const w = wilsonInterval(x, n, conf);
        expect(cc.lower).toBeLessThanOrEqual(w.lower + 1e-12);
        expect(cc.upper).toBeGreaterThanOrEqual(w.upper - 1e-12);
      }),
      { numRuns: 200 },
    );
  });
});

describe("paired intervals and tests that the gate pairs with each other", () => {
  const small = fc.record({ n11: fc.nat(30), n12: fc.nat(30), n21: fc.nat(30), n22: fc.nat(60) });
  const nonEmpty = small.filter((t) => t.n11 + t.n12 + t.n21 + t.n22 > 0);

  it("every paired interval mirrors under n12 ↔ n21 and contains d", () => {
    fc.assert(
      fc.property(nonEmpty, confArb, (t, conf) => {
        const d = pairedDifference(t);
        const swapped = { ...t, n12: t.n21, n21: t.n12 };
        for (const f of [
          waldPairedInterval,
          tangoScoreInterval,
          agrestiMinPairedInterval,
          bonettPricePairedInterval,
        ]) {
          const a = f(t, conf);
          const b = f(swapped, conf);
          expect(b.lower).toBeCloseTo(-a.upper, 9);
          expect(b.upper).toBeCloseTo(-a.lower, 9);
        }
        const tango = tangoScoreInterval(t, conf);
        expect(tango.lower <= d + 1e-12 && d <= tango.upper + 1e-12).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("Tango test at a margin and the 1 − 2α interval agree: p ≤ α exactly when the margin is below L", () => {
    fc.assert(
      fc.property(
        nonEmpty,
        fc.constantFrom(0.01, 0.025, 0.05, 0.1),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        (t, alpha, margin) => {
          const { p } = tangoScoreTest(t, margin, "greater");
          const { lower } = tangoScoreInterval(t, 1 - 2 * alpha);
          // Bisection leaves L within 1e-15; only a margin that close to L may go either way.
          if (Math.abs(lower - margin) > 1e-9) expect(p <= alpha).toBe(margin < lower);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the cluster-robust t test and its interval agree at any margin", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.integer({ min: 2, max: 200 }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        (mean, se, clusters, margin) => {
          const { p } = tTest(mean, se, clusters - 1, margin, "greater");
          const { lower } = tInterval(mean, se, clusters - 1, 0.9);
          if (Math.abs(lower - margin) > 1e-9 && lower > -1) expect(p <= 0.05).toBe(margin < lower);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("multiplicity", () => {
  const pArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 });
  it("raw ≤ BH ≤ Holm ≤ min(1, m·raw), and adjusted p keeps the order of raw p", () => {
    fc.assert(
      fc.property(pArb, (p) => {
        const holm = holmAdjust(p);
        const bh = benjaminiHochbergAdjust(p);
        p.forEach((raw, i) => {
          expect(bh[i]).toBeGreaterThanOrEqual(raw - 1e-15);
          expect(holm[i]).toBeGreaterThanOrEqual((bh[i] as number) - 1e-15);
          expect(holm[i]).toBeLessThanOrEqual(Math.min(1, p.length * raw) + 1e-15);
          p.forEach((other, j) => {
            if (raw < other) expect(holm[i]).toBeLessThanOrEqual(holm[j] as number);
          });
        });
      }),
    );
  });
});

describe("power", () => {
  it("the score-test power at margin 0 is Connor's one-sided power", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 5000 }),
        fc.double({ min: 0.01, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (n, p10, p01) => {
          const connor = mcnemarPower({ n, p10, p01, alpha: 0.05, sided: 1 }).power;
          const score = pairedScorePower({ n, p10, p01, margin: 0, alpha: 0.05, alternative: "greater" });
          if (p10 > p01) expect(score).toBeCloseTo(connor, 9);
        },
      ),
    );
  });

  it("the exact test's size never exceeds α, and exact power grows with the effect", () => {
    for (const n of [20, 73, 200]) {
      const size = mcnemarExactPower({ nPairs: n, p10: 0.05, p01: 0.05, alpha: 0.05, test: "one_sided" });
      expect(size).toBeLessThanOrEqual(0.05);
      let last = size;
      for (const p10 of [0.07, 0.1, 0.15, 0.2]) {
        const power = mcnemarExactPower({ nPairs: n, p10, p01: 0.05, alpha: 0.05, test: "one_sided" });
        expect(power).toBeGreaterThan(last);
        last = power;
      }
    }
  });

  it("at the minimum detectable effect the power is the one asked for, and the sample size reaches it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 30, max: 5000 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        (n, discordance) => {
          const mde = minimumDetectableEffect({
            n,
            discordance,
            margin: 0,
            alpha: 0.05,
            power: 0.8,
            alternative: "greater",
          });
          if (mde === null) return;
          const cells = shiftedCells(discordance, mde);
          expect(
            pairedScorePower({ n, ...cells, margin: 0, alpha: 0.05, alternative: "greater" }),
          ).toBeCloseTo(0.8, 6);
          const needed = pairedScoreSampleSize({
            ...cells,
            margin: 0,
            alpha: 0.05,
            power: 0.8,
            alternative: "greater",
          });
          expect(needed).toBeGreaterThanOrEqual(n - 1);
          expect(needed).toBeLessThanOrEqual(n + 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
