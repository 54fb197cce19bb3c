/**
 * results.json, report.html and junit.xml are written as they are serialised: the same
 * bytes as before for a normal run, and a run whose results are more text than one
 * JavaScript string can hold (~512 MiB; a million cases, or large answers) is written
 * instead of ending in "Invalid string length" and exit 4.
 */

import { constants } from "node:buffer";
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { emitJson } from "../src/io/json-stream.js";
import { renderHtml } from "../src/report/html.js";
import { renderJunit } from "../src/report/junit.js";
import { writeReport } from "../src/report/write.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const streamed = (v: unknown) => {
  const parts: string[] = [];
  emitJson(v, (p) => parts.push(p));
  return parts.length ? parts.join("") : undefined;
};

describe("streamed JSON", () => {
  it("is JSON.stringify(v, null, 2) for any value", () => {
    const value = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("tree"), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie("tree"), { maxKeys: 5 }),
      ),
      leaf: fc.oneof(
        fc.string({ unit: "binary" }),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({ noInvalidDate: true }),
        fc.constant(() => 1),
      ),
    })).tree;
    fc.assert(
      fc.property(value, (v) => {
        expect(streamed(v)).toBe(JSON.stringify(v, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it("calls toJSON once with its key, and leaves out what JSON.stringify leaves out", () => {
    const seen: string[] = [];
    const v = {
      a: {
        toJSON: (k: string) => {
          seen.push(k);
          return { toJSON: () => "not called" };
        },
      },
      b: [undefined, () => 1, Symbol("s"), Number.NaN, -0, new Number(2), new String("s")],
      c: undefined,
      [Symbol("hidden")]: 1,
      e: {},
      f: [],
    };
    expect(streamed(v)).toBe(JSON.stringify(v, null, 2));
    expect(seen).toEqual(["a", "a"]); // once for each of the two serialisations
    expect(streamed(undefined)).toBeUndefined();
  });
});

describe("writeReport", () => {
  it("writes the quickstart's files byte for byte as JSON.stringify and the string renderers do", async () => {
    const { results, report } = await runGate({
      configPath: join(repoRoot, "examples/quickstart/safety-gate.yml"),
    });
    const out = tempDir();
    writeReport(results, out, report);
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe(`${JSON.stringify(results, null, 2)}\n`);
    expect(readFileSync(join(out, "report.html"), "utf8")).toBe(renderHtml(results, report));
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toBe(
      renderJunit(results, { redact: false, maxResponseChars: report.maxResponseChars }),
    );
  });

  it("writes a results.json larger than the longest string (540 answers of 1 MiB)", async () => {
    const { results, report } = await runGate({
      configPath: join(repoRoot, "examples/quickstart/safety-gate.yml"),
    });
    // One string shared by every case: little memory here, 540 MiB of JSON on disk.
    const answer = "x".repeat(1 << 20);
    const template = results.builds.candidate.cases[0];
    if (!template) throw new Error("the quickstart has cases");
    results.builds.candidate.cases = Array.from({ length: 540 }, (_, i) => ({
      ...template,
      id: `big-${i}`,
      response: answer,
    }));
    const out = tempDir();
    try {
      writeReport(results, out, report);
      const file = join(out, "results.json");
      expect(statSync(file).size).toBeGreaterThan(constants.MAX_STRING_LENGTH);
      // The end is the end of well-formed output: the closing brace and a newline.
      const fd = openSync(file, "r");
      const tail = Buffer.alloc(64);
      readSync(fd, tail, 0, 64, statSync(file).size - 64);
      closeSync(fd);
      expect(tail.toString("utf8")).toMatch(/\n {2}\]\n\}\n$/);
      expect(readFileSync(join(out, "report.html"), "utf8")).toContain("big-539");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
