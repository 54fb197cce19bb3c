/**
 * `report.html`: the place to look. One self-contained file — no network: its
 * Content-Security-Policy forbids every request and allows only its own script, by hash.
 * First the verdict and one plain sentence per gate, then the metric table with the
 * statistics (test, p, Holm-adjusted p, MDE), per-category charts (inline SVG drawn here)
 * and the per-category table; then every case, with filters (flipped, errored, metric,
 * category, grader), search and expand-all, baseline and candidate side by side
 * (./viewer-script.ts).
 *
 * Server-rendered text is escaped (./escape.ts htmlText). The cases travel as JSON in a
 * <script type="application/json"> block that no text can close (escape.ts scriptJson) and
 * reach the page only as text nodes. `redact` shows hashes and lengths instead of text.
 * Written one case at a time, so report.html for a million cases is never one string.
 */

import { createHash } from "node:crypto";
import { againstName } from "../gate/decide.js";
import { formatP } from "../gate/format.js";
import { METRIC_INFO, METRICS, type MetricName, RATE_METRICS, type RateMetric } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { severity, type Verdict } from "../gate/waivers.js";
import { shownResponse } from "./agent-text.js";
import { categoryRows } from "./category-rows.js";
import { adjustedText, atMargin, deltaCell, mdeText, powerText } from "./comparison-text.js";
import { costLine } from "./cost-text.js";
import { errorCauses } from "./error-causes.js";
import { htmlText, redactedText, scriptJson, stripInvisible, truncate } from "./escape.js";
import { boundedDecisions, gateText, type ReportOptions, rateCell, verdictSummary } from "./markdown.js";
import type { Results } from "./results-schema.js";
import { maxOf, orLast, SHOWN_CATEGORIES, worstFirst } from "./top.js";
import { VIEWER_SCRIPT } from "./viewer-script.js";

const SCRIPT_HASH = createHash("sha256").update(VIEWER_SCRIPT).digest("base64");
/** Nothing may be fetched, framed or submitted; only the inline style and this script run. */
export const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

