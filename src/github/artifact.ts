/**
 * The results artifact: every run uploads its results (the base branch's become the next
 * pull request's baseline; a fork's are posted by the trusted `mode: report` workflow).
 * Upload needs the runner's artifact service (ACTIONS_RUNTIME_TOKEN, set for the action's
 * own process); outside a runner it is skipped with a notice, never an error.
 */
import { DefaultArtifactClient } from "@actions/artifact";

export type Upload = { id?: number; size?: number } | { skipped: string };

export async function uploadArtifact(
  name: string,
  files: readonly string[],
  rootDirectory: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Upload> {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return { skipped: "not on a GitHub Actions runner (no artifact service)" };
  }
  const r = await new DefaultArtifactClient().uploadArtifact(name, [...files], rootDirectory);
  return { id: r.id, size: r.size };
}

export interface FindBy {
  token: string;
  workflowRunId: number;
  repositoryOwner: string;
  repositoryName: string;
}

/** Downloads and unzips an artifact of another run (GitHub's public artifacts API). */
export async function downloadArtifact(id: number, path: string, findBy: FindBy): Promise<void> {
  await new DefaultArtifactClient().downloadArtifact(id, { path, findBy });
}
