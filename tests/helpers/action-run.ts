/**
 * Runs the bundled action (dist/action.js) as the runner starts it — GITHUB_* and INPUT_*
 * environment, an event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files — with
 * the GitHub API at a stand-in. SAFETY_GATE_E2E_NODE picks the Node binary.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StandIn } from "./github-standin.js";
import { tempDir } from "./run.js";

export const NODE = process.env.SAFETY_GATE_E2E_NODE || process.execPath;

export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  out: string;
}

export interface ActionEvent {
  name: string;
  payload: unknown;
  env?: Record<string, string>;
}

export function runActionIn(
  work: string,
  s: StandIn,
  repository: string,
  inputs: Record<string, string>,
  event: ActionEvent,
): Promise<ActionRun> {
  const files = tempDir("safety-gate-action-");
  const output = join(files, "output");
  const summary = join(files, "summary");
  const eventPath = join(files, "event.json");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const out = join(files, "out");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NO_COLOR: "1",
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: s.url,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: repository,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: "2".repeat(40),
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/gate.yml@refs/heads/main`,
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: files,
    "INPUT_GITHUB-TOKEN": "ghs_e2eToken",
    INPUT_OUT: out,
    ...event.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ["dist/action.js"], { cwd: work, env });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const outputs: Record<string, string> = {};
      for (const m of readFileSync(output, "utf8").matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
        outputs[m[1] as string] = m[3] as string;
      }
      resolve({ code, stdout, outputs, summary: readFileSync(summary, "utf8"), out });
    });
  });
}
