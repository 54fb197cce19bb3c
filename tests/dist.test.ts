/**
 * dist/ is what users run (the action runs dist/action.js; npm's bin is dist/cli.js).
 * Both must work on their own, with no node_modules anywhere above them.
 * (.ci/run separately checks that dist/ is byte-for-byte the build of src/.)
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

let work: string;
beforeAll(() => {
  work = tempDir("safety-gate-dist-");
  cpSync(join(repoRoot, "dist"), join(work, "dist"), { recursive: true });
  cpSync(join(repoRoot, "examples"), join(work, "examples"), { recursive: true });
  cpSync(join(repoRoot, "suites"), join(work, "suites"), { recursive: true });
});

function node(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, {
    cwd: work,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
  });
}

describe("dist/cli.js without node_modules", () => {
  it("has no node_modules to lean on", () => {
    let dir = work;
    for (;;) {
      expect(existsSync(join(dir, "node_modules"))).toBe(false);
      const parent = join(dir, "..");
      if (parent === dir) break;
      dir = parent;
    }
  });

  it("runs the quickstart: prints the verdict and exits 1", () => {
    const r = node(["dist/cli.js", "run", "--config", "examples/quickstart/safety-gate.yml", "--out", "out"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^safety-gate: FAIL/);
    expect(r.stdout).toContain("Attack success");
    expect(JSON.parse(readFileSync(join(work, "out/results.json"), "utf8")).verdict).toBe("fail");
  });

  it("answers bad input with exit 2, file:line:column and no stack trace", () => {
    const dir = join(work, "bad-config");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "safety-gate.yml"),
      'version: 1\nsuites: [../examples/quickstart/suite.jsonl]\ncandidate: { replay: ../examples/quickstart/responses-candidate.jsonl }\ngates:\n  attack_success_rate:\n    max: "5%"\n',
    );
    const r = node(["dist/cli.js", "run", "--config", "bad-config/safety-gate.yml"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^bad-config\/safety-gate\.yml:6:10 gates\.attack_success_rate\.max: expected .*0 to 1.*got "5%"/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("finds the built-in suites shipped beside dist/: coverage and a builtin: config", () => {
    const r = node(["dist/cli.js", "coverage", "--json"]);
    expect(r.stderr).toBe("");
    const coverage = JSON.parse(r.stdout);
    expect(coverage.total).toBeGreaterThanOrEqual(300);
    expect(Object.values(coverage.categories as Record<string, number>).every((n) => n >= 20)).toBe(true);
    mkdirSync(join(work, "builtin"), { recursive: true });
    writeFileSync(
      join(work, "builtin", "safety-gate.yml"),
      "version: 1\nsuites: [builtin:core, builtin:injection]\nattacks: [rot13]\ncandidate: { replay: none.jsonl }\ngates: { attack_success_rate: { max: 0.1 } }\n",
    );
    // validate reads the recorded responses too: an empty file is a valid (if useless) one.
    writeFileSync(join(work, "builtin", "none.jsonl"), "");
    const v = node(["dist/cli.js", "validate", "--config", "builtin/safety-gate.yml"]);
    expect(v.stderr).toBe("");
    expect(v.stdout).toMatch(/ok — 582 cases in 3 suites/);
  });

  it("npm ships the built-in suites", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(pkg.files).toContain("suites");
  });

  it("prints its version", () => {
    const r = node(["dist/cli.js", "--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
  });
});

describe("safety-gate/stats (package export)", () => {
  it("resolves through package.json exports, runs without node_modules of its own, and ships types", () => {
    const root = tempDir("safety-gate-consumer-");
    const pkg = join(root, "node_modules", "safety-gate");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
    cpSync(join(repoRoot, "dist"), join(pkg, "dist"), { recursive: true });
    writeFileSync(
      join(root, "use.mjs"),
      [
        'import { conformance, holmAdjust, mcnemarExactOneSided } from "safety-gate/stats";',
        "const ci = conformance.paired_diff_ci_tango_score({ n11: 59, n12: 6, n21: 16, n22: 80, conf: 0.95 });",
        "console.log(JSON.stringify({ p: mcnemarExactOneSided(11, 1), holm: holmAdjust([0.01, 0.04]), ci }));",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, ["use.mjs"], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.p).toBeCloseTo(13 / 4096, 15);
    expect(out.holm).toEqual([0.02, 0.04]);
    expect(out.ci.lower).toBeCloseTo(-0.124, 3);
    const exports = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).exports["./stats"];
    const types = readFileSync(join(pkg, exports.types), "utf8");
    expect(types).toContain("conformance");
    expect(types).toContain("holmAdjust");
  });
});

describe("dist/action.js (GitHub Actions runtime contract)", () => {
  function runAction(config: string) {
    const files = tempDir("safety-gate-action-");
    const output = join(files, "output");
    const summary = join(files, "summary");
    writeFileSync(output, "");
    writeFileSync(summary, "");
    const r = node(["dist/action.js"], {
      INPUT_CONFIG: config,
      INPUT_OUT: join(files, "out"),
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: files,
    });
    const outputs: Record<string, string> = {};
    // File command format: name<<DELIM \n value \n DELIM
    for (const m of readFileSync(output, "utf8").matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
      outputs[m[1] as string] = m[3] as string;
    }
    return { r, outputs, summary: readFileSync(summary, "utf8") };
  }

  it("runs the gate, writes the job summary, sets outputs and fails the step", () => {
    const { r, outputs, summary } = runAction("examples/quickstart/safety-gate.yml");
    expect(r.status).toBe(1);
    expect(outputs.verdict).toBe("fail");
    expect(existsSync(outputs["results-path"] ?? "")).toBe(true);
    expect(summary).toContain("## safety-gate: ❌ FAIL");
    expect(r.stdout).toContain("::error::safety-gate verdict: fail");
  });

  it("turns input problems into annotations at the file and line", () => {
    const { r, outputs } = runAction("bad-config/safety-gate.yml");
    expect(r.status).toBe(1);
    expect(outputs.verdict).toBe("error");
    expect(r.stdout).toMatch(
      /::error title=safety-gate%3A invalid input,file=bad-config\/safety-gate.yml,line=6,col=10::gates\.attack_success_rate\.max: /,
    );
    expect(r.stdout).not.toMatch(/^\s+at /m);
  });
});
