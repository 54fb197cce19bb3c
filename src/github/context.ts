/**
 * What the Actions runner tells a step about where it runs: the repository, the event and
 * its payload, the commit, the pull request. Read once from the environment so the rest of
 * the GitHub code takes plain values (and tests can build them).
 */
import { readFileSync } from "node:fs";

export interface GitHubContext {
  apiUrl: string;
  serverUrl: string;
  owner: string;
  repo: string;
  eventName: string;
  /** The commit checks and statuses belong to: a pull request's head, else GITHUB_SHA. */
  sha: string;
  pullNumber?: number;
  /** The branch that chooses a profile: a pull request's base branch, else the pushed branch. */
  branch?: string;
  /** A pull request's base branch. */
  baseRef?: string;
  /** The git ref the run is for (GITHUB_REF: refs/heads/main, refs/tags/v1.2, refs/pull/7/merge). */
  ref?: string;
  runId?: number;
  /** Workflow file name (e.g. `gate.yml`), for finding this workflow's runs on the base branch. */
  workflowFile?: string;
  workspace: string;
  /** The event payload (GITHUB_EVENT_PATH), untyped: read the fields you need defensively. */
  event: Record<string, unknown>;
}

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export const str = (obj: unknown, ...path: string[]): string | undefined => {
  const v = get(obj, ...path);
  return typeof v === "string" && v !== "" ? v : undefined;
};
export const num = (obj: unknown, ...path: string[]): number | undefined => {
  const v = get(obj, ...path);
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
};

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    const data: unknown = JSON.parse(readFileSync(path, "utf8"));
    return data !== null && typeof data === "object" ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class NotInActionsError extends Error {}

export function readContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo) throw new NotInActionsError("GITHUB_REPOSITORY is not set (owner/name)");
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const isPr = eventName.startsWith("pull_request");
  const ref = env.GITHUB_REF ?? "";
  const baseRef = isPr ? env.GITHUB_BASE_REF || str(event, "pull_request", "base", "ref") : undefined;
  const runId = Number(env.GITHUB_RUN_ID);
  const workflowPath = /^[^/]+\/[^/]+\/(.+?)@/.exec(env.GITHUB_WORKFLOW_REF ?? "")?.[1];
  return {
    apiUrl: (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
    serverUrl: (env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, ""),
    owner,
    repo,
    eventName,
    sha: (isPr ? str(event, "pull_request", "head", "sha") : undefined) ?? env.GITHUB_SHA ?? "",
    pullNumber: isPr ? num(event, "pull_request", "number") : undefined,
    branch: baseRef ?? (ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined),
    baseRef,
    ref: ref || undefined,
    runId: Number.isSafeInteger(runId) && runId > 0 ? runId : undefined,
    workflowFile: workflowPath?.split("/").pop(),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    event,
  };
}

/** Link to this workflow run, where the job summary and the artifacts are. */
export function runUrl(ctx: GitHubContext): string | undefined {
  return ctx.runId ? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}` : undefined;
}
