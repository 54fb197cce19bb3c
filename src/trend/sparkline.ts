/**
 * The trend in the pull-request comment: per gated metric, a unicode sparkline (▁▂▃▄▅▆▇█)
 * of its rate over the last runs in the history, the first and last of those rates, and
 * this run's; and a link to the trend page when its URL is configured. Markdown built from
 * our own titles and numbers only; the URL is checked before it is linked.
 */
import { formatRate } from "../gate/format.js";
import { METRIC_INFO, type MetricName } from "../gate/metric-names.js";
import type { HistoryRecord } from "../history/record.js";
import type { Results } from "../report/results-schema.js";

const BARS = "▁▂▃▄▅▆▇█";
/** How many of the latest runs a sparkline shows. */
export const SPARK_RUNS = 12;

/** One bar per value, scaled from the lowest to the highest; a missing value is a gap. */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return values.map(() => " ").join("");
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return " ";
      // A flat series is a flat line in the middle, not a row of lowest bars that reads as "zero".
      if (hi === lo) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))];
    })
    .join("");
}

const safeUrl = (url: string | undefined) =>
  url !== undefined && /^https?:\/\/[^\s()<>[\]]+$/.test(url) ? url : undefined;

/** The comment's trend lines; none when there is neither a history nor a trend page. */
export function trendLines(
  history: readonly HistoryRecord[],
  current: Results,
  options: { url?: string } = {},
): string[] {
  const url = safeUrl(options.url);
  const runs = [...history].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).slice(-SPARK_RUNS);
  const gated = [...new Set(current.decisions.map((d) => d.metric))];
  const lines: string[] = [];
  if (runs.length > 0) {
    for (const m of gated) {
      const rates = runs.map((r) => r.metrics[m]?.overall.rate ?? null);
      const known = rates.filter((r): r is number => r !== null);
      if (known.length === 0) continue;
      const now = current.metrics.candidate[m as MetricName]?.overall.rate ?? null;
      const title = m in METRIC_INFO ? METRIC_INFO[m as MetricName].title : m;
      lines.push(
        `- ${title}: \`${sparkline(rates)}\` ${formatRate(known[0] ?? null)} → ${formatRate(known[known.length - 1] ?? null)} over the last ${runs.length} recorded run${runs.length === 1 ? "" : "s"}; this run ${formatRate(now)}`,
      );
    }
  }
  if (lines.length === 0 && !url) return [];
  return [`**Trend**${url ? ` ([trend page](${url}))` : ""}`, ...(lines.length ? ["", ...lines] : [])];
}
