/**
 * Every case of ../shared/stats-reference/reference.json, run through the package's `conformance`
 * export (method key → function of `inputs`) and checked with the README's tolerance semantics. About
 * 30% of cases are held back by the data's owners, so passing here is necessary, not sufficient: no
 * per-case special-casing belongs in src.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conformance } from "../../src/stats/index.js";
import { sharedPath } from "../helpers/shared.js";

type Expected = number | null | Expected[];
type Tolerance = "exact" | Record<string, number | "exact">;
interface RefCase {
  id: string;
  inputs: Record<string, unknown>;
  expected: Record<string, Expected>;
  tolerance: Tolerance;
}

/**
 * Allowed |got − expected| for one output field, per the README: `<field>_abs` / `<field>_rel` /
 * `<field>: "exact"` override the generic `abs` / `rel` for that field; both abs and rel → rel·|expected| + abs.
 * Returns "exact" for integer equality. A field with no applicable key is a broken case, not a pass.
 */
function allowance(tol: Tolerance, field: string, expected: number): number | "exact" {
  if (tol === "exact" || tol[field] === "exact") return "exact";
  const abs = tol[`${field}_abs`] ?? tol.abs;
  const rel = tol[`${field}_rel`] ?? tol.rel;
  if (abs === "exact" || rel === "exact") return "exact";
  if (abs === undefined && rel === undefined) {
    throw new Error(`no tolerance applies to field "${field}" in ${JSON.stringify(tol)}`);
  }
  return (rel ?? 0) * Math.abs(expected) + (abs ?? 0);
}

/** Undefined-or-NaN counts as matching a `null` expectation (README: null = NaN in R). */
function withinTolerance(got: unknown, expected: Expected, tol: Tolerance, field: string): boolean {
  if (expected === null) return got === undefined || got === null || Number.isNaN(got);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(got) &&
      got.length === expected.length &&
      expected.every((e, i) => withinTolerance(got[i], e, tol, field))
    );
  }
  if (typeof got !== "number" || Number.isNaN(got)) return false;
  const allowed = allowance(tol, field, expected);
  if (allowed === "exact") return Number.isInteger(got) && got === expected;
  return Math.abs(got - expected) <= allowed;
}

describe("tolerance semantics (the checker itself)", () => {
  // Dyadic numbers, so the boundary cases are exact in binary floating point.
  it("abs, rel, and both combined as rel·|expected| + abs", () => {
    expect(withinTolerance(1.25, 1, { abs: 0.25 }, "p")).toBe(true);
    expect(withinTolerance(1.375, 1, { abs: 0.25 }, "p")).toBe(false);
    expect(withinTolerance(2.5, 2, { rel: 0.25 }, "p")).toBe(true);
    expect(withinTolerance(2.625, 2, { rel: 0.25 }, "p")).toBe(false);
    expect(withinTolerance(2.75, 2, { rel: 0.25, abs: 0.25 }, "p")).toBe(true);
    expect(withinTolerance(2.875, 2, { rel: 0.25, abs: 0.25 }, "p")).toBe(false);
  });
  it("per-field keys and exact", () => {
    expect(withinTolerance(1.5, 1, { abs: 1e-9, z_abs: 0.5 }, "z")).toBe(true);
    expect(withinTolerance(1.5, 1, { abs: 1e-9, z_abs: 0.5 }, "p")).toBe(false);
    expect(withinTolerance(23, 23, { n_ceiling: "exact", n_raw_rel: 1e-9 }, "n_ceiling")).toBe(true);
    expect(withinTolerance(23.0000001, 23, { n_ceiling: "exact", n_raw_rel: 1e-9 }, "n_ceiling")).toBe(false);
    expect(() => withinTolerance(1, 1, { n_raw_rel: 1e-9 }, "p")).toThrow(/no tolerance/);
  });
  it("null means undefined/NaN, and NaN never matches a number", () => {
    expect(withinTolerance(Number.NaN, null, { abs: 1 }, "p")).toBe(true);
    expect(withinTolerance(undefined, null, { abs: 1 }, "p")).toBe(true);
    expect(withinTolerance(0, null, { abs: 1 }, "p")).toBe(false);
    expect(withinTolerance(Number.NaN, 0, { abs: 1 }, "p")).toBe(false);
    expect(withinTolerance(undefined, 0, { abs: 1 }, "p")).toBe(false);
  });
});

const refPath = sharedPath("stats-reference", "reference.json");
const reference: Record<string, { cases?: RefCase[] }> | undefined = refPath
  ? JSON.parse(readFileSync(refPath, "utf8"))
  : undefined;

describe.skipIf(!reference)("reference.json", () => {
  const methods = Object.keys(reference ?? {}).filter((k) => k !== "_meta");

  it("has a conformance function for every method in the file, and no other", () => {
    expect(methods.length).toBeGreaterThan(20);
    expect(Object.keys(conformance).sort()).toEqual([...methods].sort());
  });

  for (const method of methods) {
    describe(method, () => {
      const cases = reference?.[method]?.cases ?? [];
      const run = conformance[method] ?? (() => ({}));
      let ran = 0;

      it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
        ran++;
        const got: Record<string, unknown> = run(c.inputs);
        const fields = Object.keys(c.expected);
        expect(fields.length).toBeGreaterThan(0);
        // Every expected key is present (a case may list only some of a method's outputs).
        expect(Object.keys(got)).toEqual(expect.arrayContaining(fields));
        for (const field of fields) {
          const expected = c.expected[field] as Expected;
          const ok = withinTolerance(got[field], expected, c.tolerance, field);
          expect(
            ok,
            `${field}: got ${got[field]}, expected ${JSON.stringify(expected)} ± ${JSON.stringify(c.tolerance)}`,
          ).toBe(true);
        }
      });

      // Declared after the cases, so vitest runs it last: catches a method key that vanished or a filtered run.
      it("ran every case in the file", () => {
        expect(cases.length).toBeGreaterThan(0);
        expect(ran).toBe(cases.length);
      });
    });
  }
});
