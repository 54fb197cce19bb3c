/**
 * Renders the pull-request comment as a reviewer sees it: the comment body exactly as
 * `publish` posts it (verdict, commit and run, summary table, sentences, collapsed
 * statistics, charts), turned into HTML as GitHub-flavoured Markdown (marked), mermaid
 * blocks drawn by mermaid, under a small stylesheet that approximates GitHub's comment
 * styles (GitHub's own CSS is not available offline), in headless Chromium at a pull
 * request's width, and screenshotted.
 *
 *   npx tsx scripts/render-comment.ts [--config FILE] [--out DIR] [--width 900]
 *
 * Writes DIR/comment.md, comment.html and comment.png (default out/comment). Uses the
 * system's Chromium (/usr/bin/chromium, or SAFETY_GATE_CHROMIUM); it never downloads one.
 * Dev tooling only: nothing here is bundled into dist/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { marked } from "marked";
import { runGate } from "../src/core.js";
import { COMMENT_LIMIT, commentMarker } from "../src/github/comment.js";
import { fittedMarkdown } from "../src/github/publish.js";
import { CHROMIUM, launchBrowser } from "./browser.js";

export { CHROMIUM };

/** An approximation of GitHub's light theme for a comment body (markdown-body) in a PR timeline. */
const GITHUB_LIKE_CSS = `
body { margin: 0; background: #fff; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.timeline { box-sizing: border-box; width: 100%; padding: 16px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; }
.comment-header b { color: #1f2328; }
.markdown-body { padding: 16px; overflow-wrap: break-word; }
.markdown-body > :first-child { margin-top: 0 !important; }
.markdown-body h2 { font-size: 1.5em; font-weight: 600; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3;
  margin: 24px 0 16px; line-height: 1.25; }
.markdown-body h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
.markdown-body h4 { font-size: 1em; font-weight: 600; margin: 24px 0 16px; }
.markdown-body p, .markdown-body ul, .markdown-body table, .markdown-body pre, .markdown-body details,
.markdown-body blockquote { margin: 0 0 16px; }
.markdown-body ul { padding-left: 2em; }
.markdown-body li + li { margin-top: .25em; }
.markdown-body a { color: #0969da; text-decoration: underline; text-underline-offset: .2rem; }
.markdown-body code { padding: .2em .4em; font-size: 85%; background: #818b981f; border-radius: 6px;
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.markdown-body pre { padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; background: #f6f8fa;
  border-radius: 6px; }
.markdown-body pre code { padding: 0; background: transparent; }
/* GitHub makes a wide table scroll inside the comment rather than widen it. */
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto;
  border-spacing: 0; border-collapse: collapse; font-variant: tabular-nums; }
.markdown-body th { font-weight: 600; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-body summary { cursor: pointer; display: list-item; }
.markdown-body sub { font-size: 75%; color: #59636e; }
.markdown-body .mermaid { margin: 0 0 16px; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px;
  text-align: center; }
`;

export interface RenderOptions {
  config: string;
  out: string;
  width: number;
  /** The commit and the run the comment names, as the action passes them. */
  sha?: string;
  runUrl?: string;
}

export interface Rendered {
  markdown: string;
  html: string;
  png: string;
  /**
   * Right edges (px) of the first table's last header cell, of the table's visible box (a
   * wide table scrolls inside it, as on GitHub) and of the comment body.
   */
  outcomeRight: number;
  tableRight: number;
  bodyRight: number;
  /** Visible text from the top of the comment, in reading order, as far as the first fold (700 px). */
  firstScreen: string;
  /** Charts mermaid drew (SVGs) and how many bars each has. */
  charts: { bars: number }[];
}

