/**
 * The Lan–DeMets O'Brien–Fleming boundary against published values, and the stage-wise p-value that
 * turns it into a level for the gate's multiplicity correction (src/stats/spending.ts).
 */
import { describe, expect, it } from "vitest";
import { nominalLevel, sequentialP, spendingBoundary, spent } from "../../src/stats/spending.js";

const equal = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

describe("Lan–DeMets O'Brien–Fleming boundary", () => {
  // The Lan–DeMets O'Brien–Fleming boundaries for one-sided α = 0.025 at equally spaced looks, as
  // gsDesign (sfLDOF) and ldbounds print them to 4 decimals.
  it.each([
    [2, [2.9626, 1.9686]],
    [3, [3.7103, 2.5114, 1.993]],
    [4, [4.3326, 2.9631, 2.359, 2.0141]],
    [5, [4.8769, 3.357, 2.6803, 2.2898, 2.031]],
  ])("K = %i looks at α = 0.025 gives the published z boundaries", (k, expected) => {
    const { z } = spendingBoundary(equal(k), 0.025);
    for (const [i, e] of expected.entries()) expect(z[i]).toBeCloseTo(e, 3);
  });

  it("K = 4 at one-sided α = 0.05 agrees with SeqBounds.jl (3.74955, 2.53993, 2.01604, 1.72014)", () => {
    const { z, nominal } = spendingBoundary(equal(4), 0.05);
    const expected = [3.74955, 2.53993, 2.01604, 1.72014];
    for (const [i, e] of expected.entries()) expect(Math.abs((z[i] as number) - e)).toBeLessThan(2e-3);
    // Its nominal levels: 8.86e-5 at the first look, 0.0427 at the last.
    expect(nominal[0]).toBeCloseTo(8.85754e-5, 8);
    expect(nominal[3]).toBeCloseTo(0.0427, 3);
  });

  it("spends exactly α by t = 1 and almost nothing early", () => {
    expect(spent("obrien-fleming", 0.025, 1)).toBe(0.025);
    expect(spent("obrien-fleming", 0.025, 0.25)).toBeCloseTo(7.3668e-6, 9);
    expect(spendingBoundary(equal(4), 0.025).cumulative.at(-1)).toBe(0.025);
  });

  it("a look's boundary does not depend on the looks after it", () => {
    const all = spendingBoundary([0.3, 0.55, 0.8, 1], 0.05).z;
    const two = spendingBoundary([0.3, 0.55], 0.05).z;
    expect(two[1]).toBeCloseTo(all[1] as number, 10);
  });

  it("the chance of crossing any look of a Brownian path under the null is α (seeded simulation)", () => {
    const fractions = equal(4);
    const { z } = spendingBoundary(fractions, 0.05);
    // mulberry32 + Box–Muller: 40,000 null paths; SE of the rate ≈ 0.0011.
    let a = 12345;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    const paths = 40_000;
    let crossed = 0;
    for (let n = 0; n < paths; n++) {
      let b = 0;
      let prev = 0;
      for (const [k, t] of fractions.entries()) {
        b += normal() * Math.sqrt(t - prev);
        prev = t;
        if (b / Math.sqrt(t) >= (z[k] as number)) {
          crossed++;
          break;
        }
      }
    }
    expect(Math.abs(crossed / paths - 0.05)).toBeLessThan(0.004);
  });
});

describe("stage-wise p-value", () => {
  it("is p itself for a single look on every case (the fixed-size gate)", () => {
    expect(sequentialP([1], 0.0123, "obrien-fleming")).toBe(0.0123);
  });

  it("is the overall level whose boundary p just reaches at this look", () => {
    const fractions = equal(4);
    for (const p of [1e-6, 0.001, 0.01, 0.04, 0.3]) {
      const q = sequentialP(fractions, p, "obrien-fleming");
      expect(q).toBeGreaterThan(p); // the last look's level is below α: the price of looking early
      expect(nominalLevel(fractions, q, "obrien-fleming")).toBeCloseTo(p, 9);
    }
    // At the first of 4 looks a p of 10⁻⁵ is worth about α = 0.027 (its boundary is 4.33 at α = 0.025).
    expect(sequentialP([0.25], 1e-5, "obrien-fleming")).toBeCloseTo(0.0272, 3);
  });

  it("rises with p, and p = 0 and p = 1 stay where they are", () => {
    const fractions = [0.25, 0.5];
    let last = 0;
    for (const p of [1e-9, 1e-6, 1e-4, 0.01, 0.1, 0.5, 0.9]) {
      const q = sequentialP(fractions, p, "obrien-fleming");
      expect(q).toBeGreaterThan(last);
      last = q;
    }
    expect(sequentialP(fractions, 0, "obrien-fleming")).toBe(0);
    expect(sequentialP(fractions, 1, "obrien-fleming")).toBe(1);
  });
});
