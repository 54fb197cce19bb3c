/**
 * `safety-gate history add --results FILE --history FILE [--commit SHA] [--ref REF] [--release]`
 * and `safety-gate history show --history FILE [--json]`: the gate's history in a file you
 * keep, from any CI (the action keeps one on a branch itself; see docs/history.md). The
 * commit and ref come from the flags, else from the CI's environment, else from git.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { formatRate } from "../gate/format.js";
import { METRIC_INFO, type MetricName } from "../gate/metric-names.js";
import { addToHistoryFile, readHistoryFile } from "../history/file.js";
import { type HistoryRecord, historyRecordOf } from "../history/record.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { plural } from "../io/plural.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { plainInline } from "../report/escape.js";
import { readResults } from "../report/results-read.js";
import { type Io, parseCommandArgs, UsageError } from "./common.js";
import { runContextFromEnv } from "./evidence.js";

export const HISTORY_HELP = `Usage:
  safety-gate history add --results FILE --history FILE [--commit SHA] [--ref REF] [--release]
  safety-gate history show --history FILE [--json]

history add puts a run's summary in a history file (one JSON line per commit: build
identities, suites hash, per metric and category failures, n, rate and interval, verdict,
waivers; docs/history.md). The same commit again replaces its line: one point per commit.
Safe when several runs add at once (the file is locked and replaced atomically).
history show prints the history, oldest first (--json: the lines as one JSON array).
safety-gate trend HISTORY... --out DIR charts it.

Options:
      --results FILE  the run's results.json
      --history FILE  the history file (created by the first add)
      --commit SHA    the commit the run gated (default: GITHUB_SHA, CI_COMMIT_SHA, or
                      git rev-parse HEAD)
      --ref REF       the branch or tag (default: GITHUB_REF, CI_COMMIT_REF_NAME, or the
                      checked-out branch); tags and release/… branches mark a release
      --release       mark this point as a release whatever the ref
      --json          show: print JSON

Exit codes: 0 done, 2 usage or unreadable input.`;

function git(args: string[]): string | undefined {
  try {
    return (
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** The commit and ref: flags, then the CI's environment, then git. */
export function runIdentity(
  flags: { commit?: string; ref?: string },
  env: NodeJS.ProcessEnv,
): { commit?: string; ref?: string } {
  const commit = flags.commit ?? (env.GITHUB_SHA || env.CI_COMMIT_SHA || git(["rev-parse", "HEAD"]));
  const gitlabRef = env.CI_COMMIT_TAG
    ? `refs/tags/${env.CI_COMMIT_TAG}`
    : env.CI_COMMIT_BRANCH
      ? `refs/heads/${env.CI_COMMIT_BRANCH}`
      : undefined;
  const ref = flags.ref ?? (env.GITHUB_REF || gitlabRef || git(["symbolic-ref", "-q", "HEAD"]));
  return { commit, ref };
}

export async function historyCommand(argv: string[], io: Io): Promise<number> {
  const sub = argv[0];
  const { values, positionals } = parseCommandArgs(`history${sub && !sub.startsWith("-") ? ` ${sub}` : ""}`, {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      results: { type: "string" },
      history: { type: "string" },
      commit: { type: "string" },
      ref: { type: "string" },
      release: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${HISTORY_HELP}\n`);
    return 0;
  }
  if (sub !== "add" && sub !== "show")
    throw new UsageError(
      sub === undefined || sub.startsWith("-")
        ? "history needs 'add' or 'show' (safety-gate history --help)"
        : `unknown history command '${sub}'; expected add or show`,
    );
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (!values.history) throw new UsageError(`history ${sub} needs --history FILE (the history file)`);
  const file = resolve(values.history);
  if (sub === "show") {
    // A path that names nothing is more likely a typo than an empty history.
    if (!existsSync(file))
      throw new InputError({
        file: displayPath(file),
        message: "history file not found; 'safety-gate history add' creates it with the first run",
      });
    const records = readHistoryFile(file);
    io.stdout(values.json ? `${JSON.stringify(records)}\n` : `${renderHistory(records, file)}\n`);
    return 0;
  }
  if (!values.results) throw new UsageError("history add needs --results FILE (a run's results.json)");
  const { commit, ref } = runIdentity(values, process.env);
  if (!commit)
    throw new UsageError(
      "history add needs --commit SHA: no GITHUB_SHA or CI_COMMIT_SHA is set and this is not a git checkout",
    );
  const source = parseJson(readText(values.results, "results file"), values.results);
  const { results } = readResults(source.data, source);
  const rec = historyRecordOf(
    results,
    {
      commit,
      ref,
      release: values.release || undefined,
      runUrl: runContextFromEnv(process.env).runUrl,
    },
    values.results,
  );
  const { action, points } = await addToHistoryFile(file, rec);
  const said = {
    added: "added",
    replaced: "replaced the earlier point of",
    unchanged: "already had the same point for",
  }[action];
  io.stdout(
    `${displayPath(file)}: ${said} commit ${commit.slice(0, 12)}${rec.release ? ` (release${rec.releaseName ? ` ${plainInline(rec.releaseName, 60)}` : ""})` : ""}, verdict ${rec.verdict}; ${plural(points, "point")}\n`,
  );
  return 0;
}

/** The history as a table: one row per run, oldest first, the gated metrics' rates. */
export function renderHistory(records: readonly HistoryRecord[], file: string): string {
  if (records.length === 0) return `${displayPath(file)}: no points yet`;
  const sorted = [...records].sort((a, b) => a.time.localeCompare(b.time));
  const metrics = [...new Set(sorted.flatMap((r) => r.gated))].filter(
    (m) => m in METRIC_INFO,
  ) as MetricName[];
  const header = ["time", "commit", "ref", "verdict", ...metrics.map((m) => METRIC_INFO[m].title)];
  const rows = sorted.map((r) => [
    r.time.replace(/\.\d+Z$/, "Z"),
    r.commit.slice(0, 7),
    `${plainInline((r.ref ?? "").replace(/^refs\/(heads|tags)\//, ""), 30)}${r.release ? " (release)" : ""}`,
    r.verdict,
    ...metrics.map((m) => {
      const p = r.metrics[m]?.overall;
      return p && p.rate !== null
        ? `${formatRate(p.rate)} (${p.failures}/${p.n})${p.interval ? ` [${formatRate(p.interval.lower)}, ${formatRate(p.interval.upper)}]` : ""}`
        : "–";
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + " ".repeat((widths[i] ?? 0) - [...c].length))
      .join("  ")
      .trimEnd();
  return [`${displayPath(file)}: ${plural(records.length, "point")}`, line(header), ...rows.map(line)].join(
    "\n",
  );
}
