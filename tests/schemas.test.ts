/** gates/*.json are generated from the zod schemas; a stale file fails here (run `npm run schema`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedSchemas } from "../scripts/schemas.js";
import { repoRoot } from "./helpers/shared.js";

describe("generated JSON Schemas", () => {
  for (const [name, content] of Object.entries(generatedSchemas())) {
    it(`gates/${name} is up to date with its zod schema`, () => {
      const committed = readFileSync(join(repoRoot, "gates", name), "utf8");
      expect(committed, `gates/${name} is stale: run 'npm run schema' and commit it`).toBe(content);
    });
  }

  it("the config schema knows the public keys and rejects unknown ones", () => {
    const schema = JSON.parse(generatedSchemas()["schema.json"] ?? "{}");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["version", "suites", "candidate", "baseline", "gates"]),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.gates.properties)).toEqual([
      "attack_success_rate",
      "false_refusal_rate",
      "leak_rate",
      "pii_leak_rate",
      "error_rate",
    ]);
  });
});
