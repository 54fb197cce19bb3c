/** The shipped two-workflow pattern for fork pull requests must stay consistent with the action. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { artifactName } from "../src/github/verdict.js";
import { repoRoot } from "./helpers/shared.js";

const load = (f: string) => parse(readFileSync(join(repoRoot, "examples/workflows", f), "utf8"));
const action = parse(readFileSync(join(repoRoot, "action.yml"), "utf8"));

describe("examples/workflows", () => {
  const gate = load("safety-gate.yml");
  const report = load("safety-gate-report.yml");
  const steps = (wf: {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
  }) => Object.values(wf.jobs).flatMap((j) => j.steps);

  it("the gate runs on pull_request with a read-only token", () => {
    expect(Object.keys(gate.on)).toContain("pull_request");
    expect(Object.values(gate.permissions)).not.toContain("write");
  });

  it("the report workflow follows the gate, downloads its artifact by name and posts in mode: report", () => {
    expect(report.on.workflow_run.workflows).toEqual([gate.name]);
    const download = steps(report).find((s) => s.uses?.startsWith("actions/download-artifact"));
    expect(download?.with?.name).toBe(artifactName("safety-gate.yml"));
    const post = steps(report).find((s) => s.uses?.startsWith("safety-gate/"));
    expect(post?.with).toMatchObject({ mode: "report", results: download?.with?.path });
    expect(report.permissions).toMatchObject({
      "pull-requests": "write",
      checks: "write",
      statuses: "write",
    });
    // Only inputs the action declares.
    for (const s of [...steps(gate), ...steps(report)].filter((x) => x.uses?.startsWith("safety-gate/"))) {
      for (const key of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    }
  });
});
