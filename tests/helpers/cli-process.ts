/**
 * The real CLI as a separate process (from source, through tsx, so that it needs no build):
 * its own environment, working folder and stdin — a pipe, never a terminal — as CI runs it.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./shared.js";

/** By path: a bare `--import tsx` is resolved from the working folder, a temp folder here. */
const TSX = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCliProcess(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, join(repoRoot, "src/cli.ts"), ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** An environment with nothing set but PATH: a fresh machine, or a fork's pull request. */
export const bareEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? "" });
