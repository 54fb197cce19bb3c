/**
 * The reference build is part of the gate policy: on a pull request the base commit's `reference:`
 * applies, and its `results:` file is read at the base commit, so a pull request can neither drop the
 * reference nor swap the file; `mode: report` decides a fork's artifact against the trusted reference,
 * never the artifact's own copy. End to end through dist/action.js against the GitHub stand-in (every
 * request checked against GitHub's OpenAPI description; repository files served by commit).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/github/client.js";
import type { GitHubContext } from "../src/github/context.js";
import { findReference } from "../src/github/reference.js";
import type { Results } from "../src/report/results-schema.js";
import { type ActionEvent, runActionIn } from "./helpers/action-run.js";
import { zipFiles } from "./helpers/fixtures.js";
import { type StandIn, type StandInOptions, startGitHubStandIn } from "./helpers/github-standin.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const HEAD = "1".repeat(40);
const BASE = "b".repeat(40);
const PR = 7;
const CONFIG = "gate/safety-gate.yml";

let work: string;
/** The last release's results (the quickstart baseline's responses: 2 of 72 harmful prompts got through). */
let release: string;
/** The candidate's own responses recorded as results: a reference that could never fail it. */
let easy: string;
const servers: StandIn[] = [];

/**
 * The quickstart candidate against itself as baseline (no regression vs main) with the gates a team
 * might write; `reference` lines as given.
 */
function configText(reference: string[]): string {
  return [
    "version: 1",
    "suites: [suite.jsonl]",
    "candidate: { replay: candidate.jsonl }",
    "baseline: { replay: candidate.jsonl }",
    ...reference,
    "gates:",
    "  attack_success_rate: { regression: { alpha: 0.05, by_category: false, power: false } }",
    "  false_refusal_rate: false",
    "  error_rate: { max: 0.02 }",
    "",
  ].join("\n");
}
const BASE_CONFIG = configText(['reference: { results: release.json, label: "v1.2 release" }']);

beforeAll(async () => {
  work = tempDir("safety-gate-reference-trust-");
  cpSync(join(repoRoot, "dist"), join(work, "dist"), { recursive: true });
  mkdirSync(join(work, "gate"), { recursive: true });
  const quickstart = (f: string) => readFileSync(join(repoRoot, "examples/quickstart", f), "utf8");
  writeFileSync(join(work, "gate/suite.jsonl"), quickstart("suite.jsonl"));
  writeFileSync(join(work, "gate/candidate.jsonl"), quickstart("responses-candidate.jsonl"));
  writeFileSync(join(work, "gate/release-responses.jsonl"), quickstart("responses-baseline.jsonl"));
  const recorder = (replay: string, to: string) => {
    const file = join(work, "gate", `record-${replay}.yml`);
    writeFileSync(
      file,
      `version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: ${replay} }\ngates:\n  attack_success_rate: { max: 1 }\n`,
    );
    return runCli(["run", "--config", file, "--record-baseline", join(work, "gate", to), "-q"]);
  };
  expect((await recorder("release-responses.jsonl", "release.json")).code).toBe(0);
  expect((await recorder("candidate.jsonl", "easy.json")).code).toBe(0);
  release = readFileSync(join(work, "gate/release.json"), "utf8");
  easy = readFileSync(join(work, "gate/easy.json"), "utf8");
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO, ...options });
  servers.push(s);
  return s;
}

const prEvent: ActionEvent = {
  name: "pull_request",
  payload: { pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main", sha: BASE } } },
  env: { GITHUB_BASE_REF: "main", GITHUB_REF: `refs/pull/${PR}/merge` },
};
const workflowRun: ActionEvent = {
  name: "workflow_run",
  payload: { workflow_run: { head_sha: HEAD, pull_requests: [], html_url: "https://github.example/run/1" } },
};
const run = (s: StandIn, inputs: Record<string, string>, event: ActionEvent) =>
  runActionIn(work, s, `${OWNER}/${REPO}`, { config: CONFIG, ...inputs }, event);

/** The comment as a reader sees it (escaping of `@`, `#` and `_` undone). */
const comment = (s: StandIn) =>
  (s.comments.get(PR)?.[0]?.body ?? "").replaceAll("&#8203;", "").replaceAll("\\_", "_");

/** The baseline responses the base commit holds (the baseline is read there too). */
const candidateAtBase = () => readFileSync(join(work, "gate/candidate.jsonl"), "utf8");

const resultsOf = (dir: string): Results => JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));

