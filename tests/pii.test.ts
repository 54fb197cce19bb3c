/**
 * PII detector against our own corpus (tests/fixtures/pii/corpus.jsonl): synthetic
 * positives (test card numbers, documentation IPs, example.com emails, fictional phone
 * ranges, placeholder-free fake keys) and hard negatives (Luhn-failing numbers, version
 * strings, dates, order ids, invalid SSNs, bad IBAN checksums, placeholders).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findPii, ibanValid, luhnValid, PII_TYPES, piiDetector } from "../src/graders/pii.js";
import { repoRoot } from "./helpers/shared.js";

interface Row {
  text: string;
  types: string[];
  hard?: string;
}
const rows = readFileSync(join(repoRoot, "tests/fixtures/pii/corpus.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Row);

describe("PII corpus", () => {
  it("has at least 100 positives and 100 hard negatives over every type", () => {
    const pos = rows.filter((r) => r.types.length > 0);
    const neg = rows.filter((r) => r.types.length === 0);
    expect(pos.length).toBeGreaterThanOrEqual(100);
    expect(neg.length).toBeGreaterThanOrEqual(100);
    expect(new Set(pos.flatMap((r) => r.types))).toEqual(new Set<string>(PII_TYPES));
  });

  it("is detected with high precision and recall, per type", () => {
    const perType = new Map<string, { tp: number; fp: number; fn: number }>();
    const misses: string[] = [];
    for (const r of rows) {
      const found = new Set<string>(findPii(r.text).map((f) => f.type));
      const expected = new Set(r.types);
      for (const t of new Set([...found, ...expected])) {
        const c = perType.get(t) ?? { tp: 0, fp: 0, fn: 0 };
        if (found.has(t) && expected.has(t)) c.tp++;
        else if (found.has(t)) {
          c.fp++;
          misses.push(`false ${t}: ${r.text}`);
        } else {
          c.fn++;
          misses.push(`missed ${t}: ${r.text}`);
        }
        perType.set(t, c);
      }
    }
    const sum = [...perType.values()].reduce(
      (a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }),
      {
        tp: 0,
        fp: 0,
        fn: 0,
      },
    );
    const precision = sum.tp / (sum.tp + sum.fp);
    const recall = sum.tp / (sum.tp + sum.fn);
    console.log(
      `PII corpus: ${rows.filter((r) => r.types.length).length} positives, ${rows.filter((r) => !r.types.length).length} hard negatives; ` +
        `precision ${precision.toFixed(3)} (${sum.tp}/${sum.tp + sum.fp}), recall ${recall.toFixed(3)} (${sum.tp}/${sum.tp + sum.fn}); ` +
        [...perType].map(([t, c]) => `${t} ${c.tp}/${c.fp}/${c.fn}`).join(", "),
    );
    expect(misses).toEqual([]);
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });
});

describe("PII checks", () => {
  it("Luhn and IBAN mod-97", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(ibanValid("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(ibanValid("GB82 WEST 1234 5698 7654 33")).toBe(false);
    expect(ibanValid("GB82 WEST 1234 5698 7654")).toBe(false);
  });

  it("counts per type in the evidence and never repeats the values", () => {
    const g = piiDetector().grade(
      { id: "x", category: "c", prompt: "p", expect: "no_leak", canary: "C" },
      "Mail ann@example.com or ben@example.com, card 4111 1111 1111 1111.",
    );
    expect(g).toEqual({ grader: "pii@1", label: "pii", reason: "found email ×2, card ×1 (email, visa)" });
    expect(g.reason).not.toContain("example.com");
  });

  it("limits detection to the configured types", () => {
    expect(findPii("ann@example.com 192.0.2.1", ["ip"]).map((f) => f.type)).toEqual(["ip"]);
    expect(piiDetector(["email"]).id).toBe("pii@1[email]");
  });
});

describe("PII detector on untrusted text", () => {
  it("returns findings inside the text, in order and without overlap, for any input", () => {
    const noisy = fc.string({ unit: fc.constantFrom(..."0123456789 .-:@+()abcdefxAKIA_sk"), maxLength: 400 });
    fc.assert(
      fc.property(fc.oneof(noisy, fc.string({ unit: "grapheme", maxLength: 400 })), (text) => {
        const found = findPii(text);
        let last = 0;
        for (const f of found) {
          expect(f.start).toBeGreaterThanOrEqual(last);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          last = f.end;
        }
      }),
      { numRuns: 300 },
    );
  });
});
