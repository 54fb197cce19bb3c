/**
 * The action's two sharded steps (dist/action.js, GitHub API at the stand-in): `shard: K/N`
 * answers and grades a slice and posts nothing, not even on an error; `merge: DIR` takes the
 * downloaded artifacts, decides once as an unsharded gate run would, and posts the comment,
 * check run and status once — or, with a shard missing, the error, once.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ActionRun, runActionIn } from "./helpers/action-run.js";
import { type StandIn, startGitHubStandIn } from "./helpers/github-standin.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const HEAD = "1111111111111111111111111111111111111111";
const PR = 7;
const CONFIG = "examples/quickstart/safety-gate.yml";

let work: string;
const servers: StandIn[] = [];
beforeAll(() => {
  work = tempDir("safety-gate-e2e-");
  cpSync(join(repoRoot, "dist"), join(work, "dist"), { recursive: true });
  cpSync(join(repoRoot, "examples"), join(work, "examples"), { recursive: true });
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

async function standIn(): Promise<StandIn> {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO });
  servers.push(s);
  return s;
}

function runAction(s: StandIn, inputs: Record<string, string>): Promise<ActionRun> {
  return runActionIn(
    work,
    s,
    `${OWNER}/${REPO}`,
    { config: CONFIG, ...inputs },
    {
      name: "pull_request",
      payload: { pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main" } } },
      env: {
        GITHUB_BASE_REF: "main",
        GITHUB_REF: `refs/pull/${PR}/merge`,
        GITHUB_SHA: "2".repeat(40),
        GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/gate.yml@refs/pull/${PR}/merge`,
      },
    },
  );
}

const withoutTimings = (file: string) =>
  readFileSync(file, "utf8").replace(/^\s*"createdAt": "[^"]*",?\n/gm, "");
/** The calls that post: a shard must make none. */
const posts = (s: StandIn) => s.calls().filter((c) => !c.startsWith("GET "));

describe("the action, sharded: shard: K/N on a matrix, then merge: DIR in one job", () => {
  it("4 shards post nothing; the merge posts comment, check and status once, with the unsharded run's results", async () => {
    const s = await standIn();
    const parts = join(tempDir("safety-gate-parts-"), "downloaded");
    for (let k = 1; k <= 4; k++) {
      const shard = await runAction(s, { shard: `${k}/4` });
      expect(shard.code, shard.stdout).toBe(0);
      expect(shard.outputs.verdict).toBe("partial");
      expect(shard.outputs["partial-path"]).toBe(join(shard.out, "partial.json"));
      expect(shard.summary).toContain(`Partial result of shard ${k}/4`);
      // What actions/download-artifact makes of N artifacts: a folder each.
      cpSync(shard.out, join(parts, `safety-gate-shard-${k}`), { recursive: true });
    }
    // Shards read (the base branch's gate policy) but never write.
    expect(posts(s)).toEqual([]);
    expect(s.violations).toEqual([]);

    const merged = await runAction(s, { merge: parts });
    expect(s.violations).toEqual([]);
    expect(merged.code).toBe(1);
    expect(merged.outputs.verdict).toBe("fail");
    expect(posts(s)).toEqual([
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.checkRuns[0]?.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(merged.summary).toContain("## safety-gate: ❌ FAIL");

    const whole = await runAction(await standIn(), {});
    expect(whole.code).toBe(1);
    expect(withoutTimings(join(merged.out, "results.json"))).toBe(
      withoutTimings(join(whole.out, "results.json")),
    );
  });

  it("a shard's error posts nothing (the merge reports it); a merge with a shard missing posts the error once", async () => {
    const s = await standIn();
    const bad = await runAction(s, { shard: "5/4" });
    expect(bad.code).toBe(1);
    expect(bad.outputs.verdict).toBe("error");
    expect(bad.stdout).toContain('shard: expected K/N with 1 ≤ K ≤ N (shard K of N, e.g. 2/4), got "5/4"');
    expect(s.calls()).toEqual([]);
    // An error after the inputs were read (here: no such config) posts nothing either.
    const broken = await runAction(s, { shard: "1/4", config: "no-such-config.yml" });
    expect(broken.code).toBe(1);
    expect(broken.outputs.verdict).toBe("error");
    expect(broken.stdout).toContain("no-such-config.yml");
    expect(posts(s)).toEqual([]);

    const parts = join(tempDir("safety-gate-parts-"), "downloaded");
    for (const k of [1, 2, 4]) {
      const shard = await runAction(s, { shard: `${k}/4` });
      expect(shard.code).toBe(0);
      cpSync(shard.out, join(parts, `safety-gate-shard-${k}`), { recursive: true });
    }
    expect(posts(s)).toEqual([]);
    const merged = await runAction(s, { merge: parts });
    expect(merged.code).toBe(1);
    expect(merged.outputs.verdict).toBe("error");
    expect(merged.stdout).toContain("shard 3/4 missing: a merge needs all 4 shards (got 1, 2, 4)");
    expect(posts(s)).toEqual([
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.checkRuns[0]?.body).toMatchObject({ conclusion: "failure" });

    const empty = tempDir("safety-gate-parts-");
    mkdirSync(join(empty, "nothing"));
    const none = await runAction(await standIn(), { merge: empty });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("no shard's partial.json in");
    const both = await runAction(await standIn(), { merge: empty, shard: "1/2" });
    expect(both.stdout).toContain("not both");
  });
});