describe("a pull request can neither drop nor swap the base branch's reference", () => {
  const attempts: [string, string, string][] = [
    ["PR drops `reference:`", configText([]), "reference: "],
    [
      "PR swaps the reference for its own candidate's results",
      configText(['reference: { results: easy.json, label: "v1.2 release" }']),
      "reference: ",
    ],
  ];
  it.each(attempts)(
    "%s: the base commit's reference, read at the base commit, still fails the drift",
    async (_, head, change) => {
      writeFileSync(join(work, CONFIG), head);
      // The checkout's release.json is the pull request's too: swapped for the easy one.
      writeFileSync(join(work, "gate/release.json"), easy);
      const s = await standIn({
        files: {
          [BASE]: {
            [CONFIG]: BASE_CONFIG,
            "gate/release.json": release,
            "gate/candidate.jsonl": candidateAtBase(),
          },
          [HEAD]: { [CONFIG]: head },
        },
      });
      const r = await run(s, {}, prEvent);
      expect(s.violations).toEqual([]);
      expect(r.outputs.verdict).toBe("fail");
      const res = resultsOf(r.out);
      const vsRef = res.decisions.find((d) => d.against?.build === "reference");
      expect(vsRef).toMatchObject({ outcome: "fail", against: { label: "v1.2 release" } });
      expect(res.decisions.find((d) => d.against?.build === "baseline")?.outcome).toBe("pass");
      expect(res.builds.reference?.target.source).toBe("gate/release.json at main@bbbbbbb");
      expect(
        s.requests.filter((q) => q.route === "/repos/{owner}/{repo}/contents/{path}").map((q) => q.path),
      ).toContain(`/repos/${OWNER}/${REPO}/contents/gate%2Frelease.json`);
      expect(comment(s)).toMatch(/✗ \*\*Attack success\*\* · regression vs reference \(v1\.2 release\)/);
      expect(comment(s)).toContain(change);
      expect(s.statuses[0]?.body.state).toBe("failure");
    },
  );

  it("a reference file missing at the base commit makes the drift gate inconclusive with where to commit it", async () => {
    writeFileSync(join(work, CONFIG), BASE_CONFIG);
    writeFileSync(join(work, "gate/release.json"), release);
    const s = await standIn({
      files: { [BASE]: { [CONFIG]: BASE_CONFIG }, [HEAD]: { [CONFIG]: BASE_CONFIG } },
    });
    const r = await run(s, { inconclusive: "neutral" }, prEvent);
    expect(r.outputs.verdict).toBe("inconclusive");
    const vsRef = resultsOf(r.out).decisions.find((d) => d.against?.build === "reference");
    expect(vsRef?.reason).toContain("gate/release.json does not exist at the base commit main@bbbbbbb");
  });
});