/** Per-category rows in the table before "… and N more": every one is in results.json. */
const TABLE_CATEGORIES = 200;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1f2328}
h1 .pass{color:#1a7f37}h1 .fail{color:#cf222e}h1 .inconclusive{color:#9a6700}h1 .waived{color:#8250df}
.summary{font-size:1.1rem}.gates{padding-left:1.2rem}.gates li{margin:.25rem 0}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}.wide{overflow-x:auto}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.6rem;border-radius:6px;margin:.3rem 0}
details.case{border-bottom:1px solid #d0d7de;padding:.3rem 0}summary{cursor:pointer}
.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.85em;font-weight:600}
.badge.pass{background:#dafbe1;color:#1a7f37}.badge.fail{background:#ffebe9;color:#cf222e}
.badge.inconclusive{background:#fff8c5;color:#7d4e00}.badge.waived{background:#fbefff;color:#8250df}
.badge.errored{background:#fff8c5;color:#7d4e00}
tr.inconclusive td{background:#fff8c5}tr.fail td{background:#fff5f5}
.st.fail{color:#cf222e}.st.pass{color:#1a7f37}.st.error{color:#9a6700;font-weight:600}.error{color:#9a6700}
.flip{font-weight:600}.regressed .flip{color:#cf222e}.improved .flip{color:#1a7f37}
details.errored{background:#fffbea}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}@media (max-width:50rem){.sides{grid-template-columns:1fr}}
.side{min-width:0}small{color:#59636e}
#filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #d0d7de;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;z-index:1}
#filters label{white-space:nowrap}#f-q{min-width:16rem}
.chart text{font:12px system-ui,sans-serif;fill:#1f2328}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .8em}`;

const h = htmlText;

function badge(outcome: Verdict): string {
  return `<span class="badge ${outcome}">${outcome}</span>`;
}

function worst(outcomes: readonly Verdict[]): Verdict | undefined {
  return outcomes.reduce<Verdict | undefined>(
    (w, o) => (w === undefined || severity(o) > severity(w) ? o : w),
    undefined,
  );
}

type ResultDecision = Results["decisions"][number];

/**
 * One plain sentence per gate, the ones that did not pass first, the statistics in small
 * print; per-category gates that passed are one line per metric (as in report.md).
 */
function gateList(r: Results): string {
  const items: { outcome: Verdict; html: string }[] = [];
  const say = (d: ResultDecision) =>
    items.push({
      outcome: d.outcome,
      html: `${badge(d.outcome)} <b>${METRIC_INFO[d.metric].title}</b> (${h(gateText(d))}): ${h(d.plain ?? d.reason)}${d.plain ? `<br><small>${h(d.reason)}</small>` : ""}${waiver(d)}`,
    });
  for (const metric of METRICS) {
    const mine = r.decisions.filter((x) => x.metric === metric);
    for (const d of mine.filter((x) => x.category === undefined)) say(d);
    const byCategory = mine.filter((x) => x.category !== undefined);
    const passed = byCategory.filter((x) => x.outcome === "pass").length;
    if (passed) {
      items.push({
        outcome: "pass",
        html: `${badge("pass")} <b>${METRIC_INFO[metric].title}</b> by category: ${passed} of ${byCategory.length} categories show no significant regression`,
      });
    }
    for (const d of boundedDecisions(byCategory.filter((x) => x.outcome !== "pass"))) {
      if (typeof d === "string") items.push({ outcome: "inconclusive", html: h(d) });
      else say(d);
    }
  }
  for (const w of (r.waivers ?? []).filter((x) => x.status === "expired")) {
    items.push({
      outcome: "inconclusive",
      html: `${badge("inconclusive")} expired waiver ignored: <b>${METRIC_INFO[w.metric].title}</b>, owner ${h(w.owner)}, expired ${h(w.expires)}`,
    });
  }
  const sorted = items
    .map((x, i) => ({ ...x, i }))
    .sort((a, b) => severity(b.outcome) - severity(a.outcome) || a.i - b.i);
  return sorted.length
    ? `<ul class="gates">${sorted.map((x) => `<li class="${x.outcome}">${x.html}</li>`).join("\n")}</ul>`
    : "";
}

function waiver(d: ResultDecision): string {
  return d.waiver
    ? ` — waived by ${h(d.waiver.owner)} until ${h(d.waiver.expires)}: ${h(d.waiver.reason)}`
    : "";
}

function metricTable(r: Results): string {
  const conf = `${Math.round(r.confidence * 100)}% CI`;
  const rows: string[] = [];
  for (const m of METRICS) {
    const cmp = r.comparisons.find((c) => c.metric === m && c.category === undefined);
    const decisions = r.decisions.filter((d) => d.metric === m && d.category === undefined);
    const cand = r.metrics.candidate[m].overall;
    if (cand.n === 0 && decisions.length === 0) continue;
    const outcome = worst(r.decisions.filter((d) => d.metric === m).map((d) => d.outcome));
    const delta = deltaCell(cmp);
    const p = cmp ? `${formatP(cmp.pOneSided)} / ${formatP(cmp.pTwoSided)}${atMargin(cmp)}` : "–";
    rows.push(
      `<tr${outcome && outcome !== "pass" ? ` class="${outcome}"` : ""}><td>${METRIC_INFO[m].title} <small>(${h(METRIC_INFO[m].failure)})</small></td><td>${h(rateCell(r.metrics.baseline?.[m].overall))}</td><td>${h(rateCell(cand))}</td><td class="num">${h(delta)}</td><td>${h(cmp?.test ?? "–")}</td><td class="num">${h(p)}</td><td class="num">${h(adjustedText(cmp))}</td><td class="num">${h(mdeText(cmp))}</td><td>${h(
        decisions
          .filter((d) => d.against?.build !== "reference")
          .map(gateText)
          .join("; ") || "not gated",
      )}</td><td>${outcome ? badge(outcome) : "–"}</td></tr>`,
    );
    // The comparison with the reference on a row of its own, under the metric's.
    const rc = r.referenceComparisons?.find((c) => c.metric === m && c.category === undefined);
    const rd = decisions.filter((d) => d.against?.build === "reference");
    if (rc) {
      const ro = worst(rd.map((d) => d.outcome));
      const name = againstName(rd[0]?.against ?? { build: "reference" }).replace(/^the /, "");
      rows.push(
        `<tr${ro && ro !== "pass" ? ` class="${ro}"` : ""}><td>↳ vs ${h(name)}</td><td>${h(rateCell(r.metrics.reference?.[m].overall))}</td><td>${h(rateCell(cand))}</td><td class="num">${h(deltaCell(rc))}</td><td>${h(rc.test)}</td><td class="num">${h(`${formatP(rc.pOneSided)} / ${formatP(rc.pTwoSided)}${atMargin(rc)}`)}</td><td class="num">${h(adjustedText(rc))}</td><td class="num">${h(mdeText(rc))}</td><td>${h(rd.map(gateText).join("; ") || "not gated")}</td><td>${ro ? badge(ro) : "–"}</td></tr>`,
      );
    }
  }
  if (!rows.length) return "";
  const paired = r.comparisons.filter((c) => c.pairs > 0 && c.category === undefined);
  const notes = paired.length
    ? `<p><small>Δ = candidate − baseline on the same cases; one-sided p for "candidate worse". Each interval's level matches its (Holm-adjusted) one-sided test. MDE: the true Δ the test would detect with 80% power.</small></p><ul>${paired
        .map(
          (c) =>
            `<li><small>${METRIC_INFO[c.metric].title}: ${h(c.test)} — ${h(c.testReason)}; interval: ${h(c.interval)}.${c.power ? ` ${h(powerText(c) ?? "")}.` : ""}</small></li>`,
        )
        .join("")}</ul>`
    : "";
  return `<h2>Metrics</h2>
<div class="wide"><table id="metrics"><thead><tr><th>Metric</th><th>Baseline [${conf}]</th><th>Candidate [${conf}]</th><th>Δ [CI]</th><th>Test</th><th>p (one-sided / two-sided)</th><th>Holm-adjusted p</th><th>MDE (80% power)</th><th>Gate</th><th>Outcome</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>${notes}`;
}

function categoryTable(r: Results): string {
  const rows: string[] = [];
  for (const { metric, rows: shown, leftOut } of categoryRows(r, TABLE_CATEGORIES)) {
    const cats = r.metrics.candidate[metric].byCategory;
    for (const { category: cat, comparison: cmp, decision: d } of shown) {
      rows.push(
        `<tr${d && d.outcome !== "pass" ? ` class="${d.outcome}"` : ""}><td>${METRIC_INFO[metric].title}</td><td>${h(truncate(cat, 80))}</td><td>${h(rateCell(r.metrics.baseline?.[metric].byCategory[cat]))}</td><td>${h(rateCell(cats[cat]))}</td><td class="num">${h(deltaCell(cmp))}</td><td class="num">${cmp ? h(formatP(cmp.pOneSided)) : "–"}</td><td class="num">${h(adjustedText(cmp))}</td><td class="num">${h(mdeText(cmp))}</td><td>${d ? badge(d.outcome) : "–"}</td></tr>`,
      );
    }
    if (leftOut > 0) {
      rows.push(
        `<tr><td>${METRIC_INFO[metric].title}</td><td colspan="8">… and ${leftOut} more categories, in results.json</td></tr>`,
      );
    }
  }
  if (!rows.length) return "";
  return `<h2>Per category</h2>
<div class="wide"><table id="categories"><thead><tr><th>Metric</th><th>Category</th><th>Baseline</th><th>Candidate</th><th>Δ [CI]</th><th>p (one-sided)</th><th>Holm-adjusted p</th><th>MDE</th><th>Outcome</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>`;
}

const BASELINE_COLOUR = "#8c959f";
/** The candidate build's colour, shared with the trend charts (../trend/chart.ts). */
export const CANDIDATE_COLOUR = "#0969da";

/** Horizontal bars of a rate metric per category, baseline over candidate: inline SVG, drawn here. */
export function svgChart(r: Results, metric: RateMetric): string {
  const cand = r.metrics.candidate[metric].byCategory;
  const base = r.metrics.baseline?.[metric].byCategory;
  const all = Object.keys(cand).filter((c) => (cand[c]?.n ?? 0) > 0);
  if (all.length < 2) return "";
  const cats = worstFirst(all, SHOWN_CATEGORIES, (c) => {
    const rate = orLast(cand[c]?.rate);
    return [base ? rate - orLast(base[c]?.rate ?? 0) : rate, rate];
  });
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? 0 : x * 100);
  const top = Math.max(
    10,
    Math.ceil(maxOf(cats.flatMap((c) => [pct(cand[c]?.rate), pct(base?.[c]?.rate)])) / 10) * 10,
  );
  const labelW = 220;
  const barW = 420;
  const bar = 10;
  const rowH = base ? 2 * bar + 10 : bar + 10;
  const height = cats.length * rowH + 24;
  const width = labelW + barW + 70;
  const x = (v: number) => (v / top) * barW;
  const parts: string[] = [];
  cats.forEach((c, i) => {
    const y = i * rowH + 4;
    parts.push(
      `<text x="${labelW - 6}" y="${y + (base ? bar + 4 : bar - 1)}" text-anchor="end">${h(truncate(c, 32))}</text>`,
    );
    const bars: [string, number | null | undefined, string][] = base
      ? [
          [BASELINE_COLOUR, base[c]?.rate, "baseline"],
          [CANDIDATE_COLOUR, cand[c]?.rate, "candidate"],
        ]
      : [[CANDIDATE_COLOUR, cand[c]?.rate, "candidate"]];
    bars.forEach(([colour, rate, who], j) => {
      const by = y + j * bar;
      const v = pct(rate);
      parts.push(
        `<rect x="${labelW}" y="${by}" width="${x(v).toFixed(1)}" height="${bar - 1}" fill="${colour}"><title>${h(truncate(c, 80))}, ${who}: ${v.toFixed(1)}%</title></rect><text x="${(labelW + x(v) + 4).toFixed(1)}" y="${by + bar - 1}">${rate === null || rate === undefined ? "–" : `${v.toFixed(1)}%`}</text>`,
      );
    });
  });
  const axisY = cats.length * rowH + 6;
  parts.push(
    `<line x1="${labelW}" y1="0" x2="${labelW}" y2="${axisY}" stroke="#d0d7de"/><text x="${labelW}" y="${axisY + 14}">0%</text><text x="${labelW + barW}" y="${axisY + 14}" text-anchor="end">${top}%</text>`,
  );
  const rest = all.length - cats.length;
  const title = `${METRIC_INFO[metric].title} by category (${METRIC_INFO[metric].failure}, %)`;
  return `<figure><figcaption><b>${h(title)}</b><span class="legend">${base ? `<span style="background:${BASELINE_COLOUR}"></span>baseline` : ""}<span style="background:${CANDIDATE_COLOUR}"></span>candidate</span></figcaption>
<svg class="chart" role="img" aria-label="${h(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>${rest > 0 ? `<br><small>${cats.length} of ${all.length} categories shown (${base ? "largest rise over the baseline" : "highest rate"} first); the other ${rest} are in results.json.</small>` : ""}</figure>`;
}

/** Why cases errored, grouped by cause, with their ids (see ./error-causes.ts). */
function erroredCases(r: Results): string {
  const items = errorCauses(r).flatMap(({ build, causes }) =>
    causes.map(
      ({ cause, ids }) =>
        `<li>${build}: <b>${ids.length} ×</b> ${h(cause)} — ${ids.map((id) => `<code>${h(id)}</code>`).join(", ")}</li>`,
    ),
  );
  return items.length ? `<h2>Errored cases</h2><ul>${items.join("")}</ul>` : "";
}

export function renderHtml(r: Results, o: ReportOptions): string {
  const parts: string[] = [];
  emitHtml(r, o, (piece) => parts.push(piece));
  return parts.join("");
}

/** What the viewer gets of one build's outcome: short keys, cleaned and truncated text. */
interface SideData {
  s: CaseOutcome["status"];
  r?: string;
  x?: string;
  g: [string, string, string][];
}

function sideData(c: CaseOutcome | undefined, o: ReportOptions): SideData | null {
  if (!c) return null;
  return {
    s: c.status,
    ...(shownResponse(c) !== undefined && c.status !== "error"
      ? { r: caseText(shownResponse(c) as string, o) }
      : {}),
    ...(c.status === "error" ? { x: truncate(stripInvisible(c.error ?? ""), 2000) } : {}),
    g: c.grades.map((g) => [
      truncate(stripInvisible(g.grader), 100),
      truncate(stripInvisible(g.label), 100),
      o.redact ? "" : truncate(stripInvisible(g.reason), 1000),
    ]),
  };
}

function caseText(t: string, o: ReportOptions): string {
  return o.redact ? redactedText(t) : truncate(stripInvisible(t), Math.max(o.maxResponseChars, 4000));
}

/**
 * `renderHtml` in pieces: one per case, so report.html for a million cases is written
 * as it is rendered (../io/atomic.ts writeStreamAtomic) and never held as one string.
 */
export function emitHtml(r: Results, o: ReportOptions, emit: (piece: string) => void): void {
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const flipped = new Map<string, 1 | -1>();
  for (const cmp of r.comparisons.filter((c) => c.category === undefined)) {
    for (const id of cmp.improved) if (!flipped.has(id)) flipped.set(id, -1);
    for (const id of cmp.regressed) flipped.set(id, 1);
  }
  const errored = (c: CaseOutcome) => c.status === "error" || base.get(c.id)?.status === "error";
  // Newly failing first, then newly passing, then errored cases, then the rest, in suite order.
  const order = (c: CaseOutcome) => {
    const f = flipped.get(c.id);
    return f === 1 ? 0 : f === -1 ? 1 : errored(c) ? 2 : 3;
  };
  const cases = [...r.builds.candidate.cases].sort((a, b) => order(a) - order(b));
  const count = (pred: (c: CaseOutcome) => boolean) => cases.reduce((n, c) => n + (pred(c) ? 1 : 0), 0);
  const nFlipped = count((c) => flipped.has(c.id));
  const nErrored = count(errored);
  const cost = costLine(r);
  const titles = Object.fromEntries(METRICS.map((m) => [m, METRIC_INFO[m as MetricName].title]));
  const build = (b: NonNullable<Results["builds"]["baseline"]>) =>
    `${b.target.label ? `${h(b.target.label)}: ` : ""}${h(b.target.kind)} ${h(truncate(b.target.source, 200))}`;
  emit(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>safety-gate: ${r.verdict}</title><style>${STYLE}</style></head><body>
<h1>safety-gate: <span class="${r.verdict}">${r.verdict.toUpperCase()}</span>${r.smoke ? " — smoke run, not a gate" : ""}${r.budget ? " — budget reached, not every case asked" : ""}</h1>
<p class="summary" id="summary"><b>Verdict: ${r.verdict}</b> — ${h(verdictSummary(r))}.${r.profile ? ` Profile ${h(r.profile.name)} (branch ${h(r.profile.branch)}).` : ""}</p>
${gateList(r)}
<p><small>Candidate: ${build(r.builds.candidate)}${r.builds.baseline ? ` · Baseline: ${build(r.builds.baseline)}` : " · no baseline"}${r.builds.reference ? ` · Reference: ${build(r.builds.reference)}` : ""} · Suites: ${r.suites.map((s) => `${h(s.file)} (${s.cases} cases)`).join(", ")}${cost ? ` · Cost: ${h(cost)}` : ""}</small></p>
${metricTable(r)}
${RATE_METRICS.map((m) => svgChart(r, m)).join("\n")}
${categoryTable(r)}
${erroredCases(r)}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join("")}</ul>` : ""}
<h2>Cases (${cases.length}: ${nFlipped} flipped, ${nErrored} errored; flipped first)</h2>
<noscript><p>The case list needs JavaScript; every case is in results.json.</p></noscript>
<div id="filters" hidden>
<label>Flipped <select id="f-flip"><option value="">all cases</option><option value="any">flipped</option><option value="failing">newly failing</option><option value="passing">newly passing</option></select></label>
<label><input type="checkbox" id="f-errors"> errored only</label>
<label>Metric <select id="f-metric"><option value="">all</option></select></label>
<label>Category <select id="f-category"><option value="">all</option></select></label>
<label>Grader <select id="f-grader"><option value="">all</option></select></label>
<label>Search <input type="search" id="f-q" placeholder="id, prompt, response, reason"></label>
<button type="button" id="expand">Expand all</button> <button type="button" id="reset">Reset</button>
<span id="count"></span>
</div>
<div id="cases"></div>
<button type="button" id="more" hidden>Show more</button>
<script type="application/json" id="sg-data">{"titles":${scriptJson(titles)},"cases":[`);
  cases.forEach((c, i) => {
    const b = base.get(c.id);
    const prompt = o.prompts?.get(c.id);
    const graders = [
      ...new Set([...(b?.grades ?? []), ...c.grades].map((g) => truncate(stripInvisible(g.grader), 100))),
    ];
    const data = {
      i: truncate(stripInvisible(c.id), 300),
      c: truncate(stripInvisible(c.category), 200),
      e: c.expect,
      m: c.metric,
      ms: [c.metric, ...(c.also ?? []).map((a) => a.metric)],
      f: flipped.get(c.id) ?? 0,
      err: errored(c),
      gr: graders,
      ...(prompt === undefined ? {} : { p: caseText(prompt, o) }),
      b: sideData(b, o),
      k: sideData(c, o),
      ...(c.source ? { src: `${truncate(stripInvisible(c.source.file), 300)}:${c.source.line}` } : {}),
    };
    emit(`${i === 0 ? "" : ",\n"}${scriptJson(data)}`);
  });
  emit(`]}</script>
<script>${VIEWER_SCRIPT}</script>
<p><small>safety-gate ${h(r.tool.version)} · config ${h(r.config.file)} · ${h(r.createdAt)}</small></p>
</body></html>
`);
}
