/**
 * The shipped two-workflow pattern for fork pull requests — and the copy `safety-gate init`
 * writes — must stay consistent with the action.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULTS, renderGateWorkflow, renderReportWorkflow } from "../src/commands/init-templates.js";
import { artifactName } from "../src/github/verdict.js";
import { repoRoot } from "./helpers/shared.js";

const load = (f: string) => parse(readFileSync(join(repoRoot, "examples/workflows", f), "utf8"));
const action = parse(readFileSync(join(repoRoot, "action.yml"), "utf8"));

const sources = [
  ["examples/workflows", load("safety-gate.yml"), load("safety-gate-report.yml")],
  ["safety-gate init's workflows", parse(renderGateWorkflow(DEFAULTS.openai)), parse(renderReportWorkflow())],
] as const;

describe.each(sources)("%s", (_name, gate, report) => {
  type Job = {
    permissions?: Record<string, string>;
    steps: { uses?: string; with?: Record<string, string | boolean> }[];
  };
  const steps = (wf: { jobs: Record<string, Job> }) => Object.values(wf.jobs).flatMap((j) => j.steps);
  const jobs = (wf: { jobs: Record<string, Job> }) => Object.values(wf.jobs);

  it("the gate runs on pull_request with a read-only token", () => {
    expect(Object.keys(gate.on)).toContain("pull_request");
    for (const job of jobs(gate)) expect(Object.values(job.permissions ?? {})).not.toContain("write");
  });

  it("the report workflow follows the gate, downloads its artifact by name and posts in mode: report", () => {
    expect(report.on.workflow_run.workflows).toEqual([gate.name]);
    const download = steps(report).find((s) => s.uses?.startsWith("actions/download-artifact"));
    expect(download?.with?.name).toBe(artifactName("safety-gate.yml"));
    const post = steps(report).find((s) => s.uses?.startsWith("safety-gate/"));
    expect(post?.with).toMatchObject({ mode: "report", results: download?.with?.path });
    expect(report.jobs.report.permissions).toMatchObject({
      "pull-requests": "write",
      checks: "write",
      statuses: "write",
    });
    // Only inputs the action declares.
    for (const s of [...steps(gate), ...steps(report)].filter((x) => x.uses?.startsWith("safety-gate/"))) {
      for (const key of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    }
  });

  it("uses the current (Node 24) majors of GitHub's actions; older ones warn on every run", () => {
    const current: Record<string, string> = {
      "actions/checkout": "v6",
      "actions/download-artifact": "v8",
      "actions/upload-artifact": "v7",
      "actions/setup-node": "v6",
    };
    const used = [...steps(gate), ...steps(report)].flatMap((s) =>
      s.uses?.startsWith("actions/") ? [s.uses] : [],
    );
    expect(used.length).toBeGreaterThan(0);
    for (const uses of used) {
      const [name, ref] = uses.split("@") as [string, string];
      expect(current[name], `${name} is not in the table of current majors`).toBeDefined();
      expect(`${name}@${ref}`).toBe(`${name}@${current[name]}`);
    }
  });

  it("privileges per job, no git credentials kept, the artifact unpacked outside the workspace, one run per branch", () => {
    for (const wf of [gate, report]) {
      expect(wf.permissions).toEqual({});
      for (const job of jobs(wf)) expect(job.permissions).toBeDefined();
      for (const s of steps(wf).filter((x) => x.uses?.startsWith("actions/checkout"))) {
        expect(s.with?.["persist-credentials"]).toBe(false);
      }
      expect(wf.concurrency?.group).toMatch(/\$\{\{ github\./);
    }
    const download = steps(report).find((s) => s.uses?.startsWith("actions/download-artifact"));
    expect(download?.with?.path).toMatch(/^\$\{\{ runner\.temp \}\}\//);
  });
});