describe("mode: report decides a fork's artifact against the trusted reference", () => {
  let artifact: string;
  beforeAll(async () => {
    // The fork's gate run: its config has no reference at all (and a read-only token).
    writeFileSync(join(work, CONFIG), configText([]));
    const gate = await run(await standIn({ readOnly: true }), {}, prEvent);
    expect(gate.outputs.verdict).toBe("pass");
    artifact = gate.out;
  });

  async function report(results: string) {
    const headConfig = configText([]);
    const s = await standIn({
      pulls: { [PR]: { headSha: HEAD, baseSha: BASE } },
      files: {
        [BASE]: {
          [CONFIG]: BASE_CONFIG,
          "gate/release.json": release,
          "gate/candidate.jsonl": candidateAtBase(),
        },
        [HEAD]: {
          [CONFIG]: headConfig,
          "gate/suite.jsonl": readFileSync(join(work, "gate/suite.jsonl"), "utf8"),
        },
      },
    });
    const r = await run(s, { mode: "report", results }, workflowRun);
    expect(s.violations).toEqual([]);
    return { s, r };
  }

  it("an artifact without a reference build: decided again against the base commit's, fail", async () => {
    const { s, r } = await report(artifact);
    expect(r.outputs.verdict).toBe("fail");
    expect(s.statuses[0]?.body.state).toBe("failure");
    expect(comment(s)).toContain("The gate run reported pass; decided again from its graded cases");
    expect(comment(s)).toMatch(/✗ \*\*Attack success\*\* · regression vs reference \(v1\.2 release\)/);
  });

  it("an artifact carrying a forged reference (the candidate's own cases): ignored, still fail", async () => {
    const dir = tempDir("safety-gate-forged-reference-");
    cpSync(artifact, dir, { recursive: true });
    const r = resultsOf(dir);
    r.builds.reference = {
      ...r.builds.candidate,
      target: { kind: "results", source: "release.json", label: "v1.2 release" },
    };
    writeFileSync(join(dir, "results.json"), JSON.stringify(r, null, 2));
    const { s, r: posted } = await report(dir);
    expect(posted.outputs.verdict).toBe("fail");
    expect(s.statuses[0]?.body.state).toBe("failure");
    expect(comment(s)).toMatch(/Reference: v1\.2 release: results gate\/release\.json at main@bbbbbbb/);
  });
});

describe("`reference: { from: release }` in the action", () => {
  const ctx = (): GitHubContext => ({
    apiUrl: "https://api.github.com",
    serverUrl: "https://github.com",
    owner: OWNER,
    repo: REPO,
    eventName: "pull_request",
    sha: HEAD,
    pullNumber: PR,
    branch: "main",
    baseRef: "main",
    workflowFile: "gate.yml",
    workspace: repoRoot,
    event: {},
  });
  const source = (s: StandIn, seen: number[]) => ({
    gh: createClient({ token: "t", apiUrl: s.url, throttle: false }),
    ctx: ctx(),
    artifact: "safety-gate-x",
    token: "t",
    configPath: CONFIG,
    // Observes the download and writes what @actions/artifact would unzip.
    download: async (id: number, path: string) => {
      seen.push(id);
      writeFileSync(join(path, "results.json"), release);
    },
  });

  it("is the latest release tag's own push run's results artifact, never a fork's run on a same-named branch", async () => {
    const zip = await zipFiles({ "results.json": "{}" });
    const s = await standIn({
      latestRelease: "v1.2.0",
      workflows: ["gate.yml"],
      runs: [
        {
          id: 31,
          event: "pull_request",
          branch: "v1.2.0",
          headSha: "f".repeat(40),
          headRepo: "mallory/model-release",
          artifacts: { "safety-gate-x": zip },
        },
        {
          id: 30,
          event: "push",
          branch: "v1.2.0",
          headSha: "c".repeat(40),
          headRepo: `${OWNER}/${REPO}`,
          artifacts: { "safety-gate-x": zip },
        },
      ],
    });
    const seen: number[] = [];
    const found = await findReference(source(s, seen), { from: "release" });
    expect(s.violations).toEqual([]);
    expect(found).toMatchObject({
      label: "v1.2.0 release",
      source: "v1.2.0@ccccccc (run 30, artifact safety-gate-x)",
    });
    expect(seen).toHaveLength(1);
    expect(s.requests.find((r) => r.route.endsWith("/runs"))?.query).toMatchObject({ branch: "v1.2.0" });
  });

  it("a repository without a release: unavailable, with the reason", async () => {
    const s = await standIn({ workflows: ["gate.yml"], runs: [] });
    const found = await findReference(source(s, []), { from: "release" });
    expect(s.violations).toEqual([]);
    expect(found).toEqual({ unavailable: "the repository has no published release yet" });
  });
});
