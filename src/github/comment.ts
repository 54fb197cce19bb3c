/**
 * The sticky pull-request comment: one per gate config, found again by a hidden marker and
 * by its author (a bot account — the Actions token or an App — or, for a personal token,
 * the token's own user), then edited in place, so a pull request never collects a comment
 * per push. The lookup pages through every comment: long discussions are common.
 */
import type { GitHubClient } from "./client.js";
import { configKey } from "./verdict.js";
import type { WriteAccess } from "./write-access.js";

export function commentMarker(configFile: string): string {
  return `<!-- safety-gate:comment config=${configKey(configFile)} -->`;
}

/** GitHub's limit on a comment body. */
export const COMMENT_LIMIT = 65_536;

interface Where {
  owner: string;
  repo: string;
  issue_number: number;
}

interface FoundComment {
  id: number;
  html_url: string;
}

async function tokenLogin(gh: GitHubClient): Promise<string | undefined> {
  try {
    return (await gh.rest.users.getAuthenticated()).data.login;
  } catch {
    // Installation tokens (GITHUB_TOKEN, Apps) cannot ask who they are; their comments are by a bot.
    return undefined;
  }
}

export async function findComment(
  gh: GitHubClient,
  where: Where,
  marker: string,
): Promise<FoundComment | undefined> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...where, per_page: 100 });
  const marked = comments.filter((c) => c.body?.includes(marker));
  const byBot = marked.find((c) => c.user?.type === "Bot");
  if (byBot || marked.length === 0) return byBot;
  const login = await tokenLogin(gh);
  return login ? marked.find((c) => c.user?.login === login) : undefined;
}

/** Creates or updates the comment; its URL, or undefined when the write was not possible. */
export async function upsertComment(
  gh: GitHubClient,
  access: WriteAccess,
  where: Where,
  marker: string,
  body: string,
): Promise<{ url: string; action: "created" | "updated" } | undefined> {
  const full = `${marker}\n${body}`;
  let existing: FoundComment | undefined;
  try {
    existing = await findComment(gh, where, marker);
  } catch (err) {
    return access.write("pull-request comment", () => Promise.reject(err));
  }
  if (existing) {
    const id = existing.id;
    const r = await access.write("pull-request comment", () =>
      gh.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: id, body: full }),
    );
    return r && { url: r.data.html_url, action: "updated" };
  }
  const r = await access.write("pull-request comment", () =>
    gh.rest.issues.createComment({ ...where, body: full }),
  );
  return r && { url: r.data.html_url, action: "created" };
}
