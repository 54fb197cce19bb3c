/**
 * The trend page, `DIR/index.html`: one self-contained file with no script and no request
 * (its Content-Security-Policy forbids both), so it can be published as it is (GitHub
 * Pages) or opened from disk. Per metric: the rate over time with its intervals and the
 * releases marked, then small multiples per category; last, a table of every run.
 */
import { formatRate } from "../gate/format.js";
import { htmlText as h, truncate } from "../report/escape.js";
import { orLast, SHOWN_CATEGORIES, worstFirst } from "../report/top.js";
import { VERSION } from "../version.js";
import { trendChart } from "./chart.js";
import type { Trend, TrendPoint } from "./series.js";

export const TREND_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}.wide{overflow-x:auto}small{color:#59636e}
svg.trend text{font:11px system-ui,sans-serif;fill:#1f2328}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:.5rem 1rem}
.multiples figure{margin:0}.multiples figcaption{font-size:.9em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.verdict.pass{color:#1a7f37}.verdict.fail{color:#cf222e}.verdict.inconclusive{color:#9a6700}.verdict.waived{color:#8250df}
tr.release td{background:#fbefff}`;

const rateText = (p: TrendPoint | undefined) =>
  p && p.rate !== null
    ? `${formatRate(p.rate)} (${Math.round(p.failures * 100) / 100}/${p.n})${p.interval ? ` [${formatRate(p.interval.lower)}, ${formatRate(p.interval.upper)}]` : ""}`
    : "–";

export function renderTrendPage(t: Trend): string {
  const releases = new Map<number, string>();
  t.runs.forEach((r, i) => {
    if (r.release) releases.set(i, r.releaseName ?? r.label);
  });
  const runs = t.runs.length;
  const sections: string[] = [];
  for (const [metric, m] of Object.entries(t.metrics)) {
    const last = m.points[m.points.length - 1];
    const cats = Object.keys(m.categories);
    // Too many to draw: the highest latest rates first; every category is in trend.json.
    const shown = worstFirst(cats, SHOWN_CATEGORIES, (c) => {
      const ps = m.categories[c] ?? [];
      return [orLast(ps[ps.length - 1]?.rate)];
    });
    const multiples = shown.map(
      (c) =>
        `<figure><figcaption title="${h(truncate(c, 200))}">${h(truncate(c, 60))} <small>${h(rateText((m.categories[c] ?? []).at(-1)))}</small></figcaption>${trendChart(m.categories[c] ?? [], { title: `${m.title}: ${c}`, runs, releases, small: true, metric, category: c })}</figure>`,
    );
    sections.push(`<section id="metric-${h(metric)}">
<h2>${h(m.title)}${m.gated ? "" : " <small>(not gated)</small>"}</h2>
<p>Latest: <b>${h(rateText(last))}</b> · ${m.points.length} run${m.points.length === 1 ? "" : "s"}. The band and whiskers are each run's confidence interval; dashed lines mark releases.</p>
${trendChart(m.points, { title: `${m.title} over time`, runs, releases, metric })}
${cats.length > 1 ? `<h3>${h(m.title)} by category</h3><div class="multiples">${multiples.join("\n")}</div>${cats.length > shown.length ? `<p><small>${shown.length} of ${cats.length} categories shown (highest latest rate first); all are in trend.json.</small></p>` : ""}` : ""}
</section>`);
  }
  const metricNames = Object.keys(t.metrics);
  const pointOf = (metric: string, run: number) => t.metrics[metric]?.points.find((p) => p.run === run);
  const rows = t.runs
    .map(
      (r, i) =>
        `<tr${r.release ? ' class="release"' : ""}><td>${h(r.time)}</td><td><code>${h(truncate(r.commit ?? r.label, 40))}</code></td><td>${h(truncate((r.ref ?? "").replace(/^refs\/(heads|tags)\//, ""), 60))}${r.release ? ` <b>release ${h(truncate(r.releaseName ?? "", 60))}</b>` : ""}</td><td class="verdict ${h(r.verdict)}">${h(r.verdict)}</td>${metricNames.map((m) => `<td class="num">${h(rateText(pointOf(m, i)))}</td>`).join("")}</tr>`,
    )
    .reverse();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${TREND_CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>safety-gate: trend over ${runs} run${runs === 1 ? "" : "s"}</title><style>${STYLE}</style></head><body>
<h1>safety-gate: trend</h1>
<p id="summary">${runs} run${runs === 1 ? "" : "s"}${runs ? `, ${h(t.runs[0]?.time ?? "")} to ${h(t.runs[runs - 1]?.time ?? "")}` : ""}; ${releases.size} release${releases.size === 1 ? "" : "s"} marked. The candidate build's rates at each run, with their intervals; the figures are in trend.json.</p>
${sections.join("\n")}
<h2>Runs</h2>
<div class="wide"><table id="runs"><thead><tr><th>Time</th><th>Commit</th><th>Ref</th><th>Verdict</th>${metricNames.map((m) => `<th>${h(t.metrics[m]?.title ?? m)}</th>`).join("")}</tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>
<p><small>safety-gate ${h(VERSION)} · newest run first</small></p>
</body></html>
`;
}
