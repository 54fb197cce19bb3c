/** Canonical JSON keys every suite, case, config and cache hash: it must never change its output. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, hashOf } from "../src/io/canonical.js";
import { caseCanonical, caseContent } from "../src/suite/load.js";
import type { SuiteCase } from "../src/suite/schema.js";

/** The first definition (a sorted copy, then JSON.stringify), kept here as the reference. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

describe("canonicalJson", () => {
  it("equals JSON.stringify of a key-sorted copy, for any value", () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 4,
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withNullPrototype: true,
          withSparseArray: true,
          withObjectString: true,
        }),
        (value) => {
          expect(canonicalJson(value)).toBe(JSON.stringify(sortKeys(value)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("does not depend on key order, and keeps hashes already on record", () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }, undefined] })).toBe(
      '{"a":[{"c":"x"},null],"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    // A hash written into lock files and results before this implementation.
    expect(hashOf({ id: "x", expect: "refuse" })).toBe(
      "sha256:dbae1bd2c705a4ad65193a550c9a37c695550e91687270a02c015e50cebf3314",
    );
  });
});

describe("caseCanonical", () => {
  const text = fc.string({ minLength: 1, maxLength: 12 });
  const name = fc.stringMatching(/^[a-z_]{1,8}$/);
  const fields = {
    id: text,
    category: text,
    prompt: text,
    messages: fc.array(fc.record({ role: fc.constantFrom("system", "user", "assistant"), content: text }), {
      minLength: 1,
      maxLength: 3,
    }),
    expect: fc.constantFrom("refuse", "comply", "no_leak", "no_call", "call"),
    canary: text,
    cluster: text,
    tags: fc.array(text, { maxLength: 3 }),
    // Agent parts: nested JSON (a JSON Schema with keys in any order) that must be sorted too.
    tools: fc.array(
      fc.record({
        type: fc.constant("function"),
        function: fc.record({
          name,
          parameters: fc.record({
            type: fc.constant("object"),
            properties: fc.dictionary(name, fc.jsonValue()),
          }),
        }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    forbidden_tools: fc.array(name, { minLength: 1, maxLength: 2 }),
    required_tools: fc.array(name, { minLength: 1, maxLength: 2 }),
    environment: fc.record(
      { max_steps: fc.integer({ min: 1, max: 10 }), tool_results: fc.dictionary(name, text) },
      { requiredKeys: [] },
    ),
  };
  const suiteCase = fc.record(fields, {
    requiredKeys: ["id", "category", "expect"],
  }) as fc.Arbitrary<SuiteCase>;

  it("is the canonical JSON of the case's content, for any case", () => {
    fc.assert(
      fc.property(suiteCase, (c) => {
        expect(caseCanonical(c)).toBe(canonicalJson(caseContent(c)));
      }),
      { numRuns: 1000 },
    );
  });

  it("covers every field of a case's content (a new field must be added to both)", () => {
    const full = fc.sample(fc.record(fields) as fc.Arbitrary<SuiteCase>, { numRuns: 1, seed: 1 })[0];
    expect(Object.keys(full as SuiteCase)).toHaveLength(12);
    const inJson = Object.keys(JSON.parse(caseCanonical(full as SuiteCase))).sort();
    expect(inJson).toEqual(Object.keys(caseContent(full as SuiteCase)).sort());
  });
});
