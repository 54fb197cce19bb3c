/**
 * A file as it is at a commit, read through the contents API (`contents: read`), not from
 * the checkout: on a pull request the checkout is the pull request's code, and the trusted
 * side must read the base branch's and the head's own files by commit SHA.
 */
import { isAbsolute, posix, relative, resolve, sep } from "node:path";
import type { GitHubClient } from "./client.js";
import type { GitHubContext } from "./context.js";

/** The file's text at `ref`, or undefined when it does not exist there. */
export async function readRepoFile(
  gh: GitHubClient,
  ctx: Pick<GitHubContext, "owner" | "repo">,
  path: string,
  ref: string,
): Promise<string | undefined> {
  try {
    // The raw media type returns the bytes as they are, also for files over 1 MB.
    const r = await gh.rest.repos.getContent({
      owner: ctx.owner,
      repo: ctx.repo,
      path,
      ref,
      mediaType: { format: "raw" },
    });
    return typeof r.data === "string" ? r.data : String(r.data);
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return undefined;
    const hint = status === 403 ? "; give the job `permissions: contents: read`" : "";
    throw new Error(
      `reading ${path} at ${ref.slice(0, 12)} through the contents API failed: ${(err as Error).message}${hint}`,
    );
  }
}

/** A local path as a path in the repository (the workspace is its root); undefined if outside it. */
export function repoPathOf(workspace: string, file: string): string | undefined {
  const rel = relative(resolve(workspace), resolve(file));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split(sep).join(posix.sep);
}
