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

describe.each(sources)("%s", (name, gate, report) => {
  type Job = {
    permissions?: Record<string, string>;
    if?: string;
    steps: { uses?: string; run?: string; with?: Record<string, string | boolean> }[];
  };
  const steps = (wf: { jobs: Record<string, Job> }) => Object.values(wf.jobs).flatMap((j) => j.steps);
  const jobs = (wf: { jobs: Record<string, Job> }) => Object.values(wf.jobs);

  it("the gate runs on pull_request with a read-only token", () => {
    expect(Object.keys(gate.on)).toContain("pull_request");
    // Only a job that never runs on a pull request (the evidence job, on push) may write anything.
    const onPullRequests = (j: Job) => !/github\.event_name == 'push'/.test(j.if ?? "");
    expect(jobs(gate).filter(onPullRequests).length).toBeGreaterThan(0);
    for (const job of jobs(gate).filter(onPullRequests)) {
      expect(Object.values(job.permissions ?? {})).not.toContain("write");
    }
  });

  // The shipped example has the evidence job; `safety-gate init`'s workflow does not (yet).
  it.skipIf(name !== "examples/workflows")(
    "on push, the evidence job packages the gate's results and attests every file of the package",
    () => {
      const job = gate.jobs.evidence as Job & { needs: string };
      expect(job.needs).toBe("gate");
      expect(job.if).toMatch(/github\.event_name == 'push'/);
      // Exactly what artifact attestations need, nothing more.
      expect(job.permissions).toEqual({ contents: "read", "id-token": "write", attestations: "write" });
      const download = job.steps.find((s) => s.uses?.startsWith("actions/download-artifact"));
      expect(download?.with?.name).toBe(artifactName("safety-gate.yml"));
      const run = job.steps.find((s) => s.run?.includes(" evidence --results"))?.run ?? "";
      expect(run).toContain(
        `${download?.with?.path?.toString().replace("${{ runner.temp }}", "$RUNNER_TEMP")}/results.json`,
      );
      expect(run).toMatch(/--out evidence\b/);
      expect(run).toMatch(/evidence verify evidence/);
      const attest = job.steps.find((s) => s.uses?.startsWith("actions/attest-build-provenance"));
      expect(attest?.with?.["subject-path"]).toBe("evidence/**");
      expect(Object.keys(gate.on.push)).toContain("branches");
    },
  );

  it.skipIf(name !== "examples/workflows")(
    "on push, the history job appends the gate's results with mode: history and contents: write only; on main the trend page is built and deployed with GitHub Pages",
    () => {
      const job = gate.jobs.history as Job & { needs: string };
      expect(job.needs).toBe("gate");
      expect(job.if).toMatch(/github\.event_name == 'push'/);
      expect(job.permissions).toEqual({ contents: "write" });
      const download = job.steps.find((s) => s.uses?.startsWith("actions/download-artifact"));
      expect(download?.with?.name).toBe(artifactName("safety-gate.yml"));
      const history = job.steps.find((s) => s.uses?.startsWith("safety-gate/")) as {
        id?: string;
        with?: Record<string, string>;
      };
      expect(history.with).toEqual({ mode: "history", results: download?.with?.path });
      expect(action.inputs.mode.description).toContain("history");
      expect(Object.keys(action.outputs)).toContain("history-path");
      const trend = job.steps.find((s) => s.run?.includes(" trend ")) as {
        run: string;
        env?: Record<string, string>;
      };
      expect(trend.env?.HISTORY).toBe(`\${{ steps.${history.id}.outputs.history-path }}`);
      expect(trend.run).toMatch(/trend "\$HISTORY" --out trend$/);
      const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-pages-artifact"));
      expect(upload?.with?.path).toBe("trend");
      const pages = gate.jobs.pages as Job & { needs: string; environment: { name: string } };
      expect(pages.needs).toBe("history");
      expect(pages.if).toMatch(/github\.ref == 'refs\/heads\/main'/);
      expect(pages.permissions).toEqual({ pages: "write", "id-token": "write" });
      expect(pages.environment.name).toBe("github-pages");
      expect(pages.steps.map((s) => s.uses)).toEqual(["actions/deploy-pages@v4"]);
      expect(Object.keys(gate.on.push)).toContain("tags");
    },
  );

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
      "actions/attest-build-provenance": "v3",
      "actions/upload-pages-artifact": "v4",
      "actions/deploy-pages": "v4",
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

describe("examples/workflows/safety-gate-sharded.yml: shards on a matrix, one merge that posts", () => {
  type Step = { uses?: string; with?: Record<string, string | number | boolean> };
  type Job = {
    needs?: string;
    if?: string;
    permissions?: Record<string, string>;
    strategy?: { "fail-fast"?: boolean; matrix: { shard: number[] } };
    steps: Step[];
  };
  const wf = load("safety-gate-sharded.yml") as {
    on: Record<string, unknown>;
    permissions: unknown;
    concurrency?: { group?: string };
    jobs: { shard: Job; merge: Job };
  };
  const { shard, merge } = wf.jobs;
  const uses = (job: Job, prefix: string) => job.steps.filter((s) => s.uses?.startsWith(prefix));
  const one = (job: Job, prefix: string): Step => {
    const found = uses(job, prefix);
    expect(found, prefix).toHaveLength(1);
    return found[0] as Step;
  };
  const glob = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

  it("each matrix job runs one shard K/N of N = the matrix's size, uploads its out folder and posts nothing", () => {
    const shards = shard.strategy?.matrix.shard ?? [];
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(shards.length).toBeGreaterThan(1);
    // A failed shard must not cancel the others: the merge reports it.
    expect(shard.strategy?.["fail-fast"]).toBe(false);
    const gate = one(shard, "safety-gate/");
    expect(gate.with?.shard).toBe(`\${{ matrix.shard }}/${shards.length}`);
    expect(gate.with?.merge).toBeUndefined();
    const upload = one(shard, "actions/upload-artifact");
    expect(upload.with?.path).toBe(gate.with?.out);
    expect(String(upload.with?.name)).toContain("${{ matrix.shard }}");
    expect(Object.values(shard.permissions ?? {})).not.toContain("write");
  });

  it("the merge job follows every shard (even a failed one), downloads all of their artifacts and posts once", () => {
    expect(merge.needs).toBe("shard");
    expect(merge.if).toMatch(/!cancelled\(\)/);
    const upload = one(shard, "actions/upload-artifact");
    const download = one(merge, "actions/download-artifact");
    const pattern = String(download.with?.pattern);
    for (const k of shard.strategy?.matrix.shard ?? [])
      expect(String(upload.with?.name).replace("${{ matrix.shard }}", String(k))).toMatch(glob(pattern));
    // One folder per artifact: no merge-multiple, which would put every partial.json in one place.
    expect(download.with?.["merge-multiple"]).toBeUndefined();
    expect(download.with?.path).toMatch(/^\$\{\{ runner\.temp \}\}\//);
    const gate = one(merge, "safety-gate/");
    expect(gate.with?.merge).toBe(download.with?.path);
    expect(gate.with?.config).toBe(one(shard, "safety-gate/").with?.config);
    expect(merge.permissions).toEqual({
      contents: "read",
      "pull-requests": "write",
      checks: "write",
      statuses: "write",
    });
  });

  it("declared inputs only, current majors, no kept credentials, no default permissions, one run per branch", () => {
    const current: Record<string, string> = {
      "actions/checkout": "v6",
      "actions/download-artifact": "v8",
      "actions/upload-artifact": "v7",
    };
    for (const s of [...shard.steps, ...merge.steps]) {
      if (s.uses?.startsWith("safety-gate/"))
        for (const key of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
      if (s.uses?.startsWith("actions/")) {
        const [name, ref] = s.uses.split("@") as [string, string];
        expect(ref, name).toBe(current[name]);
      }
      if (s.uses?.startsWith("actions/checkout")) expect(s.with?.["persist-credentials"]).toBe(false);
    }
    expect(wf.permissions).toEqual({});
    expect(Object.keys(wf.on)).toContain("pull_request");
    expect(wf.concurrency?.group).toMatch(/\$\{\{ github\./);
  });
});
