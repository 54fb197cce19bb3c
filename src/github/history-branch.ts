/**
 * The action's history: a file on a dedicated branch of the repository (default
 * `safety-gate-history`), written through the git data API — read the branch's ref, its
 * commit's tree and the file's blob; write a blob, a tree on top of the old one, a commit
 * whose parent is the old head; then move the ref without force. Needs `contents: write`.
 *
 * Two runs may append at once (two pushes in a row, a tag and a branch). The ref update
 * is refused (422, not a fast-forward) for the one that read an older head: it reads the
 * branch again and puts its line into the new file, so both points are kept. The same
 * commit twice is one point (../history/record.ts mergeRecord). A missing branch is created
 * with a first commit that has no parent; if another run created it first, that 422 is
 * retried the same way. Nothing is checked out and the default branch is never touched.
 */
import {
  type HistoryRecord,
  type MergeAction,
  mergeRecord,
  parseHistory,
  serializeHistory,
} from "../history/record.js";
import type { GitHubClient } from "./client.js";

export const DEFAULT_HISTORY_BRANCH = "safety-gate-history";
/** Attempts before giving up when other runs keep moving the branch. */
const ATTEMPTS = 5;

export interface HistoryPlace {
  owner: string;
  repo: string;
  branch: string;
  /** The file's path on the branch. */
  path: string;
}

const status = (err: unknown) => (err as { status?: number }).status;

interface Head {
  commit: string;
  tree: string;
  text: string;
}

/** The branch's head commit, its tree and the history file's text ("" when absent); undefined when the branch does not exist. */
async function readHead(gh: GitHubClient, p: HistoryPlace): Promise<Head | undefined> {
  let commit: string;
  try {
    commit = (await gh.rest.git.getRef({ owner: p.owner, repo: p.repo, ref: `heads/${p.branch}` })).data
      .object.sha;
  } catch (err) {
    if (status(err) === 404) return undefined;
    throw err;
  }
  const tree = (await gh.rest.git.getCommit({ owner: p.owner, repo: p.repo, commit_sha: commit })).data.tree
    .sha;
  // The path may be in a folder: the recursive listing finds it at any depth.
  const entries = (
    await gh.rest.git.getTree({ owner: p.owner, repo: p.repo, tree_sha: tree, recursive: "1" })
  ).data.tree;
  const entry = entries.find((e) => e.path === p.path && e.type === "blob");
  if (!entry?.sha) return { commit, tree, text: "" };
  const blob = (await gh.rest.git.getBlob({ owner: p.owner, repo: p.repo, file_sha: entry.sha })).data;
  const text =
    blob.encoding === "base64" ? Buffer.from(blob.content, "base64").toString("utf8") : String(blob.content);
  return { commit, tree, text };
}

/** The history on the branch (empty when the branch or the file does not exist yet). */
export async function readHistoryBranch(gh: GitHubClient, p: HistoryPlace): Promise<HistoryRecord[]> {
  const head = await readHead(gh, p);
  return head ? parseHistory(head.text, `${p.branch}:${p.path}`) : [];
}

export interface Appended {
  action: MergeAction;
  /** The branch's new head (the old one when nothing changed). */
  commit?: string;
  points: number;
  /** Ref updates refused because another run moved the branch first. */
  retries: number;
  /** The history as it now is on the branch. */
  records: HistoryRecord[];
}

export async function appendToHistoryBranch(
  gh: GitHubClient,
  p: HistoryPlace,
  rec: HistoryRecord,
): Promise<Appended> {
  const { owner, repo } = p;
  for (let attempt = 0; ; attempt++) {
    const head = await readHead(gh, p);
    const merged = mergeRecord(head ? parseHistory(head.text, `${p.branch}:${p.path}`) : [], rec);
    if (merged.action === "unchanged")
      return {
        action: "unchanged",
        commit: head?.commit,
        points: merged.records.length,
        retries: attempt,
        records: merged.records,
      };
    const blob = await gh.rest.git.createBlob({
      owner,
      repo,
      content: serializeHistory(merged.records),
      encoding: "utf-8",
    });
    const tree = await gh.rest.git.createTree({
      owner,
      repo,
      ...(head ? { base_tree: head.tree } : {}),
      tree: [{ path: p.path, mode: "100644", type: "blob", sha: blob.data.sha }],
    });
    const commit = await gh.rest.git.createCommit({
      owner,
      repo,
      message: `safety-gate history: ${merged.action === "added" ? "add" : "update"} ${rec.commit.slice(0, 12)} (${rec.verdict})`,
      tree: tree.data.sha,
      parents: head ? [head.commit] : [],
    });
    try {
      if (head)
        await gh.rest.git.updateRef({
          owner,
          repo,
          ref: `heads/${p.branch}`,
          sha: commit.data.sha,
          force: false,
        });
      else await gh.rest.git.createRef({ owner, repo, ref: `refs/heads/${p.branch}`, sha: commit.data.sha });
      return {
        action: merged.action,
        commit: commit.data.sha,
        points: merged.records.length,
        retries: attempt,
        records: merged.records,
      };
    } catch (err) {
      // 422: not a fast-forward (another run moved the branch), or the branch was created meanwhile.
      if (status(err) !== 422 || attempt + 1 >= ATTEMPTS) throw err;
    }
  }
}