/** The comment body as `publish` posts it, then HTML, then a screenshot. */
export async function renderComment(o: RenderOptions): Promise<Rendered> {
  const { results, report } = await runGate({ configPath: o.config });
  const marker = commentMarker(results.config.file);
  const body = fittedMarkdown(
    results,
    report,
    {
      max: COMMENT_LIMIT - marker.length - 1,
      stated: COMMENT_LIMIT,
      unit: "characters",
      name: "GitHub's comment limit",
    },
    "The full report is in the artifact of the workflow run.",
    { sha: o.sha, runUrl: o.runUrl },
  );
  const markdown = `${marker}\n${body}`;
  // ```mermaid blocks become <div class="mermaid"> for mermaid to draw, as GitHub does.
  const renderer = new marked.Renderer();
  const code = renderer.code.bind(renderer);
  renderer.code = (token) =>
    token.lang === "mermaid" ? `<div class="mermaid">${escapeHtml(token.text)}</div>\n` : code(token);
  const inner = await marked.parse(markdown, { gfm: true, renderer });
  const mermaidJs = mermaidScript();
  const html = [
    "<!doctype html><html><head><meta charset='utf-8'><title>safety-gate comment</title>",
    `<style>${GITHUB_LIKE_CSS}</style></head><body><div class="timeline"><div class="comment">`,
    `<div class="comment-header"><b>github-actions</b> <span>bot</span> commented</div>`,
    `<div class="markdown-body">${inner}</div></div></div>`,
    mermaidJs
      ? `<script>${mermaidJs}</script><script>mermaid.initialize({ startOnLoad: false, theme: "default" });
         mermaid.run({ querySelector: ".mermaid" }).then(() => { document.body.dataset.drawn = "yes"; },
           (e) => { document.body.dataset.drawn = "error: " + e; });</script>`
      : `<script>document.body.dataset.drawn = "no mermaid";</script>`,
    "</body></html>",
  ].join("\n");
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, "comment.md"), markdown);
  const htmlPath = join(o.out, "comment.html");
  writeFileSync(htmlPath, html);

  const { browser, close } = await launchBrowser({ width: o.width, height: 800 });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${resolve(htmlPath)}`, { waitUntil: "load" });
    await page.waitForFunction("document.body.dataset.drawn !== undefined", { timeout: 20_000 });
    const measured = (await page.evaluate(MEASURE)) as Omit<Rendered, "markdown" | "html" | "png"> & {
      drawn: string;
    };
    if (measured.drawn !== "yes" && measured.drawn !== "no mermaid")
      throw new Error(`mermaid: ${measured.drawn}`);
    const png = join(o.out, "comment.png");
    await page.screenshot({ path: png, fullPage: true });
    return { markdown, html, png, ...measured };
  } finally {
    await close();
  }
}

/**
 * Run in the page (a string: this project's TypeScript has no DOM types): where the first
 * table's last header cell ends against the comment body, the text above the first fold,
 * and the charts mermaid drew.
 */
const MEASURE = `(() => {
  const th = document.querySelector(".markdown-body table")?.querySelectorAll("th") ?? [];
  const last = th[th.length - 1];
  const table = last?.closest("table");
  const body = document.querySelector(".markdown-body");
  let firstScreen = "";
  for (const el of document.querySelectorAll(".markdown-body > *")) {
    if (el.getBoundingClientRect().top < 700) firstScreen += el.innerText + "\\n";
  }
  return {
    outcomeRight: last ? last.getBoundingClientRect().right : 0,
    tableRight: table ? table.getBoundingClientRect().right : 0,
    bodyRight: body.getBoundingClientRect().right,
    firstScreen,
    charts: [...document.querySelectorAll(".mermaid svg")].map((svg) => ({ bars: svg.querySelectorAll("rect").length })),
    drawn: document.body.dataset.drawn,
  };
})()`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** mermaid's browser bundle, when the devDependency is installed (charts stay code blocks without it). */
function mermaidScript(): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
    return readFileSync(path, "utf8").replace(/<\/script/gi, "<\\/script");
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string", default: "examples/quickstart/safety-gate.yml" },
      out: { type: "string", default: "out/comment" },
      width: { type: "string", default: "900" },
    },
  });
  if (!existsSync(CHROMIUM)) {
    console.error(
      `render-comment: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SAFETY_GATE_CHROMIUM)`,
    );
    process.exit(2);
  }
  const r = await renderComment({
    config: values.config,
    out: values.out,
    width: Number(values.width),
    sha: "0123456789abcdef0123456789abcdef01234567",
    runUrl: "https://github.com/octo-org/model-release/actions/runs/4242",
  });
  console.log(
    `wrote ${r.png} (${values.width} px wide); first table's last column ends at ${Math.round(r.outcomeRight)} px, its visible box at ${Math.round(r.tableRight)} px, the comment body at ${Math.round(r.bodyRight)} px`,
  );
  console.log(`charts drawn: ${r.charts.length} (${r.charts.map((c) => `${c.bars} rects`).join(", ")})`);
  console.log(`first screen:\n${r.firstScreen}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
