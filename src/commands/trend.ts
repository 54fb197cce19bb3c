/**
 * `safety-gate trend HISTORY_OR_RESULTS... --out DIR`: DIR/index.html (../trend/page.ts) and
 * DIR/trend.json (../trend/series.ts) from history files and results.json files in any mix.
 */
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { displayPath } from "../io/display.js";
import { renderTrendPage } from "../trend/page.js";
import { buildTrend, collectRuns, readTrendInput } from "../trend/series.js";
import { type Io, parseCommandArgs, UsageError } from "./common.js";

export const TREND_HELP = `Usage:
  safety-gate trend HISTORY_OR_RESULTS... --out DIR

trend writes DIR/index.html — each metric over time with its intervals, releases marked,
small multiples per category, a table of the runs; one file with no script and no network
request, ready for GitHub Pages — and DIR/trend.json: for each metric, one point per run
(commit, time, failures, n, rate, interval), overall and per category. The inputs are
history files (safety-gate history add, or the action's history branch) and results.json
files, in any mix; runs are ordered by time and a commit is one run.

Options:
  -o, --out DIR   where index.html and trend.json are written

Exit codes: 0 written, 2 usage or unreadable input.`;

export async function trendCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs("trend", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${TREND_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("trend needs at least one history file or results.json (safety-gate trend --help)");
  if (!values.out) throw new UsageError("trend needs --out DIR (where index.html and trend.json go)");
  const runs = collectRuns(positionals.map(readTrendInput));
  if (runs.length === 0)
    throw new UsageError(
      `no runs in ${positionals.join(", ")}: the history is empty; add a run with 'safety-gate history add'`,
    );
  const trend = buildTrend(runs);
  const out = resolve(values.out);
  writeFileAtomic(join(out, "trend.json"), `${JSON.stringify(trend, null, 2)}\n`);
  writeFileAtomic(join(out, "index.html"), renderTrendPage(trend));
  const releases = runs.filter((r) => r.release).length;
  io.stdout(
    `wrote ${displayPath(join(out, "index.html"))} and trend.json: ${runs.length} run${runs.length === 1 ? "" : "s"}, ${Object.keys(trend.metrics).length} metrics, ${releases} release${releases === 1 ? "" : "s"}\n`,
  );
  return 0;
}
