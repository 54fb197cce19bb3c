/**
 * The sticky pull-request comment: one per gate config, found again by the hidden marker it
 * starts with and by its author — the token's own identity — then edited in place, so a
 * pull request never collects a comment per push. Only a comment that STARTS with the
 * marker and was written by this token's account is ours: another app's or person's
 * comment that quotes the marker is never edited (and ours never goes stale behind it).
 *
 * Who "this token" is: a personal token can ask (`GET /user`); an installation token
 * (GITHUB_TOKEN, or a GitHub App's `ghs_…` token) cannot — `GET /user` and `GET /app` both
 * refuse it — and the GITHUB_TOKEN's comments are by `github-actions[bot]`. So: the
 * configured login (action input `comment-author`, needed for a GitHub App's token, whose
 * comments are by `<app-slug>[bot]`), else `GET /user` for a non-installation token, else
 * `github-actions[bot]`. The lookup pages through every comment: long discussions are common.
 */
import type { GitHubClient } from "./client.js";
import { configKey } from "./verdict.js";
import type { WriteAccess } from "./write-access.js";

export function commentMarker(configFile: string): string {
  return `<!-- safety-gate:comment config=${configKey(configFile)} -->`;
}

/** GitHub's limit on a comment body. */
export const COMMENT_LIMIT = 65_536;

/** The account the Actions GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = "github-actions[bot]";

interface Where {
  owner: string;
  repo: string;
  issue_number: number;
}

interface FoundComment {
  id: number;
  html_url: string;
}

/** The login this client's comments are written by (see the module comment). */
export async function tokenLogin(gh: GitHubClient, configured?: string): Promise<string> {
  if (configured) return configured;
  const { tokenType } = (await gh.auth()) as { tokenType?: string };
  if (tokenType !== "installation" && tokenType !== "app") {
    try {
      return (await gh.rest.users.getAuthenticated()).data.login;
    } catch {
      // A token that cannot say who it is: treat it as the Actions token.
    }
  }
  return ACTIONS_BOT;
}

export async function findComment(
  gh: GitHubClient,
  where: Where,
  marker: string,
  author: () => Promise<string>,
): Promise<FoundComment | undefined> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...where, per_page: 100 });
  const marked = comments.filter((c) => c.body?.startsWith(marker));
  if (marked.length === 0) return undefined;
  const login = (await author()).toLowerCase();
  return marked.find((c) => c.user?.login?.toLowerCase() === login);
}

/** A failure after which the request may or may not have taken effect (5xx, or no answer). */
function uncertain(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return status === undefined || status >= 500;
}

/** Creates or updates the comment; its URL, or undefined when the write was not possible. */
export async function upsertComment(
  gh: GitHubClient,
  access: WriteAccess,
  where: Where,
  marker: string,
  body: string,
  author?: string,
): Promise<{ url: string; action: "created" | "updated" } | undefined> {
  const full = `${marker}\n${body}`;
  let login: Promise<string> | undefined;
  const whoAmI = () => {
    login ??= tokenLogin(gh, author);
    return login;
  };
  const update = (id: number) =>
    gh.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: id, body: full });
  let existing: FoundComment | undefined;
  try {
    existing = await findComment(gh, where, marker, whoAmI);
  } catch (err) {
    return access.write("pull-request comment", () => Promise.reject(err));
  }
  if (existing) {
    const id = existing.id;
    const r = await access.write("pull-request comment", () => update(id));
    return r && { url: r.data.html_url, action: "updated" };
  }
  const r = await access.write("pull-request comment", async () => {
    try {
      // Not retried blindly: a POST answered 502 may still have created the comment.
      return await gh.rest.issues.createComment({ ...where, body: full, request: { retries: 0 } });
    } catch (err) {
      if (!uncertain(err)) throw err;
      const made = await findComment(gh, where, marker, whoAmI);
      // It was: make sure it holds this body, and do not post a second one.
      if (made) return await update(made.id);
      return await gh.rest.issues.createComment({ ...where, body: full });
    }
  });
  return r && { url: r.data.html_url, action: "created" };
}
