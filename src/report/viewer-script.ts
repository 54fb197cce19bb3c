/**
 * The script of report.html: reads the cases from the page's JSON block and lists them with
 * filters, search and expand-all. Plain browser JavaScript in a string (this project's
 * TypeScript has no DOM types), fixed at build time so the page's Content-Security-Policy
 * can allow exactly this script by its hash.
 *
 * Every case text is untrusted (model output, suite text): it only ever reaches the page
 * as textContent or a text node — never innerHTML — so nothing in it is parsed as HTML.
 * Rows are built in chunks as the reader scrolls, and a row's body only when it is opened,
 * so 10,000 cases load as fast as 200.
 */
export const VIEWER_SCRIPT = `(() => {
"use strict";
const data = JSON.parse(document.getElementById("sg-data").textContent);
const cases = data.cases;
const titles = data.titles;
const CHUNK = 200;
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
const filter = { flip: "", errors: false, metric: "", category: "", grader: "", q: "" };
let matching = [];
let shown = 0;
let expandAll = false;

function options(select, values, label) {
  for (const v of values) {
    const o = el("option", "", label ? label(v) : v);
    o.value = v;
    select.appendChild(o);
  }
}
const categories = new Set();
const metrics = new Set();
const graders = new Set();
for (const c of cases) {
  categories.add(c.c);
  for (const m of c.ms) metrics.add(m);
  for (const g of c.gr) graders.add(g);
}
options($("f-metric"), Object.keys(titles).filter((m) => metrics.has(m)), (m) => titles[m]);
options($("f-category"), [...categories].sort());
options($("f-grader"), [...graders].sort());

function sideText(o) {
  if (!o) return "";
  return [o.r || "", o.x || "", ...o.g.map((g) => g.join(" "))].join("\\n");
}
function haystack(c) {
  if (c.h === undefined) c.h = [c.i, c.c, c.p || "", sideText(c.b), sideText(c.k)].join("\\n").toLowerCase();
  return c.h;
}
function matches(c) {
  if (filter.flip === "any" && !c.f) return false;
  if (filter.flip === "failing" && c.f !== 1) return false;
  if (filter.flip === "passing" && c.f !== -1) return false;
  if (filter.errors && !c.err) return false;
  if (filter.metric && !c.ms.includes(filter.metric)) return false;
  if (filter.category && c.c !== filter.category) return false;
  if (filter.grader && !c.gr.includes(filter.grader)) return false;
  if (filter.q && !haystack(c).includes(filter.q)) return false;
  return true;
}

function status(o) {
  return o ? el("span", "st " + o.s, o.s) : el("span", "st", "–");
}
function side(name, o) {
  const d = el("div", "side");
  const h = el("h4", "", name + ": ");
  h.append(status(o));
  d.append(h);
  if (!o) {
    d.append(el("p", "", "no result"));
    return d;
  }
  if (o.s === "error") d.append(el("p", "error", "error: " + (o.x || "")));
  else d.append(el("pre", "", o.r || ""));
  if (o.g.length) {
    const ul = el("ul");
    for (const g of o.g) ul.append(el("li", "", g[0] + ": " + g[1] + (g[2] ? " — " + g[2] : "")));
    d.append(ul);
  }
  return d;
}
function build(d, c) {
  d.dataset.built = "1";
  if (c.p !== undefined) {
    d.append(el("h4", "", "Prompt"), el("pre", "", c.p));
  }
  const sides = el("div", "sides");
  sides.append(side("Baseline", c.b), side("Candidate", c.k));
  d.append(sides);
  if (c.src) d.append(el("small", "", c.src));
}
const caseOf = new WeakMap();
function row(c) {
  const d = el("details", "case" + (c.err ? " errored" : "") + (c.f === 1 ? " regressed" : c.f === -1 ? " improved" : ""));
  const s = el("summary");
  s.append(el("code", "", c.i), " · " + c.c + " · " + (titles[c.m] || c.m) + " · expect " + c.e + " · baseline ", status(c.b), " → candidate ", status(c.k));
  if (c.f) s.append(" ", el("span", "flip", c.f === 1 ? "newly failing" : "newly passing"));
  if (c.err) s.append(" ", el("span", "badge errored", "⚠ errored"));
  d.append(s);
  caseOf.set(d, c);
  d.addEventListener("toggle", () => {
    if (d.open && !d.dataset.built) build(d, c);
  });
  if (expandAll) {
    build(d, c);
    d.open = true;
  }
  return d;
}

const list = $("cases");
const more = $("more");
function count() {
  const n = $("count");
  n.dataset.matching = String(matching.length);
  n.dataset.shown = String(shown);
  n.textContent = matching.length + " of " + cases.length + " cases" + (shown < matching.length ? " · showing the first " + shown : "");
  more.hidden = shown >= matching.length;
  more.textContent = "Show " + Math.min(CHUNK, matching.length - shown) + " more";
}
function showMore() {
  const end = Math.min(matching.length, shown + CHUNK);
  const frag = document.createDocumentFragment();
  for (let i = shown; i < end; i++) frag.append(row(matching[i]));
  list.append(frag);
  shown = end;
  count();
}
function render() {
  matching = cases.filter(matches);
  list.replaceChildren();
  shown = 0;
  showMore();
  // Counts renders, so that a test (or a reader's tool) can tell a filter has applied.
  list.dataset.renders = String(Number(list.dataset.renders || 0) + 1);
}

more.addEventListener("click", showMore);
if (typeof IntersectionObserver === "function") {
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && shown < matching.length) showMore();
  }).observe(more);
}
const bind = (id, key, value) =>
  $(id).addEventListener(id === "f-q" ? "input" : "change", (e) => {
    filter[key] = value(e.target);
    if (id === "f-q") {
      clearTimeout(bind.t);
      bind.t = setTimeout(render, 120);
    } else render();
  });
bind("f-flip", "flip", (t) => t.value);
bind("f-errors", "errors", (t) => t.checked);
bind("f-metric", "metric", (t) => t.value);
bind("f-category", "category", (t) => t.value);
bind("f-grader", "grader", (t) => t.value);
bind("f-q", "q", (t) => t.value.trim().toLowerCase());
$("expand").addEventListener("click", () => {
  expandAll = !expandAll;
  $("expand").textContent = expandAll ? "Collapse all" : "Expand all";
  for (const d of list.children) {
    // Built here, not on the toggle event (which comes later): expanded means readable now.
    if (expandAll && !d.dataset.built) build(d, caseOf.get(d));
    d.open = expandAll;
  }
});
$("reset").addEventListener("click", () => {
  for (const id of ["f-flip", "f-metric", "f-category", "f-grader", "f-q"]) $(id).value = "";
  $("f-errors").checked = false;
  Object.assign(filter, { flip: "", errors: false, metric: "", category: "", grader: "", q: "" });
  render();
});
$("filters").hidden = false;
render();
document.documentElement.dataset.ready = String(performance.now());
})();
`;
