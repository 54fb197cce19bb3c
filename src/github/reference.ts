/**
 * Where the action finds a `reference:` build. `from: release`: the results artifact of the latest
 * run of this workflow on the latest release's tag (a push of the tag, or the release event), found
 * like a base-branch baseline (baseline.ts). `results: FILE` on a pull request: the file as it is at
 * the base commit, read through the contents API — the reference is part of the gate policy, which on
 * a pull request is the base branch's, so the pull request can neither drop the reference nor swap the
 * file it names. Elsewhere (a push) the file is read from the checkout like any config path.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import type { ReferenceConfig } from "../config/schema.js";
import type { ReferenceFetcher } from "../core.js";
import { downloadArtifact } from "./artifact.js";
import { findWorkflowResults } from "./baseline.js";
import type { GitHubClient } from "./client.js";
import type { GitHubContext } from "./context.js";
import type { BaseCommit } from "./policy.js";
import { readRepoFile } from "./repo-files.js";

export type ReferenceFound = { file: string; source: string; label?: string } | { unavailable: string };

export interface ReferenceSource {
  gh: GitHubClient;
  ctx: GitHubContext;
  artifact: string;
  token: string;
  /** The config's path in the repository (a `results:` path is relative to it). */
  configPath: string;
  /** On a pull request with a trusted policy: the base commit a `results:` file is read at. */
  base?: BaseCommit;
  download?: typeof downloadArtifact;
}

/** The fetcher the engine calls for `reference:`; undefined from it means "read the file from the checkout". */
export function referenceFetcher(source: ReferenceSource): ReferenceFetcher {
  return async (spec) => (await findReference(source, spec)) ?? localFile();
}

/** The engine's default for a `results:` path (relative to the config in the checkout). */
const localFile = () => undefined;

export async function findReference(
  source: ReferenceSource,
  spec: ReferenceConfig,
): Promise<ReferenceFound | undefined> {
  const { gh, ctx } = source;
  if (spec.from === "release") return latestRelease(source);
  if (spec.results === undefined || !source.base) return undefined;
  const path = posix.normalize(posix.join(posix.dirname(source.configPath), spec.results));
  const at = `${source.base.ref ? `${source.base.ref}@` : ""}${source.base.sha.slice(0, 7)}`;
  if (path.startsWith("..")) return { unavailable: `${spec.results} is outside the repository` };
  let text: string | undefined;
  try {
    text = await readRepoFile(gh, ctx, path, source.base.sha);
  } catch (err) {
    return { unavailable: (err as Error).message };
  }
  if (text === undefined)
    return {
      unavailable: `${path} does not exist at the base commit ${at} (the reference is the base branch's: commit it there)`,
    };
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), "safety-gate-reference-"));
  const file = join(dir, "results.json");
  writeFileSync(file, text);
  return { file, source: `${path} at ${at}` };
}

async function latestRelease(source: ReferenceSource): Promise<ReferenceFound> {
  const { gh, ctx } = source;
  let tag: string;
  try {
    tag = (await gh.rest.repos.getLatestRelease({ owner: ctx.owner, repo: ctx.repo })).data.tag_name;
  } catch (err) {
    const status = (err as { status?: number }).status;
    return {
      unavailable:
        status === 404
          ? "the repository has no published release yet"
          : `reading the latest release failed: ${(err as Error).message}`,
    };
  }
  const found = await findWorkflowResults(
    gh,
    ctx,
    tag,
    source.artifact,
    source.token,
    source.download ?? downloadArtifact,
  );
  if ("notApplicable" in found) return { unavailable: found.notApplicable };
  return "unavailable" in found
    ? { unavailable: `latest release ${tag}: ${found.unavailable}` }
    : { ...found, label: `${tag} release` };
}
