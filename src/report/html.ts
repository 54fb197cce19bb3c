/**
 * `report.html`: one self-contained page (no scripts, no external requests — a Content
 * Security Policy forbids both) with the verdict, the metric table and every case,
 * flipped cases first, each opening onto its prompt, both responses and the grades.
 * All text is escaped (./escape.ts); `redact` shows hashes and lengths instead.
 */
import { formatInterval, formatP, formatPoints } from "../gate/format.js";
import { METRIC_INFO, METRICS } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { errorCauses } from "./error-causes.js";
import { htmlText, redactedText, truncate } from "./escape.js";
import { gateText, type ReportOptions, rateCell, verdictSummary } from "./markdown.js";
import type { Results } from "./results-schema.js";

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2328}
h1 .pass{color:#1a7f37}h1 .fail{color:#cf222e}h1 .inconclusive{color:#9a6700}h1 .waived{color:#8250df}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.6rem;border-radius:6px}
details{border-bottom:1px solid #d0d7de;padding:.3rem 0}summary{cursor:pointer}
.fail{color:#cf222e}.pass{color:#1a7f37}.error{color:#9a6700}.flip{font-weight:600}small{color:#59636e}`;

const h = htmlText;

function text(t: string, o: ReportOptions): string {
  return `<pre>${h(o.redact ? redactedText(t) : truncate(t, Math.max(o.maxResponseChars, 4000)))}</pre>`;
}

function side(name: string, c: CaseOutcome | undefined, o: ReportOptions): string {
  if (!c) return `<h4>${name}: no result</h4>`;
  const grades = c.grades
    .map((g) => `<li>${h(g.grader)}: ${h(g.label)}${o.redact ? "" : ` — ${h(g.reason)}`}</li>`)
    .join("");
  const body =
    c.status === "error" ? `<p class="error">error: ${h(c.error ?? "")}</p>` : text(c.response ?? "", o);
  return `<h4>${name}: <span class="${c.status}">${c.status}</span></h4>${body}${grades ? `<ul>${grades}</ul>` : ""}`;
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

/**
 * `renderHtml` in pieces: one per case, so report.html for a million cases is written
 * as it is rendered (../io/atomic.ts writeStreamAtomic) and never held as one string.
 */
export function emitHtml(r: Results, o: ReportOptions, emit: (piece: string) => void): void {
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const flipped = new Map<string, string>();
  for (const cmp of r.comparisons.filter((c) => c.category === undefined)) {
    for (const id of cmp.regressed) flipped.set(id, "newly failing");
    for (const id of cmp.improved) flipped.set(id, "newly passing");
  }
  const order = (c: CaseOutcome) => (flipped.get(c.id) === "newly failing" ? 0 : flipped.has(c.id) ? 1 : 2);
  const cases = [...r.builds.candidate.cases].sort((a, b) => order(a) - order(b));
  const rows = METRICS.filter((m) => r.metrics.candidate[m].overall.n > 0).map((m) => {
    const cmp = r.comparisons.find((c) => c.metric === m && c.category === undefined);
    const gates = r.decisions
      .filter((d) => d.metric === m)
      .map((d) => `${h(gateText(d))}: <span class="${d.outcome}">${d.outcome}</span>`)
      .join("<br>");
    return `<tr><td>${METRIC_INFO[m].title}</td><td>${h(rateCell(r.metrics.baseline?.[m].overall))}</td><td>${h(rateCell(r.metrics.candidate[m].overall))}</td><td>${cmp ? `${h(formatPoints(cmp.delta))} ${h(formatInterval(cmp.ci, "points"))}` : "–"}</td><td>${cmp ? h(formatP(cmp.pOneSided)) : "–"}</td><td>${gates || "not gated"}</td></tr>`;
  });
  const decisions = r.decisions
    .filter((d) => d.outcome !== "pass")
    .map(
      (d) =>
        `<li><span class="${d.outcome}">${d.outcome}</span> <b>${METRIC_INFO[d.metric].title}</b> (${h(gateText(d))}): ${h(d.plain ?? d.reason)}${d.plain ? `<br><small>${h(d.reason)}</small>` : ""}${d.waiver ? ` — waived by ${h(d.waiver.owner)} until ${h(d.waiver.expires)}: ${h(d.waiver.reason)}` : ""}</li>`,
    )
    .join("");
  const item = (c: CaseOutcome) => {
    const flip = flipped.get(c.id);
    const prompt = o.prompts?.get(c.id);
    return `<details><summary><code>${h(c.id)}</code> · ${h(c.category)} · expect ${c.expect} · baseline <span class="${base.get(c.id)?.status ?? ""}">${base.get(c.id)?.status ?? "–"}</span> → candidate <span class="${c.status}">${c.status}</span>${flip ? ` <span class="flip">(${flip})</span>` : ""}</summary>${prompt === undefined ? "" : `<h4>Prompt</h4>${text(prompt, o)}`}${side("Baseline", base.get(c.id), o)}${side("Candidate", c, o)}${c.source ? `<small>${h(c.source.file)}:${c.source.line}</small>` : ""}</details>`;
  };
  emit(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>safety-gate: ${r.verdict}</title><style>${STYLE}</style></head><body>
<h1>safety-gate: <span class="${r.verdict}">${r.verdict.toUpperCase()}</span>${r.smoke ? " — smoke run, not a gate" : ""}</h1>
<p>${h(verdictSummary(r))}${r.profile ? ` · profile ${h(r.profile.name)} (branch ${h(r.profile.branch)})` : ""}</p>
${decisions ? `<ul>${decisions}</ul>` : ""}
<table><thead><tr><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Δ [CI]</th><th>p (one-sided)</th><th>Gates</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>
${erroredCases(r)}
${r.notes.length ? `<ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join("")}</ul>` : ""}
<h2>Cases (${cases.length}; flipped first)</h2>
`);
  cases.forEach((c, i) => {
    emit(i === 0 ? item(c) : `\n${item(c)}`);
  });
  emit(`
<p><small>safety-gate ${h(r.tool.version)} · config ${h(r.config.file)} · ${h(r.createdAt)}</small></p>
</body></html>
`);
}
