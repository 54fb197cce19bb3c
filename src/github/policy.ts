/**
 * The gate policy on a pull request comes from the base branch: the config file as it is
 * at the base commit, read through the contents API. A pull request that adds a waiver for
 * its own failing gate, raises a `max` or deletes `gates:` changes only what the comment
 * shows as proposed; it applies once merged, after review. The graders and scoring are the
 * base commit's too (a grader that never matches passes everything). The suites and
 * targets still come from the pull request's checkout.
 */

import { posix } from "node:path";
import {
  gradingKey,
  type Policy,
  parseGrading,
  parsePolicy,
  type TrustedBaseline,
  type TrustedGrading,
  type TrustedPolicy,
} from "../config/policy.js";
import { baselineFileName } from "../config/trusted-baseline.js";
import { InputError } from "../io/diagnostic.js";
import { parseYaml } from "../io/source.js";
import type { GitHubClient } from "./client.js";
import { type GitHubContext, str } from "./context.js";
import { readRepoFile, repoPathOf } from "./repo-files.js";

export interface BaseCommit {
  sha: string;
  /** The base branch's name, for the report. */
  ref?: string;
}

/** A pull_request event's base commit; undefined on other events. */
export function baseCommitOf(ctx: GitHubContext): BaseCommit | undefined {
  if (ctx.pullNumber === undefined) return undefined;
  const sha = str(ctx.event, "pull_request", "base", "sha");
  return sha ? { sha, ref: ctx.baseRef } : undefined;
}

/** The config's path in the repository, or an input error: a policy outside it cannot be read from the base. */
export function configRepoPath(ctx: GitHubContext, configFile: string): string {
  const path = repoPathOf(ctx.workspace, configFile);
  if (path) return path;
  throw new InputError({
    file: "action inputs",
    keyPath: "config",
    message: `${configFile} is outside the repository (${ctx.workspace}); on a pull request the gate policy is read from the base branch, so the config must be a file in the repository`,
  });
}

/** The policy of the config at the base commit; without one there, the pull request introduces it. */
export async function basePolicy(
  gh: GitHubClient,
  ctx: GitHubContext,
  configFile: string,
  base: BaseCommit,
  /**
   * Resolves the `${VAR}`s of the base commit's graders (a judge's endpoint and key) for a
   * run that grades; without it (a report re-deciding graded cases) they are not resolved.
   */
  env?: NodeJS.ProcessEnv,
): Promise<TrustedPolicy> {
  const path = configRepoPath(ctx, configFile);
  const at = `${base.ref ? `${base.ref}@` : ""}${base.sha.slice(0, 7)}`;
  const from = `${path} at ${at}`;
  const text = await readRepoFile(gh, ctx, path, base.sha);
  if (text === undefined) return { from };
  let policy: Policy;
  let grading: TrustedGrading | undefined;
  try {
    policy = parsePolicy(text, path);
    grading = env ? parseGrading(text, path, env) : undefined;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // The line is the base commit's, which the checkout may not have: say where to fix it.
    throw new InputError(
      err.problems.map((p) => ({
        ...p,
        message: `${p.message} (in the gate policy at ${at}: fix it on ${base.ref ?? "the base branch"})`,
      })),
    );
  }
  // Who stands behind the waivers in force: the owner each names, and who last changed the
  // merged file that holds them (git blame is not in the REST API; the file's last commit is).
  const by = policy.waivers.length ? await lastChange(gh, ctx, path, base.sha) : undefined;
  const data = parseYaml(text, path).data as { baseline?: unknown } | null;
  return {
    policy,
    grading,
    gradingKey: gradingKey(data),
    // A run that grades reads the baseline file as the base commit has it; a report only compares declarations.
    baseline: env ? await baselineAt(gh, ctx, path, data?.baseline, base.sha) : { declared: data?.baseline },
    from: by ? `${from} (last changed by ${by})` : from,
  };
}

/** `@login in 1a2b3c4` for the latest commit touching `path` at `sha`; undefined if unknown. */
async function lastChange(
  gh: GitHubClient,
  ctx: GitHubContext,
  path: string,
  sha: string,
): Promise<string | undefined> {
  try {
    const r = await gh.rest.repos.listCommits({ owner: ctx.owner, repo: ctx.repo, path, sha, per_page: 1 });
    const c = r.data[0];
    const who = c?.author?.login ? `@${c.author.login}` : c?.commit.author?.name;
    return c && who ? `${who} in ${c.sha.slice(0, 7)}` : undefined;
  } catch {
    // Attribution is a courtesy: without it the policy is still the base commit's.
    return undefined;
  }
}

/** The base commit's `baseline:` and, when it names a file in the repository, that file as the base commit has it. */
async function baselineAt(
  gh: GitHubClient,
  ctx: GitHubContext,
  configPath: string,
  declared: unknown,
  sha: string,
): Promise<TrustedBaseline> {
  const name = baselineFileName(declared);
  if (name === undefined) return { declared };
  const path = posix.normalize(posix.join(posix.dirname(configPath), name));
  // A file outside the repository cannot be read at a commit: it is no trusted baseline.
  if (path.startsWith("..") || posix.isAbsolute(name)) return { declared, file: { name } };
  return { declared, file: { name, text: await readRepoFile(gh, ctx, path, sha) } };
}
