/**
 * The commit status, for branch protection rules that require a status context rather
 * than a check. GitHub allows 140 characters of description.
 */
import type { Verdict } from "../gate/waivers.js";
import { plainInline } from "../report/escape.js";
import type { GitHubClient } from "./client.js";
import { type InconclusiveAs, statusState } from "./verdict.js";
import type { WriteAccess } from "./write-access.js";

export const STATUS_DESCRIPTION_LIMIT = 140;

export interface StatusInput {
  owner: string;
  repo: string;
  sha: string;
  context: string;
  verdict: Verdict;
  inconclusive: InconclusiveAs;
  description: string;
  targetUrl?: string;
}

export async function postStatus(
  gh: GitHubClient,
  access: WriteAccess,
  input: StatusInput,
): Promise<boolean> {
  const r = await access.write("commit status", () =>
    gh.rest.repos.createCommitStatus({
      owner: input.owner,
      repo: input.repo,
      sha: input.sha,
      state: statusState(input.verdict, input.inconclusive),
      context: input.context,
      description: plainInline(input.description, STATUS_DESCRIPTION_LIMIT),
      ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
    }),
  );
  return r !== undefined;
}
