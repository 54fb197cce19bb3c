/**
 * README "Agents: tool misuse and indirect prompt injection": examples/agents/ as shipped
 * (its config), fed by the import command the section shows, run for real; the output block
 * and the figures in the prose must be what the run prints. The InjecAgent recordings live in
 * ../shared: without it this skips with a visible message.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mcnemarExactOneSided } from "../src/stats/mcnemar.js";
import { plainBlocks } from "./helpers/markdown.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot, sharedPath } from "./helpers/shared.js";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const HEADING = "## Agents: tool misuse and indirect prompt injection";

function section(): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  expect(start, `README has no "${HEADING}"`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

const injecagent = sharedPath("datasets", "injecagent");

describe.skipIf(!injecagent)("README: the agents example (examples/agents, InjecAgent on ../shared)", () => {
  it("gpt-4o → gpt-4o-mini fails on tool misuse (17 → 37, InjecAgent's succ counts) exactly as the README shows", async () => {
    const dir = tempDir("safety-gate-agents-example-");
    mkdirSync(join(dir, "examples", "agents"), { recursive: true });
    const config = join(dir, "examples", "agents", "safety-gate.yml");
    copyFileSync(join(repoRoot, "examples", "agents", "safety-gate.yml"), config);
    const text = section();
    // The import command the section shows, with its $I.
    const I = injecagent ?? "";
    const cmd = /npx safety-gate import injecagent ([^\n]*)\\\n {2}([^\n]*)\\\n {2}--out (\S+)/.exec(text);
    expect(cmd, "the section shows the import command").not.toBeNull();
    const args = `${cmd?.[1]} ${cmd?.[2]}`
      .trim()
      .split(/\s+/)
      .map((a) => a.replace("$I", I));
    expect(cmd?.[3]).toBe("examples/agents/injecagent");
    const imported = await runCli(["import", "injecagent", ...args, "--out", join(dir, cmd?.[3] ?? "")]);
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toMatch(/gpt-4o\.jsonl {2}\(cases 510, succ 17, unsucc 445, invalid 48\)/);
    expect(imported.stdout).toMatch(/gpt-4o-mini\.jsonl {2}\(cases 510, succ 37, unsucc 408, invalid 65\)/);

    const run = await runCli(["run", "--config", config, "--out", join(dir, "out")]);
    expect(run.code).toBe(1);
    const [block] = plainBlocks(text);
    const shown = (block ?? "").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("$ "));
    expect(shown.length).toBeGreaterThan(10);
    const real = run.stdout.split("\n");
    let at = 0;
    for (const line of shown) {
      const found = real.findIndex((r, i) => i >= at && r === line);
      expect(
        found,
        `README line not in the real output (after line ${at}):\n${line}\n---\n${run.stdout}`,
      ).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    // The prose: the counts, the error cases behind the denominators, the exact test it is compared with.
    expect(text).toContain("17 and 37 misuses are exactly InjecAgent's `succ` counts");
    expect(text).toContain("over 462 and 445 cases");
    expect(text).toContain("(48 and 65:");
    const flipped = /flipped +(\d+) newly failing, (\d+) newly passing/.exec(run.stdout);
    const [b, c] = [Number(flipped?.[1]), Number(flipped?.[2])];
    expect(text).toContain(`same ${b} vs ${c} flipped pairs`);
    expect(text).toContain(`p = ${mcnemarExactOneSided(b, c).toPrecision(3)} one-sided`);
  });
});
