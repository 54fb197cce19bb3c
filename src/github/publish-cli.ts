/**
 * `safety-gate publish`: the same comment, check run and status as the action, from any CI
 * (or a laptop), given a token in GITHUB_TOKEN (never a flag: flags show up in process
 * lists and logs) and the repository and commit. The results file is read as untrusted
 * input, like any earlier run's.
 */
import { loadConfig } from "../config/load.js";
import { readHistoryFile } from "../history/file.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { reportOptionsFrom } from "../report/markdown.js";
import { readResults } from "../report/results-read.js";
import type { Results } from "../report/results-schema.js";
import { trendLines } from "../trend/sparkline.js";
import { createClient } from "./client.js";
import { type Published, publish } from "./publish.js";
import type { InconclusiveAs } from "./verdict.js";
import { WriteAccess } from "./write-access.js";

export interface PublishArgs {
  results: string;
  repo: string;
  sha: string;
  pr?: string;
  config?: string;
  checkName: string;
  statusContext: string;
  comment: boolean;
  inconclusive: string;
  apiUrl?: string;
  /** A history file (safety-gate history add) for the comment's sparklines. */
  history?: string;
  /** The published trend page, linked from the comment. */
  trendUrl?: string;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

const arg = (key: string, message: string) => new InputError({ file: "command line", keyPath: key, message });

export async function publishFromCli(
  a: PublishArgs,
): Promise<{ results: Results; published: Published; failures: string[] }> {
  const token = a.env.GITHUB_TOKEN || a.env.GH_TOKEN;
  if (!token)
    throw arg(
      "GITHUB_TOKEN",
      "set GITHUB_TOKEN (or GH_TOKEN) to a token that may write comments, checks and statuses",
    );
  const [owner, repo, extra] = a.repo.split("/");
  if (!owner || !repo || extra !== undefined) throw arg("--repo", `expected OWNER/NAME, got "${a.repo}"`);
  if (!/^[0-9a-f]{40}$/.test(a.sha)) throw arg("--sha", `expected a 40-character commit SHA, got "${a.sha}"`);
  const pullNumber = a.pr === undefined ? undefined : Number(a.pr);
  if (pullNumber !== undefined && !(Number.isSafeInteger(pullNumber) && pullNumber > 0)) {
    throw arg("--pr", `expected a pull request number, got "${a.pr}"`);
  }
  if (a.inconclusive !== "failure" && a.inconclusive !== "neutral") {
    throw arg("--inconclusive", `expected failure or neutral, got "${a.inconclusive}"`);
  }
  const doc = parseJson(readText(a.results, "results file"), displayPath(a.results));
  const { results } = readResults(doc.data, doc);
  const report = reportOptionsFrom(a.config ? loadConfig(a.config, a.env).config.report : undefined);
  const gh = createClient({
    token,
    log: { debug: () => {}, info: () => {}, warn: a.warn, error: () => {} },
    apiUrl: (a.apiUrl ?? a.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
  });
  const access = new WriteAccess({ warning: a.warn });
  const published = await publish(
    gh,
    access,
    results,
    report,
    {
      owner,
      repo,
      sha: a.sha,
      pullNumber,
      fullReport: `The full report is ${displayPath(a.results).replace(/results\.json$/, "report.md")}.`,
      trend: trendLines(a.history ? readHistoryFile(a.history) : [], results, { url: a.trendUrl }),
    },
    {
      comment: a.comment,
      checkName: a.checkName,
      statusContext: a.statusContext,
      inconclusive: a.inconclusive as InconclusiveAs,
    },
  );
  return {
    results,
    published,
    failures: [...access.failures, ...access.refused.map((s) => `${s}: the token may not write it`)],
  };
}
