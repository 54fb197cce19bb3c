/** gates/*.json are generated from the zod schemas; a stale file fails here (run `npm run schema`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderConfigReference } from "../scripts/config-doc.js";
import { generatedSchemas } from "../scripts/schemas.js";
import { repoRoot } from "./helpers/shared.js";

describe("generated JSON Schemas", () => {
  for (const [name, content] of Object.entries(generatedSchemas())) {
    it(`gates/${name} is up to date with its zod schema`, () => {
      const committed = readFileSync(join(repoRoot, "gates", name), "utf8");
      expect(committed, `gates/${name} is stale: run 'npm run schema' and commit it`).toBe(content);
    });
  }

  it("docs/configuration.md is up to date with the config schema", () => {
    const committed = readFileSync(join(repoRoot, "docs", "configuration.md"), "utf8");
    const expected = renderConfigReference(generatedSchemas()["schema.json"] ?? "");
    expect(committed, "docs/configuration.md is stale: run 'npm run schema' and commit it").toBe(expected);
  });

  it("docs/configuration.md lists every config key with its type, default and meaning", () => {
    const doc = renderConfigReference(generatedSchemas()["schema.json"] ?? "");
    const row = (key: string) => doc.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
    // A default from .default(), a type with its range, and the .describe() text.
    expect(row("gates.attack_success_rate.regression.alpha")).toMatch(
      /\| number \(≥ 0\.000001, ≤ 0\.25\) \| `0\.05` \| One-sided significance level/,
    );
    expect(row("runner.concurrency")).toMatch(/\| integer \(≥ 1, ≤ 1024\) \| `8` \| Requests in flight/);
    expect(row("waivers[].owner")).toMatch(/\(required\)/);
    // A repeated shape points to its first listing instead of repeating every key.
    expect(row("baseline")).toMatch(/Same keys as `candidate`/);
    expect(doc).not.toMatch(/\| `baseline\.openai\.model` \|/);
    // Every row says what the key means: a missing .describe() fails here, naming the key.
    const undescribed = doc
      .split("\n")
      .filter((l) => l.startsWith("| `") && /\|\s*\|\s*$/.test(l))
      .map((l) => l.split("|")[1]?.trim());
    expect(undescribed, "add a .describe() to these keys in src/config").toEqual([]);
  });

  it("the config schema knows the public keys and rejects unknown ones", () => {
    const schema = JSON.parse(generatedSchemas()["schema.json"] ?? "{}");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["version", "suites", "candidate", "baseline", "gates"]),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.gates.properties)).toEqual([
      "attack_success_rate",
      "false_refusal_rate",
      "tool_misuse_rate",
      "task_failure_rate",
      "leak_rate",
      "pii_leak_rate",
      "error_rate",
    ]);
  });
});
