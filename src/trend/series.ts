/**
 * The runs a trend is drawn from, and `trend.json`: for each metric, one point per run that
 * measured it (commit, time, failures, n, rate, interval), overall and per category. Inputs
 * are history files (../history/record.ts) and results.json files, in any mix; runs are
 * ordered by time (inputs' order breaks ties), and a commit that appears twice is one run —
 * the one read last, as in the history itself.
 */
import { basename, dirname } from "node:path";
import { METRIC_INFO, METRICS, type MetricName } from "../gate/metric-names.js";
import { type HistoryPoint, type HistoryRecord, historyRecordOf, parseHistory } from "../history/record.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { readResults } from "../report/results-read.js";

export const TREND_VERSION = 1;

export interface TrendRun {
  /** null for a results.json (it does not know its commit). */
  commit: string | null;
  time: string;
  /** What names the run on the page: the commit's first 7 characters, or the results file's folder. */
  label: string;
  ref?: string;
  release: boolean;
  releaseName?: string;
  verdict: HistoryRecord["verdict"];
  source: string;
  metrics: HistoryRecord["metrics"];
  gated: string[];
}

export interface TrendPoint extends HistoryPoint {
  /** Index of the run in `runs`. */
  run: number;
  commit: string | null;
  time: string;
  label: string;
  release: boolean;
}

export interface TrendMetric {
  title: string;
  gated: boolean;
  points: TrendPoint[];
  categories: Record<string, TrendPoint[]>;
}

export interface Trend {
  trend: typeof TREND_VERSION;
  runs: Omit<TrendRun, "metrics" | "gated">[];
  metrics: Record<string, TrendMetric>;
}

function looksLikeResults(data: unknown): boolean {
  return data !== null && typeof data === "object" && !Array.isArray(data) && "schemaVersion" in data;
}

/** The runs in one input file. */
export function readTrendInput(file: string): TrendRun[] {
  const text = readText(file, "history or results file");
  const shown = displayPath(file);
  let whole: ReturnType<typeof parseJson> | undefined;
  try {
    whole = parseJson(text, shown);
  } catch {
    // Not one JSON document: a history file of several lines.
  }
  if (whole && looksLikeResults(whole.data)) {
    const { results } = readResults(whole.data, whole);
    const rec = historyRecordOf(results, { commit: "-" }, shown);
    const folder = basename(dirname(file));
    return [
      { ...runOf(rec, shown), commit: null, label: folder && folder !== "." ? folder : basename(file) },
    ];
  }
  return parseHistory(text, shown).map((r) => runOf(r, shown));
}

function runOf(r: HistoryRecord, source: string): TrendRun {
  return {
    commit: r.commit,
    time: r.time,
    label: r.commit.slice(0, 7),
    ...(r.ref !== undefined ? { ref: r.ref } : {}),
    release: r.release,
    ...(r.releaseName !== undefined ? { releaseName: r.releaseName } : {}),
    verdict: r.verdict,
    source,
    metrics: r.metrics,
    gated: r.gated,
  };
}

/** All inputs' runs: one per commit (the last read), ordered by time, then by input order. */
export function collectRuns(inputs: readonly TrendRun[][]): TrendRun[] {
  const all = inputs.flat();
  const lastOfCommit = new Map<string, number>();
  all.forEach((r, i) => {
    if (r.commit !== null) lastOfCommit.set(r.commit, i);
  });
  return all
    .map((r, i) => ({ r, i }))
    .filter(({ r, i }) => r.commit === null || lastOfCommit.get(r.commit) === i)
    .sort((a, b) => Date.parse(a.r.time) - Date.parse(b.r.time) || a.i - b.i)
    .map(({ r }) => r);
}

/** Metrics in the usual order, then any this version does not know (from a newer history). */
function metricOrder(runs: readonly TrendRun[]): string[] {
  const seen = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  return [
    ...METRICS.filter((m) => seen.has(m)),
    ...[...seen].filter((m) => !(METRICS as readonly string[]).includes(m)).sort(),
  ];
}

export function buildTrend(runs: readonly TrendRun[]): Trend {
  const metrics: Record<string, TrendMetric> = {};
  for (const m of metricOrder(runs)) {
    const points: TrendPoint[] = [];
    // A Map: a category is any text a suite gives ("__proto__" too).
    const categories = new Map<string, TrendPoint[]>();
    runs.forEach((run, i) => {
      const s = run.metrics[m];
      if (!s) return;
      const at = { run: i, commit: run.commit, time: run.time, label: run.label, release: run.release };
      points.push({ ...at, ...s.overall });
      for (const [cat, p] of Object.entries(s.byCategory)) {
        if (p.n === 0) continue;
        const list = categories.get(cat) ?? [];
        list.push({ ...at, ...p });
        categories.set(cat, list);
      }
    });
    metrics[m] = {
      title: m in METRIC_INFO ? METRIC_INFO[m as MetricName].title : m,
      gated: runs.some((r) => r.gated.includes(m)),
      points,
      categories: Object.fromEntries(categories),
    };
  }
  return {
    trend: TREND_VERSION,
    runs: runs.map(({ metrics: _m, gated: _g, ...rest }) => rest),
    metrics,
  };
}
