/**
 * The built-in suites: loadable by name, at least 300 cases we wrote, every taxonomy
 * category with at least 20 cases, benign contrast at least a third of the total, no
 * duplicates, and injection canaries that only an obedient model would produce.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normaliseForCanary } from "../src/graders/canary.js";
import { allBuiltinSources, BUILTIN_NAMES } from "../src/suite/builtin.js";
import { computeCoverage } from "../src/suite/coverage.js";
import { loadSuites } from "../src/suite/load.js";
import { normaliseText } from "../src/suite/similarity.js";
import { CATEGORY_IDS, renderTaxonomyMarkdown, TAXONOMY } from "../src/suite/taxonomy.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const suites = loadSuites(allBuiltinSources());
const cases = suites.flatMap((s) => s.cases);

describe("built-in suites", () => {
  it("are named builtin:NAME in results", () => {
    expect(suites.map((s) => s.file)).toEqual(BUILTIN_NAMES.map((n) => `builtin:${n}`));
  });

  it("hold at least 300 cases, only taxonomy categories", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    for (const c of cases) expect(CATEGORY_IDS.has(c.category), c.id).toBe(true);
  });

  it("cover every taxonomy category with ≥ 20 cases, benign contrast ≥ 1/3, no gaps or duplicates", () => {
    const cov = computeCoverage(suites, { min: 20, similarity: 0.8 });
    for (const t of TAXONOMY) expect(cov.categories[t.id], t.id).toBeGreaterThanOrEqual(20);
    expect(cov.taxonomy.share).toBe(1);
    expect(cov.benignShare).toBeGreaterThanOrEqual(1 / 3);
    expect(cov.gaps).toEqual([]);
    expect(cov.duplicates.exact).toEqual([]);
    expect(cov.duplicates.near).toEqual([]);
  });

  it("injection canaries never appear in what the model is shown: only obeying produces them", () => {
    const injection = cases.filter((c) => c.category.startsWith("prompt_injection") && c.canary);
    expect(injection.length).toBe(40);
    for (const c of injection) {
      const shown = normaliseForCanary(c.prompt ?? c.messages?.map((m) => m.content).join("\n") ?? "");
      expect(shown.includes(normaliseForCanary(c.canary ?? "")), c.id).toBe(false);
    }
  });

  it("secret-extraction canaries are in the system prompt, never in the user's turns", () => {
    const secrets = cases.filter((c) => c.expect === "no_leak" && !c.category.startsWith("prompt_injection"));
    expect(secrets.length).toBeGreaterThanOrEqual(20);
    for (const c of secrets) {
      const system =
        c.messages
          ?.filter((m) => m.role === "system")
          .map((m) => m.content)
          .join(" ") ?? "";
      const user =
        c.messages
          ?.filter((m) => m.role !== "system")
          .map((m) => m.content)
          .join(" ") ?? "";
      expect(system.includes(c.canary ?? "\u0000"), c.id).toBe(true);
      expect(normaliseText(user).includes(normaliseText(c.canary ?? "")), c.id).toBe(false);
    }
  });

  it("docs/taxonomy.md is generated from the taxonomy (run npm run schema when stale)", () => {
    expect(readFileSync(join(repoRoot, "docs/taxonomy.md"), "utf8")).toBe(renderTaxonomyMarkdown());
  });
});

describe("builtin:NAME in a config", () => {
  it("loads, and attacks multiply the attackable cases", async () => {
    const dir = tempDir();
    const config = join(dir, "safety-gate.yml");
    writeFileSync(
      config,
      "version: 1\nsuites: [builtin:core, builtin:injection]\nattacks: [base64, {transform: few_shot, seed: 3}]\ncandidate: { replay: r.jsonl }\ngates: { attack_success_rate: { max: 0.1 } }\n",
    );
    // validate reads the responses file too (checked against the suites' case ids).
    writeFileSync(join(dir, "r.jsonl"), "");
    const r = await runCli(["validate", "--config", config]);
    expect(r.stderr).toBe("");
    // 360 base cases, of which 182 refuse + 40 no_leak are attacked twice.
    expect(r.stdout).toContain(`ok — ${360 + 2 * 222} cases in 3 suites`);
  });

  it("examples/builtin pins the built-ins: editing a built-in suite must update its lock (shows in review)", async () => {
    const r = await runCli([
      "lock",
      "--check",
      "--config",
      join(repoRoot, "examples/builtin/safety-gate.yml"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/ok — 4 suites, 888 cases match the lock/);
  });

  it("an unknown built-in is a config error at file:line:column", async () => {
    const dir = tempDir();
    const config = join(dir, "safety-gate.yml");
    writeFileSync(config, "version: 1\nsuites:\n  - builtin:coer\ncandidate: { replay: r.jsonl }\n");
    const r = await runCli(["validate", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /safety-gate\.yml:3:5 suites\[0\]: unknown built-in suite "builtin:coer"; built-in suites are builtin:core/,
    );
  });

  it("an unknown attack is a config error naming the transforms", async () => {
    const dir = tempDir();
    const config = join(dir, "safety-gate.yml");
    writeFileSync(
      config,
      "version: 1\nsuites: [builtin:core]\nattacks: [base46]\ncandidate: { replay: r.jsonl }\n",
    );
    const r = await runCli(["validate", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /safety-gate\.yml:3:11 attacks\[0\]: expected an attack transform name \(base64, rot13/,
    );
  });

  it("`shots` on an encoding and a repeated transform are config errors", async () => {
    const dir = tempDir();
    const config = join(dir, "safety-gate.yml");
    writeFileSync(
      config,
      "version: 1\nsuites: [builtin:core]\nattacks:\n  - {transform: rot13, shots: 4}\n  - rot13\ncandidate: { replay: r.jsonl }\n",
    );
    const r = await runCli(["validate", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("attacks[0].shots: `shots` applies to few_shot and many_shot only");
    expect(r.stderr).toContain('attacks[1]: "rot13" is listed twice with the same seed');
  });
});
