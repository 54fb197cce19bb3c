/**
 * Runs the action from source under GitHub's `@github/local-action` (the way an action's
 * author debugs it: `npx @github/local-action run . src/action.ts <env file>`), end to end
 * against the local GitHub API stand-in (tests/helpers/github-standin.ts, which checks
 * every request against GitHub's OpenAPI description). It starts the stand-in, writes the
 * env file and a pull_request event, runs local-action, and prints what was posted.
 *
 *   npx tsx scripts/local-action.ts [config]      (default examples/quickstart/safety-gate.yml)
 *
 * Exits 1 if the stand-in saw a request GitHub would refuse, or nothing was posted.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubStandIn } from "../tests/helpers/github-standin.js";

const config = process.argv[2] ?? "examples/quickstart/safety-gate.yml";
const OWNER = "octo-org";
const REPO = "model-release";
const HEAD = "1".repeat(40);
const PR = 7;

const dir = mkdtempSync(join(tmpdir(), "safety-gate-local-action-"));
const s = await startGitHubStandIn({ owner: OWNER, repo: REPO });
const eventPath = join(dir, "event.json");
writeFileSync(
  eventPath,
  JSON.stringify({ pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main" } } }),
);
const summary = join(dir, "summary.md");
writeFileSync(summary, "");
const env = {
  ACTIONS_STEP_DEBUG: "false",
  GITHUB_ACTIONS: "true",
  GITHUB_API_URL: s.url,
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  GITHUB_EVENT_NAME: "pull_request",
  GITHUB_EVENT_PATH: eventPath,
  GITHUB_SHA: "2".repeat(40),
  GITHUB_REF: `refs/pull/${PR}/merge`,
  GITHUB_BASE_REF: "main",
  GITHUB_RUN_ID: "4242",
  GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/gate.yml@refs/pull/${PR}/merge`,
  GITHUB_STEP_SUMMARY: summary,
  RUNNER_TEMP: dir,
  INPUT_CONFIG: config,
  INPUT_OUT: join(dir, "out"),
  "INPUT_GITHUB-TOKEN": "ghs_localActionToken",
};
const envFile = join(dir, ".env");
writeFileSync(
  envFile,
  `${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`,
);

const code = await new Promise<number | null>((resolve, reject) => {
  const child = spawn("npx", ["--no-install", "local-action", "run", ".", "src/action.ts", envFile], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("error", reject);
  child.on("close", resolve);
});

const posted = {
  localActionExit: code,
  requests: s.calls(),
  violations: s.violations,
  comments: [...s.comments.values()].flat().length,
  checkRun: s.checkRuns.map((c) => ({
    conclusion: c.body.conclusion,
    title: (c.body.output as { title?: string } | undefined)?.title,
    annotations: c.annotations.length,
  })),
  status: s.statuses.map((x) => ({ state: x.body.state, description: x.body.description })),
  summaryBytes: readFileSync(summary).length,
};
console.log(
  `\nsafety-gate under @github/local-action, against the GitHub stand-in:\n${JSON.stringify(posted, null, 2)}`,
);
await s.close();
process.exit(s.violations.length || s.checkRuns.length === 0 || s.statuses.length === 0 ? 1 : 0);
